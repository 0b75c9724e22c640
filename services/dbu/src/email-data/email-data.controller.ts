import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@pjs/auth';
import { ErrorDto } from '../products/dto/product.response';
import { EmailDataDto, EmailDataResultDto } from './dto/email-data.dto';
import { EmailDataService, type EmailDataResult } from './email-data.service';

/** `POST /api/email-data/`: discounts from order e-mails (MailBot). */
@ApiTags('email-data')
@ApiSecurity('token')
@ApiUnauthorizedResponse({ type: ErrorDto })
@Controller('api/email-data')
export class EmailDataController {
  constructor(private readonly emailData: EmailDataService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set product discounts from an order e-mail; answers applied / skipped counts' })
  @ApiOkResponse({ type: EmailDataResultDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'order_number or items missing / malformed' })
  @ApiPayloadTooLargeResponse({ type: ErrorDto })
  apply(@Body() dto: EmailDataDto, @CurrentPrincipal() principal: Principal): Promise<EmailDataResult> {
    return this.emailData.apply(dto, principal);
  }
}
