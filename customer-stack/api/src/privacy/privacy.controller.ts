// Data-protection routes: investors manage their consents and download what is held on them;
// privacy admins export and erase people, keep the breach register and set retention.
import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { auditActorOf } from '../audit/audit-actor.js';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { BreachRegisterService, type BreachIncident } from './breach-register.service.js';
import { PrivacyService, type ConsentState, type SubjectExport } from './privacy.service.js';
import { RetentionService } from './retention.service.js';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('privacy')
@Controller('privacy')
export class PrivacyController {
  constructor(
    @Inject(PrivacyService) private readonly privacy: PrivacyService,
    @Inject(BreachRegisterService) private readonly breaches: BreachRegisterService,
    @Inject(RetentionService) private readonly retention: RetentionService,
  ) {}

  @Get('consents')
  @Permissions('privacy:self')
  @ApiOperation({ summary: 'My current consent decisions' })
  consents(@CurrentPrincipal() p: Principal): Promise<ConsentState[]> {
    return this.privacy.currentConsents(p.tenantId, p.userId);
  }

  @Post('consents')
  @Permissions('privacy:self')
  @ApiOperation({ summary: 'Grant or withdraw consent for a purpose (audited; the history is kept)' })
  recordConsent(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<ConsentState> {
    return this.privacy.recordConsent(auditActorOf(p, 'privacy:self'), p.tenantId, p.userId, body);
  }

  @Get('export')
  @Permissions('privacy:self')
  @ApiOperation({ summary: 'Everything held on me, as JSON (subject access)' })
  exportMine(@CurrentPrincipal() p: Principal): Promise<SubjectExport> {
    return this.privacy.exportSubject(auditActorOf(p, 'privacy:self'), p.tenantId, p.userId);
  }

  @Get('subjects/:subjectId/export')
  @Permissions('privacy:manage')
  @ApiOperation({ summary: 'Everything held on a person of my tenant, as JSON (audited)' })
  exportSubject(@CurrentPrincipal() p: Principal, @Param('subjectId', uuid) subjectId: string): Promise<SubjectExport> {
    return this.privacy.exportSubject(auditActorOf(p, 'privacy:manage'), p.tenantId, subjectId);
  }

  @Post('subjects/:subjectId/erasure')
  @Permissions('privacy:manage')
  @ApiOperation({ summary: "Erase a person: destroy their data key so their sealed data can never be read again (audited)" })
  erase(@CurrentPrincipal() p: Principal, @Param('subjectId', uuid) subjectId: string, @Body() body: unknown): Promise<{ erased: true; keyDestroyed: boolean }> {
    return this.privacy.erase(auditActorOf(p, 'privacy:manage'), p.tenantId, subjectId, body);
  }

  @Get('breaches')
  @Permissions('privacy:manage')
  @ApiOperation({ summary: 'The breach-incident register, newest first' })
  listBreaches(@CurrentPrincipal() p: Principal): Promise<BreachIncident[]> {
    return this.breaches.list(p.tenantId);
  }

  @Post('breaches')
  @Permissions('privacy:manage')
  @ApiOperation({ summary: 'Record a breach incident (the regulator deadline is detection + 72 h)' })
  reportBreach(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<BreachIncident> {
    return this.breaches.report(auditActorOf(p, 'privacy:manage'), p.tenantId, body);
  }

  @Patch('breaches/:id')
  @Permissions('privacy:manage')
  @ApiOperation({ summary: 'Update a breach incident: status, severity, count, notifications' })
  updateBreach(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() body: unknown): Promise<BreachIncident> {
    return this.breaches.update(auditActorOf(p, 'privacy:manage'), p.tenantId, id, body);
  }

  @Get('retention')
  @Permissions('privacy:manage')
  @ApiOperation({ summary: "My tenant's retention policies and the categories that can be purged" })
  async retentionPolicies(@CurrentPrincipal() p: Principal): Promise<{ categories: string[]; policies: { category: string; retainDays: number }[] }> {
    return { categories: this.retention.categories(), policies: await this.retention.policies(p.tenantId) };
  }

  @Put('retention')
  @Permissions('privacy:manage')
  @ApiOperation({ summary: 'Set how many days a category is kept (audited)' })
  setRetention(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<{ category: string; retainDays: number }> {
    return this.retention.setPolicy(auditActorOf(p, 'privacy:manage'), p.tenantId, body);
  }
}
