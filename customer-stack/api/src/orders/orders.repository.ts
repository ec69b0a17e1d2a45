// SQL for order intents. Every method runs inside the caller's transaction, with its tenant set
// (row-level security: rows of other tenants are neither visible nor writable).
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import type { IntentStatus } from './order-intent.entity.js';

export interface IntentRow {
  id: string;
  account_ref: string;
  tenant_id: string;
  instrument_id: string;
  side: 'buy' | 'sell';
  quantity: string;
  limit_price: string;
  time_in_force: 'GTC' | 'IOC' | 'FOK';
  status: IntentStatus;
  reject_code: string | null;
  created_at: Date;
}

export interface NewIntent {
  readonly id: string;
  readonly accountRef: string;
  readonly tenantId: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly limitPrice: string;
  readonly timeInForce: 'GTC' | 'IOC' | 'FOK';
  readonly createdAt: Date;
}

export class OrdersRepository {
  async insert(tx: SqlTx, intents: readonly NewIntent[]): Promise<void> {
    await tx.query(
      `INSERT INTO order_intent (id, account_ref, tenant_id, instrument_id, side, quantity, limit_price, time_in_force, status, created_at, updated_at)
       SELECT id, account_ref, tenant_id, instrument_id, side, quantity, limit_price, tif, 'submitted', created_at, created_at
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::numeric[], $7::numeric[], $8::text[], $9::timestamptz[])
           AS t(id, account_ref, tenant_id, instrument_id, side, quantity, limit_price, tif, created_at)`,
      [
        intents.map((i) => i.id),
        intents.map((i) => i.accountRef),
        intents.map((i) => i.tenantId),
        intents.map((i) => i.instrumentId),
        intents.map((i) => i.side),
        intents.map((i) => i.quantity),
        intents.map((i) => i.limitPrice),
        intents.map((i) => i.timeInForce),
        intents.map((i) => i.createdAt.toISOString()),
      ],
    );
  }

  /** Moves submitted intents to a final state; returns the ids that actually moved. */
  async settleSubmitted(tx: SqlTx, ids: readonly string[], status: 'accepted' | 'rejected', rejectCodes: readonly (string | null)[]): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `UPDATE order_intent o SET status = $2, reject_code = r.code, updated_at = clock_timestamp()
         FROM unnest($1::uuid[], $3::text[]) AS r(id, code)
        WHERE o.id = r.id AND o.status = 'submitted'
        RETURNING o.id`,
      [ids, status, rejectCodes],
    );
    return rows.map((r) => r.id);
  }

  async find(tx: SqlTx, ids: readonly string[]): Promise<IntentRow[]> {
    return tx.query<IntentRow>(`SELECT * FROM order_intent WHERE id = ANY($1::uuid[])`, [ids]);
  }
}
