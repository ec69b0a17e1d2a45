// The settlement batcher: per period it nets every omnibus trade, fee and payout into one
// instruction per counterparty and currency, writes the exports, and then waits for people:
// draft → pending approval → approved (two different authorised operators, each signing the
// content hash with PS256) → released (an operator records the bank reference), or rejected.
// It never executes a payment itself, and nothing re-nets a batch that has left draft — the
// database refuses it too (triggers and a unique live batch per period). Everything is audited.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Module } from '@nestjs/common';
import { compactVerify, importJWK, type JWK } from 'jose';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { POST_TRADE_CONFIG, type PostTradeConfig } from '../aggregation/post-trade-config.js';
import { PostTradeAuditModule, PostTradeAuditService } from './post-trade-audit.service.js';
import { contentHash, exportCsv, exportJson, netInstructions, pain001, type BatchContent, type NettingSums } from './settlement-exports.js';
import type { BatchStatus } from './settlement.entity.js';

export enum SettlementErrorCode {
  PeriodInvalid = 'settlement_period_invalid',
  PeriodAlreadyNetted = 'settlement_period_already_netted',
  BatchNotFound = 'settlement_batch_not_found',
  WrongState = 'settlement_batch_wrong_state',
  NotAuthorised = 'settlement_operator_not_authorised',
  BadSignature = 'settlement_signature_invalid',
  SameOperatorTwice = 'settlement_same_operator_twice',
  BankReferenceInvalid = 'settlement_bank_reference_invalid',
}

export const SETTLEMENT_ERROR_MESSAGES: Record<SettlementErrorCode, string> = {
  [SettlementErrorCode.PeriodInvalid]: 'The period must end after it starts, in the past, within the longest period allowed.',
  [SettlementErrorCode.PeriodAlreadyNetted]: 'This period already has a live batch: reject it first if it is still a draft or pending.',
  [SettlementErrorCode.BatchNotFound]: 'No such settlement batch.',
  [SettlementErrorCode.WrongState]: 'The batch is not in a state that allows this.',
  [SettlementErrorCode.NotAuthorised]: 'The operator is not an authorised settlement approver.',
  [SettlementErrorCode.BadSignature]: 'The signature does not verify as PS256 over this batch and content hash with the operator key.',
  [SettlementErrorCode.SameOperatorTwice]: 'The same operator cannot approve a batch twice: four eyes means two different people.',
  [SettlementErrorCode.BankReferenceInvalid]: 'A bank reference is 1 to 35 letters, digits, "-", "/" or ".".',
};

export class SettlementError extends Error {
  override readonly name = 'SettlementError';
  constructor(readonly code: SettlementErrorCode) {
    super(SETTLEMENT_ERROR_MESSAGES[code]);
  }
}

/** The longest period one batch nets. */
export const SETTLEMENT_PERIOD_MS_MAX = 31 * 24 * 3_600_000;
export const APPROVALS_REQUIRED = 2;

/** What an approver signs (compact JWS payload): binds the batch id to its content hash. */
export const approvalPayload = (batchId: string, hash: string): string => `bulwark-settlement-batch:${batchId}:${hash}`;

export interface BatchView {
  readonly batchId: string;
  readonly status: BatchStatus;
  readonly contentHash: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly tradeCount: number;
  readonly approvals: readonly string[];
  readonly bankReference: string | null;
}

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
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(POST_TRADE_CONFIG) private readonly config: PostTradeConfig,
    @Inject(PostTradeAuditService) private readonly audit: PostTradeAuditService,
  ) {}

  /** The UTC day before `now`: the default daily period. */
  static previousDay(nowMs: number): { periodStart: string; periodEnd: string } {
    const end = new Date(nowMs);
    end.setUTCHours(0, 0, 0, 0);
    return { periodStart: new Date(end.getTime() - 86_400_000).toISOString(), periodEnd: end.toISOString() };
  }

  /** Registers (or re-keys) an authorised approver with the public JWK that verifies their signatures. */
  async registerApprover(operatorRef: string, publicJwk: JWK, by: string): Promise<void> {
    assert(publicJwk.kty === 'RSA' && typeof publicJwk.n === 'string' && publicJwk.d === undefined, 'an RSA public key');
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO settlement_approver (operator_ref, public_jwk, active, added_at) VALUES ($1, $2, true, clock_timestamp())
         ON CONFLICT (operator_ref) DO UPDATE SET public_jwk = EXCLUDED.public_jwk, active = true`,
        [operatorRef, JSON.stringify({ kty: publicJwk.kty, n: publicJwk.n, e: publicJwk.e })],
      );
      await this.audit.record(tx, { actor: by, action: 'settlement.approver.registered', resource: `operator:${operatorRef}` });
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
        actor: operatorRef, action: 'settlement.batch.netted', resource: `settlement_batch:${content.batchId}`,
        diff: { periodStart: content.periodStart, periodEnd: content.periodEnd, contentHash: hash, instructions: content.instructions.length, tradeCount },
      });
      return this.view(tx, content.batchId);
    });
  }

  private async lockBatch(tx: SqlTx, batchId: string): Promise<{ status: BatchStatus; content_hash: string }> {
    const [row] = await tx.query<{ status: BatchStatus; content_hash: string }>(`SELECT status, content_hash FROM settlement_batch WHERE batch_id = $1 FOR UPDATE`, [batchId]);
    if (!row) throw new SettlementError(SettlementErrorCode.BatchNotFound);
    return row;
  }

  private async move(batchId: string, from: readonly BatchStatus[], to: BatchStatus, operatorRef: string, extra: { bankReference?: string } = {}): Promise<BatchView> {
    return this.db.transaction(async (tx) => {
      const batch = await this.lockBatch(tx, batchId);
      if (!from.includes(batch.status)) throw new SettlementError(SettlementErrorCode.WrongState);
      await tx.query(`UPDATE settlement_batch SET status = $2, bank_reference = coalesce($3, bank_reference), decided_at = clock_timestamp() WHERE batch_id = $1`, [
        batchId, to, extra.bankReference ?? null,
      ]);
      await this.audit.record(tx, {
        actor: operatorRef, action: `settlement.batch.${to}`, resource: `settlement_batch:${batchId}`,
        diff: { from: batch.status, to, contentHash: batch.content_hash, ...(extra.bankReference ? { bankReference: extra.bankReference } : {}) },
      });
      return this.view(tx, batchId);
    });
  }

  submit(batchId: string, operatorRef: string): Promise<BatchView> {
    return this.move(batchId, ['draft'], 'pending_approval', operatorRef);
  }

  reject(batchId: string, operatorRef: string): Promise<BatchView> {
    return this.move(batchId, ['draft', 'pending_approval'], 'rejected', operatorRef);
  }

  /** Records the bank's reference for the payments made from an approved batch. */
  async release(batchId: string, operatorRef: string, bankReference: string): Promise<BatchView> {
    if (!/^[0-9A-Za-z./-]{1,35}$/.test(bankReference)) throw new SettlementError(SettlementErrorCode.BankReferenceInvalid);
    return this.move(batchId, ['approved'], 'released', operatorRef, { bankReference });
  }

  /** One operator's approval: a PS256 compact JWS over approvalPayload(batchId, contentHash). */
  async approve(batchId: string, operatorRef: string, jws: string): Promise<BatchView> {
    return this.db.transaction(async (tx) => {
      const batch = await this.lockBatch(tx, batchId);
      if (batch.status !== 'pending_approval') throw new SettlementError(SettlementErrorCode.WrongState);
      const [approver] = await tx.query<{ public_jwk: JWK }>(`SELECT public_jwk FROM settlement_approver WHERE operator_ref = $1 AND active`, [operatorRef]);
      if (!approver) throw new SettlementError(SettlementErrorCode.NotAuthorised);
      const given = await tx.query(`SELECT 1 FROM settlement_approval WHERE batch_id = $1 AND operator_ref = $2`, [batchId, operatorRef]);
      if (given.length > 0) throw new SettlementError(SettlementErrorCode.SameOperatorTwice);
      try {
        const key = await importJWK(approver.public_jwk, 'PS256');
        const { payload } = await compactVerify(jws, key, { algorithms: ['PS256'] });
        if (new TextDecoder().decode(payload) !== approvalPayload(batchId, batch.content_hash)) throw new SettlementError(SettlementErrorCode.BadSignature);
      } catch (error) {
        if (error instanceof SettlementError) throw error;
        throw new SettlementError(SettlementErrorCode.BadSignature);
      }
      await tx.query(`INSERT INTO settlement_approval (batch_id, operator_ref, signature, approved_at) VALUES ($1, $2, $3, clock_timestamp())`, [batchId, operatorRef, jws]);
      const [{ n }] = (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM settlement_approval WHERE batch_id = $1`, [batchId])) as [{ n: number }];
      const resource = `settlement_batch:${batchId}`;
      await this.audit.record(tx, { actor: operatorRef, action: 'settlement.batch.signed', resource, diff: { contentHash: batch.content_hash, approvals: n } });
      if (n >= APPROVALS_REQUIRED) {
        await tx.query(`UPDATE settlement_batch SET status = 'approved', decided_at = clock_timestamp() WHERE batch_id = $1`, [batchId]);
        await this.audit.record(tx, { actor: operatorRef, action: 'settlement.batch.approved', resource, diff: { contentHash: batch.content_hash } });
      }
      return this.view(tx, batchId);
    });
  }

  async get(batchId: string): Promise<BatchView> {
    return this.db.transaction((tx) => this.view(tx, batchId));
  }

  async exports(batchId: string): Promise<{ json: string; csv: string; pain001: string }> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ export_json: string; export_csv: string; pain001_xml: string }>(
        `SELECT export_json, export_csv, pain001_xml FROM settlement_batch WHERE batch_id = $1`, [batchId],
      );
      if (!row) throw new SettlementError(SettlementErrorCode.BatchNotFound);
      return { json: row.export_json, csv: row.export_csv, pain001: row.pain001_xml };
    });
  }

  private async view(tx: SqlTx, batchId: string): Promise<BatchView> {
    const [row] = await tx.query<{ status: BatchStatus; content_hash: string; period_start: Date; period_end: Date; trade_count: string; bank_reference: string | null }>(
      `SELECT status, content_hash, period_start, period_end, trade_count, bank_reference FROM settlement_batch WHERE batch_id = $1`, [batchId],
    );
    if (!row) throw new SettlementError(SettlementErrorCode.BatchNotFound);
    const approvals = await tx.query<{ operator_ref: string }>(`SELECT operator_ref FROM settlement_approval WHERE batch_id = $1 ORDER BY approved_at`, [batchId]);
    return {
      batchId, status: row.status, contentHash: row.content_hash, periodStart: iso(row.period_start), periodEnd: iso(row.period_end),
      tradeCount: Number(row.trade_count), approvals: approvals.map((a) => a.operator_ref), bankReference: row.bank_reference,
    };
  }
}

@Module({ imports: [PostTradeAuditModule], providers: [SettlementService], exports: [SettlementService] })
export class SettlementModule {}
