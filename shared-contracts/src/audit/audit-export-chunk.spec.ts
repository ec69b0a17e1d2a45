import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AUDIT_GENESIS_HASH, auditEntryHash } from './hash-chain.js';
import { merkleLeafHash, merkleRoot } from './merkle.js';
import {
  AUDIT_EXPORT_FORMAT, AuditExportVerifier, auditExportEntryLine, auditExportHeaderLine, type AnchoredBatch, type AuditExportEntry, type AuditExportReport,
} from './audit-export.js';
import { ExportChunkVerifier, pushExportChunk } from './audit-export-chunk.js';

type Fields = AuditExportEntry['fields'];

// Some entries carry multi-byte UTF-8: the hash commits to the exact bytes either way.
const fieldsOf = (seq: number): Fields => ({
  seq: String(seq), action: 'ledger.posting.created', resource: `ledger_transaction:${seq}`,
  diff: { amount: `${seq}.25`, currency: seq % 4 === 0 ? 'රු' : 'LKR', note: seq % 9 === 0 ? '"seq":"1" → €' : null }, tenantId: null,
});

function chainOf(fields: readonly Fields[]): AuditExportEntry[] {
  let prevHash = AUDIT_GENESIS_HASH;
  return fields.map((f, i) => {
    const hash = auditEntryHash(prevHash, f);
    const entry = { seq: BigInt(i + 1), prevHash, hash, fields: f };
    prevHash = hash;
    return entry;
  });
}

function anchorsOf(entries: readonly AuditExportEntry[], batchSizes: readonly number[]): AnchoredBatch[] {
  let end = 0;
  return batchSizes.map((size, i) => {
    end += size;
    const leaves = entries.slice(0, end).map((e) => merkleLeafHash(Buffer.from(e.hash, 'hex')));
    return { batchId: BigInt(i + 1), root: merkleRoot(leaves).toString('hex'), entryCount: BigInt(size) };
  });
}

const ENTRIES = 70;
const header = auditExportHeaderLine({ format: AUDIT_EXPORT_FORMAT, log: 'customer', fromSeq: '1', toSeq: String(ENTRIES), exportedAt: '2026-01-01T00:00:00.000Z' });
const honest = chainOf(Array.from({ length: ENTRIES }, (_, i) => fieldsOf(i + 1)));
const anchors = anchorsOf(honest, [1, 6, 9, 16, 13, 15]); // 60 anchored at sizes 1, 7, 16, 32, 45, 60; 10 not yet
const linesOf = (entries: readonly AuditExportEntry[]) => entries.map(auditExportEntryLine);
const edit = (seq: bigint, change: (e: AuditExportEntry) => AuditExportEntry) => honest.map((e) => (e.seq === seq ? change(e) : e));
const honestLines = linesOf(honest);
/** The chain recomputed after one entry's diff changed: every link holds, only an anchor can tell. */
const rewrittenAt = (seq: bigint) => linesOf(chainOf(honest.map((e) => (e.seq === seq ? { ...e.fields, diff: { amount: '0.01' } } : e.fields)))).map((l) => Buffer.from(l));

/** Each variant is the entry lines of an export, as bytes (a few are not valid UTF-8). */
const variants: [string, () => Buffer[]][] = [
  ['intact', () => honestLines.map((l) => Buffer.from(l))],
  ['a row updated', () => linesOf(edit(33n, (e) => ({ ...e, fields: { ...e.fields, diff: { amount: '1.00' } } }))).map((l) => Buffer.from(l))],
  ['a row deleted', () => linesOf(honest.filter((e) => e.seq !== 17n)).map((l) => Buffer.from(l))],
  ['two rows swapped', () => linesOf(honest.map((e, i, all) => (i === 40 ? all[41]! : i === 41 ? all[40]! : e))).map((l) => Buffer.from(l))],
  ['the tail truncated below an anchor', () => honestLines.slice(0, 50).map((l) => Buffer.from(l))],
  ['the whole chain rewritten consistently', () => rewrittenAt(20n)],
  ['a rewrite after the last anchor only', () => rewrittenAt(65n)],
  ['a link pointed elsewhere', () => linesOf(edit(8n, (e) => ({ ...e, prevHash: 'f'.repeat(64) }))).map((l) => Buffer.from(l))],
  [
    'two self-consistent chains spliced (only the link breaks)',
    () => [...honestLines.slice(0, 30), ...linesOf(chainOf(honest.map((e) => (e.seq === 3n ? { ...e.fields, diff: null } : e.fields)))).slice(30)].map((l) => Buffer.from(l)),
  ],
  ['an upper-case hash', () => honestLines.map((l, i) => Buffer.from(i === 0 ? l.replace(/"hash":"([0-9a-f]{64})"/, (_m, h: string) => `"hash":"${h.toUpperCase()}"`) : l))],
  ['a seq with a leading zero', () => honestLines.map((l, i) => Buffer.from(i === 11 ? l.replace('{"seq":"12"', '{"seq":"012"') : l))],
  ['fields naming another seq', () => linesOf(chainOf(honest.map((e) => (e.seq === 5n ? { ...e.fields, seq: '6' } : e.fields)))).map((l) => Buffer.from(l))],
  ['empty lines between entries', () => honestLines.flatMap((l, i) => (i % 10 === 3 ? [Buffer.from(l), Buffer.alloc(0)] : [Buffer.from(l)]))],
  ['a reformatted line', () => honestLines.map((l, i) => Buffer.from(i === 25 ? l.replace('","hash":"', '", "hash":"') : l))],
  ['a byte that is not UTF-8', () => honestLines.map((l, i) => (i === 30 ? Buffer.concat([Buffer.from(l.slice(0, -2)), Buffer.from([0xff]), Buffer.from('}}')]) : Buffer.from(l)))],
  ['a line of garbage', () => honestLines.map((l, i) => Buffer.from(i === 44 ? 'not an entry' : l))],
];

/** The reference: every line pushed one by one, as decoded text. */
function lineByLine(text: string): AuditExportReport {
  const verifier = new AuditExportVerifier(anchors);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) if (!verifier.push(line)) break;
  return verifier.finish();
}

/** The header, then the entry lines in chunks cut at the given line boundaries. */
function chunked(entryLines: readonly Buffer[], cuts: readonly number[], finalNewline: boolean): { report: AuditExportReport; applied: number; chunks: number } {
  const verifier = new AuditExportVerifier(anchors);
  const chunkVerifier = new ExportChunkVerifier(verifier.anchorEnds());
  verifier.push(header);
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < entryLines.length), entryLines.length])].sort((a, b) => a - b);
  let applied = 0;
  let chunks = 0;
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const isLast = i + 2 === bounds.length;
    const parts = entryLines.slice(bounds[i], bounds[i + 1]).flatMap((line, j, all) => (isLast && !finalNewline && j === all.length - 1 ? [line] : [line, Buffer.from('\n')]));
    const bytes = Buffer.concat(parts);
    const summary = chunkVerifier.verify(bytes);
    chunks += 1;
    if (verifier.applyChunk(summary)) {
      applied += 1;
      continue;
    }
    if (!pushExportChunk(verifier, bytes, summary)) break;
  }
  return { report: verifier.finish(), applied, chunks };
}

describe('ExportChunkVerifier with AuditExportVerifier.applyChunk', () => {
  it.each(variants)('%s: any cutting into chunks gives exactly the line-by-line verdict', (_what, build) => {
    const entryLines = build();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: entryLines.length }), { maxLength: 12 }), fc.boolean(), (cuts, finalNewline) => {
        const bytes = Buffer.concat([Buffer.from(`${header}\n`), ...entryLines.flatMap((l, i) => (i === entryLines.length - 1 && !finalNewline ? [l] : [l, Buffer.from('\n')]))]);
        expect(chunked(entryLines, cuts, finalNewline).report).toEqual(lineByLine(bytes.toString('utf8')));
      }),
      { numRuns: 60 },
    );
  });

  it('takes an intact export whole, chunk by chunk, without falling back to lines', () => {
    const { report, applied, chunks } = chunked(honestLines.map((l) => Buffer.from(l)), [3, 7, 8, 31, 33, 50], true);
    expect(report).toEqual({ ok: true, entries: ENTRIES, lastSeq: String(ENTRIES), anchoredEntries: 60, batchesMatched: 6, failure: null });
    expect([applied, chunks]).toEqual([7, 7]);
  });

  it('declines a chunk that breaks inside, and the line-by-line path names the failure', () => {
    const { report, applied } = chunked(linesOf(edit(33n, (e) => ({ ...e, fields: { ...e.fields, diff: { amount: '1.00' } } }))).map((l) => Buffer.from(l)), [20, 40], true);
    expect(report.failure).toMatchObject({ kind: 'hash_mismatch', seq: '33', line: 34 });
    expect(applied).toBe(1);
  });

  it.each(variants)('%s: hands the chunk back byte for byte (it hashes each line in place)', (_what, build) => {
    const bytes = Buffer.concat(build().flatMap((line) => [line, Buffer.from('\n')]));
    const before = Buffer.from(bytes);
    new ExportChunkVerifier(new AuditExportVerifier(anchors).anchorEnds()).verify(bytes);
    expect(bytes.equals(before)).toBe(true);
  });

  it('splits its subtrees at every anchored size and aligns them to their size', () => {
    const verifier = new AuditExportVerifier(anchors);
    const summary = new ExportChunkVerifier(verifier.anchorEnds()).verify(Buffer.from(`${honestLines.slice(5, 40).join('\n')}\n`));
    expect(summary).toMatchObject({ verified: true, lines: 35, entries: 35, firstSeq: 6, firstPrevHash: honest[4]!.hash, lastHash: honest[39]!.hash });
    // leaves 5..39: [5] [6] | [7] [8..15] | [16..31] | [32..39]
    expect(summary.subtreeSizes).toEqual([1, 1, 1, 8, 16, 8]);
  });
});
