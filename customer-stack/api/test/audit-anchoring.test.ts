// Audit anchoring and the auditor's endpoints on the real stack: batches of the audit chain are cut
// and their RFC 9162 roots anchored on a real anvil chain (as the execution stack does); proofs
// and consistency proofs verify against those roots; the export verifies against the chain; and
// every form of tampering by a superuser is caught, by the export verification and the endpoints.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import { Contract, JsonRpcProvider } from 'ethers';
import { deployContract, startAnvil, type AnvilNode } from '@bulwark/solidity';
import {
  AUDIT_GENESIS_HASH, AuditExportVerifier, auditEntryHash, merkleVerifyConsistency, merkleVerifyInclusion, type AnchoredBatch,
} from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, startTestNats, testStackEnv, testSuperuserUrl, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AuditService } from '../src/audit/audit.service.js';
import { hashedFieldsOf } from '../src/audit/audit-fields.js';
import { AuditAnchoringService } from '../src/audit-anchoring/audit-anchoring.service.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { loginAs, type LoggedIn } from './support/auth.js';
import { TEST_ADMIN } from './support/tenancy.js';

let nats: TestNats;
let database: TestDatabase;
let node: AnvilNode;
let provider: JsonRpcProvider;
let anchor: Contract;
let app: INestApplication;
let anchoring: AuditAnchoringService;
let superuser: pg.Client;
let auditor: LoggedIn;
let investor: LoggedIn;

async function record(count: number): Promise<void> {
  const audit = app.get(AuditService);
  await app.get(TenantScope).run(REFERENCE_TENANT_ID, (tx) =>
    audit.recordMany(tx, Array.from({ length: count }, (_, i) => ({
      tenantId: REFERENCE_TENANT_ID, ...TEST_ADMIN, action: 'test.thing.changed', resource: `thing:${i}`, diff: { amount: `${i}.50` },
    }))),
  );
}

/** Cuts a batch and anchors its root on chain as the execution stack would, then records the answer. */
async function cutAndAnchor(): Promise<void> {
  const batch = await anchoring.cutBatch(new Date(), true);
  if (!batch) throw new Error('no batch cut');
  const sent = await anchor.getFunction('anchor')(BigInt(batch.batchId), `0x${batch.merkleRoot}`, BigInt(batch.lastSeq) - BigInt(batch.firstSeq) + 1n);
  const receipt = await sent.wait();
  await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) => anchoring.recordAnchored(tx, [{
    batchId: Number(batch.batchId), merkleRoot: batch.merkleRoot, chainId: 31337, contractAddress: String(anchor.target), txHash: receipt.hash,
    blockNumber: receipt.blockNumber, anchoredAt: new Date().toISOString(),
  }]));
}

async function onChainAnchors(): Promise<AnchoredBatch[]> {
  const count = Number(await anchor.getFunction('batchCount')());
  const batches: AnchoredBatch[] = [];
  for (let id = 1; id <= count; id += 1) {
    const [root, entryCount] = (await anchor.getFunction('anchorOf')(BigInt(id))) as [string, bigint, bigint];
    batches.push({ batchId: BigInt(id), root: root.slice(2), entryCount });
  }
  return batches;
}

/** Exports through the endpoint and verifies it against the chain: the standalone verifier's check. */
async function exportVerdict() {
  const response = await request(app.getHttpServer()).get('/audit/export').set(auditor.headers).buffer(true).parse((res, done) => {
    let text = '';
    res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    res.on('end', () => done(null, text));
  }).expect(200);
  const verifier = new AuditExportVerifier(await onChainAnchors());
  for (const line of (response.body as string).split('\n')) if (!verifier.push(line)) break;
  return verifier.finish();
}

/** Runs `sql` as a superuser with the append-only triggers switched off. */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await superuser.query('BEGIN');
  await superuser.query('SET LOCAL session_replication_role = replica');
  await superuser.query(sql, params);
  await superuser.query('COMMIT');
}

let pristine: Record<string, unknown>[];
let pristineHead: Record<string, unknown>[];
/** Puts the original rows and head back (as the superuser) after each tampering case. */
async function restore(): Promise<void> {
  await tamper(`DELETE FROM audit_entry`);
  for (const row of pristine) {
    await tamper(
      `INSERT INTO audit_entry (seq, time, tenant_id, actor, role, on_behalf_of, action, resource, diff, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [row.seq, row.time, row.tenant_id, row.actor, row.role, row.on_behalf_of, row.action, row.resource, JSON.stringify(row.diff), row.prev_hash, row.hash],
    );
  }
  for (const head of pristineHead) await tamper(`UPDATE audit_chain_head SET hash = $1`, [head.hash]);
}

beforeAll(async () => {
  [nats, database, node] = await Promise.all([startTestNats(), createTestDatabase('customer'), startAnvil()]);
  provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
  const operator = await provider.getSigner(0);
  ({ contract: anchor } = await deployContract(operator, 'AuditAnchor', [await operator.getAddress(), await operator.getAddress()]));
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats, { AUDIT_ANCHOR_INTERVAL_MS: '3600000' })));
  await app.listen(0, '127.0.0.1');
  anchoring = app.get(AuditAnchoringService);
  superuser = new pg.Client({ connectionString: testSuperuserUrl(database) });
  await superuser.connect();
  auditor = await loginAs(app, { role: 'auditor', tenantId: REFERENCE_TENANT_ID });
  investor = await loginAs(app, { role: 'investor', tenantId: REFERENCE_TENANT_ID });
  await record(30);
  await cutAndAnchor();
  await record(10);
  await cutAndAnchor();
  await record(5); // not anchored yet
}, 120_000);

afterAll(async () => {
  await app?.close();
  await superuser?.end();
  provider?.destroy();
  await node?.kill();
  await database?.drop();
  await nats?.stop();
});

describe('anchoring', () => {
  it('cuts batches of the whole log and sends only the root across the wall', async () => {
    const batches = await anchoring.batches();
    const head = (await app.get(AuditService).head()).seq;
    expect(batches.map((b) => [b.batchId, b.status])).toEqual([['1', 'anchored'], ['2', 'anchored']]);
    expect(BigInt(batches[1]!.lastSeq)).toBe(head - 5n);
    const requests = await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) =>
      tx.query(`SELECT 1 FROM wall_outbox WHERE subject = 'bulwark.c2e.audit.anchor-request.v1'`));
    expect(requests).toHaveLength(2);
    const onChain = await onChainAnchors();
    expect(onChain.map((a) => a.root)).toEqual(batches.map((b) => b.merkleRoot));
    expect(await anchoring.cutBatch(new Date())).toBeNull(); // 5 waiting entries, interval not reached
  });
});

describe('auditor endpoints', () => {
  it('proves an entry into the root anchored on chain, with the anchoring transaction', async () => {
    const { body } = await request(app.getHttpServer()).get('/audit/entries/5/proof').set(auditor.headers).expect(200);
    const root = (await anchor.getFunction('rootOf')(BigInt(body.batch.batchId))) as string;
    expect(root).toBe(`0x${body.root}`);
    const leaf = Buffer.concat([Buffer.from([0]), Buffer.from(body.entryHash, 'hex')]);
    const { createHash } = await import('node:crypto');
    const leafHash = createHash('sha256').update(leaf).digest();
    expect(merkleVerifyInclusion(body.leafIndex, Number(body.treeSize), leafHash, body.proof.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(body.root, 'hex'))).toBe(true);
    const receipt = await provider.getTransactionReceipt(body.batch.txHash);
    expect(receipt?.blockNumber).toBe(Number(body.batch.blockNumber));
  });

  it('answers a consistency proof between the two anchored sizes', async () => {
    const batches = await anchoring.batches();
    const { body } = await request(app.getHttpServer())
      .get(`/audit/consistency?from=${batches[0]!.lastSeq}&to=${batches[1]!.lastSeq}`).set(auditor.headers).expect(200);
    expect([body.fromRoot, body.toRoot]).toEqual(batches.map((b) => b.merkleRoot));
    const hex = (h: string) => Buffer.from(h, 'hex');
    expect(merkleVerifyConsistency(Number(body.from), Number(body.to), hex(body.fromRoot), hex(body.toRoot), body.proof.map(hex))).toBe(true);
  });

  it('refuses bad input and callers without the auditor permissions', async () => {
    await request(app.getHttpServer()).get('/audit/entries/0/proof').set(auditor.headers).expect(400);
    await request(app.getHttpServer()).get('/audit/entries/99999/proof').set(auditor.headers).expect(404);
    const head = (await app.get(AuditService).head()).seq;
    await request(app.getHttpServer()).get(`/audit/entries/${head}/proof`).set(auditor.headers).expect(409); // not anchored yet
    await request(app.getHttpServer()).get('/audit/consistency?from=9&to=3').set(auditor.headers).expect(400);
    await request(app.getHttpServer()).get('/audit/entries/5/proof').set(investor.headers).expect(403);
    await request(app.getHttpServer()).get('/audit/export').set(investor.headers).expect(403);
  });

  it('exports the chain as NDJSON that verifies against the chain', async () => {
    // Sign-ins are audited too, so the log holds those entries before the 45 this suite records.
    const head = Number((await app.get(AuditService).head()).seq);
    expect(await exportVerdict()).toMatchObject({ ok: true, entries: head, lastSeq: String(head), anchoredEntries: head - 5, batchesMatched: 2 });
  });
});

describe('tampering is caught by the export verification and the endpoints', () => {
  beforeAll(async () => {
    pristine = (await superuser.query(`SELECT * FROM audit_entry ORDER BY seq`)).rows;
    pristineHead = (await superuser.query(`SELECT * FROM audit_chain_head`)).rows;
  });

  it.each<[string, () => Promise<void>, string, string, number]>([
    ['a row updated by a superuser', () => tamper(`UPDATE audit_entry SET diff = '{"amount":"999.99"}' WHERE seq = 12`), 'hash_mismatch', '12', 12],
    ['a row deleted', () => tamper(`DELETE FROM audit_entry WHERE seq = 7`), 'sequence_gap', '8', 8],
    [
      'two rows swapped',
      () => tamper(`UPDATE audit_entry a SET time = b.time, actor = b.actor, resource = b.resource, diff = b.diff, prev_hash = b.prev_hash, hash = b.hash
                      FROM audit_entry b WHERE (a.seq, b.seq) IN ((20, 21), (21, 20))`),
      'prev_hash_mismatch',
      '20',
      20,
    ],
    ['the tail truncated', () => tamper(`DELETE FROM audit_entry WHERE seq > 40`), 'truncated_before_anchor', '41', 38],
    [
      'the whole chain rewritten consistently',
      async () => {
        // Edit entry 3 and recompute every hash after it, as a careful insider would: the chain
        // verifies, but its Merkle roots no longer match the roots anchored on chain.
        const rows = (await superuser.query(`SELECT * FROM audit_entry ORDER BY seq`)).rows as Record<string, unknown>[];
        let prevHash = AUDIT_GENESIS_HASH;
        for (const row of rows) {
          const diff = row.seq === '3' ? { amount: '0.01' } : row.diff;
          const fields = hashedFieldsOf({
            seq: BigInt(row.seq as string), time: row.time as Date, tenantId: row.tenant_id as string, actor: row.actor as string, role: row.role as string,
            onBehalfOf: row.on_behalf_of as string | null, action: row.action as string, resource: row.resource as string, diff: diff as Record<string, string>,
          });
          const hash = auditEntryHash(prevHash, fields);
          await tamper(`UPDATE audit_entry SET diff = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [row.seq, JSON.stringify(diff), prevHash, hash]);
          prevHash = hash;
        }
        await tamper(`UPDATE audit_chain_head SET hash = $1`, [prevHash]);
        expect((await app.get(AuditService).verify()).ok).toBe(true); // the chain alone cannot tell
      },
      'anchor_mismatch',
      '1',
      3,
    ],
  ])('%s', async (_what, doTamper, kind, seq, provedSeq) => {
    try {
      await doTamper();
      const verdict = await exportVerdict();
      expect(verdict.ok).toBe(false);
      expect(verdict.failure).toMatchObject({ kind, seq });
      const proof = await request(app.getHttpServer()).get(`/audit/entries/${provedSeq}/proof`).set(auditor.headers);
      expect(proof.status).toBe(409);
      expect(proof.text).toContain('log_changed');
    } finally {
      await restore();
    }
  });
});
