import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  ANCHOR_BATCH_ENTRIES_MAX, ANCHOR_PROOF_ERROR_CODES, AnchorProofError, AuditRangeGap, auditLeafOf, cutAnchorBatch, dueBatchRange, forEachAuditPage, type AnchorBatchCut,
} from './anchor-batch.js';
import { merkleRoot } from './merkle.js';

const policy = { entriesMax: 100, intervalMs: 60_000 };
const hashOf = (seq: number) => createHash('sha256').update(`entry ${seq}`).digest('hex');

describe('dueBatchRange', () => {
  it.each([
    // lastSeq, headSeq, waitedMs, force, expected
    [0n, 0n, 10 ** 9, true, null], // nothing waits, even forced
    [5n, 5n, 0, true, null],
    [0n, 3n, 0, true, [1n, 3n]], // forced
    [0n, 3n, 59_999, false, null], // few entries, not waited long enough
    [0n, 3n, 60_000, false, [1n, 3n]], // waited the interval
    [10n, 110n, 0, false, [11n, 110n]], // enough entries wait
    [10n, 109n, 0, false, null],
    [0n, BigInt(ANCHOR_BATCH_ENTRIES_MAX) + 7n, 0, false, [1n, BigInt(ANCHOR_BATCH_ENTRIES_MAX)]], // capped; the rest waits
  ] as const)('lastSeq %p head %p waited %p force %p → %p', (lastSeq, headSeq, waitedMs, force, expected) => {
    const range = dueBatchRange({ lastSeq, headSeq, waitedMs, policy, force });
    expect(range === null ? null : [range.firstSeq, range.lastSeq]).toEqual(expected);
  });
});

describe('cutAnchorBatch', () => {
  it('continues the previous frontier: every batch root is the root of the whole log at its size', async () => {
    let previous: (AnchorBatchCut & { batch_id: string; last_seq: string }) | undefined;
    for (const size of [1n, 4n, 5n, 13n]) {
      const from = previous ? previous.lastSeq + 1n : 1n;
      const cut = await cutAnchorBatch(previous, { firstSeq: from, lastSeq: size }, async (frontier) => {
        for (let seq = from; seq <= size; seq++) frontier.append(auditLeafOf(hashOf(Number(seq))));
      });
      const all = Array.from({ length: Number(size) }, (_, i) => auditLeafOf(hashOf(i + 1)));
      expect(cut.merkleRoot).toBe(merkleRoot(all).toString('hex'));
      expect([cut.batchId, cut.firstSeq, cut.entryCount]).toEqual([previous ? previous.batchId + 1n : 1n, from, size - from + 1n]);
      previous = { ...cut, batch_id: String(cut.batchId), last_seq: String(cut.lastSeq) };
    }
  });

  it('refuses a range that does not start right after the previous batch, or leaves not covering it', async () => {
    await expect(cutAnchorBatch(undefined, { firstSeq: 2n, lastSeq: 3n }, async () => undefined)).rejects.toThrow(/right after/);
    await expect(cutAnchorBatch(undefined, { firstSeq: 1n, lastSeq: 3n }, async (f) => f.append(auditLeafOf(hashOf(1))))).rejects.toThrow(/covers the batch/);
  });
});

describe('forEachAuditPage', () => {
  it('reads in pages and names a short page as a gap', async () => {
    const pages: string[] = [];
    await forEachAuditPage(1n, 7n, 3, async (from, to) => Array.from({ length: Number(to - from + 1n) }, (_, i) => from + BigInt(i)), (page) => pages.push(page.join(',')));
    expect(pages).toEqual(['1,2,3', '4,5,6', '7']);
    await expect(forEachAuditPage(1n, 4n, 3, async (from) => [from], () => undefined)).rejects.toBeInstanceOf(AuditRangeGap);
  });
});

describe('AnchorProofError', () => {
  it('gives every refusal a client-error status', () => {
    expect(ANCHOR_PROOF_ERROR_CODES.map((code) => [code, new AnchorProofError(code, 'x').status])).toEqual([
      ['seq_out_of_range', 404], ['not_anchored_yet', 409], ['sizes_invalid', 400], ['tree_too_large', 422], ['log_changed', 409],
    ]);
  });
});
