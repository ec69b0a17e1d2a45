// The token side of a settlement batch: what its period's omnibus trades moved between settlement
// wallets, netted to one leg per instrument and pair of wallets, in the shape the chain module
// queues (ChainService.queueSettlements). A wallet is named by its opaque reference: an omnibus
// member settles in its tenant's wallet, any other member in its own (as the pre-trade check
// has it), and a venue outside the platform delivers through the house wallet.
import { createHash } from 'node:crypto';
import { assert, canonicalDecimal, decimal } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { HOUSE_WALLET_REF } from '../chain/chain.service.js';

/** The chain module's house wallet reference: it delivers (and takes) for venues outside the platform. */
export { HOUSE_WALLET_REF };
/** Legs one batch hands to the chain at most (pairs × instruments; a period has few). */
export const TOKEN_LEGS_PER_BATCH_MAX = 100_000;

/** One net token movement, exactly ChainService's SettlementLeg. */
export interface TokenLeg {
  readonly settlementId: string;
  readonly instrumentId: string;
  readonly fromRef: string;
  readonly toRef: string;
  /** Decimal string in instrument units, > 0. */
  readonly quantity: string;
  /** The settlement batch whose approval queued it: reconciliation tells a batch settled once all its legs are confirmed on chain. */
  readonly batchRef: string;
}

/** Where an approved batch's legs go: ChainService satisfies it; absent without a chain. */
export interface TokenSettlementQueue {
  queueSettlements(tx: SqlTx, legs: readonly TokenLeg[]): Promise<number>;
}
export const TOKEN_SETTLEMENT_QUEUE = Symbol('TOKEN_SETTLEMENT_QUEUE');

export interface GrossMovement {
  readonly instrumentId: string;
  readonly fromRef: string;
  readonly toRef: string;
  readonly quantity: string;
}

/** A leg id stable per batch, instrument and direction, so the chain queues a batch's leg once. */
export function tokenLegId(batchId: string, instrumentId: string, fromRef: string, toRef: string): string {
  const hex = createHash('sha256').update(`bulwark:settlement-leg:${batchId}:${instrumentId}:${fromRef}:${toRef}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Nets gross movements to one leg per instrument and pair of wallets, in a stable order; a pair that nets to zero moves nothing. */
export function netTokenLegs(batchId: string, movements: readonly GrossMovement[]): TokenLeg[] {
  const nets = new Map<string, { instrumentId: string; a: string; b: string; aToB: ReturnType<typeof decimal> }>();
  for (const m of movements) {
    assert(m.fromRef !== m.toRef && decimal(m.quantity).gt(decimal('0')), 'a movement moves a positive quantity between two wallets');
    const [a, b] = m.fromRef < m.toRef ? [m.fromRef, m.toRef] : [m.toRef, m.fromRef];
    const key = `${m.instrumentId}/${a}/${b}`;
    const net = nets.get(key) ?? { instrumentId: m.instrumentId, a, b, aToB: decimal('0') };
    net.aToB = m.fromRef === a ? net.aToB.plus(decimal(m.quantity)) : net.aToB.minus(decimal(m.quantity));
    nets.set(key, net);
  }
  const legs: TokenLeg[] = [];
  for (const key of [...nets.keys()].sort()) {
    const net = nets.get(key);
    assert(net !== undefined, 'a netted pair is there');
    if (net.aToB.eq(decimal('0'))) continue;
    const [fromRef, toRef] = net.aToB.gt(decimal('0')) ? [net.a, net.b] : [net.b, net.a];
    legs.push({
      settlementId: tokenLegId(batchId, net.instrumentId, fromRef, toRef), instrumentId: net.instrumentId, fromRef, toRef,
      quantity: canonicalDecimal(net.aToB.abs()), batchRef: batchId,
    });
  }
  assert(legs.length <= TOKEN_LEGS_PER_BATCH_MAX, 'token legs within the batch limit');
  return legs;
}

/**
 * The gross movements of a period's omnibus trades. An internal-venue trade is one book trade
 * (found from the fill's id, which the CLOB venue derives from instrument and trade sequence),
 * counted once even when both its sides are omnibus orders; it moves from the seller's wallet to
 * the buyer's. A fill at an outside venue moves between the house wallet and the tenant's.
 */
export async function periodMovements(tx: SqlTx, periodStart: string, periodEnd: string): Promise<GrossMovement[]> {
  return tx.query<GrossMovement>(
    `WITH fills AS (
       SELECT fill_ref, order_ref, tenant_ref, instrument_id, side, venue, quantity FROM omnibus_fill WHERE traded_at >= $1 AND traded_at < $2),
     internal AS (
       SELECT DISTINCT ON (t.instrument_id, t.trade_seq) t.instrument_id, t.quantity,
              coalesce(s.tenant_ref, s.id) AS from_ref, coalesce(b.tenant_ref, b.id) AS to_ref
         FROM fills f
         JOIN clob_venue_order c ON c.order_ref = f.order_ref
         JOIN market_trade t ON t.instrument_id = f.instrument_id
              AND c.book_order_id = CASE WHEN f.side = 'buy' THEN t.buy_order_id ELSE t.sell_order_id END
         CROSS JOIN LATERAL (SELECT encode(sha256(convert_to('bulwark:clob-fill:' || t.instrument_id::text || ':' || t.trade_seq::text, 'UTF8')), 'hex') AS h) id
         JOIN member s ON s.owner_no = t.sell_owner_no
         JOIN member b ON b.owner_no = t.buy_owner_no
        WHERE f.venue = 'internal'
          AND f.fill_ref::text = substr(id.h, 1, 8) || '-' || substr(id.h, 9, 4) || '-8' || substr(id.h, 14, 3) || '-' || substr(id.h, 17, 4) || '-' || substr(id.h, 21, 12)
        ORDER BY t.instrument_id, t.trade_seq),
     outside AS (
       SELECT instrument_id, quantity,
              CASE WHEN side = 'buy' THEN $3::uuid ELSE tenant_ref END AS from_ref,
              CASE WHEN side = 'buy' THEN tenant_ref ELSE $3::uuid END AS to_ref
         FROM fills WHERE venue <> 'internal')
     SELECT instrument_id AS "instrumentId", from_ref AS "fromRef", to_ref AS "toRef", sum(quantity)::text AS quantity
       FROM (SELECT * FROM internal UNION ALL SELECT * FROM outside) m
      WHERE from_ref <> to_ref
      GROUP BY instrument_id, from_ref, to_ref`,
    [periodStart, periodEnd, HOUSE_WALLET_REF],
  );
}
