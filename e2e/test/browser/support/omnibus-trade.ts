// A trade through the omnibus, on the real execution stack: a market maker (a member with its
// own key) offers the units over the signed member API, the tenant's intents are admitted into
// their pool (the aggregator's own entry point), and the aggregator fills them on the internal
// book and allocates them. Returns once every intent has its allocation.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { eventually } from '@bulwark/testing';
import { AggregationService } from '../../../../execution-stack/api/src/aggregation/aggregation.service.js';
import { MembersService } from '../../../../execution-stack/api/src/members/members.service.js';
import { signRequest } from '../../../../execution-stack/api/src/members/request-signature.js';

export interface OmnibusTrade {
  readonly instrumentId: string;
  readonly tenantRef: string;
  readonly price: string;
  /** Quantity per account reference (opaque: no customer stack account needs to exist). */
  readonly accounts: readonly { readonly accountRef: string; readonly quantity: string }[];
}

const ALLOCATED_WITHIN_MS = 20_000;

export async function tradeThroughOmnibus(execution: INestApplication, executionUrl: string, trade: OmnibusTrade): Promise<void> {
  const keys = await generateKeyPair('PS256', { extractable: true });
  const { keyId } = await execution.get(MembersService).createMember('system:test', {
    kind: 'market_maker', orderQuantityMax: '100000', orderNotionalMax: '1000000', openOrdersMax: 20, messagesPerSecond: 100, publicJwk: await exportJWK(keys.publicKey),
  });
  const units = trade.accounts.reduce((sum, a) => sum + Number.parseInt(a.quantity, 10), 0);
  const ask = JSON.stringify({ instrumentId: trade.instrumentId, side: 'sell', price: trade.price, quantity: String(units) });
  const headers = await signRequest({ keyId, privateKey: keys.privateKey }, { method: 'POST', path: '/v1/member/orders', body: ask });
  const placed = await fetch(`${executionUrl}/v1/member/orders`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: ask });
  if (placed.status !== 201) throw new Error(`the market maker's offer was refused: ${placed.status} ${await placed.text()}`);
  const db = execution.get<SqlDatabase>(SQL_DATABASE);
  const intents = trade.accounts.map((a) => ({
    intentId: randomUUID(), accountRef: a.accountRef, tenantRef: trade.tenantRef, instrumentId: trade.instrumentId, side: 'buy' as const, quantity: a.quantity,
    limitPrice: trade.price, timeInForce: 'GTC' as const, submittedAt: new Date().toISOString(),
  }));
  await db.transaction((tx) => execution.get(AggregationService).admit(tx, intents));
  const ids = intents.map((i) => i.intentId);
  await eventually(async () => {
    const rows = await db.transaction((tx) => tx.query(`SELECT DISTINCT intent_id FROM allocation WHERE intent_id = ANY($1::uuid[])`, [ids]));
    return rows.length === ids.length ? true : undefined;
  }, ALLOCATED_WITHIN_MS, 'every intent allocated');
}
