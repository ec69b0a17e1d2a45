// Resolution and distributions: an operator resolves an event instrument (YES, NO or void) or
// declares a distribution on a security (amount per unit, record date). Positions come from the
// allocations, payouts per accountRef are computed exactly (payouts.ts), and in one transaction
// the event, its payouts, one payout.v1 each in the outbox, the audit entry and — when the chain
// is configured and the instrument is on it — the burn of the resolved tokens are written: an
// event pays exactly once or not at all. The database refuses a second resolution, a second
// distribution for one record date, and any change to an event or a payout.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { z } from 'zod';
import { NonNegativeDecimal, assert, decimal, sumDecimals } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { OUTBOX_BATCH_MAX, enqueueOutbound, type OutboundMessage, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { AggregationService } from '../aggregation/aggregation.service.js';
import { AllocationService, POSITION_LINES_MAX } from '../allocation/allocation.service.js';
import { ChainService } from '../chain/chain.service.js';
import { InstrumentsService, type Instrument } from '../market/instruments.service.js';
import { MarketService } from '../market/market.service.js';
import { ExecutionAuditService } from '../audit/execution-audit.service.js';
import { RESOLUTION_OUTCOMES, computePayouts, type ComputedPayout, type PayoutRule } from './payouts.js';
import { ResolutionError, ResolutionErrorCode } from './resolution.errors.js';
import type { InstrumentEventView, PayoutView } from './resolution.views.js';

/** Holdings one burn transaction carries (the token's batch limit). */
export const BURN_HOLDINGS_PER_TX_MAX = 100;
/** Outbound messages per enqueue call. */
const OUTBOX_CHUNK = OUTBOX_BATCH_MAX * 10;
/** Payout rows per page of the operator's listing. */
export const PAYOUT_PAGE_ROWS_MAX = 1_000;

export const ResolveRequest = z.strictObject({ instrumentId: z.uuid(), outcome: z.enum(RESOLUTION_OUTCOMES) });
export const DistributionRequest = z.strictObject({
  instrumentId: z.uuid(),
  amountPerUnit: NonNegativeDecimal,
  recordDate: z.iso.datetime({ offset: false }),
});

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ResolutionError(ResolutionErrorCode.BadRequest, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

@Injectable()
export class ResolutionService {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(InstrumentsService) private readonly instruments: InstrumentsService,
    @Inject(MarketService) private readonly market: MarketService,
    @Inject(AllocationService) private readonly allocations: AllocationService,
    @Inject(AggregationService) private readonly aggregation: AggregationService,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
    // Present when the stack runs with a chain: resolved tokens are then burned.
    @Optional() @Inject(ChainService) private readonly chain: ChainService | null = null,
  ) {}

  /** Resolves an event instrument once: YES, NO or void. The market must be closed and its omnibus work finished. */
  async resolve(operatorId: string, body: unknown): Promise<InstrumentEventView> {
    const { instrumentId, outcome } = parse(ResolveRequest, body);
    const desk = await this.market.desk(instrumentId);
    if (!desk) throw new ResolutionError(ResolutionErrorCode.UnknownInstrument);
    if (desk.book.state.state !== 'closed') throw new ResolutionError(ResolutionErrorCode.MarketOpen);
    const onChain = this.chain !== null && (await this.chain.isOnChain(instrumentId));
    return this.db.transaction(async (tx) => {
      await this.lockInstrument(tx, instrumentId);
      const instrument = await this.requireInstrument(tx, instrumentId, 'event');
      const [resolved] = await tx.query(`SELECT 1 FROM instrument_event WHERE instrument_id = $1 AND kind = 'resolution'`, [instrument.id]);
      if (resolved) throw new ResolutionError(ResolutionErrorCode.AlreadyResolved);
      const open = await this.aggregation.openWork(tx, instrument.id);
      if (open.waitingIntents > 0 || open.openOrders > 0) {
        throw new ResolutionError(ResolutionErrorCode.OrdersOpen, `${open.openOrders} orders, ${open.waitingIntents} waiting intents.`);
      }
      const recordAt = await this.now(tx);
      const burn = onChain ? (eventRef: string, payouts: readonly ComputedPayout[]) => this.burn(tx, instrument.id, eventRef, payouts) : null;
      const event = await this.pay(tx, operatorId, instrument, { kind: 'resolution', outcome }, recordAt, burn);
      await this.audit.record(tx, {
        actor: `operator:${operatorId}`, action: 'instrument.resolved', resource: `instrument_event:${event.eventRef}`,
        diff: { instrumentId: instrument.id, outcome, payouts: event.payouts.length, totalAmount: sumDecimals(event.payouts.map((p) => p.amount)), burnTxIds: event.burnTxIds },
      });
      return this.view(tx, event.eventRef);
    });
  }

  /** Declares a distribution on a security: amount per unit on the positions held at the record date (not in the future). */
  async declareDistribution(operatorId: string, body: unknown): Promise<InstrumentEventView> {
    const { instrumentId, amountPerUnit, recordDate } = parse(DistributionRequest, body);
    return this.db.transaction(async (tx) => {
      await this.lockInstrument(tx, instrumentId);
      const instrument = await this.requireInstrument(tx, instrumentId, 'security');
      const now = await this.now(tx);
      if (Date.parse(recordDate) > Date.parse(now)) throw new ResolutionError(ResolutionErrorCode.RecordDateInFuture);
      const recordAt = new Date(recordDate).toISOString();
      const [declared] = await tx.query(`SELECT 1 FROM instrument_event WHERE instrument_id = $1 AND kind = 'distribution' AND record_at = $2`, [instrument.id, recordAt]);
      if (declared) throw new ResolutionError(ResolutionErrorCode.AlreadyDeclared);
      const event = await this.pay(tx, operatorId, instrument, { kind: 'distribution', amountPerUnit: decimal(amountPerUnit).toString() }, recordAt, null);
      await this.audit.record(tx, {
        actor: `operator:${operatorId}`, action: 'instrument.distribution_declared', resource: `instrument_event:${event.eventRef}`,
        diff: {
          instrumentId: instrument.id, amountPerUnit: decimal(amountPerUnit).toString(), recordAt, payouts: event.payouts.length,
          totalAmount: sumDecimals(event.payouts.map((p) => p.amount)),
        },
      });
      return this.view(tx, event.eventRef);
    });
  }

  async get(eventRef: string): Promise<InstrumentEventView> {
    return this.db.transaction((tx) => this.view(tx, eventRef));
  }

  async payouts(eventRef: string, afterAccountRef: string | null, limit: number): Promise<PayoutView[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ payout_id: string; tenant_ref: string; account_ref: string; quantity: string; amount_per_unit: string; amount: string; paid_at: Date }>(
        `SELECT payout_id, tenant_ref, account_ref, quantity, amount_per_unit, amount, paid_at FROM payout
          WHERE event_ref = $1 AND ($2::uuid IS NULL OR account_ref > $2) ORDER BY account_ref LIMIT $3`,
        [eventRef, afterAccountRef, Math.min(limit, PAYOUT_PAGE_ROWS_MAX)],
      ),
    );
    return rows.map((r) => ({
      payoutId: r.payout_id, tenantRef: r.tenant_ref, accountRef: r.account_ref, quantity: decimal(r.quantity).toString(),
      amountPerUnit: decimal(r.amount_per_unit).toString(), amount: decimal(r.amount).toString(), paidAt: r.paid_at.toISOString(),
    }));
  }

  // ---- inside the transaction ------------------------------------------------------------

  private async lockInstrument(tx: SqlTx, instrumentId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`resolution:${instrumentId}`]);
  }

  private async requireInstrument(tx: SqlTx, instrumentId: string, kind: Instrument['kind']): Promise<Instrument> {
    const instrument = await this.instruments.get(tx, instrumentId);
    if (!instrument) throw new ResolutionError(ResolutionErrorCode.UnknownInstrument);
    if (instrument.kind !== kind) throw new ResolutionError(kind === 'event' ? ResolutionErrorCode.NotAnEvent : ResolutionErrorCode.NotASecurity);
    return instrument;
  }

  private async now(tx: SqlTx): Promise<string> {
    const [row] = await tx.query<{ now: Date }>(`SELECT clock_timestamp() AS now`);
    assert(row !== undefined, 'the database has a clock');
    return new Date(row.now).toISOString();
  }

  /** Writes the event (with its burns, if any), its payouts and one payout.v1 per payout. */
  private async pay(
    tx: SqlTx, operatorId: string, instrument: Instrument, rule: PayoutRule, recordAt: string,
    burn: ((eventRef: string, payouts: readonly ComputedPayout[]) => Promise<string[]>) | null,
  ): Promise<{ eventRef: string; payouts: ComputedPayout[]; burnTxIds: string[] }> {
    const lines = await this.allocations.positions(tx, instrument.id, rule.kind === 'distribution' ? recordAt : null);
    if (lines.length >= POSITION_LINES_MAX) throw new ResolutionError(ResolutionErrorCode.TooManyPayouts);
    const payouts = computePayouts(rule, lines);
    const eventRef = randomUUID();
    const paidAt = await this.now(tx);
    const burnTxIds = burn ? await burn(eventRef, payouts) : [];
    // A void pays each holder its own average price: the event's per-unit figure is then 0 and the payouts say what each got.
    const amountPerUnit = rule.kind === 'distribution' ? rule.amountPerUnit : rule.outcome === 'yes' ? '1' : '0';
    await tx.query(
      `INSERT INTO instrument_event (event_ref, instrument_id, kind, outcome, amount_per_unit, record_at, declared_by, declared_at, burn_tx_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [eventRef, instrument.id, rule.kind, rule.kind === 'resolution' ? rule.outcome : null, amountPerUnit, recordAt, operatorId, paidAt, burnTxIds],
    );
    const ids = payouts.map(() => randomUUID());
    if (payouts.length > 0) {
      await tx.query(
        `INSERT INTO payout (payout_id, event_ref, tenant_ref, account_ref, instrument_id, kind, quantity, amount_per_unit, amount, paid_at)
         SELECT p.id, $1, p.tenant, p.account, $2, $3, p.quantity, p.per_unit, p.amount, $4
           FROM unnest($5::uuid[], $6::uuid[], $7::uuid[], $8::numeric[], $9::numeric[], $10::numeric[]) AS p(id, tenant, account, quantity, per_unit, amount)`,
        [eventRef, instrument.id, rule.kind, paidAt, ids, payouts.map((p) => p.tenantRef), payouts.map((p) => p.accountRef),
          payouts.map((p) => p.quantity), payouts.map((p) => p.amountPerUnit), payouts.map((p) => p.amount)],
      );
    }
    const messages: OutboundMessage<'payout.v1'>[] = payouts.map((p, i) => ({
      type: 'payout.v1',
      id: ids[i],
      body: {
        payoutId: ids[i] as string, accountRef: p.accountRef, instrumentId: instrument.id, eventRef, kind: rule.kind, quantity: p.quantity,
        amountPerUnit: p.amountPerUnit, amount: p.amount, currency: 'USD', paidAt,
      },
    }));
    for (let start = 0; start < messages.length; start += OUTBOX_CHUNK) await enqueueOutbound(tx, messages.slice(start, start + OUTBOX_CHUNK));
    return { eventRef, payouts, burnTxIds };
  }

  /** Burns what each tenant's omnibus wallet holds of the resolved instrument, per the allocations, at most what it holds on chain. */
  private async burn(tx: SqlTx, instrumentId: string, eventRef: string, payouts: readonly ComputedPayout[]): Promise<string[]> {
    assert(this.chain !== null, 'a burn needs the chain');
    const byTenant = new Map<string, string[]>();
    for (const p of payouts) byTenant.set(p.tenantRef, [...(byTenant.get(p.tenantRef) ?? []), p.quantity]);
    const wallets = await this.chain.registeredWallets(tx, [...byTenant.keys()]);
    // A tenant without a custodial wallet never received tokens on chain: nothing to burn.
    const positions = [...byTenant].filter(([tenant]) => wallets.has(tenant)).map(([walletRef, quantities]) => ({ walletRef, quantity: sumDecimals(quantities) }));
    // What the wallets hold on chain now; units still to be settled to them are burned from their deliverer instead.
    const holdings = await this.chain.resolve(tx, instrumentId, positions);
    const txIds: string[] = [];
    for (let start = 0; start < holdings.length; start += BURN_HOLDINGS_PER_TX_MAX) {
      txIds.push(await this.chain.burn(tx, instrumentId, holdings.slice(start, start + BURN_HOLDINGS_PER_TX_MAX), `resolution:${eventRef}:${start / BURN_HOLDINGS_PER_TX_MAX}`));
    }
    return txIds;
  }

  private async view(tx: SqlTx, eventRef: string): Promise<InstrumentEventView> {
    const [row] = await tx.query<{
      event_ref: string; instrument_id: string; kind: 'resolution' | 'distribution'; outcome: 'yes' | 'no' | 'void' | null; amount_per_unit: string;
      record_at: Date; declared_by: string; declared_at: Date; payouts: number; total_quantity: string; total_amount: string; burn_tx_ids: string[];
    }>(
      `SELECT e.*, (SELECT count(*)::int FROM payout p WHERE p.event_ref = e.event_ref) AS payouts,
              (SELECT coalesce(sum(quantity), 0)::text FROM payout p WHERE p.event_ref = e.event_ref) AS total_quantity,
              (SELECT coalesce(sum(amount), 0)::text FROM payout p WHERE p.event_ref = e.event_ref) AS total_amount
         FROM instrument_event e WHERE e.event_ref = $1`,
      [eventRef],
    );
    if (!row) throw new ResolutionError(ResolutionErrorCode.UnknownEvent);
    return {
      eventRef: row.event_ref, instrumentId: row.instrument_id, kind: row.kind, outcome: row.outcome, amountPerUnit: decimal(row.amount_per_unit).toString(),
      recordAt: row.record_at.toISOString(), declaredBy: row.declared_by, declaredAt: row.declared_at.toISOString(), payouts: row.payouts,
      totalQuantity: decimal(row.total_quantity).toString(), totalAmount: decimal(row.total_amount).toString(), burnTxIds: row.burn_tx_ids.map(String),
    };
  }
}
