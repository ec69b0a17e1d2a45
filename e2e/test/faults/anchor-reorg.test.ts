// Fault: the chain reorganises under an audit anchor the customer stack asked for, after it was
// mined and before it was confirmed. The customer stack cuts its audit log into batches and only
// the roots cross the wall; the execution stack anchors them on a real anvil chain. The chain is
// held still (blocks only when a transaction comes) before the entry whose anchor is dropped is
// written, so that anchor stays unconfirmed; the reorganisation drops its block while no block is
// mined at all, so the test sees the drop before the execution stack's rebroadcast can land; the
// execution stack rebroadcasts the same bytes, which one block then takes; once blocks come again
// the indexer confirms it and the customer stack receives one answer, naming the block the chain
// has it in; the auditor's proof checks against the contract and the receipt.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Contract, JsonRpcProvider } from 'ethers';
import { artifact } from '@bulwark/solidity';
import { merkleLeafHash, merkleVerifyInclusion } from '@bulwark/shared-contracts';
import { eventually } from '@bulwark/testing';
import { REFERENCE_TENANT_ID } from '../../../customer-stack/api/dist/tenancy/reference-tenant.js';
import { HttpClient, signIn } from '../support/http-client.js';
import { TestSystem } from '../support/system.js';

const tenantId = REFERENCE_TENANT_ID;
const ANCHORED_SUBJECT = 'bulwark.e2c.audit.anchored.v1';

let system: TestSystem;
let provider: JsonRpcProvider;

beforeAll(async () => {
  // The customer stack cuts a batch every second while entries wait.
  system = await TestSystem.start({ chain: true, customerEnv: { AUDIT_ANCHOR_INTERVAL_MS: '1000' } });
  provider = new JsonRpcProvider(system.anvil!.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
}, 180_000);

afterAll(async () => {
  provider?.destroy();
  await system?.stop();
});

interface CustomerBatch { batch_id: string; last_seq: string; status: string; tx_hash: string | null; block_number: string | null }

async function customerBatches(): Promise<CustomerBatch[]> {
  const { rows } = await system.customerSql.query<CustomerBatch>(
    `SELECT batch_id::text, last_seq::text, status, tx_hash, block_number::text FROM audit_anchor_batch ORDER BY batch_id`,
  );
  return rows;
}

/** The execution stack's anchor transaction of customer batch `batchId`. */
async function anchorTx(batchId: string): Promise<{ id: string; status: string; tx_hash: string | null } | undefined> {
  const { rows } = await system.executionSql.query<{ id: string; status: string; tx_hash: string | null }>(
    `SELECT t.id::text, t.status, t.tx_hash FROM chain_anchor a JOIN chain_tx t ON t.id = a.chain_tx_id WHERE a.log = 'customer' AND a.batch_id = $1`, [batchId],
  );
  return rows[0];
}

describe('an audit anchor dropped by a reorganisation before its confirmation', () => {
  it('is rebroadcast and anchored once; the customer stack gets one answer, with the final block, and its proof checks against the chain', async () => {
    const anvil = system.anvil!;
    // Blocks only when a transaction comes: an anchor sent from now on waits for its confirmation.
    await anvil.rpc('evm_setAutomine', [true]);
    const email = `auditor-reorg-${randomUUID()}@example.test`;
    const password = `pw-${randomUUID()}`;
    await system.customer.call('createUser', { tenantId, role: 'auditor', email, password });
    // The auditor's sign-in is audited: an entry written after the chain was held still.
    const { accessToken } = await signIn(new HttpClient(system.customer.baseUrl), tenantId, email, password);
    const auditor = new HttpClient(system.customer.baseUrl).as(accessToken);

    // Every entry so far is in a batch, and the newest batch's anchor is mined.
    const last = await eventually(async () => {
      const { rows: [head] } = await system.customerSql.query<{ seq: string }>(`SELECT max(seq)::text AS seq FROM audit_entry`);
      const batch = (await customerBatches()).at(-1);
      if (!batch || batch.last_seq !== head?.seq) return undefined;
      const sent = await anchorTx(batch.batch_id);
      return sent?.status === 'mined' && sent.tx_hash ? { batch, txHash: sent.tx_hash, id: sent.id } : undefined;
    }, 60_000, 'the newest batch anchored and mined');
    const mined = await provider.getTransactionReceipt(last.txHash);
    expect(mined?.status).toBe(1);
    expect(await provider.getBlockNumber()).toBe(mined!.blockNumber); // nothing on top: unconfirmed
    const anchor = new Contract((await anchorContract()), artifact('AuditAnchor').abi, provider);
    const batchId = BigInt(last.batch.batch_id);
    const root = (await anchor.getFunction('rootOf')(batchId)) as string;
    expect(root).toMatch(/^0x[0-9a-f]{64}$/);
    expect(root).not.toBe(`0x${'0'.repeat(64)}`);
    expect((await customerBatches()).at(-1)?.status).toBe('requested');

    // No block at all from here: what the execution stack rebroadcasts waits in the node's pool.
    await anvil.rpc('evm_setAutomine', [false]);
    // The reorganisation replaces the anchor's block with an empty one.
    await anvil.rpc('anvil_reorg', [1, []]);
    expect(await provider.getTransactionReceipt(last.txHash)).toBeNull();
    expect(await anchor.getFunction('rootOf')(batchId)).toBe(`0x${'0'.repeat(64)}`);

    // The execution stack sees its block gone and rebroadcasts the same bytes ...
    await eventually(async () => {
      const [sent, pending] = await Promise.all([anchorTx(last.batch.batch_id), provider.getTransaction(last.txHash)]);
      return sent?.status === 'signed' && pending && pending.blockNumber === null ? true : undefined;
    }, 30_000, 'the dropped anchor back to signed and rebroadcast');
    // ... which the next block takes: mined again, still unconfirmed.
    await anvil.rpc('evm_mine');
    const remined = (await provider.getTransactionReceipt(last.txHash))!;
    expect(remined.blockNumber).toBe(mined!.blockNumber + 1);
    expect(remined.status).toBe(1);
    expect(await anchor.getFunction('rootOf')(batchId)).toBe(root);
    expect((await customerBatches()).at(-1)?.status).toBe('requested');

    // Blocks come again: confirmed, answered across the wall with the block the chain has it in.
    await anvil.rpc('evm_setIntervalMining', [1]);
    const anchored = await eventually(async () => {
      const batch = (await customerBatches()).find((b) => b.batch_id === last.batch.batch_id);
      return batch?.status === 'anchored' ? batch : undefined;
    }, 60_000, 'the batch anchored in the customer stack');
    expect(anchored).toMatchObject({ tx_hash: last.txHash, block_number: String(remined.blockNumber) });
    expect(await anchorTx(last.batch.batch_id)).toMatchObject({ id: last.id, status: 'mined', tx_hash: last.txHash });

    // One answer per batch: sent once by the execution stack, received once by the customer stack.
    const batches = await customerBatches();
    const { rows: sent } = await system.executionSql.query<{ batch_id: string; n: number }>(
      `SELECT body::jsonb ->> 'batchId' AS batch_id, count(*)::int AS n FROM wall_outbox WHERE subject = $1 GROUP BY 1`, [ANCHORED_SUBJECT],
    );
    const answered = batches.filter((b) => b.status === 'anchored').map((b) => b.batch_id);
    expect(answered).toContain(last.batch.batch_id);
    expect(Object.fromEntries(sent.map((s) => [s.batch_id, s.n]))).toEqual(Object.fromEntries(answered.map((id) => [id, 1])));
    await eventually(async () => {
      const { rows: [received] } = await system.customerSql.query<{ n: number }>(`SELECT count(*)::int AS n FROM wall_inbound WHERE subject = $1`, [ANCHORED_SUBJECT]);
      return received?.n === sent.length ? true : undefined;
    }, 30_000, 'every answer received');

    // The auditor's proof of the batch's last entry leads to the root the contract holds, in the block the receipt names.
    const { status, body: proof } = await auditor.get<{
      entryHash: string; leafIndex: number; treeSize: string; proof: string[]; root: string;
      batch: { batchId: string; status: string; txHash: string; blockNumber: string; contractAddress: string };
    }>(`/audit/entries/${last.batch.last_seq}/proof`);
    expect(status).toBe(200);
    expect(proof.batch).toMatchObject({ batchId: last.batch.batch_id, status: 'anchored', txHash: last.txHash, blockNumber: String(remined.blockNumber) });
    expect(`0x${proof.root}`).toBe(await anchor.getFunction('rootOf')(batchId));
    expect((await provider.getTransactionReceipt(proof.batch.txHash))?.blockNumber).toBe(Number(proof.batch.blockNumber));
    const path = proof.proof.map((h) => Buffer.from(h, 'hex'));
    expect(merkleVerifyInclusion(proof.leafIndex, Number(proof.treeSize), merkleLeafHash(Buffer.from(proof.entryHash, 'hex')), path, Buffer.from(proof.root, 'hex'))).toBe(true);
  }, 240_000);
});

/** The customer log's AuditAnchor contract, as the execution stack deployed it. */
async function anchorContract(): Promise<string> {
  const { rows: [row] } = await system.executionSql.query<{ contract_address: string }>(`SELECT contract_address FROM chain_contract WHERE purpose = 'audit_anchor:customer'`);
  if (!row) throw new Error('no AuditAnchor contract for the customer log');
  return row.contract_address;
}
