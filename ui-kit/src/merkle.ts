// RFC 9162 (Certificate Transparency v2) Merkle inclusion proofs, verified in the browser with
// WebCrypto: an auditor's page recomputes the root from an entry's hash and the proof the
// server sent, and compares it with the root anchored on chain. Nothing here trusts the server.

const HASH_BYTES = 32;
export const MERKLE_PROOF_HASHES_MAX = 64;
const HEX = /^[0-9a-f]{64}$/;

export function hexToBytes(hex: string): Uint8Array | null {
  if (!HEX.test(hex)) return null;
  const bytes = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i += 1) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function bytesToHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    total.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', total));
}

/** SHA-256(0x00 || leaf). */
export function merkleLeafHash(leaf: Uint8Array): Promise<Uint8Array> {
  return sha256(new Uint8Array([0x00]), leaf);
}

/** SHA-256(0x01 || left || right). */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(new Uint8Array([0x01]), left, right);
}

/** RFC 9162 2.1.3.2: the root an inclusion proof implies for leaf `index` of a tree of `size`, or null. */
export async function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Promise<Uint8Array | null> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  if (leafHash.length !== HASH_BYTES || proof.length > MERKLE_PROOF_HASHES_MAX) return null;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (p.length !== HASH_BYTES || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await merkleNodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await merkleNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export interface InclusionCheck {
  readonly ok: boolean;
  /** The root this browser computed (hex), or null when the proof is malformed. */
  readonly computedRoot: string | null;
}

/** Verifies that an audit entry (by its chain hash) is leaf `leafIndex` of the tree with `rootHex`. */
export async function verifyAuditInclusion(entryHashHex: string, leafIndex: number, treeSize: number, proofHex: readonly string[], rootHex: string): Promise<InclusionCheck> {
  const entry = hexToBytes(entryHashHex);
  const proof = proofHex.map(hexToBytes);
  if (!entry || proof.some((p) => p === null) || !hexToBytes(rootHex)) return { ok: false, computedRoot: null };
  const computed = await rootFromInclusionProof(leafIndex, treeSize, await merkleLeafHash(entry), proof as Uint8Array[]);
  const computedRoot = computed ? bytesToHex(computed) : null;
  return { ok: computedRoot === rootHex, computedRoot };
}
