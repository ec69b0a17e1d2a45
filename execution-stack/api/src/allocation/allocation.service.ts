// Allocation rounds: the fills an omnibus order received are split over its pooled intents
// (pro-rata-allocation.ts), stored, and each allocation.v1 is enqueued in the outbox in the
// same transaction as the fills and the intents' new open quantities: a round is allocated
// exactly once, or not at all.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Module } from '@nestjs/common';
import { ALLOCATION_FILLS_MAX, assert, decimal, sumDecimals } from '@bulwark/shared-contracts';
import { enqueueOutbound, type OutboundMessage, type SqlTx } from '@bulwark/shared-contracts/wall';
import { InstrumentsService } from '../market/instruments.service.js';
import { MarketModule } from '../market/market.module.js';
import { ExecutionAuditModule, ExecutionAuditService } from '../audit/execution-audit.service.js';
import type { PositionLine } from '../resolution/payouts.js';
import { allocate, inputsHashOf, type PoolIntent, type VenueFill } from './pro-rata-allocation.js';
import type { AllocationLine } from './allocation.views.js';

export interface AllocatedOrder {
  readonly orderRef: string;
  readonly tenantRef: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
}

interface PooledRow {
  intent_id: string;
  account_ref: string;
  limit_price: string;
  open_quantity: string;
  seq: string;
}

interface StoredAllocation {
  id: string;
  intentId: string;
  accountRef: string;
  quantity: string;
  notional: string;
  averagePrice: string;
  fee: string;
  remaining: string;
  fillRefs: string[];
  hash: string;
}

const text = (value: string): string => decimal(value).toString();

/** Accounts holding one instrument. */
export const POSITION_LINES_MAX = 100_000;

@Injectable()
export class AllocationService {
  constructor(
    @Inject(InstrumentsService) private readonly instruments: InstrumentsService,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
  ) {}

  /**
   * Every account's trading in an instrument, summed from its allocations (up to and including
   * `asOf` when given): what positions, payouts and statements are computed from.
   */
  async positions(tx: SqlTx, instrumentId: string, asOf: string | null): Promise<PositionLine[]> {
    const rows = await tx.query<{ tenant_ref: string; account_ref: string; bought: string; sold: string; bought_notional: string }>(
      `SELECT tenant_ref, account_ref,
              coalesce(sum(quantity) FILTER (WHERE side = 'buy'), 0)::text AS bought,
              coalesce(sum(quantity) FILTER (WHERE side = 'sell'), 0)::text AS sold,
              coalesce(sum(notional) FILTER (WHERE side = 'buy'), 0)::text AS bought_notional
         FROM allocation WHERE instrument_id = $1 AND ($2::timestamptz IS NULL OR allocated_at <= $2)
        GROUP BY tenant_ref, account_ref ORDER BY tenant_ref, account_ref LIMIT $3`,
      [instrumentId, asOf, POSITION_LINES_MAX + 1],
    );
    assert(rows.length <= POSITION_LINES_MAX, 'positions of one instrument within their limit');
    return rows.map((r) => ({
      tenantRef: r.tenant_ref, accountRef: r.account_ref, boughtQuantity: text(r.bought), soldQuantity: text(r.sold), boughtNotional: text(r.bought_notional),
    }));
  }

  /** The allocations of one omnibus order, round by round, in acceptance order of the intents within a round. */
  async ofOrder(tx: SqlTx, orderRef: string, rowsMax: number): Promise<AllocationLine[]> {
    const rows = await tx.query<{
      allocation_id: string; round_ref: string; intent_id: string; account_ref: string; quantity: string; average_price: string; notional: string;
      fee: string; remaining_quantity: string; inputs_hash: string; allocated_at: Date;
    }>(
      `SELECT a.allocation_id, a.round_ref, a.intent_id, a.account_ref, a.quantity, a.average_price, a.notional, a.fee, a.remaining_quantity, a.inputs_hash, a.allocated_at
         FROM allocation a LEFT JOIN pooled_intent p ON p.intent_id = a.intent_id
        WHERE a.order_ref = $1 ORDER BY a.allocated_at, a.round_ref, p.seq LIMIT $2`,
      [orderRef, rowsMax],
    );
    return rows.map((r) => ({
      allocationId: r.allocation_id, roundRef: r.round_ref, intentId: r.intent_id, accountRef: r.account_ref, quantity: text(r.quantity),
      averagePrice: text(r.average_price), notional: text(r.notional), fee: text(r.fee), remainingQuantity: text(r.remaining_quantity),
      inputsHash: r.inputs_hash, allocatedAt: r.allocated_at.toISOString(),
    }));
  }

  /** Allocates fills already stored under `roundRef` to the order's intents; returns the allocation count. */
  async allocateRound(tx: SqlTx, order: AllocatedOrder, roundRef: string, fills: readonly VenueFill[], feeBps: number): Promise<number> {
    if (fills.length === 0) return 0;
    const instrument = (await this.instruments.findMany(tx, [order.instrumentId])).get(order.instrumentId);
    assert(instrument, 'an omnibus order trades a listed instrument');
    const rows = await tx.query<PooledRow>(
      `SELECT intent_id, account_ref, limit_price, open_quantity, seq FROM pooled_intent
        WHERE order_ref = $1 AND status = 'pooled' AND open_quantity > 0 ORDER BY seq FOR UPDATE`,
      [order.orderRef],
    );
    const open = new Map(rows.map((r) => [r.intent_id, text(r.open_quantity)]));
    const allocatedAt = new Date().toISOString();
    const messages: OutboundMessage[] = [];
    const stored: StoredAllocation[] = [];
    for (let start = 0; start < fills.length; start += ALLOCATION_FILLS_MAX) {
      const chunk = fills.slice(start, start + ALLOCATION_FILLS_MAX);
      const intents: PoolIntent[] = rows
        .filter((r) => decimal(open.get(r.intent_id) ?? '0').gt(decimal('0')))
        .map((r) => ({
          intentId: r.intent_id, accountRef: r.account_ref, limitPrice: text(r.limit_price), openQuantity: open.get(r.intent_id) as string, acceptedSeq: Number(r.seq),
        }));
      const request = {
        omnibusOrderRef: order.orderRef, instrumentId: order.instrumentId, side: order.side, lotSize: instrument.lotSize, feeBps, intents, fills: chunk,
      };
      const result = allocate(request);
      for (const a of result.allocations) {
        const allocationId = randomUUID();
        const inputsHash = inputsHashOf(request, a);
        open.set(a.intentId, a.remainingQuantity);
        stored.push({
          id: allocationId, intentId: a.intentId, accountRef: a.accountRef, quantity: a.quantity, notional: a.notional, averagePrice: a.averagePrice,
          fee: a.fee, remaining: a.remainingQuantity, fillRefs: [...a.fillRefs], hash: inputsHash,
        });
        messages.push({
          type: 'allocation.v1',
          body: {
            allocationId, intentId: a.intentId, accountRef: a.accountRef, instrumentId: order.instrumentId, omnibusOrderRef: order.orderRef,
            side: order.side, quantity: a.quantity, averagePrice: a.averagePrice, notional: a.notional, fee: a.fee, currency: 'USD',
            remainingQuantity: a.remainingQuantity, fillRefs: [...a.fillRefs], inputsHash, allocatedAt,
          },
        });
      }
    }
    // The pair across the boundary: what the venue filled is what the intents received.
    assert(decimal(sumDecimals(stored.map((s) => s.quantity))).eq(decimal(sumDecimals(fills.map((f) => f.quantity)))), 'Σ allocations = Σ fills');
    await tx.query(
      `INSERT INTO allocation (allocation_id, round_ref, order_ref, intent_id, account_ref, tenant_ref, instrument_id, side, quantity, notional,
                               average_price, fee, remaining_quantity, fill_refs, inputs_hash, allocated_at)
       SELECT a.id, $1, $2, a.intent_id, a.account_ref, $3, $4, $5, a.quantity, a.notional, a.average_price, a.fee, a.remaining,
              ARRAY(SELECT jsonb_array_elements_text(a.fill_refs)::uuid), a.hash, $6
         FROM jsonb_to_recordset($7::jsonb) AS a(id uuid, intent_id uuid, account_ref uuid, quantity numeric, notional numeric,
                                                 average_price numeric, fee numeric, remaining numeric, fill_refs jsonb, hash text)`,
      [roundRef, order.orderRef, order.tenantRef, order.instrumentId, order.side, allocatedAt, JSON.stringify(stored.map((s) => ({
        id: s.id, intent_id: s.intentId, account_ref: s.accountRef, quantity: s.quantity, notional: s.notional, average_price: s.averagePrice,
        fee: s.fee, remaining: s.remaining, fill_refs: s.fillRefs, hash: s.hash,
      })))],
    );
    await tx.query(
      `UPDATE pooled_intent p SET open_quantity = u.open FROM unnest($1::uuid[], $2::numeric[]) AS u(intent_id, open) WHERE p.intent_id = u.intent_id`,
      [[...open.keys()], [...open.values()]],
    );
    await enqueueOutbound(tx, messages);
    await this.audit.record(tx, {
      actor: 'system:allocation', action: 'allocation.round.allocated', resource: `omnibus_order:${order.orderRef}`,
      diff: { roundRef, fills: fills.length, allocations: stored.length, quantity: sumDecimals(fills.map((f) => f.quantity)) },
    });
    return stored.length;
  }
}

@Module({ imports: [MarketModule, ExecutionAuditModule], providers: [AllocationService], exports: [AllocationService] })
export class AllocationModule {}
