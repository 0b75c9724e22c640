import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@pjs/auth';
import { SignalDto } from './dto/signal.dto';
import { SignalService } from './signal.service';

/** `POST /api/signal/`: queue a background sync of item details from DBU. */
@ApiTags('sync')
@ApiSecurity('token')
@Controller('api')
export class SignalController {
  constructor(private readonly signals: SignalService) {}

  @Post(['signal', 'signal/'])
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a sync of DBU details (im-worker runs it)' })
  @ApiAcceptedResponse({ description: '{"status": "queued", "event_id": "...", "scope": "missing"}' })
  async signal(
    @Body() body: SignalDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ status: 'queued'; event_id: string; scope: 'missing' | 'all'; item_count?: number }> {
    const scope = body?.scope ?? 'missing';
    const itemNos = body?.item_nos;
    const envelope = await this.signals.requestSync({
      scope,
      ...(itemNos ? { item_nos: itemNos } : {}),
      requested_by: principal.username,
    });
    return { status: 'queued', event_id: envelope.id, scope, ...(itemNos ? { item_count: itemNos.length } : {}) };
  }
}
