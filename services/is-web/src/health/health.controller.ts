import { Controller, Get, SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from '@pjs/metrics';

@Controller()
@SetMetadata(IS_PUBLIC_KEY, true)
export class HealthController {
  @Get(['health', 'health/'])
  health(): { status: 'ok'; service: string; uptime_s: number } {
    return { status: 'ok', service: 'is-web', uptime_s: Math.round(process.uptime()) };
  }
}
