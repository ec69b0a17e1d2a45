// The customer side of reconciliation: each statement.v1 from the execution stack is compared
// with what this stack holds — every position line with the ledger's position at the period's
// end (held units included), every cash line with the trade and payout cash the orders module
// booked over the period — and every difference is recorded as a break, under the tenant's
// row-level security and audited in the same transaction. Nothing is corrected: people move a
// break open → investigating → resolved, with a note.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { assert, canonicalDecimal, canonicalJson, decimal, sha256Hex, type MessageBody } from '@bulwark/shared-contracts';
import type { InboundMessage, SqlTx } from '@bulwark/shared-contracts/wall';
import { WallService } from '@bulwark/shared-contracts/platform';
import { AuditService } from '../audit/audit.service.js';
import { auditActorOf } from '../audit/audit-actor.js';
import type { AuditActor } from '../audit/audit-input.js';
import type { Principal } from '../auth/principal.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { OrdersService } from '../orders/orders.service.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { ReconciliationError } from './reconciliation.errors.js';
import { BREAK_KINDS, BREAK_STATUSES, type BreakKind, type BreakStatus, type BreakView } from './reconciliation.views.js';

export const BREAKS_PER_PAGE_MAX = 200;
export const BREAK_NOTE_CHARS_MAX = 2_000;
const STATEMENT_ACTOR: AuditActor = { actor: 'system:execution-stack', role: 'system' };

type Statement = MessageBody<'statement.v1'>;

export const BreakQuery = z.strictObject({
  status: z.enum(BREAK_STATUSES).optional(),
  kind: z.enum(BREAK_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(BREAKS_PER_PAGE_MAX).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const BreakStatusChange = z.strictObject({
  status: z.enum(['investigating', 'resolved']),
  note: z.string().trim().min(3).max(BREAK_NOTE_CHARS_MAX).optional(),
});

interface BreakRow {
  break_id: string; statement_id: string; kind: BreakKind; account_ref: string; unit: string; expected: string; actual: string; period_end: Date;
  status: BreakStatus; note: string | null; detected_at: Date; updated_at: Date; updated_by: string | null;
}

interface Finding {
  readonly kind: BreakKind;
  readonly accountRef: string;
  readonly unit: string;
  readonly expected: string;
  readonly actual: string;
}

const BREAK_COLUMNS = 'break_id, statement_id, kind, account_ref, unit, expected::text, actual::text, period_end, status, note, detected_at, updated_at, updated_by';

function viewOf(row: BreakRow, nowMs: number): BreakView {
  return {
    breakId: row.break_id, statementId: row.statement_id, kind: row.kind, accountRef: row.account_ref, unit: row.unit,
    expected: canonicalDecimal(row.expected), actual: canonicalDecimal(row.actual), amount: canonicalDecimal(decimal(row.actual).minus(decimal(row.expected))),
    periodEnd: row.period_end.toISOString(), status: row.status, note: row.note, detectedAt: row.detected_at.toISOString(),
    ageMs: Math.max(0, nowMs - row.detected_at.getTime()), updatedAt: row.updated_at.toISOString(), updatedBy: row.updated_by,
  };
}

/** The transitions people may make; the note is required to resolve. */
const NEXT: Readonly<Record<BreakStatus, readonly BreakStatus[]>> = { open: ['investigating', 'resolved'], investigating: ['resolved'], resolved: [] };

@Injectable()
export class ReconciliationService implements OnModuleInit {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @Inject(WallService) private readonly wall: WallService,
    @Inject(TenantScope) private readonly tenants: TenantScope,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Inject(OrdersService) private readonly orders: OrdersService,
  ) {}

  onModuleInit(): void {
    this.wall.registerHandlers({ 'statement.v1': (tx, messages) => this.onStatements(tx, messages) });
  }

  private async onStatements(tx: SqlTx, messages: readonly InboundMessage<'statement.v1'>[]): Promise<void> {
    for (const { body } of messages) await this.reconcile(tx, body);
  }

  /** Reconciles one statement in the caller's (inbound) transaction; a statement seen before has no effect. */
  async reconcile(tx: SqlTx, s: Statement): Promise<{ breaks: number }> {
    const { statementId, contentHash, ...content } = s;
    // The pair across the wall: the body is what the execution stack hashed.
    assert(sha256Hex(canonicalJson(content)) === contentHash, `statement ${statementId}: content hash differs from its lines`);
    await this.tenants.enter(tx, s.tenantRef);
    const [seen] = await tx.query(`SELECT 1 FROM reconciliation_statement WHERE statement_id = $1`, [statementId]);
    if (seen) return { breaks: 0 };
    const findings = await this.compare(tx, s);
    const periodEnd = new Date(s.periodEnd);
    for (const f of findings) {
      const breakId = randomUUID();
      await tx.query(
        `INSERT INTO reconciliation_break (break_id, tenant_id, statement_id, kind, account_ref, unit, expected, actual, period_end, status, detected_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', clock_timestamp(), clock_timestamp())`,
        [breakId, s.tenantRef, statementId, f.kind, f.accountRef, f.unit, f.expected, f.actual, periodEnd.toISOString()],
      );
      await this.audit.record(tx, {
        tenantId: s.tenantRef, ...STATEMENT_ACTOR, action: 'reconciliation.break.detected', resource: `reconciliation_break:${breakId}`,
        diff: { statementId, kind: f.kind, accountRef: f.accountRef, unit: f.unit, expected: f.expected, actual: f.actual },
      });
    }
    await tx.query(
      `INSERT INTO reconciliation_statement (statement_id, tenant_id, period_start, period_end, content_hash, lines, breaks, reconciled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())`,
      [statementId, s.tenantRef, s.periodStart, s.periodEnd, contentHash, s.positions.length + s.cash.length, findings.length],
    );
    await this.audit.record(tx, {
      tenantId: s.tenantRef, ...STATEMENT_ACTOR, action: 'reconciliation.statement.reconciled', resource: `statement:${statementId}`,
      diff: { periodStart: s.periodStart, periodEnd: s.periodEnd, contentHash, positions: s.positions.length, cash: s.cash.length, breaks: findings.length },
    });
    if (findings.length > 0) this.logger.warn({ event: 'reconciliation.breaks', statementId, breaks: findings.length }, 'statement does not match the ledger');
    return { breaks: findings.length };
  }

  /** Every statement line against this stack's own figures; an account this tenant does not hold is a break of its own. */
  private async compare(tx: SqlTx, s: Statement): Promise<Finding[]> {
    const refs = [...new Set([...s.positions.map((p) => p.accountRef), ...s.cash.map((c) => c.accountRef)])];
    const owners = await this.tenants.tenantOfAccounts(tx, refs);
    const known = (ref: string) => owners.get(ref) === s.tenantRef;
    const findings: Finding[] = [];
    const periodEnd = new Date(s.periodEnd);
    // Every instrument unit this stack holds at the period end (units held for an open sell are
    // still the investor's), read once: each statement line is checked against it, and what is
    // left over is held here but not on the statement, which says 0.
    const holdings = new Map((await this.ledger.unitHoldingsAt(tx, s.tenantRef, periodEnd)).map((h) => [`${h.ownerRef}:${h.instrumentId}`, h]));
    for (const p of s.positions) {
      if (!known(p.accountRef)) {
        findings.push({ kind: 'unknown_account', accountRef: p.accountRef, unit: p.instrumentId, expected: canonicalDecimal(p.quantity), actual: '0' });
        continue;
      }
      const key = `${p.accountRef}:${p.instrumentId}`;
      const actual = holdings.get(key)?.quantity ?? '0';
      holdings.delete(key);
      if (!decimal(actual).eq(decimal(p.quantity))) {
        findings.push({ kind: 'position_mismatch', accountRef: p.accountRef, unit: p.instrumentId, expected: canonicalDecimal(p.quantity), actual });
      }
    }
    for (const h of holdings.values()) {
      findings.push({ kind: 'position_mismatch', accountRef: h.ownerRef, unit: h.instrumentId, expected: '0', actual: h.quantity });
    }
    // Cash is compared for every account the statement names and every account this stack booked cash for.
    const periodStart = new Date(s.periodStart);
    const bookedRefs = await this.orders.accountsWithBookedCash(tx, s.tenantRef, periodStart, periodEnd);
    const cashRefs = [...new Set([...s.cash.map((c) => c.accountRef).filter(known), ...bookedRefs])];
    const booked = await this.orders.bookedCash(tx, cashRefs, periodStart, periodEnd);
    for (const c of s.cash) {
      if (!known(c.accountRef)) {
        if (!findings.some((f) => f.kind === 'unknown_account' && f.accountRef === c.accountRef && f.unit === c.currency)) {
          findings.push({ kind: 'unknown_account', accountRef: c.accountRef, unit: c.currency, expected: canonicalDecimal(c.amount), actual: '0' });
        }
        continue;
      }
      const actual = booked.get(c.accountRef) ?? '0';
      if (!decimal(actual).eq(decimal(c.amount))) {
        findings.push({ kind: 'cash_mismatch', accountRef: c.accountRef, unit: c.currency, expected: canonicalDecimal(c.amount), actual });
      }
    }
    // Cash this stack booked for an account the statement has no cash line for: the statement says 0.
    for (const [ref, amount] of booked) {
      if (!s.cash.some((c) => c.accountRef === ref) && !decimal(amount).eq(decimal('0'))) {
        findings.push({ kind: 'cash_mismatch', accountRef: ref, unit: 'USD', expected: '0', actual: amount });
      }
    }
    return findings;
  }

  // ------------------------------------------------------------------ people

  async listBreaks(principal: Principal, raw: unknown, nowMs = Date.now()): Promise<BreakView[]> {
    const parsed = BreakQuery.safeParse(raw ?? {});
    if (!parsed.success) throw new ReconciliationError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
    const q = parsed.data;
    const rows = await this.tenants.run(principal.tenantId, (tx) => tx.query<BreakRow>(
      `SELECT ${BREAK_COLUMNS} FROM reconciliation_break WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
        ORDER BY detected_at, break_id LIMIT $3 OFFSET $4`,
      [q.status ?? null, q.kind ?? null, q.limit, q.offset],
    ));
    return rows.map((r) => viewOf(r, nowMs));
  }

  async getBreak(principal: Principal, breakId: string, nowMs = Date.now()): Promise<BreakView> {
    const [row] = await this.tenants.run(principal.tenantId, (tx) => tx.query<BreakRow>(`SELECT ${BREAK_COLUMNS} FROM reconciliation_break WHERE break_id = $1`, [breakId]));
    if (!row) throw new ReconciliationError('break_not_found');
    return viewOf(row, nowMs);
  }

  /** A person's decision on a break: its status and note change, nothing in the ledger does. */
  async changeStatus(principal: Principal, breakId: string, raw: unknown, nowMs = Date.now()): Promise<BreakView> {
    const parsed = BreakStatusChange.safeParse(raw ?? {});
    if (!parsed.success) throw new ReconciliationError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const { status, note } = parsed.data;
    const actor = auditActorOf(principal, 'reconciliation:manage');
    const row = await this.tenants.run(principal.tenantId, async (tx) => {
      const [current] = await tx.query<BreakRow>(`SELECT ${BREAK_COLUMNS} FROM reconciliation_break WHERE break_id = $1 FOR UPDATE`, [breakId]);
      if (!current) throw new ReconciliationError('break_not_found');
      if (!NEXT[current.status].includes(status)) throw new ReconciliationError('break_transition_invalid', `It is ${current.status}.`);
      if (status === 'resolved' && note === undefined) throw new ReconciliationError('break_transition_invalid', 'Say how it was resolved.');
      const [updated] = await tx.query<BreakRow>(
        `UPDATE reconciliation_break SET status = $2, note = coalesce($3, note), updated_at = clock_timestamp(), updated_by = $4 WHERE break_id = $1
         RETURNING ${BREAK_COLUMNS}`,
        [breakId, status, note ?? null, actor.actor],
      );
      assert(updated !== undefined, 'a locked break updates');
      await this.audit.record(tx, {
        tenantId: principal.tenantId, ...actor, action: `reconciliation.break.${status}`, resource: `reconciliation_break:${breakId}`,
        diff: { from: current.status, to: status, ...(note !== undefined ? { note } : {}) },
      });
      return updated;
    });
    return viewOf(row, nowMs);
  }
}
