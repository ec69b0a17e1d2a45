import { describe, expect, it } from '@jest/globals';
import { AUDIT_GENESIS_HASH, auditEntryHash } from './hash-chain.js';
import { merkleLeafHash, merkleRoot } from './merkle.js';
import {
  AUDIT_EXPORT_FORMAT, AuditExportVerifier, auditExportEntryLine, auditExportHeaderLine, type AnchoredBatch, type AuditExportEntry,
} from './audit-export.js';

type Fields = AuditExportEntry['fields'];

function fieldsOf(seq: number): Fields {
  return { seq: String(seq), action: 'ledger.posting.created', resource: `ledger_transaction:${seq}`, diff: { amount: `${seq}.25` }, tenantId: null };
}

function chainOf(fields: readonly Fields[]): AuditExportEntry[] {
  let prevHash = AUDIT_GENESIS_HASH;
  return fields.map((f, i) => {
    const hash = auditEntryHash(prevHash, f);
    const entry = { seq: BigInt(i + 1), prevHash, hash, fields: f };
    prevHash = hash;
    return entry;
  });
}

/** Roots of the whole log at each batch end, as the anchoring job computes them. */
function anchorsOf(entries: readonly AuditExportEntry[], batchSizes: readonly number[]): AnchoredBatch[] {
  let end = 0;
  return batchSizes.map((size, i) => {
    end += size;
    const leaves = entries.slice(0, end).map((e) => merkleLeafHash(Buffer.from(e.hash, 'hex')));
    return { batchId: BigInt(i + 1), root: merkleRoot(leaves).toString('hex'), entryCount: BigInt(size) };
  });
}

const header = auditExportHeaderLine({ format: AUDIT_EXPORT_FORMAT, log: 'customer', fromSeq: '1', toSeq: '30', exportedAt: '2026-01-01T00:00:00.000Z' });
const honest = chainOf(Array.from({ length: 30 }, (_, i) => fieldsOf(i + 1)));
const anchors = anchorsOf(honest, [7, 10, 8]); // 25 anchored, 5 not yet

function verify(lines: readonly string[], anchored: readonly AnchoredBatch[] = anchors) {
  const verifier = new AuditExportVerifier(anchored);
  for (const line of lines) if (!verifier.push(line)) break;
  return verifier.finish();
}

const linesOf = (entries: readonly AuditExportEntry[]) => [header, ...entries.map(auditExportEntryLine)];

describe('AuditExportVerifier', () => {
  it('accepts an intact export: every hash, link and anchored root', () => {
    expect(verify(linesOf(honest))).toEqual({ ok: true, entries: 30, lastSeq: '30', anchoredEntries: 25, batchesMatched: 3, failure: null });
  });

  it('writes lines whose fields are the canonical bytes the hash commits to', () => {
    expect(auditExportEntryLine(honest[0] as AuditExportEntry)).toBe(
      `{"seq":"1","prevHash":"${AUDIT_GENESIS_HASH}","hash":"${honest[0]!.hash}","fields":{"action":"ledger.posting.created","diff":{"amount":"1.25"},` +
        `"resource":"ledger_transaction:1","seq":"1","tenantId":null}}`,
    );
  });

  const tampered: [string, () => string[], string, string | null][] = [
    ['a row updated by a superuser', () => linesOf(honest.map((e) => (e.seq === 12n ? { ...e, fields: { ...e.fields, diff: { amount: '999.00' } } } : e))), 'hash_mismatch', '12'],
    ['a row deleted', () => linesOf(honest.filter((e) => e.seq !== 9n)), 'sequence_gap', '10'],
    ['two rows swapped', () => linesOf(honest.map((e, i, all) => (i === 3 ? all[4]! : i === 4 ? all[3]! : e))), 'sequence_gap', '5'],
    ['the tail truncated below an anchor', () => linesOf(honest.slice(0, 20)), 'truncated_before_anchor', '21'],
    [
      'the whole chain rewritten consistently (caught by the anchor)',
      () => linesOf(chainOf(honest.map((e) => (e.seq === 9n ? { ...e.fields, diff: { amount: '0.01' } } : e.fields)))),
      'anchor_mismatch',
      '8',
    ],
    ['a row relabelled with another seq', () => linesOf(honest.map((e) => (e.seq === 3n ? { ...e, seq: 4n } : e))), 'sequence_gap', '4'],
    ['a link pointed elsewhere', () => linesOf(honest.map((e) => (e.seq === 6n ? { ...e, prevHash: 'f'.repeat(64) } : e))), 'prev_hash_mismatch', '6'],
    ['a reformatted line', () => [header, ...linesOf(honest).slice(1).map((l, i) => (i === 2 ? l.replace('{"seq"', '{ "seq"') : l))], 'malformed_line', null],
  ];
  it.each(tampered)('detects %s', (_what, lines, kind, seq) => {
    const report = verify(lines());
    expect(report.ok).toBe(false);
    expect(report.failure).toMatchObject({ kind, seq });
  });

  it('refuses a missing or foreign header, and gapped anchors', () => {
    expect(verify(linesOf(honest).slice(1)).failure?.kind).toBe('malformed_header');
    expect(verify([]).failure?.kind).toBe('malformed_header');
    expect(verify(linesOf(honest), [anchors[0]!, anchors[2]!]).failure?.kind).toBe('anchors_not_contiguous');
  });

  it('checks what is not anchored yet by the hash chain alone', () => {
    expect(verify(linesOf(honest.slice(0, 27))).ok).toBe(true);
    expect(verify(linesOf(honest), []).ok).toBe(true);
  });
});
