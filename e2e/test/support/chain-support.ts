// The chain as an operator and an auditor see it in the end-to-end tests: the chain's status over
// the signed operator route (waiting until what was queued has settled and been confirmed), the
// four-eyes settlement of a period, and token balances read from the node itself.
import { CompactSign } from 'jose';
import { Contract, JsonRpcProvider, formatUnits } from 'ethers';
import { artifact } from '@bulwark/solidity';
import { decimal } from '@bulwark/shared-contracts';
import { eventually } from '@bulwark/testing';
import type { ChainStatus } from '../../../execution-stack/api/dist/chain/chain-status.views.js';
import { approvalPayload } from '../../../execution-stack/api/dist/settlement/settlement.service.js';
import type { OperatorClient } from './operator-client.js';
import type { TestSystem } from './system.js';

/** How long the chain may take to settle and confirm what was queued, or to deploy a listing (worker cycles on anvil). */
const CHAIN_WITHIN_MS = 90_000;

export interface BatchView {
  readonly batchId: string;
  readonly status: string;
  readonly contentHash: string;
}

async function ok<T>(answer: Promise<{ status: number; body: T; text: string }>, what: string): Promise<T> {
  const { status, body, text } = await answer;
  if (status < 200 || status > 299) throw new Error(`${what}: ${status} ${text}`);
  return body;
}

export function chainStatus(operator: OperatorClient): Promise<ChainStatus> {
  return ok(operator.get<ChainStatus>('/v1/operator/chain/status'), 'chain status');
}

/** Waits until every queued settlement leg is settled on chain and confirmed by the indexer; returns the status then. */
export async function chainSettled(operator: OperatorClient): Promise<ChainStatus> {
  let last: ChainStatus | undefined;
  try {
    return await eventually(async () => {
      last = await chainStatus(operator);
      const { settlements, transactions } = last.queues;
      const idle = settlements.queued + settlements.batched + settlements.settledUnconfirmed + transactions.pending + transactions.signed === 0;
      return idle ? last : undefined;
    }, CHAIN_WITHIN_MS, 'the queued settlements to settle on chain and be confirmed');
  } catch (error) {
    // What was still waiting says why.
    throw new Error(`${(error as Error).message}; last queues: ${JSON.stringify(last?.queues)}`);
  }
}

/** Nets a period into a batch approved by two different operators, each signing its content hash: the approval queues its token legs. */
export async function settlePeriod(first: OperatorClient, second: OperatorClient, periodStart: string, periodEnd: string): Promise<BatchView> {
  const cut = await ok(first.post<BatchView>('/v1/operator/settlement/batches', { periodStart, periodEnd }), 'cut');
  const path = `/v1/operator/settlement/batches/${cut.batchId}`;
  await ok(first.post(`${path}/submit`), 'submit');
  let batch = cut;
  for (const operator of [first, second]) {
    const signature = await new CompactSign(new TextEncoder().encode(approvalPayload(cut.batchId, cut.contentHash)))
      .setProtectedHeader({ alg: 'PS256', kid: operator.keyId })
      .sign(operator.privateKey);
    batch = await ok(operator.post<BatchView>(`${path}/approvals`, { signature }), 'approval');
  }
  return batch;
}

/** What a custodial wallet holds of an instrument on chain, in instrument units, read from the node. */
export async function onChainBalance(system: TestSystem, instrumentId: string, walletRef: string): Promise<string> {
  if (!system.anvil) throw new Error('the system runs without a chain');
  const { rows: [row] } = await system.executionSql.query<{ token_address: string; decimals: number; wallet_address: string }>(
    `SELECT i.token_address, i.decimals, w.wallet_address FROM chain_instrument i, chain_wallet w WHERE i.instrument_id = $1 AND w.wallet_ref = $2`,
    [instrumentId, walletRef],
  );
  if (!row) throw new Error(`instrument ${instrumentId} or wallet ${walletRef} is not on chain`);
  const provider = new JsonRpcProvider(system.anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const token = new Contract(row.token_address, artifact('Token').abi, provider);
    const units = (await token.getFunction('balanceOf')(row.wallet_address)) as bigint;
    return decimal(formatUnits(units, row.decimals)).toString();
  } finally {
    provider.destroy();
  }
}

/** Waits until an instrument's token suite is deployed and the wallets are registered in it (the pre-trade check then passes). */
export function chainListed(system: TestSystem, instrumentId: string, walletRefs: readonly string[]): Promise<true> {
  return eventually(async () => {
    const { rows } = await system.executionSql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chain_listing l JOIN chain_registration r ON r.instrument_id = l.instrument_id
        WHERE l.instrument_id = $1 AND l.status = 'deployed' AND r.wallet_ref = ANY($2::uuid[])`,
      [instrumentId, walletRefs],
    );
    return rows[0]?.n === walletRefs.length ? true : undefined;
  }, CHAIN_WITHIN_MS, `instrument ${instrumentId} deployed on chain with its wallets registered`);
}
