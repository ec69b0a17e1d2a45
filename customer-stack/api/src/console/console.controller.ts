// The compliance console's API: review queues with filters and assignment, cases with their
// screening explanations, the KYC manual-review queue, a customer's 360 view composed from the
// KYC and AML services (never their tables), the SAR register (MLRO only), one customer's
// audit trail and the tenant's whole trail, a page at a time. Every route names its
// permissions; every read of personal data is audited.
import { Body, Controller, DefaultValuePipe, Get, HttpCode, Inject, Param, ParseIntPipe, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AmlError } from '../aml/aml.errors.js';
import { AmlService, officerActor } from '../aml/aml.service.js';
import { ALERT_STATUSES } from '../aml/aml.entities.js';
import { AuditService, type AuditEntry } from '../audit/audit.service.js';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { KycService } from '../kyc/kyc.service.js';
import { TenantScope } from '../tenancy/tenant-scope.js';

const PAGE_MAX = 200;
const AUDIT_TRAIL_MAX = 500;
/** The resource kinds modules record a customer's entries under (compliance, auth, data protection). */
const CUSTOMER_RESOURCE_KINDS = ['customer', 'user', 'person'] as const;

const TrailQuery = z.strictObject({
  before: z.string().regex(/^[1-9][0-9]{0,18}$/, 'a sequence number').optional(),
  action: z.string().regex(/^[a-z][a-z0-9_.]{0,79}$/, 'an action or its prefix, e.g. aml.freeze').optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(50),
});

const AlertQuery = z.strictObject({
  status: z.enum(ALERT_STATUSES).optional(),
  rule: z.string().regex(/^[a-z_]{3,50}$/).optional(),
  kind: z.enum(['screening', 'monitoring']).optional(),
  assignedTo: z.uuid().optional(),
  userId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

@ApiTags('console')
@Controller('console')
export class ConsoleController {
  constructor(
    @Inject(AmlService) private readonly aml: AmlService,
    @Inject(KycService) private readonly kyc: KycService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TenantScope) private readonly scope: TenantScope,
  ) {}

  // ---------------------------------------------------------------- AML review queue

  @Get('alerts')
  @Permissions('console:read', 'aml:review')
  alerts(@CurrentPrincipal() officer: Principal, @Query() query: Record<string, string>): Promise<unknown> {
    const parsed = AlertQuery.safeParse(query);
    if (!parsed.success) throw new AmlError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return this.aml.listAlerts(officer, parsed.data);
  }

  @Get('alerts/:id')
  @Permissions('console:read', 'aml:review')
  alertCase(@CurrentPrincipal() officer: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<unknown> {
    return this.aml.alertCase(officer, id);
  }

  @Post('alerts/:id/assign')
  @HttpCode(200)
  @Permissions('aml:review')
  assign(@CurrentPrincipal() officer: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<unknown> {
    return this.aml.assign(officer, id, body);
  }

  @Post('alerts/:id/notes')
  @HttpCode(201)
  @Permissions('aml:review')
  note(@CurrentPrincipal() officer: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<unknown> {
    return this.aml.addNote(officer, id, body);
  }

  /** clear / escalate (officers), file_sar (MLRO: checked in the service), freeze (requests it; a second officer approves). */
  @Post('alerts/:id/decision')
  @HttpCode(200)
  @Permissions('aml:review', 'aml:freeze')
  decide(@CurrentPrincipal() officer: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<unknown> {
    return this.aml.decideAlert(officer, id, body);
  }

  /** The second officer's approval of a requested freeze (four eyes). */
  @Post('customers/:userId/freeze/approve')
  @HttpCode(200)
  @Permissions('aml:freeze')
  approveFreeze(@CurrentPrincipal() officer: Principal, @Param('userId', ParseUUIDPipe) userId: string): Promise<unknown> {
    return this.aml.approveFreeze(officer, userId);
  }

  // ---------------------------------------------------------------- KYC manual review

  @Get('kyc/reviews')
  @Permissions('console:read', 'kyc:review')
  kycReviews(
    @CurrentPrincipal() officer: Principal,
    @Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number,
    @Query('offset', new DefaultValuePipe(0), ParseIntPipe) offset: number,
  ): Promise<unknown> {
    return this.kyc.reviewQueue(officer, Math.min(Math.max(limit, 1), PAGE_MAX), Math.max(offset, 0));
  }

  @Post('kyc/:userId/decision')
  @HttpCode(200)
  @Permissions('kyc:review')
  kycDecision(@CurrentPrincipal() officer: Principal, @Param('userId', ParseUUIDPipe) userId: string, @Body() body: unknown): Promise<unknown> {
    return this.kyc.decide(officer, userId, body);
  }

  // ---------------------------------------------------------------- customers

  /** Everything KYC and AML know of one customer (the read itself is audited). */
  @Get('customers/:userId')
  @Permissions('console:read')
  customer(@CurrentPrincipal() officer: Principal, @Param('userId', ParseUUIDPipe) userId: string): Promise<unknown> {
    return this.scope.run(officer.tenantId, async (tx) => {
      const kyc = await this.kyc.customerDetail(tx, userId);
      const aml = await this.aml.customerSummary(tx, userId);
      const standing = await this.kyc.standing(tx, userId);
      await this.audit.record(tx, { tenantId: officer.tenantId, ...officerActor(officer), action: 'console.customer.viewed', resource: `customer:${userId}` });
      return { userId, standing, kyc, aml };
    });
  }

  /** The audit trail of one customer: every entry recorded against them, oldest first. */
  @Get('customers/:userId/audit')
  @Permissions('console:read', 'audit:read')
  customerAudit(@CurrentPrincipal() officer: Principal, @Param('userId', ParseUUIDPipe) userId: string): Promise<(Omit<AuditEntry, 'seq'> & { seq: string })[]> {
    return this.scope.run(officer.tenantId, async (tx) => {
      const entries: AuditEntry[] = [];
      for (const kind of CUSTOMER_RESOURCE_KINDS) entries.push(...(await this.audit.ofResource(tx, `${kind}:${userId}`, AUDIT_TRAIL_MAX)));
      entries.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
      return entries.map((entry) => ({ ...entry, seq: entry.seq.toString() }));
    });
  }

  /**
   * The tenant's whole audit trail, newest first, a page at a time (`before` the last seq seen),
   * optionally only actions starting with `action`. Each entry carries its hash, so any of them
   * can be proved against the anchored root (GET /audit/entries/:seq/proof).
   */
  @Get('audit')
  @Permissions('audit:read')
  auditTrail(
    @CurrentPrincipal() staff: Principal,
    @Query() query: Record<string, string>,
  ): Promise<{ entries: (Omit<AuditEntry, 'seq'> & { seq: string })[]; nextBefore: string | null }> {
    const parsed = TrailQuery.safeParse(query);
    if (!parsed.success) throw new AmlError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { before, action, limit } = parsed.data;
    return this.scope.run(staff.tenantId, async (tx) => {
      const entries = await this.audit.trail(tx, { beforeSeq: before === undefined ? null : BigInt(before), actionPrefix: action ?? null, limit });
      const last = entries[entries.length - 1];
      const nextBefore = entries.length === limit && last ? last.seq.toString() : null;
      return { entries: entries.map((entry) => ({ ...entry, seq: entry.seq.toString() })), nextBefore };
    });
  }

  // ---------------------------------------------------------------- SAR register (MLRO)

  @Get('sars')
  @Permissions('sar:manage')
  sars(@CurrentPrincipal() mlro: Principal, @Query('status') status?: string): Promise<unknown> {
    if (status !== undefined && status !== 'draft' && status !== 'filed') throw new AmlError('invalid_request', 'status: draft or filed');
    return this.aml.listSars(mlro, status);
  }

  @Post('sars/:id/filed')
  @HttpCode(200)
  @Permissions('sar:manage')
  fileSar(@CurrentPrincipal() mlro: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<unknown> {
    return this.aml.fileSar(mlro, id, body);
  }
}
