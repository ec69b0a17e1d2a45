// The standalone verifier end to end: a real anvil chain holding the anchored roots, export files
// on disk, and the CLI as an auditor runs it. Every form of tampering exits 1 naming the failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JsonRpcProvider } from 'ethers';
import { deployContract, startAnvil, type AnvilNode } from '@bulwark/solidity';
import type { AuditExportEntry } from '@bulwark/shared-contracts';
import { batchRoots, chainOf, customerFields, writeExport } from './fixture.js';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../bin/bulwark-verify-audit.js');
const BATCHES = [20, 15, 10];

let node: AnvilNode;
let provider: JsonRpcProvider;
let anchorAddress: string;
let dir: string;
const honest = chainOf(Array.from({ length: 50 }, (_, i) => customerFields(i + 1))); // 45 anchored, 5 not yet

function run(entries: readonly AuditExportEntry[], rpc = node.url): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(dir, `export-${Math.random().toString(36).slice(2)}.ndjson`);
  writeExport(file, entries);
  const result = spawnSync(process.execPath, [BIN, file, '--rpc', rpc, '--anchor', anchorAddress], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bulwark-verify-'));
  node = await startAnvil();
  provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
  const operator = await provider.getSigner(0);
  const { contract } = await deployContract(operator, 'AuditAnchor', [await operator.getAddress(), await operator.getAddress()]);
  anchorAddress = await contract.getAddress();
  const roots = batchRoots(honest, BATCHES);
  for (const [i, root] of roots.entries()) await (await contract.getFunction('anchor')(BigInt(i + 1), `0x${root}`, BigInt(BATCHES[i]!))).wait();
});

afterAll(async () => {
  provider?.destroy();
  await node?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('bulwark-verify-audit', () => {
  it('verifies an intact export against the chain and says how much is anchored', () => {
    const result = run(honest);
    expect(result.stdout).toMatch(/^OK 50 entries \(seq 1\.\.50\); 45 covered by 3 roots anchored on chain; 5 not anchored yet/);
    expect(result.status).toBe(0);
  });

  const edit = (seq: bigint, change: (e: AuditExportEntry) => AuditExportEntry) => honest.map((e) => (e.seq === seq ? change(e) : e));
  it.each<[string, () => AuditExportEntry[], RegExp]>([
    ['a row updated by a superuser', () => edit(30n, (e) => ({ ...e, fields: { ...e.fields, diff: { amount: '1000000.00', currency: 'LKR' } } })), /^FAIL hash_mismatch at seq 30 /],
    ['a row deleted', () => honest.filter((e) => e.seq !== 17n), /^FAIL sequence_gap at seq 18 /],
    ['two rows swapped', () => honest.map((e, i, all) => (i === 40 ? all[41]! : i === 41 ? all[40]! : e)), /^FAIL sequence_gap at seq 42 /],
    ['the tail truncated', () => honest.slice(0, 38), /^FAIL truncated_before_anchor at seq 39 /],
    [
      'the whole chain rewritten consistently',
      () => chainOf(honest.map((e) => (e.seq === 25n ? { ...e.fields, actor: 'user:someone-else' } : e.fields))),
      /^FAIL anchor_mismatch at seq 21 .*batch 2 \(entries 21\.\.35\)/,
    ],
  ])('exits 1 naming the first failure for %s', (_what, tampered, message) => {
    const result = run(tampered());
    expect(result.stdout).toMatch(message);
    expect(result.status).toBe(1);
  });

  it('exits 2 when the chain cannot be read, rather than trusting the file alone', () => {
    const result = run(honest, 'http://127.0.0.1:9');
    expect(result.stderr).toContain('cannot read the anchors from the chain');
    expect(result.status).toBe(2);
  });
});
