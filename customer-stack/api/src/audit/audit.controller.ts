import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permissions } from '../auth/permissions.decorator.js';
import { AuditService, type AuditVerification } from './audit.service.js';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get('verify')
  @Permissions('audit:verify')
  @ApiOperation({ summary: 'Walk the whole audit chain and name the first broken entry (seq and kind), if any' })
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
