// Execution-side reconciliation: the internal book's trades ↔ omnibus fills ↔ omnibus orders ↔
// allocations, settlement (an omnibus trade still unsettled past its window is overdue), and
// on-chain balances ↔ settled positions (when the chain is configured): a trade waiting for its
// settlement cycle is normal lag, not a break, so the chain is compared with what the indexer
// confirmed settlement moved, at the block it confirmed it to. Every disagreement becomes a
// break with its kind, the subject that disagrees, the expected and actual amounts, when it was
// first and last seen, and a status that only people change (acknowledged, resolved): nothing
// here corrects anything. The checks read the tables they reconcile in one repeatable-read
// snapshot, so both sides of each comparison are seen at the same instant.
//
// Statements: per tenant and period, a statement.v1 with each account's positions at the end of
// the period (allocations net of sales; a resolved instrument is paid out and holds nothing) and
// its cash from the execution side during it (sales − purchases − fees + payouts, in USD).
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { STATEMENT_LINES_MAX, assert, canonicalJson, decimal, sha256Hex, type MessageBody } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { enqueueOutbound, transactionRetryingSerialization, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { POST_TRADE_CONFIG, type PostTradeConfig } from '../aggregation/post-trade-config.js';
import { ChainService, type ChainHolding } from '../chain/chain.service.js';
import { ExecutionAuditService } from '../audit/execution-audit.service.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { ReconciliationError, ReconciliationErrorCode } from './reconciliation.errors.js';
import type { BreakView, ExecutionBreakKind } from './reconciliation.views.js';

/** Breaks one check reports per run. */
export const BREAKS_PER_CHECK_MAX = 1_000;
/** (instrument, omnibus wallet) pairs read on chain per run. */
export const CHAIN_BALANCE_PAIRS_MAX = 10_000;
/** Settlement batches whose legs may wait for the chain at once. */
export const BATCHES_AWAITING_CHAIN_MAX = 10_000;
/** Breaks per page of the operator's listing. */
export const BREAK_PAGE_ROWS_MAX = 500;
/** Tenants one statement run covers. */
export const STATEMENT_TENANTS_MAX = 10_000;
/** The longest period one statement covers. */
export const STATEMENT_PERIOD_MS_MAX = 31 * 24 * 3_600_000;

export interface Finding {
  readonly kind: ExecutionBreakKind;
  readonly subject: string;
  readonly expected: string;
  readonly actual: string;
  /** When the subject happened, for a break about age (settlement_overdue: when the trade was made). */
  readonly subjectAt?: string;
}

interface BreakRow {
  break_id: string;
  kind: ExecutionBreakKind;
  subject: string;
  expected: string;
  actual: string;
  status: BreakView['status'];
  detected_at: Date;
  last_seen_at: Date;
  subject_at: Date | null;
  acknowledged_by: string | null;
  resolved_by: string | null;
  age_ms: string;
  subject_age_ms: string | null;
}

const view = (r: BreakRow): BreakView => ({
  breakId: r.break_id, kind: r.kind, subject: r.subject, expected: decimal(r.expected).toString(), actual: decimal(r.actual).toString(),
  amount: decimal(r.actual).minus(decimal(r.expected)).toString(), status: r.status, detectedAt: r.detected_at.toISOString(),
  lastSeenAt: r.last_seen_at.toISOString(), ageMs: Number(r.age_ms), subjectAt: r.subject_at?.toISOString() ?? null,
  subjectAgeMs: r.subject_age_ms === null ? null : Number(r.subject_age_ms), acknowledgedBy: r.acknowledged_by, resolvedBy: r.resolved_by,
});

const BREAK_COLUMNS = `*, floor(extract(epoch FROM clock_timestamp() - detected_at) * 1000)::text AS age_ms,
  floor(extract(epoch FROM clock_timestamp() - subject_at) * 1000)::text AS subject_age_ms`;

/** The SQL checks over the snapshot: one query per kind of break, each bounded. */
async function ledgerFindings(tx: SqlTx, graceMs: number): Promise<Finding[]> {
  type Row = { subject: string; expected: string; actual: string };
  const run = async (kind: ExecutionBreakKind, sql: string, params: unknown[] = []): Promise<Finding[]> =>
    (await tx.query<Row>(sql, [...params, BREAKS_PER_CHECK_MAX])).map((r) => ({
      kind, subject: r.subject, expected: decimal(r.expected).toString(), actual: decimal(r.actual).toString(),
    }));
  return [
    // A fill that names no omnibus order: money moved for nobody.
    ...(await run('fill_without_order', `SELECT 'omnibus_fill:' || f.fill_ref AS subject, '0' AS expected, f.quantity::text AS actual
        FROM omnibus_fill f LEFT JOIN omnibus_order o ON o.order_ref = f.order_ref WHERE o.order_ref IS NULL ORDER BY f.fill_ref LIMIT $1`)),
    // An order's filled quantity is the sum of its fills.
    ...(await run('order_fill_mismatch', `SELECT 'omnibus_order:' || o.order_ref AS subject, o.filled_quantity::text AS expected, coalesce(sum(f.quantity), 0)::text AS actual
        FROM omnibus_order o LEFT JOIN omnibus_fill f ON f.order_ref = o.order_ref
       GROUP BY o.order_ref, o.filled_quantity HAVING o.filled_quantity <> coalesce(sum(f.quantity), 0) ORDER BY o.order_ref LIMIT $1`)),
    // The internal book's trades of an omnibus order are its fills: every trade older than the
    // grace period is a fill by now, and there is no fill the book did not trade.
    ...(await run('clob_fill_mismatch', `WITH book AS (
          SELECT c.order_ref, coalesce(sum(t.quantity), 0) AS traded,
                 coalesce(sum(t.quantity) FILTER (WHERE t.traded_at < clock_timestamp() - make_interval(secs => $1::double precision / 1000)), 0) AS settled
            FROM clob_venue_order c
            LEFT JOIN market_trade t ON t.instrument_id = c.instrument_id AND (t.buy_order_id = c.book_order_id OR t.sell_order_id = c.book_order_id)
           GROUP BY c.order_ref),
        fills AS (SELECT order_ref, sum(quantity) AS filled FROM omnibus_fill WHERE venue = 'internal' GROUP BY order_ref)
        SELECT 'omnibus_order:' || coalesce(b.order_ref, f.order_ref) AS subject, coalesce(b.traded, 0)::text AS expected, coalesce(f.filled, 0)::text AS actual
          FROM book b FULL JOIN fills f ON f.order_ref = b.order_ref
         WHERE coalesce(f.filled, 0) < coalesce(b.settled, 0) OR coalesce(f.filled, 0) > coalesce(b.traded, 0)
         ORDER BY 1 LIMIT $2`, [graceMs])),
    // A round's allocations add up to its fills, in quantity and in notional.
    ...(await run('allocation_fill_mismatch', `WITH f AS (
               SELECT round_ref, sum(quantity) AS q, sum(price * quantity) AS n FROM omnibus_fill WHERE round_ref IS NOT NULL GROUP BY round_ref),
             a AS (SELECT round_ref, sum(quantity) AS q, sum(notional) AS n FROM allocation GROUP BY round_ref)
        SELECT 'allocation_round:' || coalesce(f.round_ref, a.round_ref) AS subject, coalesce(f.q, 0)::text AS expected, coalesce(a.q, 0)::text AS actual
          FROM f FULL JOIN a ON a.round_ref = f.round_ref
         WHERE coalesce(f.q, 0) <> coalesce(a.q, 0) OR coalesce(f.n, 0) <> coalesce(a.n, 0)
         ORDER BY 1 LIMIT $1`)),
  ];
}

@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(POST_TRADE_CONFIG) private readonly config: PostTradeConfig,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
    // Present when the stack runs with a chain: balances are then reconciled too.
    @Optional() @Inject(ChainService) private readonly chain: ChainService | null = null,
  ) {}

  /** One reconciliation run: every check, its breaks recorded. Returns what it found and how many breaks are new. */
  async run(actor = 'system:reconciliation'): Promise<{ findings: Finding[]; opened: number }> {
    const chainBalances = this.chain ? await this.chain.omnibusBalances(CHAIN_BALANCE_PAIRS_MAX) : null;
    // One snapshot for every check; the audit entries it writes race other writers of the chain's head.
    return transactionRetryingSerialization(this.db, async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const findings = [...(await ledgerFindings(tx, this.config.reconcileGraceMs)), ...(await this.overdueFindings(tx))];
      if (chainBalances) findings.push(...(await this.chainFindings(tx, chainBalances.atBlock, chainBalances.balances)));
      let opened = 0;
      for (const f of findings) {
        const [row] = await tx.query<{ break_id: string; fresh: boolean }>(
          `INSERT INTO reconciliation_break (break_id, kind, subject, expected, actual, subject_at, status, detected_at, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'open', clock_timestamp(), clock_timestamp())
           ON CONFLICT (kind, subject) WHERE status <> 'resolved'
           DO UPDATE SET expected = EXCLUDED.expected, actual = EXCLUDED.actual, last_seen_at = EXCLUDED.last_seen_at
           RETURNING break_id, (xmax = 0) AS fresh`,
          [randomUUID(), f.kind, f.subject, f.expected, f.actual, f.subjectAt ?? null],
        );
        assert(row !== undefined, 'a break is recorded');
        if (!row.fresh) continue;
        opened += 1;
        await this.audit.record(tx, { actor, action: 'reconciliation.break.detected', resource: `reconciliation_break:${row.break_id}`, diff: { ...f } });
      }
      if (opened > 0) this.logger.warn({ event: 'reconciliation.breaks', opened, found: findings.length }, 'reconciliation breaks detected');
      return { findings, opened };
    });
  }

  /**
   * Each tenant's omnibus wallet holds on chain, at the indexed block, exactly its settled
   * position: what confirmed settlement legs moved in less what they moved out (nothing once the
   * instrument is resolved: its units were burned). A transfer outside settlement, or a settled
   * leg whose transfer the chain does not have, is a break; a trade still waiting for its
   * settlement cycle is not (overdueFindings reports it once it waited too long).
   */
  private async chainFindings(tx: SqlTx, atBlock: number, balances: readonly ChainHolding[]): Promise<Finding[]> {
    assert(this.chain !== null, 'chain findings need the chain');
    if (balances.length === 0) return [];
    const settled = await this.chain.settledPositions(tx, atBlock, balances);
    const resolved = new Set(
      (await tx.query<{ instrument_id: string }>(
        `SELECT DISTINCT instrument_id FROM instrument_event WHERE kind = 'resolution' AND instrument_id = ANY($1::uuid[])`,
        [[...new Set(balances.map((b) => b.instrumentId))]],
      )).map((r) => r.instrument_id),
    );
    const onChain = new Map(balances.map((b) => [`${b.instrumentId}:${b.walletRef}`, b.quantity]));
    return settled
      .map((p) => ({
        kind: 'chain_balance_mismatch' as const, subject: `chain:${p.instrumentId}:${p.walletRef}`,
        expected: resolved.has(p.instrumentId) ? '0' : p.quantity, actual: onChain.get(`${p.instrumentId}:${p.walletRef}`) ?? '0',
      }))
      .filter((f) => !decimal(f.expected).eq(decimal(f.actual)))
      .slice(0, BREAKS_PER_CHECK_MAX);
  }

  /**
   * Omnibus trades older than the settlement window that are not settled yet: no batch two
   * people approved covers their time, or (with a chain) a leg of that batch is not settled and
   * confirmed on chain. One break per trade, with when it traded (its age is the break's).
   */
  private async overdueFindings(tx: SqlTx): Promise<Finding[]> {
    const awaiting = this.chain ? await this.chain.batchesAwaitingChain(tx, BATCHES_AWAITING_CHAIN_MAX) : [];
    const rows = await tx.query<{ subject: string; quantity: string; traded_at: Date }>(
      `SELECT 'omnibus_fill:' || f.fill_ref AS subject, f.quantity::text AS quantity, f.traded_at
         FROM omnibus_fill f
        WHERE f.traded_at < clock_timestamp() - make_interval(secs => $1::double precision / 1000)
          AND NOT EXISTS (SELECT 1 FROM settlement_batch b
                           WHERE b.status IN ('approved', 'released') AND b.period_start <= f.traded_at AND f.traded_at < b.period_end
                             AND b.batch_id <> ALL($2::uuid[]))
        ORDER BY f.traded_at, f.fill_ref LIMIT $3`,
      [this.config.settlementOverdueMs, awaiting, BREAKS_PER_CHECK_MAX],
    );
    return rows.map((r) => ({ kind: 'settlement_overdue', subject: r.subject, expected: '0', actual: decimal(r.quantity).toString(), subjectAt: r.traded_at.toISOString() }));
  }

  async breaks(filter: { status?: BreakView['status']; limit: number }): Promise<BreakView[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<BreakRow>(
        `SELECT ${BREAK_COLUMNS} FROM reconciliation_break
          WHERE ($1::text IS NULL OR status = $1) ORDER BY detected_at, break_id LIMIT $2`,
        [filter.status ?? null, Math.min(filter.limit, BREAK_PAGE_ROWS_MAX)],
      ),
    );
    return rows.map(view);
  }

  /** A person's decision on a break: acknowledged (being looked at) or resolved (dealt with outside). Nothing else changes. */
  async decide(breakId: string, operatorId: string, to: 'acknowledged' | 'resolved'): Promise<BreakView> {
    return this.db.transaction(async (tx) => {
      const [current] = await tx.query<{ status: BreakView['status'] }>(`SELECT status FROM reconciliation_break WHERE break_id = $1 FOR UPDATE`, [breakId]);
      if (!current) throw new ReconciliationError(ReconciliationErrorCode.UnknownBreak);
      const allowed = to === 'acknowledged' ? current.status === 'open' : current.status !== 'resolved';
      if (!allowed) throw new ReconciliationError(ReconciliationErrorCode.WrongState);
      await tx.query(
        `UPDATE reconciliation_break SET status = $2, acknowledged_by = CASE WHEN $2 = 'acknowledged' THEN $3::uuid ELSE acknowledged_by END,
                resolved_by = CASE WHEN $2 = 'resolved' THEN $3::uuid ELSE resolved_by END WHERE break_id = $1`,
        [breakId, to, operatorId],
      );
      await this.audit.record(tx, {
        actor: `operator:${operatorId}`, action: `reconciliation.break.${to}`, resource: `reconciliation_break:${breakId}`, diff: { from: current.status, to },
      });
      const [row] = await tx.query<BreakRow>(
        `SELECT ${BREAK_COLUMNS} FROM reconciliation_break WHERE break_id = $1`, [breakId],
      );
      assert(row !== undefined, 'the break exists');
      return view(row);
    });
  }

  // ---- statements -------------------------------------------------------------------------

  /** Sends one statement.v1 per tenant for the period (once: a tenant's period is never stated twice). Returns the new statements. */
  async sendStatements(periodStart: string, periodEnd: string, actor = 'system:reconciliation', nowMs = Date.now()): Promise<{ tenantRef: string; statementId: string }[]> {
    const startMs = Date.parse(periodStart);
    const endMs = Date.parse(periodEnd);
    if (!(endMs > startMs) || endMs > nowMs || endMs - startMs > STATEMENT_PERIOD_MS_MAX) throw new ReconciliationError(ReconciliationErrorCode.PeriodInvalid);
    const start = new Date(startMs).toISOString();
    const end = new Date(endMs).toISOString();
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('statements'))`);
      const tenants = await tx.query<{ tenant_ref: string }>(
        `SELECT t.tenant_ref FROM (SELECT DISTINCT tenant_ref FROM allocation WHERE allocated_at < $2 UNION SELECT DISTINCT tenant_ref FROM payout WHERE paid_at < $2) t
          WHERE NOT EXISTS (SELECT 1 FROM statement_sent s WHERE s.tenant_ref = t.tenant_ref AND s.period_start = $1 AND s.period_end = $2)
          ORDER BY t.tenant_ref LIMIT $3`,
        [start, end, STATEMENT_TENANTS_MAX],
      );
      const sent: { tenantRef: string; statementId: string }[] = [];
      for (const { tenant_ref: tenantRef } of tenants) {
        const body = await this.statement(tx, tenantRef, start, end);
        await tx.query(
          `INSERT INTO statement_sent (statement_id, tenant_ref, period_start, period_end, content_hash, sent_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp())`,
          [body.statementId, tenantRef, start, end, body.contentHash],
        );
        await enqueueOutbound(tx, [{ type: 'statement.v1', id: body.statementId, body }]);
        await this.audit.record(tx, {
          actor, action: 'statement.sent', resource: `statement:${body.statementId}`,
          diff: { tenantRef, periodStart: start, periodEnd: end, contentHash: body.contentHash, positions: body.positions.length, cash: body.cash.length },
        });
        sent.push({ tenantRef, statementId: body.statementId });
      }
      return sent;
    });
  }

  private async statement(tx: SqlTx, tenantRef: string, start: string, end: string): Promise<MessageBody<'statement.v1'>> {
    const positions = await tx.query<{ account_ref: string; instrument_id: string; quantity: string }>(
      `SELECT a.account_ref, a.instrument_id, sum(CASE a.side WHEN 'buy' THEN a.quantity ELSE -a.quantity END)::text AS quantity
         FROM allocation a
        WHERE a.tenant_ref = $1 AND a.allocated_at < $2
          AND NOT EXISTS (SELECT 1 FROM instrument_event e WHERE e.instrument_id = a.instrument_id AND e.kind = 'resolution' AND e.declared_at < $2)
        GROUP BY a.account_ref, a.instrument_id HAVING sum(CASE a.side WHEN 'buy' THEN a.quantity ELSE -a.quantity END) <> 0
        ORDER BY a.account_ref, a.instrument_id LIMIT $3`,
      [tenantRef, end, STATEMENT_LINES_MAX + 1],
    );
    const cash = await tx.query<{ account_ref: string; amount: string }>(
      `SELECT account_ref, sum(amount)::text AS amount FROM (
         SELECT account_ref, CASE side WHEN 'sell' THEN notional ELSE -notional END - fee AS amount
           FROM allocation WHERE tenant_ref = $1 AND allocated_at >= $2 AND allocated_at < $3
         UNION ALL
         SELECT account_ref, amount FROM payout WHERE tenant_ref = $1 AND paid_at >= $2 AND paid_at < $3) c
        GROUP BY account_ref ORDER BY account_ref LIMIT $4`,
      [tenantRef, start, end, STATEMENT_LINES_MAX + 1],
    );
    if (positions.length > STATEMENT_LINES_MAX || cash.length > STATEMENT_LINES_MAX) throw new ReconciliationError(ReconciliationErrorCode.StatementTooLarge);
    const content = {
      tenantRef, periodStart: start, periodEnd: end,
      positions: positions.map((p) => ({ accountRef: p.account_ref, instrumentId: p.instrument_id, quantity: decimal(p.quantity).toString() })),
      cash: cash.map((c) => ({ accountRef: c.account_ref, currency: 'USD' as const, amount: decimal(c.amount).toString() })),
    };
    return { statementId: randomUUID(), ...content, contentHash: sha256Hex(canonicalJson(content)) };
  }
}

@Injectable()
export class ReconciliationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconciliationWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(ReconciliationService) private readonly reconciliation: ReconciliationService,
    @Inject(POST_TRADE_CONFIG) private readonly config: PostTradeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.cycle().finally(() => {
        this.running = null;
      });
    }, this.config.reconcileEveryMs);
    this.timer.unref();
  }

  /** A run, then the statements of the previous UTC day (sent once per tenant). */
  private async cycle(): Promise<void> {
    try {
      await this.reconciliation.run();
      const { periodStart, periodEnd } = SettlementService.previousDay(Date.now());
      await this.reconciliation.sendStatements(periodStart, periodEnd);
    } catch (error) {
      this.logger.error({ err: error }, 'reconciliation cycle failed');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
