// The platform's own contracts (the ClaimIssuer, each audit log's AuditAnchor) are pipeline steps
// created with CREATE2 like an instrument's suite: against a real anvil node, a reorganisation that
// drops them with their nonce taken gets them re-signed at their recorded address, wired, used.
// And the call whose old bytes land before the contract it calls is created again (after such a
// reorganisation, a node or anyone who kept the signed bytes rebroadcasts them behind the
// transaction that took the creation's nonce): it did nothing, so it is signed again, once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { type JsonRpcProvider, Wallet } from 'ethers';
import { KEY_PURPOSES, addressKey, artifact, attach } from '@bulwark/solidity';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { ChainWorker } from '../src/chain/chain.module.js';
import { ChainService } from '../src/chain/chain.service.js';
import { ANVIL_OPERATOR_KEY, type RestartableAnvil, startChainTestServices, type ChainTestServices } from './support/anvil-node.js';

let services: ChainTestServices;
let anvil: RestartableAnvil;
let app: INestApplication;
let chain: ChainService;
let worker: ChainWorker;
let db: SqlDatabase;
let provider: JsonRpcProvider;
let operator: Wallet;

const SRI_LANKA = 144;

interface StepRow { id: string; status: string; nonce: string; block_number: string; tx_hash: string; raw_tx: string; call_data: string }

/** The pipeline transactions of one operation and reference, in the order they are sent. */
async function steps(operation: string, ref: string): Promise<StepRow[]> {
  return db.transaction((tx) => tx.query<StepRow>(
    `SELECT id, status, nonce::text, block_number::text, tx_hash, raw_tx, call_data FROM chain_tx WHERE operation = $1 AND ref = $2 ORDER BY id`, [operation, ref],
  ));
}

/** Runs worker cycles until the queue holds no open transaction. */
async function drain(cyclesMax = 40): Promise<void> {
  for (let i = 0; i < cyclesMax; i += 1) {
    await worker.runOnce();
    const [open] = await db.transaction((tx) => tx.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM chain_tx WHERE status IN ('pending', 'signed')) + (SELECT count(*) FROM chain_anchor WHERE chain_tx_id IS NULL)
            + (SELECT count(*) FROM chain_wallet WHERE identity_contract IS NULL) AS n`,
    ));
    if (open?.n === '0') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('chain work did not drain');
}

/**
 * Reorganises the chain without block `fromBlock` and every block after it, then has another
 * operator transaction take the nonce `nonce` on the new branch, at once.
 */
async function reorgTakingNonce(fromBlock: string, nonce: string): Promise<void> {
  const head = await provider.getBlockNumber();
  await anvil.rpc('anvil_reorg', [head - Number(fromBlock) + 1, []]);
  await (await operator.sendTransaction({ to: operator.address, value: 0n, nonce: Number(nonce) })).wait();
}

beforeAll(async () => {
  services = await startChainTestServices();
  ({ anvil, provider } = services);
  operator = new Wallet(ANVIL_OPERATOR_KEY, provider);
  app = await services.startApp();
  chain = app.get(ChainService);
  worker = app.get(ChainWorker);
  db = app.get(SQL_DATABASE);
}, 120_000);

afterAll(async () => {
  await services?.close(app);
});

describe('platform contracts across a reorganisation', () => {
  it('re-creates the ClaimIssuer a reorganisation dropped with its nonce taken at its recorded address, with its claim key: the wallet it vouches for is verified', async () => {
    const walletRef = randomUUID();
    const walletAddress = await chain.registerWallet(walletRef, 'member', SRI_LANKA);
    await drain();
    const issuer = await chain.claimIssuer();
    const before = await steps('deploy', 'claim_issuer');
    expect(before.map((s) => s.status)).toEqual(['mined', 'mined']); // created, then its claim key added
    expect(await provider.getCode(issuer)).not.toBe('0x');

    // Everything from the issuer's block is dropped (the wallet's Identity too); another transaction takes its nonce.
    await reorgTakingNonce(before[0]!.block_number, before[0]!.nonce);
    expect(await provider.getCode(issuer)).toBe('0x');

    await drain();
    const after = await steps('deploy', 'claim_issuer');
    expect(after.map((s) => [s.id, s.status])).toEqual(before.map((s) => [s.id, 'mined'])); // no step queued twice
    expect(Number(after[0]!.nonce)).toBeGreaterThan(Number(before[0]!.nonce)); // signed afresh ...
    expect(await chain.claimIssuer()).toBe(issuer);
    expect(await provider.getCode(issuer)).not.toBe('0x'); // ... at the recorded address
    const claimIssuer = attach('ClaimIssuer', issuer, provider);
    expect(await claimIssuer.getFunction('keyHasPurpose')(addressKey(operator.address), KEY_PURPOSES.CLAIM)).toBe(true);

    // A suite listed now trusts the issuer: the wallet's claim, signed by the issuer's key, verifies it.
    const instrumentId = randomUUID();
    await chain.ensureInstrument(instrumentId, 'LK-ISSUER');
    await drain();
    const [suite] = await db.transaction((tx) => tx.query<{ contracts: { identityRegistry: string } }>(
      `SELECT contracts FROM chain_instrument WHERE instrument_id = $1`, [instrumentId],
    ));
    const registry = attach('IdentityRegistry', suite!.contracts.identityRegistry, provider);
    expect(await registry.getFunction('isVerified')(walletAddress)).toBe(true);
  }, 180_000);

  it('re-creates an AuditAnchor a reorganisation dropped with its nonce taken; the anchor whose old bytes landed before it did nothing and is sent again: anchored once, answered once', async () => {
    const root = 'ef'.repeat(32);
    await db.transaction((tx) => chain.requestAnchor(tx, 'customer', { batchId: 1, merkleRoot: root, entryCount: 3, firstSeq: 1, lastSeq: 3 }));
    await drain();
    const address = await chain.auditAnchor('customer');
    const anchor = attach('AuditAnchor', address, provider);
    const [created] = await steps('deploy', 'audit_anchor:customer');
    const [sent] = await steps('anchor', 'customer:1');
    expect([created?.status, sent?.status]).toEqual(['mined', 'mined']);
    expect(Number(sent!.nonce)).toBe(Number(created!.nonce) + 1);
    expect(await anchor.getFunction('rootOf')(1n)).toBe(`0x${root}`);

    // Both dropped; the creation's nonce taken; then the anchor's old bytes are rebroadcast and
    // mined before the contract exists again: a call to an address without code, doing nothing.
    await reorgTakingNonce(created!.block_number, created!.nonce);
    await (await provider.broadcastTransaction(sent!.raw_tx)).wait();
    expect(await provider.getCode(address)).toBe('0x');

    await drain();
    expect(await provider.getCode(address)).not.toBe('0x');
    const [again] = await steps('anchor', 'customer:1');
    expect(again).toMatchObject({ id: sent!.id, status: 'mined' });
    expect(again!.tx_hash).not.toBe(sent!.tx_hash); // signed again, after the contract
    expect(await anchor.getFunction('rootOf')(1n)).toBe(`0x${root}`);

    // Confirmed: one answer, naming the transaction that anchored the root.
    await anvil.mine(2);
    await worker.runOnce();
    await worker.runOnce();
    const answers = (await db.transaction((tx) => tx.query<{ body: string }>(`SELECT body FROM wall_outbox WHERE subject = 'bulwark.e2c.audit.anchored.v1'`)))
      .map((r) => JSON.parse(r.body) as { batchId: number; txHash: string });
    expect(answers).toEqual([expect.objectContaining({ batchId: 1, txHash: again!.tx_hash })]);
  }, 120_000);

  it('wires a suite whose wiring call landed before its token was re-created: the call is signed again after it, the token minted through it', async () => {
    const instrumentId = randomUUID();
    const holderRef = randomUUID();
    await chain.registerWallet(holderRef, 'member', SRI_LANKA);
    await chain.ensureInstrument(instrumentId, 'LK-WIRED');
    await drain();
    const [row] = await db.transaction((tx) => tx.query<{ token_address: string }>(`SELECT token_address FROM chain_instrument WHERE instrument_id = $1`, [instrumentId]));
    const suite = await steps('deploy', instrumentId);
    const tokenStep = suite.findIndex((s) => s.call_data.includes(artifact('Token').bytecode.slice(2, 2_000))); // its creation, then 'add token agent'
    const [creation, wiring] = [suite[tokenStep]!, suite[tokenStep + 1]!];
    expect(Number(wiring.nonce)).toBe(Number(creation.nonce) + 1);
    const token = attach('Token', row!.token_address, provider);
    expect(await token.getFunction('isAgent')(operator.address)).toBe(true);

    await reorgTakingNonce(creation.block_number, creation.nonce);
    await (await provider.broadcastTransaction(wiring.raw_tx)).wait(); // 'add token agent' to an address without code
    expect(await provider.getCode(row!.token_address)).toBe('0x');

    await drain();
    expect(await provider.getCode(row!.token_address)).not.toBe('0x');
    expect(await token.getFunction('isAgent')(operator.address)).toBe(true);
    const after = await steps('deploy', instrumentId);
    expect(after.map((s) => [s.id, s.status])).toEqual(suite.map((s) => [s.id, 'mined']));
    expect(after[tokenStep + 1]!.tx_hash).not.toBe(wiring.tx_hash);

    await db.transaction((tx) => chain.mint(tx, instrumentId, holderRef, '7', `mint:${instrumentId}`));
    await drain();
    expect(await token.getFunction('totalSupply')()).toBe(7_000_000n);
  }, 180_000);
});
