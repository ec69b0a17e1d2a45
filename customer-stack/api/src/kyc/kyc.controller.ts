// The investor's side of KYC: submit identity data, see where it stands.
import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { KycService, type KycView } from './kyc.service.js';

@ApiTags('kyc')
@Controller('kyc')
export class KycController {
  constructor(@Inject(KycService) private readonly kyc: KycService) {}

  /** Submits identity data for a tier (1-3); answers with the resulting state (checks run at once; a slow provider leaves it pending). */
  @Post('submissions')
  @HttpCode(200)
  @Permissions('kyc:submit')
  submit(@CurrentPrincipal() investor: Principal, @Body() body: unknown): Promise<KycView> {
    return this.kyc.submit(investor, body);
  }

  @Get('me')
  @Permissions('kyc:submit')
  me(@CurrentPrincipal() investor: Principal): Promise<KycView> {
    return this.kyc.view(investor.tenantId, investor.userId);
  }
}
