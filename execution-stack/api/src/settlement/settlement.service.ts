// The settlement batcher: per period it nets every omnibus trade, fee and payout into one
// instruction per counterparty and currency, writes the exports, and then waits for people:
// draft → pending approval → approved (two different authorised operators, each signing the
// content hash with PS256) → released (an operator records the bank reference), or rejected.
// It never executes a payment itself, and nothing re-nets a batch that has left draft — the
// database refuses it too (triggers and a unique live batch per period). Everything is audited.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { POST_TRADE_CONFIG, type PostTradeConfig } from '../aggregation/post-trade-config.js';
import { ExecutionAuditService } from '../audit/execution-audit.service.js';
import { MembersService } from '../members/members.service.js';
import { contentHash, exportCsv, exportJson, netInstructions, pain001, type BatchContent } from './settlement-exports.js';
import { BATCH_STATUSES, type BatchDetail, type BatchStatus, type BatchView, type InstructionView } from './settlement.views.js';
import { SettlementError, SettlementErrorCode } from './settlement.errors.js';
import type { NettingSums } from './settlement.views.js';
import { TOKEN_SETTLEMENT_QUEUE, netTokenLegs, periodMovements, type TokenLeg, type TokenSettlementQueue } from './settlement-token-legs.js';

export { SettlementError, SettlementErrorCode } from './settlement.errors.js';

/** The longest period one batch nets. */
export const SETTLEMENT_PERIOD_MS_MAX = 31 * 24 * 3_600_000;
export const APPROVALS_REQUIRED = 2;

/** What an approver signs (compact JWS payload): binds the batch id to its content hash. */
export const approvalPayload = (batchId: string, hash: string): string => `bulwark-settlement-batch:${batchId}:${hash}`;

export const BATCH_PAGE_ROWS_MAX = 200;
export const REJECTION_REASON_CHARS_MAX = 500;

export type ExportFormat = 'csv' | 'json' | 'pain001';

/** The netting of a period, summed in Postgres (exact NUMERIC). */
export async function periodSums(tx: SqlTx, periodStart: string, periodEnd: string): Promise<{ sums: NettingSums[]; tradeCount: number }> {
  const sums = await tx.query<NettingSums>(
    `WITH trades AS (
       SELECT tenant_ref::text AS tenant, 'venue:' || venue AS venue, side, sum(price * quantity) AS notional, count(*) AS n
         FROM omnibus_fill WHERE traded_at >= $1 AND traded_at < $2 GROUP BY tenant_ref, venue, side),
     legs AS (
       -- The tenant's omnibus buys what the venue sells, and the other way round.
       SELECT tenant AS counterparty, CASE WHEN side = 'buy' THEN notional ELSE 0 END AS bought, CASE WHEN side = 'sell' THEN notional ELSE 0 END AS sold,
              0 AS fees, 0 AS payouts FROM trades
       UNION ALL
       SELECT venue, CASE WHEN side = 'sell' THEN notional ELSE 0 END, CASE WHEN side = 'buy' THEN notional ELSE 0 END, 0, 0 FROM trades
       UNION ALL
       SELECT tenant_ref::text, 0, 0, sum(fee), 0 FROM allocation WHERE allocated_at >= $1 AND allocated_at < $2 GROUP BY tenant_ref
       UNION ALL
       SELECT tenant_ref::text, 0, 0, 0, sum(amount) FROM payout WHERE paid_at >= $1 AND paid_at < $2 GROUP BY tenant_ref)
     SELECT counterparty, 'USD' AS currency, sum(bought)::text AS bought, sum(sold)::text AS sold, sum(fees)::text AS fees, sum(payouts)::text AS payouts
       FROM legs GROUP BY counterparty ORDER BY counterparty`,
    [periodStart, periodEnd],
  );
  const [count] = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM omnibus_fill WHERE traded_at >= $1 AND traded_at < $2`, [periodStart, periodEnd]);
  return { sums, tradeCount: Number(count?.n ?? '0') };
}

const iso = (value: Date | string): string => new Date(value).toISOString();

@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(POST_TRADE_CONFIG) private readonly config: PostTradeConfig,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
    @Inject(MembersService) private readonly members: MembersService,
    @Optional() @Inject(TOKEN_SETTLEMENT_QUEUE) private readonly tokens: TokenSettlementQueue | null = null,
  ) {}

  /** The UTC day before `now`: the default daily period. */
  static previousDay(nowMs: number): { periodStart: string; periodEnd: string } {
    const end = new Date(nowMs);
    end.setUTCHours(0, 0, 0, 0);
    return { periodStart: new Date(end.getTime() - 86_400_000).toISOString(), periodEnd: end.toISOString() };
  }

  /**
   * Authorises an operator to approve batches (bootstrap, seed, runbook: a deliberate act outside
   * the operator API). Their approvals verify against their own active operator keys.
   */
  async registerApprover(operatorRef: string, by: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [operator] = await tx.query(`SELECT 1 FROM operator WHERE id = $1 AND status = 'active'`, [operatorRef]);
      if (!operator) throw new SettlementError(SettlementErrorCode.UnknownOperator);
      await tx.query(
        `INSERT INTO settlement_approver (operator_ref, active, added_at) VALUES ($1, true, clock_timestamp())
         ON CONFLICT (operator_ref) DO UPDATE SET active = true`,
        [operatorRef],
      );
      await this.audit.record(tx, { actor: by, action: 'settlement.approver.registered', resource: `operator:${operatorRef}`, diff: {} });
    });
  }

  /** Nets a period into a draft batch with its exports. */
  async createBatch(periodStart: string, periodEnd: string, operatorRef: string, nowMs = Date.now()): Promise<BatchView> {
    const startMs = Date.parse(periodStart);
    const endMs = Date.parse(periodEnd);
    if (!(endMs > startMs) || endMs > nowMs || endMs - startMs > SETTLEMENT_PERIOD_MS_MAX) throw new SettlementError(SettlementErrorCode.PeriodInvalid);
    return this.db.transaction(async (tx) => {
      // One live batch per period: a rejected one may be netted again, nothing else may.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['settlement-period']);
      const live = await tx.query(
        `SELECT 1 FROM settlement_batch WHERE status <> 'rejected' AND period_start < $2 AND period_end > $1 LIMIT 1`,
        [iso(periodStart), iso(periodEnd)],
      );
      if (live.length > 0) throw new SettlementError(SettlementErrorCode.PeriodAlreadyNetted);
      const { sums, tradeCount } = await periodSums(tx, iso(periodStart), iso(periodEnd));
      const content: BatchContent = { batchId: randomUUID(), periodStart: iso(periodStart), periodEnd: iso(periodEnd), tradeCount, instructions: netInstructions(sums) };
      const hash = contentHash(content);
      const xml = pain001(content, {
        debtorAccount: this.config.debtorAccount, debtorAgentBic: this.config.debtorAgentBic,
        createdAt: new Date(nowMs).toISOString().slice(0, 19), executionDate: new Date(nowMs).toISOString().slice(0, 10),
      });
      await tx.query(
        `INSERT INTO settlement_batch (batch_id, period_start, period_end, status, content_hash, export_json, export_csv, pain001_xml, trade_count, created_by, created_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, clock_timestamp())`,
        [content.batchId, content.periodStart, content.periodEnd, hash, exportJson(content), exportCsv(content), xml, tradeCount, operatorRef],
      );
      for (const i of content.instructions) {
        await tx.query(
          `INSERT INTO settlement_instruction (batch_id, counterparty, currency, bought, sold, fees, payouts, net_amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [content.batchId, i.counterparty, i.currency, i.bought, i.sold, i.fees, i.payouts, i.netAmount],
        );
      }
      await this.audit.record(tx, {
        actor: `operator:${operatorRef}`, action: 'settlement.batch.netted', resource: `settlement_batch:${content.batchId}`,
        diff: { periodStart: content.periodStart, periodEnd: content.periodEnd, contentHash: hash, instructions: content.instructions.length, tradeCount },
      });
      return this.view(tx, content.batchId);
    });
  }

  private async lockBatch(tx: SqlTx, batchId: string): Promise<{ status: BatchStatus; content_hash: string; period_start: Date; period_end: Date }> {
    const [row] = await tx.query<{ status: BatchStatus; content_hash: string; period_start: Date; period_end: Date }>(
      `SELECT status, content_hash, period_start, period_end FROM settlement_batch WHERE batch_id = $1 FOR UPDATE`, [batchId],
    );
    if (!row) throw new SettlementError(SettlementErrorCode.BatchNotFound);
    return row;
  }

  private async move(
    batchId: string, from: readonly BatchStatus[], to: BatchStatus, operatorRef: string, extra: { bankReference?: string; reason?: string } = {},
  ): Promise<BatchView> {
    return this.db.transaction(async (tx) => {
      const batch = await this.lockBatch(tx, batchId);
      if (!from.includes(batch.status)) throw new SettlementError(SettlementErrorCode.WrongState, `It is ${batch.status}.`);
      await tx.query(
        `UPDATE settlement_batch SET status = $2, bank_reference = coalesce($3, bank_reference), rejection_reason = coalesce($4, rejection_reason), decided_at = clock_timestamp()
          WHERE batch_id = $1`,
        [batchId, to, extra.bankReference ?? null, extra.reason ?? null],
      );
      await this.audit.record(tx, {
        actor: `operator:${operatorRef}`, action: `settlement.batch.${to}`, resource: `settlement_batch:${batchId}`,
        diff: {
          from: batch.status, to, contentHash: batch.content_hash,
          ...(extra.bankReference ? { bankReference: extra.bankReference } : {}), ...(extra.reason ? { reason: extra.reason } : {}),
        },
      });
      return this.view(tx, batchId);
    });
  }

  submit(batchId: string, operatorRef: string): Promise<BatchView> {
    return this.move(batchId, ['draft'], 'pending_approval', operatorRef);
  }

  /** Rejects a draft or pending batch with the reason a person gives; its period may then be netted again. */
  reject(batchId: string, operatorRef: string, reason: string): Promise<BatchView> {
    const text = reason.trim();
    // Plain text only: no control characters (the reason is shown to people and exported in the audit).
    if (text.length < 3 || text.length > REJECTION_REASON_CHARS_MAX || /\p{Cc}/u.test(text)) throw new SettlementError(SettlementErrorCode.ReasonInvalid);
    return this.move(batchId, ['draft', 'pending_approval'], 'rejected', operatorRef, { reason: text });
  }

  /** Records the bank's reference for the payments made from an approved batch. */
  async release(batchId: string, operatorRef: string, bankReference: string): Promise<BatchView> {
    if (!/^[0-9A-Za-z./-]{1,35}$/.test(bankReference)) throw new SettlementError(SettlementErrorCode.BankReferenceInvalid);
    return this.move(batchId, ['approved'], 'released', operatorRef, { bankReference });
  }

  /**
   * One operator's approval: a PS256 compact JWS over approvalPayload(batchId, contentHash), its
   * `kid` one of the approving operator's own active keys. The second approval (a different
   * operator) approves the batch and, with a chain, queues its net token movements in the same
   * transaction.
   */
  async approve(batchId: string, operatorRef: string, jws: string): Promise<BatchView> {
    return this.db.transaction(async (tx) => {
      const batch = await this.lockBatch(tx, batchId);
      if (batch.status !== 'pending_approval') throw new SettlementError(SettlementErrorCode.WrongState, `It is ${batch.status}.`);
      const [approver] = await tx.query(`SELECT 1 FROM settlement_approver WHERE operator_ref = $1 AND active`, [operatorRef]);
      if (!approver) throw new SettlementError(SettlementErrorCode.NotAuthorised);
      const given = await tx.query(`SELECT 1 FROM settlement_approval WHERE batch_id = $1 AND operator_ref = $2`, [batchId, operatorRef]);
      if (given.length > 0) throw new SettlementError(SettlementErrorCode.SameOperatorTwice);
      await this.verifyApproval(tx, operatorRef, jws, approvalPayload(batchId, batch.content_hash));
      await tx.query(`INSERT INTO settlement_approval (batch_id, operator_ref, signature, approved_at) VALUES ($1, $2, $3, clock_timestamp())`, [batchId, operatorRef, jws]);
      const [{ n }] = (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM settlement_approval WHERE batch_id = $1`, [batchId])) as [{ n: number }];
      const resource = `settlement_batch:${batchId}`;
      const actor = `operator:${operatorRef}`;
      await this.audit.record(tx, { actor, action: 'settlement.batch.signed', resource, diff: { contentHash: batch.content_hash, approvals: n } });
      if (n >= APPROVALS_REQUIRED) {
        await tx.query(`UPDATE settlement_batch SET status = 'approved', decided_at = clock_timestamp() WHERE batch_id = $1`, [batchId]);
        const legs = await this.queueTokenLegs(tx, batchId, iso(batch.period_start), iso(batch.period_end));
        await this.audit.record(tx, {
          actor, action: 'settlement.batch.approved', resource,
          diff: { contentHash: batch.content_hash, tokenLegs: legs.length, tokenLegsQueued: this.tokens !== null },
        });
      }
      return this.view(tx, batchId);
    });
  }

  private async verifyApproval(tx: SqlTx, operatorRef: string, jws: string, expected: string): Promise<void> {
    try {
      const { kid } = decodeProtectedHeader(jws);
      const key = typeof kid === 'string' ? await this.members.operatorPublicKey(tx, operatorRef, kid) : null;
      if (!key) throw new SettlementError(SettlementErrorCode.BadSignature, 'The kid must name one of your active keys.');
      const { payload } = await compactVerify(jws, key, { algorithms: ['PS256'] });
      if (new TextDecoder().decode(payload) !== expected) throw new SettlementError(SettlementErrorCode.BadSignature);
    } catch (error) {
      if (error instanceof SettlementError) throw error;
      throw new SettlementError(SettlementErrorCode.BadSignature);
    }
  }

  /** The approved batch's net token movements, handed to the chain module (when there is one) with the approval. */
  private async queueTokenLegs(tx: SqlTx, batchId: string, periodStart: string, periodEnd: string): Promise<TokenLeg[]> {
    const legs = netTokenLegs(batchId, await periodMovements(tx, periodStart, periodEnd));
    if (this.tokens) {
      const queued = await this.tokens.queueSettlements(tx, legs);
      // A leg id is derived from the batch: a fresh approval queues every leg, none twice.
      assert(queued === legs.length, 'every leg of a freshly approved batch is queued once');
      await tx.query(`UPDATE settlement_batch SET token_legs_queued = $2 WHERE batch_id = $1`, [batchId, legs.length]);
    } else if (legs.length > 0) {
      this.logger.warn({ event: 'settlement.tokens.no_chain', batchId, legs: legs.length }, 'no chain configured: token legs of the approved batch are not queued');
    }
    return legs;
  }

  async get(batchId: string): Promise<BatchDetail> {
    return this.db.transaction(async (tx) => ({ ...(await this.view(tx, batchId)), instructions: await this.instructions(tx, batchId) }));
  }

  /** Batches, newest period first, optionally of one status; `before` pages by period start. */
  async list(query: { status?: BatchStatus; before?: string; limit: number }): Promise<BatchView[]> {
    assert(query.limit >= 1 && query.limit <= BATCH_PAGE_ROWS_MAX, 'page size within limit');
    assert(query.status === undefined || BATCH_STATUSES.includes(query.status), 'a known status');
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ batch_id: string }>(
        `SELECT batch_id FROM settlement_batch WHERE ($1::text IS NULL OR status = $1) AND ($2::timestamptz IS NULL OR period_start < $2)
          ORDER BY period_start DESC, created_at DESC LIMIT $3`,
        [query.status ?? null, query.before ?? null, query.limit],
      );
      const views: BatchView[] = [];
      for (const row of rows) views.push(await this.view(tx, row.batch_id));
      return views;
    });
  }

  async exports(batchId: string): Promise<{ json: string; csv: string; pain001: string; contentHash: string }> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ export_json: string; export_csv: string; pain001_xml: string; content_hash: string }>(
        `SELECT export_json, export_csv, pain001_xml, content_hash FROM settlement_batch WHERE batch_id = $1`, [batchId],
      );
      if (!row) throw new SettlementError(SettlementErrorCode.BatchNotFound);
      return { json: row.export_json, csv: row.export_csv, pain001: row.pain001_xml, contentHash: row.content_hash };
    });
  }

  /** The instructions as the hashed content has them (paid amount included). */
  private async instructions(tx: SqlTx, batchId: string): Promise<InstructionView[]> {
    const [row] = await tx.query<{ export_json: string }>(`SELECT export_json FROM settlement_batch WHERE batch_id = $1`, [batchId]);
    if (!row) throw new SettlementError(SettlementErrorCode.BatchNotFound);
    return (JSON.parse(row.export_json) as { content: { instructions: InstructionView[] } }).content.instructions;
  }

  private async view(tx: SqlTx, batchId: string): Promise<BatchView> {
    const [row] = await tx.query<{
      status: BatchStatus; content_hash: string; period_start: Date; period_end: Date; trade_count: string; bank_reference: string | null;
      rejection_reason: string | null; created_by: string; created_at: Date; decided_at: Date | null; token_legs_queued: number;
    }>(
      `SELECT status, content_hash, period_start, period_end, trade_count, bank_reference, rejection_reason, created_by, created_at, decided_at, token_legs_queued
         FROM settlement_batch WHERE batch_id = $1`, [batchId],
    );
    if (!row) throw new SettlementError(SettlementErrorCode.BatchNotFound);
    const approvals = await tx.query<{ operator_ref: string; approved_at: Date }>(
      `SELECT operator_ref, approved_at FROM settlement_approval WHERE batch_id = $1 ORDER BY approved_at`, [batchId],
    );
    return {
      batchId, status: row.status, contentHash: row.content_hash, periodStart: iso(row.period_start), periodEnd: iso(row.period_end),
      tradeCount: Number(row.trade_count), createdBy: row.created_by, createdAt: iso(row.created_at), decidedAt: row.decided_at ? iso(row.decided_at) : null,
      approvals: approvals.map((a) => ({ operatorRef: a.operator_ref, approvedAt: iso(a.approved_at) })), bankReference: row.bank_reference,
      rejectionReason: row.rejection_reason, tokenLegsQueued: row.token_legs_queued,
    };
  }
}
