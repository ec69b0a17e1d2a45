// Envelope keys, one keyring per process. Key ids are direction-scoped: a key that signs
// customer → execution messages is never accepted on an execution → customer subject.
// The receiver holds the current and the previous key of each direction (rotation).
import { assert } from '../assert.js';

export const DIRECTIONS = ['c2e', 'e2c'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const ENVELOPE_SECRET_BYTES_MIN = 32;
const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface EnvelopeKey {
  readonly kid: string;
  readonly direction: Direction;
  readonly secret: Buffer;
}

export interface DirectionKeys {
  readonly direction: Direction;
  readonly current: { kid: string; secret: string | Uint8Array };
  readonly previous?: { kid: string; secret: string | Uint8Array } | undefined;
}

export interface Keyring {
  /** Every key this process accepts, by key id. */
  readonly byKid: ReadonlyMap<string, EnvelopeKey>;
  /** The key this process signs with, per direction (only for directions it sends). */
  signingKey(direction: Direction): EnvelopeKey;
}

/** Decodes a secret given as base64 / base64url text (configuration) or raw bytes. */
export function decodeSecret(secret: string | Uint8Array): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'base64url') : Buffer.from(secret);
  if (bytes.length < ENVELOPE_SECRET_BYTES_MIN) {
    throw new Error(`envelope secret must be at least ${ENVELOPE_SECRET_BYTES_MIN} bytes`);
  }
  return bytes;
}

export function createKeyring(directions: readonly DirectionKeys[]): Keyring {
  const byKid = new Map<string, EnvelopeKey>();
  const signing = new Map<Direction, EnvelopeKey>();
  for (const entry of directions) {
    assert(!signing.has(entry.direction), `duplicate keyring entry for direction ${entry.direction}`);
    const versions = entry.previous ? [entry.current, entry.previous] : [entry.current];
    for (const version of versions) {
      if (!KID_PATTERN.test(version.kid)) throw new Error(`invalid key id '${version.kid}'`);
      if (byKid.has(version.kid)) throw new Error(`key id '${version.kid}' is used twice: key ids are direction-scoped and unique`);
      byKid.set(version.kid, { kid: version.kid, direction: entry.direction, secret: decodeSecret(version.secret) });
    }
    const current = byKid.get(entry.current.kid);
    assert(current !== undefined, 'current key registered');
    signing.set(entry.direction, current);
  }
  return {
    byKid,
    signingKey(direction) {
      const key = signing.get(direction);
      if (!key) throw new Error(`this keyring holds no signing key for direction ${direction}`);
      return key;
    },
  };
}
