// The browser's verifier against the server's prover (shared-contracts, itself pinned to the
// RFC 9162 reference vectors): every leaf of trees of many sizes verifies, and any change to
// the entry, the proof, the index or the root is refused.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { merkleInclusionProof, merkleLeafHash as serverLeafHash, merkleRoot } from '../../shared-contracts/src/audit/merkle';
import { verifyAuditInclusion } from './merkle';

const entryHashes = Array.from({ length: 23 }, (_, i) => createHash('sha256').update(`entry ${i + 1}`).digest('hex'));
const leaves = entryHashes.map((h) => serverLeafHash(Buffer.from(h, 'hex')));

describe('audit inclusion proofs verified in the browser', () => {
  it.each([1, 2, 3, 5, 7, 8, 13, 23])('accepts every leaf of a tree of %i entries', async (size) => {
    const tree = leaves.slice(0, size);
    const root = merkleRoot(tree).toString('hex');
    for (let index = 0; index < size; index += 1) {
      const proof = merkleInclusionProof(tree, index).map((p) => p.toString('hex'));
      await expect(verifyAuditInclusion(entryHashes[index] ?? '', index, size, proof, root)).resolves.toEqual({ ok: true, computedRoot: root });
    }
  });

  it('refuses a changed entry, proof, index, size or root', async () => {
    const size = 13;
    const tree = leaves.slice(0, size);
    const root = merkleRoot(tree).toString('hex');
    const proof = merkleInclusionProof(tree, 6).map((p) => p.toString('hex'));
    const entry = entryHashes[6] ?? '';
    const flip = (hex: string) => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
    expect((await verifyAuditInclusion(flip(entry), 6, size, proof, root)).ok).toBe(false);
    expect((await verifyAuditInclusion(entry, 6, size, [flip(proof[0] ?? ''), ...proof.slice(1)], root)).ok).toBe(false);
    expect((await verifyAuditInclusion(entry, 5, size, proof, root)).ok).toBe(false);
    // (the size is bound by the anchored root, not by the proof: a size giving the same path shape proves nothing new)
    expect((await verifyAuditInclusion(entry, 6, 8, proof, root)).ok).toBe(false);
    expect((await verifyAuditInclusion(entry, 6, size, proof, flip(root))).ok).toBe(false);
    expect(await verifyAuditInclusion('not hex', 6, size, proof, root)).toEqual({ ok: false, computedRoot: null });
  });
});
