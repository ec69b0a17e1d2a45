// The verifier's worker threads, on the built package as the CLI runs it: an export cut into many
// small chunks and proved on two threads gives exactly the verdict of the line-by-line path
// (threads: 0 with whole-file chunks), intact or tampered anywhere — inside a chunk, across a
// chunk boundary, or consistently rewritten so that only an anchored root can tell.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AnchoredBatch, AuditExportEntry } from '@bulwark/shared-contracts';
import { verifyExportFile } from '../dist/index.js';
import { batchRoots, chainOf, customerFields, writeExport } from './fixture.js';

const ENTRIES = 3_000;
const BATCHES = [1_000, 777, 1_000]; // 2,777 anchored, 223 not yet
const honest = chainOf(Array.from({ length: ENTRIES }, (_, i) => customerFields(i + 1)));
const anchors: AnchoredBatch[] = batchRoots(honest, BATCHES).map((root, i) => ({ batchId: BigInt(i + 1), root, entryCount: BigInt(BATCHES[i]!) }));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bulwark-verify-parallel-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const edit = (seq: bigint, change: (e: AuditExportEntry) => AuditExportEntry) => honest.map((e) => (e.seq === seq ? change(e) : e));

describe('verifyExportFile on worker threads', () => {
  it.each<[string, () => AuditExportEntry[], string | null]>([
    ['an intact export', () => honest, null],
    ['a row updated in the middle', () => edit(1_234n, (e) => ({ ...e, fields: { ...e.fields, diff: { amount: '1.00', currency: 'LKR' } } })), 'hash_mismatch'],
    ['a row deleted', () => honest.filter((e) => e.seq !== 2_001n), 'sequence_gap'],
    ['two rows swapped', () => honest.map((e, i, all) => (i === 99 ? all[100]! : i === 100 ? all[99]! : e)), 'sequence_gap'],
    ['the tail truncated below an anchor', () => honest.slice(0, 2_500), 'truncated_before_anchor'],
    ['the whole chain rewritten consistently', () => chainOf(honest.map((e) => (e.seq === 1_500n ? { ...e.fields, actor: 'user:x' } : e.fields))), 'anchor_mismatch'],
  ])('%s: two threads over 16 KiB chunks agree with the line-by-line path', async (_what, entries, failure) => {
    const file = path.join(dir, `export-${Math.random().toString(36).slice(2)}.ndjson`);
    writeExport(file, entries());
    const progress: number[] = [];
    const parallel = await verifyExportFile(file, anchors, ({ entries: n }) => progress.push(n), { threads: 2, chunkBytes: 16_384 });
    const lineByLine = await verifyExportFile(file, anchors, undefined, { threads: 0, chunkBytes: 1 << 26 });
    expect(parallel).toEqual(lineByLine);
    expect(parallel.failure?.kind ?? null).toBe(failure);
    if (failure === null) {
      expect(parallel).toMatchObject({ ok: true, entries: ENTRIES, anchoredEntries: 2_777, batchesMatched: 3 });
      expect(progress.length).toBeGreaterThan(50); // ~1.5 MB in 16 KiB chunks, each folded in order
      expect(progress.at(-1)).toBe(ENTRIES);
    }
  });

  it.each<[string, () => AuditExportEntry[], string | null]>([
    ['an intact export', () => honest, null],
    ['a row updated near the end', () => edit(2_950n, (e) => ({ ...e, fields: { ...e.fields, actor: 'user:y' } })), 'hash_mismatch'],
  ])('%s: reads shorter than a line (carried over, chunk buffers reused) agree with the line-by-line path', async (_what, entries, failure) => {
    const file = path.join(dir, `export-${Math.random().toString(36).slice(2)}.ndjson`);
    writeExport(file, entries());
    const parallel = await verifyExportFile(file, anchors, undefined, { threads: 2, chunkBytes: 300 });
    const local = await verifyExportFile(file, anchors, undefined, { threads: 0, chunkBytes: 300 });
    const lineByLine = await verifyExportFile(file, anchors, undefined, { threads: 0, chunkBytes: 1 << 26 });
    expect(parallel).toEqual(lineByLine);
    expect(local).toEqual(lineByLine);
    expect(lineByLine.failure?.kind ?? null).toBe(failure);
  });
});
