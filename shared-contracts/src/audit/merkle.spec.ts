import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  MERKLE_EMPTY_ROOT, MerkleFrontier, merkleConsistencyProof, merkleInclusionProof, merkleLeafHash, merkleNodeHash, merkleRoot,
  merkleRootFromInclusionProof, merkleVerifyConsistency, merkleVerifyInclusion,
} from './merkle.js';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');
const hexOf = (buffers: readonly Buffer[]): string[] => buffers.map((b) => b.toString('hex'));

// The known-answer vectors of the Certificate Transparency reference implementation, as kept by
// transparency-dev/merkle (rfc6962/rfc6962_test.go and proof/verify_test.go).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const LEAF_HASHES = LEAVES.map(merkleLeafHash);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf (1-based as published), tree size, proof]
const INCLUSION: readonly [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, [
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ]],
  [6, 8, [
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [2, 5, [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  ]],
];
// [size1, size2, proof]
const CONSISTENCY: readonly [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, [
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ]],
  [6, 8, [
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]],
  [2, 5, [
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  ]],
  [6, 7, [
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]],
];
const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('RFC 9162 hashing (published vectors)', () => {
  it.each([
    ['the empty tree', MERKLE_EMPTY_ROOT, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['the empty leaf', merkleLeafHash(Buffer.alloc(0)), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'],
    ['a leaf', merkleLeafHash(Buffer.from('L123456')), '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56'],
    ['a node', merkleNodeHash(Buffer.from('N123'), Buffer.from('N456')), 'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb'],
  ])('hashes %s', (_name, got, want) => {
    expect(got.toString('hex')).toBe(want);
  });

  it.each(ROOTS.map((root, i) => [i + 1, root] as const))('tree head of the first %d leaves', (size, root) => {
    expect(merkleRoot(LEAF_HASHES.slice(0, size)).toString('hex')).toBe(root);
  });

  it('the empty tree has the empty root', () => {
    expect(merkleRoot([])).toEqual(MERKLE_EMPTY_ROOT);
  });
});

describe('inclusion proofs (published vectors)', () => {
  it.each(INCLUSION)('leaf %d of %d: generated, verified and every corruption refused', (leaf, size, proofHex) => {
    const leafHash = LEAF_HASHES[leaf - 1] as Buffer;
    const root = hex(ROOTS[size - 1] as string);
    const proof = proofHex.map(hex);
    expect(hexOf(merkleInclusionProof(LEAF_HASHES.slice(0, size), leaf - 1))).toEqual(proofHex);
    expect(merkleRootFromInclusionProof(leaf - 1, size, leafHash, proof)).toEqual(root);
    expect(merkleVerifyInclusion(leaf - 1, size, leafHash, proof, root)).toBe(true);

    type Probe = [string, number, number, Buffer, Buffer[], Buffer];
    const corrupt: Probe[] = [
      ['index - 1', leaf - 2, size, leafHash, proof, root],
      ['index + 1', leaf, size, leafHash, proof, root],
      ['index ^ 2', (leaf - 1) ^ 2, size, leafHash, proof, root],
      ['size * 2', leaf - 1, size * 2, leafHash, proof, root],
      ['size / 2', leaf - 1, Math.floor(size / 2), leafHash, proof, root],
      ['wrong leaf', leaf - 1, size, Buffer.from('WrongLeaf'), proof, root],
      ['empty root', leaf - 1, size, leafHash, proof, MERKLE_EMPTY_ROOT],
      ['random root', leaf - 1, size, leafHash, proof, SOME_HASH],
      ['trailing garbage', leaf - 1, size, leafHash, [...proof, Buffer.alloc(0)], root],
      ['trailing root', leaf - 1, size, leafHash, [...proof, root], root],
      ['preceding garbage', leaf - 1, size, leafHash, [Buffer.alloc(0), ...proof], root],
      ['preceding root', leaf - 1, size, leafHash, [root, ...proof], root],
      ...proof.map((_, i): Probe => {
        const flipped = proof.map((p) => Buffer.from(p));
        const bit = flipped[i] as Buffer;
        bit[0] = (bit[0] as number) ^ 8;
        return [`flipped bit in proof[${i}]`, leaf - 1, size, leafHash, flipped, root];
      }),
      ...(proof.length > 0 ? [['removed component', leaf - 1, size, leafHash, proof.slice(0, -1), root] as Probe] : []),
      ...(proof.length > 1 ? [['inserted component', leaf - 1, size, leafHash, [proof[0] as Buffer, SOME_HASH, ...proof.slice(1)], root] as Probe] : []),
    ];
    for (const [what, index, treeSize, hash, badProof, badRoot] of corrupt) {
      expect([what, merkleVerifyInclusion(index, treeSize, hash, badProof, badRoot)]).toEqual([what, false]);
    }
  });

  it.each([[0, 0], [0, 1], [1, 0], [2, 1]])('refuses index %d in a tree of %d with an empty proof and wrong hashes', (index, size) => {
    expect(merkleVerifyInclusion(index, size, SOME_HASH, [], Buffer.alloc(0))).toBe(false);
    expect(merkleVerifyInclusion(index, size, Buffer.alloc(0), [], MERKLE_EMPTY_ROOT)).toBe(false);
    expect(merkleVerifyInclusion(index, size, SOME_HASH, [], MERKLE_EMPTY_ROOT)).toBe(false);
  });
});

describe('consistency proofs (published vectors)', () => {
  it.each(CONSISTENCY)('%d -> %d: generated, verified and every corruption refused', (size1, size2, proofHex) => {
    const root1 = hex(ROOTS[size1 - 1] as string);
    const root2 = hex(ROOTS[size2 - 1] as string);
    const proof = proofHex.map(hex);
    expect(hexOf(merkleConsistencyProof(LEAF_HASHES.slice(0, size2), size1))).toEqual(proofHex);
    expect(merkleVerifyConsistency(size1, size2, root1, root2, proof)).toBe(true);
    if (proof.length === 0) return;
    const corrupt: [string, number, number, Buffer, Buffer, Buffer[]][] = [
      ['size1 - 1', size1 - 1, size2, root1, root2, proof],
      ['size1 + 1', size1 + 1, size2, root1, root2, proof],
      ['size1 ^ 2', size1 ^ 2, size2, root1, root2, proof],
      ['size2 * 2', size1, size2 * 2, root1, root2, proof],
      ['size2 / 2', size1, Math.floor(size2 / 2), root1, root2, proof],
      ['wrong root1', size1, size2, Buffer.from('WrongRoot'), root2, proof],
      ['wrong root2', size1, size2, root1, Buffer.from('WrongRoot'), proof],
      ['swapped roots', size1, size2, root2, root1, proof],
      ['empty proof', size1, size2, root1, root2, []],
      ['trailing garbage', size1, size2, root1, root2, [...proof, Buffer.alloc(0)]],
      ['trailing root1', size1, size2, root1, root2, [...proof, root1]],
      ['trailing root2', size1, size2, root1, root2, [...proof, root2]],
      ['preceding garbage', size1, size2, root1, root2, [Buffer.alloc(0), ...proof]],
      ['preceding root1', size1, size2, root1, root2, [root1, ...proof]],
      ['preceding root2', size1, size2, root1, root2, [root2, ...proof]],
      ['preceding proof[0]', size1, size2, root1, root2, [proof[0] as Buffer, ...proof]],
      ['truncated proof', size1, size2, root1, root2, proof.slice(0, -1)],
      ...proof.map((_, i): [string, number, number, Buffer, Buffer, Buffer[]] => {
        const flipped = proof.map((p) => Buffer.from(p));
        const bit = flipped[i] as Buffer;
        bit[0] = (bit[0] as number) ^ 16;
        return [`flipped bit in proof[${i}]`, size1, size2, root1, root2, flipped];
      }),
    ];
    for (const [what, s1, s2, r1, r2, badProof] of corrupt) {
      expect([what, merkleVerifyConsistency(s1, s2, r1, r2, badProof)]).toEqual([what, false]);
    }
  });

  const a = Buffer.from('don\'t care 1').subarray(0, 12);
  const b = Buffer.from('don\'t care 2').subarray(0, 12);
  it.each([
    ['0 -> 0 with different roots', 0, 0, a, b, [], false],
    ['1 -> 1 with different roots', 1, 1, a, b, [], false],
    ['time travel 1 -> 0', 1, 0, a, b, [], false],
    ['time travel 2 -> 1', 2, 1, a, b, [], false],
    ['1 -> 2 with an empty proof', 1, 2, a, b, [], false],
    ['0 -> 0, roots differ', 0, 0, MERKLE_EMPTY_ROOT, b, [], false],
    ['0 -> 0 with a needless proof', 0, 0, MERKLE_EMPTY_ROOT, MERKLE_EMPTY_ROOT, [MERKLE_EMPTY_ROOT], false],
    ['0 -> 1 with a needless proof', 0, 1, MERKLE_EMPTY_ROOT, MERKLE_EMPTY_ROOT, [MERKLE_EMPTY_ROOT], false],
    ['1 -> 1 with a needless proof', 1, 1, MERKLE_EMPTY_ROOT, MERKLE_EMPTY_ROOT, [MERKLE_EMPTY_ROOT], false],
    ['0 -> 0, same root', 0, 0, MERKLE_EMPTY_ROOT, MERKLE_EMPTY_ROOT, [], true],
    ['0 -> 1', 0, 1, MERKLE_EMPTY_ROOT, SOME_HASH, [], true],
    ['1 -> 1, same root', 1, 1, SOME_HASH, SOME_HASH, [], true],
  ] as const)('%s', (_name, size1, size2, root1, root2, proof, verifies) => {
    expect(merkleVerifyConsistency(size1, size2, root1, root2, [...proof])).toBe(verifies);
  });
});

const leafHashesArb = fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength: 70 }).map((leaves) => leaves.map(merkleLeafHash));

describe('properties', () => {
  it('the frontier root equals the recursive definition at every size', () => {
    fc.assert(
      fc.property(leafHashesArb, (leafHashes) => {
        const frontier = new MerkleFrontier();
        leafHashes.forEach((leafHash, i) => {
          frontier.append(leafHash);
          const prefix = leafHashes.slice(0, i + 1);
          // the root from an inclusion proof of the last leaf is an independent computation of MTH
          const proof = merkleInclusionProof(prefix, i);
          expect(merkleRootFromInclusionProof(i, i + 1, leafHash, proof)).toEqual(frontier.root());
        });
        expect(frontier.size).toBe(leafHashes.length);
        const resumed = MerkleFrontier.restore(JSON.parse(JSON.stringify(frontier.state())));
        resumed.append(leafHashes[0] as Buffer);
        frontier.append(leafHashes[0] as Buffer);
        expect(resumed.root()).toEqual(frontier.root());
      }),
    );
  });

  it('every leaf proves into the root, and not at another index', () => {
    fc.assert(
      fc.property(leafHashesArb, fc.nat(), (leafHashes, pick) => {
        const root = merkleRoot(leafHashes);
        const index = pick % leafHashes.length;
        const proof = merkleInclusionProof(leafHashes, index);
        expect(merkleVerifyInclusion(index, leafHashes.length, leafHashes[index] as Buffer, proof, root)).toBe(true);
        const other = (index + 1) % leafHashes.length;
        if (!leafHashes[other]!.equals(leafHashes[index] as Buffer)) {
          expect(merkleVerifyInclusion(index, leafHashes.length, leafHashes[other] as Buffer, proof, root)).toBe(false);
        }
      }),
    );
  });

  it('every prefix is consistent with the whole tree, and an edited prefix is not', () => {
    fc.assert(
      fc.property(leafHashesArb, fc.nat(), (leafHashes, pick) => {
        const size2 = leafHashes.length;
        const size1 = pick % (size2 + 1);
        const root1 = merkleRoot(leafHashes.slice(0, size1));
        const root2 = merkleRoot(leafHashes);
        const proof = merkleConsistencyProof(leafHashes, size1);
        expect(merkleVerifyConsistency(size1, size2, root1, root2, proof)).toBe(true);
        if (size1 === 0) return;
        const rewritten = [...leafHashes];
        rewritten[size1 - 1] = merkleLeafHash(Buffer.from('rewritten'));
        expect(merkleVerifyConsistency(size1, size2, merkleRoot(rewritten.slice(0, size1)), root2, proof)).toBe(false);
      }),
    );
  });
});
