// The chain behind the member API, on a real anvil node, real Postgres and a real JetStream:
// member orders pass the on-chain pre-trade check at order entry (a transfer the token's
// compliance would refuse is refused with its code; an unreachable chain refuses everything),
// and the execution stack's own audit table is anchored on chain in Merkle batches, with the
// operator's proofs and a tampered row caught by the anchor.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import request from 'supertest';
import { type JsonRpcProvider, Wallet } from 'ethers';
import pg from 'pg';
import { attach } from '@bulwark/solidity';
import { auditEntryHash, merkleLeafHash, merkleVerifyInclusion, type CanonicalValue } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { type TestDatabase } from '@bulwark/testing';
import { ExecutionAuditService } from '../src/audit/execution-audit.service.js';
import { ExecutionAuditAnchoringService } from '../src/audit-anchoring/execution-audit-anchoring.service.js';
import { ChainWorker } from '../src/chain/chain.module.js';
import { ChainService } from '../src/chain/chain.service.js';
import { parseExecutionConfig } from '../src/config/execution-config.js';
import { MembersService } from '../src/members/members.service.js';
import { signRequest, type SigningKey } from '../src/members/request-signature.js';
import { ANVIL_OPERATOR_KEY, type RestartableAnvil, startChainTestServices, type ChainTestServices } from './support/anvil-node.js';

let services: ChainTestServices;
let database: TestDatabase;
let anvil: RestartableAnvil;
let app: INestApplication;
let chain: ChainService;
let worker: ChainWorker;
let db: SqlDatabase;
let provider: JsonRpcProvider;
let operator: SigningKey;
let instrumentId: string;

const SRI_LANKA = 144;

async function keyPair(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

async function call(key: SigningKey, method: 'GET' | 'POST', path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const signed = await signRequest(key, { method, path, body: text });
  const req = method === 'GET' ? request(app.getHttpServer()).get(path) : request(app.getHttpServer()).post(path);
  for (const [k, v] of Object.entries(signed)) req.set(k, v);
  if (text) req.set('content-type', 'application/json').send(text);
  return req;
}

/** A market maker created through the operator API; its chain wallet is registered unless told otherwise. */
async function newMember(registerWallet = true): Promise<SigningKey & { memberId: string }> {
  const { privateKey, publicJwk } = await keyPair();
  const response = await call(operator, 'POST', '/v1/operator/members', {
    kind: 'market_maker', orderQuantityMax: '1000', orderNotionalMax: '100000', openOrdersMax: 50, messagesPerSecond: 1_000, publicJwk,
  });
  expect(response.status).toBe(201);
  const memberId = response.body.member.id as string;
  if (registerWallet) await chain.registerWallet(memberId, 'member', SRI_LANKA);
  return { keyId: response.body.keyId as string, privateKey, memberId };
}

/** Runs worker cycles until no chain work is open and every anchor is confirmed (blocks mined for its confirmations). */
async function drain(cyclesMax = 40): Promise<void> {
  for (let i = 0; i < cyclesMax; i += 1) {
    await worker.runOnce();
    const [open] = await db.transaction((tx) => tx.query<{ n: string; unconfirmed: string }>(
      `SELECT (SELECT count(*) FROM chain_tx WHERE status IN ('pending', 'signed')) + (SELECT count(*) FROM chain_anchor WHERE chain_tx_id IS NULL) AS n,
              (SELECT count(*) FROM chain_anchor WHERE status = 'queued') AS unconfirmed`,
    ));
    if (open?.n === '0' && open.unconfirmed === '0') return;
    if (open?.n === '0') await anvil.mine(1);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('chain work did not drain');
}

const order = (side: 'buy' | 'sell', quantity: string, price = '10.00') => ({ instrumentId, side, price, quantity });

beforeAll(async () => {
  services = await startChainTestServices();
  ({ database, anvil, provider } = services);
  // Batches are cut by the test (the scheduler would wait a day for its first).
  app = await services.startApp({ CHAIN_AUDIT_ANCHOR_INTERVAL_MS: '86400000' }, parseExecutionConfig({ MEMBER_SIGNATURE_WINDOW_MS: '30000' }));
  chain = app.get(ChainService);
  worker = app.get(ChainWorker);
  db = app.get(SQL_DATABASE);
  const op = await keyPair();
  const created = await app.get(MembersService).createOperator('op-chain-1', op.publicJwk);
  operator = { keyId: created.keyId, privateKey: op.privateKey };
  const listed = await call(operator, 'POST', '/v1/operator/instruments', { symbol: 'CHAINMEM-1', kind: 'security', tickSize: '0.01', lotSize: '1', priceMax: '1000' });
  expect(listed.status).toBe(201);
  instrumentId = listed.body.id as string;
  await chain.houseWallet();
  await chain.ensureInstrument(instrumentId, 'CHAINMEM-1');
  await drain();
}, 180_000);

afterAll(async () => {
  await services?.close(app);
});

describe('member orders pass the on-chain pre-trade check at order entry', () => {
  const refusedWith = async (response: request.Response, chainCode: string) => {
    expect([response.status, response.body.code]).toEqual([422, 'pre_trade_refused']);
    expect(response.body.detail).toContain(`${chainCode}:`);
  };

  it('accepts a buy the token would let settle, and refuses a sell of tokens the member does not hold until they are minted', async () => {
    const member = await newMember();
    expect((await call(member, 'POST', '/v1/member/orders', order('buy', '5'))).status).toBe(201);
    await refusedWith(await call(member, 'POST', '/v1/member/orders', order('sell', '5', '20.00')), 'insufficient_unfrozen_balance');
    await db.transaction((tx) => chain.mint(tx, instrumentId, member.memberId, '5', `mint:${member.memberId}`));
    await drain();
    expect((await call(member, 'POST', '/v1/member/orders', order('sell', '5', '20.00'))).status).toBe(201);
  }, 120_000);

  it('refuses a buy into a wallet frozen by an agent, and accepts it again once unfrozen', async () => {
    const member = await newMember();
    await db.transaction((tx) => chain.freeze(tx, instrumentId, member.memberId, true, `freeze:${member.memberId}`));
    await drain();
    await refusedWith(await call(member, 'POST', '/v1/member/orders', order('buy', '3')), 'receiver_frozen');
    await db.transaction((tx) => chain.freeze(tx, instrumentId, member.memberId, false, `unfreeze:${member.memberId}`));
    await drain();
    expect((await call(member, 'POST', '/v1/member/orders', order('buy', '3'))).status).toBe(201);
  }, 120_000);

  it('refuses a buy into a wallet whose identity the registry no longer verifies', async () => {
    const member = await newMember();
    const [row] = await db.transaction((tx) => tx.query<{ wallet_address: string; registry: string }>(
      `SELECT w.wallet_address, i.contracts ->> 'identityRegistry' AS registry FROM chain_wallet w, chain_instrument i
        WHERE w.wallet_ref = $1 AND i.instrument_id = $2`, [member.memberId, instrumentId],
    ));
    // The registry agent removes the identity on chain (nothing is in flight: the pipeline's next nonce stays free).
    const registry = attach('IdentityRegistry', row!.registry, new Wallet(ANVIL_OPERATOR_KEY, provider));
    await (await registry.getFunction('deleteIdentity')(row!.wallet_address)).wait();
    await refusedWith(await call(member, 'POST', '/v1/member/orders', order('buy', '2')), 'receiver_not_verified');
  }, 120_000);

  it('requests a new member\'s settlement wallet with it, and refuses its orders until the worker has verified the wallet', async () => {
    const member = await newMember(false);
    const [wallet] = await db.transaction((tx) => tx.query<{ kind: string; identity_contract: string | null }>(
      `SELECT kind, identity_contract FROM chain_wallet WHERE wallet_ref = $1`, [member.memberId],
    ));
    expect(wallet).toEqual({ kind: 'member', identity_contract: null });
    await refusedWith(await call(member, 'POST', '/v1/member/orders', order('buy', '1')), 'receiver_not_verified');
    await drain();
    expect((await call(member, 'POST', '/v1/member/orders', order('buy', '1'))).status).toBe(201);
  }, 60_000);

  it('fails closed: while the chain is unreachable every order is refused, and accepted again once it answers', async () => {
    const member = await newMember();
    await anvil.stop();
    try {
      await refusedWith(await call(member, 'POST', '/v1/member/orders', order('buy', '4')), 'chain_unavailable');
    } finally {
      await anvil.start();
    }
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 201; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the breaker closes after its reset time
      status = (await call(member, 'POST', '/v1/member/orders', order('buy', '4'))).status;
    }
    expect(status).toBe(201);
  }, 120_000);
});

describe('the execution audit table anchored on chain', () => {
  /** The anchor the chain module deployed for the execution log, read back from the chain itself. */
  async function rootOnChain(batchId: number): Promise<string> {
    const [row] = await db.transaction((tx) => tx.query<{ contract_address: string }>(`SELECT contract_address FROM chain_contract WHERE purpose = 'audit_anchor:execution'`));
    const anchor = attach('AuditAnchor', row!.contract_address, provider);
    return ((await anchor.getFunction('rootOf')(BigInt(batchId))) as string).slice(2);
  }

  it('cuts Merkle batches of the operator actions, anchors them, and proves an entry against the root the chain holds', async () => {
    const anchoring = app.get(ExecutionAuditAnchoringService);
    expect((await call(operator, 'GET', '/v1/operator/audit/anchors/latest')).status).toBe(404);
    const first = await anchoring.cutBatch(new Date(), true);
    expect(first).toMatchObject({ batchId: '1', firstSeq: '1', status: 'requested' });
    expect(await anchoring.cutBatch()).toBeNull(); // nothing waits
    await drain();
    const latest = await call(operator, 'GET', '/v1/operator/audit/anchors/latest');
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ batchId: '1', status: 'anchored', merkleRoot: first!.merkleRoot, lastSeq: first!.lastSeq });
    expect(latest.body.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await rootOnChain(1)).toBe(first!.merkleRoot);
    const receipt = await provider.getTransactionReceipt(latest.body.txHash as string);
    expect(receipt?.blockNumber).toBe(Number(latest.body.blockNumber));

    await newMember(false);
    expect(await anchoring.cutBatch()).toBeNull(); // not due: one entry, waiting for seconds
    expect(await anchoring.cutBatch(new Date(Date.now() + 86_400_000))).toMatchObject({ batchId: '2' }); // due: it has waited the interval

    // More operator actions, a second batch: the root covers the whole table so far.
    await newMember();
    const second = await anchoring.cutBatch(new Date(), true);
    expect(second).toMatchObject({ batchId: '3' });
    await drain();
    expect((await call(operator, 'GET', '/v1/operator/audit/anchors/latest')).body).toMatchObject({ batchId: '3', status: 'anchored', lastSeq: second!.lastSeq });

    const proof = await call(operator, 'GET', '/v1/operator/audit/entries/2/proof');
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({ seq: '2', leafIndex: 1, treeSize: first!.lastSeq, root: first!.merkleRoot, batch: { batchId: '1' } });
    const verified = merkleVerifyInclusion(
      proof.body.leafIndex as number, Number(proof.body.treeSize), merkleLeafHash(Buffer.from(proof.body.entryHash as string, 'hex')),
      (proof.body.proof as string[]).map((h) => Buffer.from(h, 'hex')), Buffer.from(await rootOnChain(1), 'hex'),
    );
    expect(verified).toBe(true);
    expect((await call(operator, 'GET', '/v1/operator/audit/anchors/verify')).body).toMatchObject({ batchesChecked: 3, firstMismatch: null, chainBreak: null });
    expect((await call(operator, 'GET', `/v1/operator/audit/entries/${Number(second!.lastSeq) + 1_000}/proof`)).status).toBe(404);
  }, 180_000);

  it('a member key cannot read them: the routes are the operator\'s', async () => {
    const member = await newMember(false);
    const refused = await call(member, 'GET', '/v1/operator/audit/anchors/latest');
    expect([refused.status, refused.body.code]).toEqual([403, 'wrong_principal']);
  }, 60_000);

  it('catches a row rewritten by a superuser even when the whole hash chain is recomputed to match', async () => {
    const audit = app.get(ExecutionAuditService);
    // A superuser with the triggers off rewrites entry 3 and recomputes every later hash and the head: the chain holds again.
    const superuser = new pg.Client({ connectionString: database.ownerUrl.replace(/\/\/[^@]*@/, '//postgres@') });
    await superuser.connect();
    try {
      await superuser.query(`SET session_replication_role = replica`);
      const rows = (await superuser.query<{ seq: string; recorded_at: Date; actor: string; action: string; resource: string; diff: Record<string, CanonicalValue> }>(
        `SELECT seq, recorded_at, actor, action, resource, diff FROM execution_audit WHERE seq >= 3 ORDER BY seq`,
      )).rows;
      let [{ hash: prevHash }] = (await superuser.query<{ hash: string }>(`SELECT hash FROM execution_audit WHERE seq = 2`)).rows as [{ hash: string }];
      for (const row of rows) {
        const diff = row.seq === '3' ? { ...row.diff, keyId: 'key_forged' } : row.diff;
        const fields = { seq: row.seq, recordedAt: row.recorded_at.toISOString(), actor: row.actor, action: row.action, resource: row.resource, diff };
        const hash = auditEntryHash(prevHash, fields);
        await superuser.query(`UPDATE execution_audit SET diff = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [row.seq, JSON.stringify(diff), prevHash, hash]);
        prevHash = hash;
      }
      await superuser.query(`UPDATE execution_audit_head SET hash = $1 WHERE id = 1`, [prevHash]);
    } finally {
      await superuser.end();
    }
    expect(await audit.verify()).toBeNull(); // the hash chain alone cannot tell

    const verification = await call(operator, 'GET', '/v1/operator/audit/anchors/verify');
    expect(verification.body).toMatchObject({ batchesChecked: 1, chainBreak: null, firstMismatch: { batchId: '1', firstSeq: '1' } });
    expect(verification.body.firstMismatch.rootOnChain).toBe(await rootOnChain(1));
    expect(verification.body.firstMismatch.rootOfTable).not.toBe(verification.body.firstMismatch.rootOnChain);
    const proof = await call(operator, 'GET', '/v1/operator/audit/entries/2/proof');
    expect([proof.status, proof.body.code]).toEqual([409, 'log_changed']);
  }, 120_000);
});
