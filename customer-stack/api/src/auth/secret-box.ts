// Small, pure crypto helpers auth and notifications share: AES-256-GCM sealing bound to a
// context (the AAD, e.g. the user id, so a sealed value cannot be moved to another row), keyed
// lookup hashes, and SHA-256 of bearer secrets.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, type KeyObject } from 'node:crypto';
import { assert } from '@bulwark/shared-contracts';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SEALED_PLAINTEXT_BYTES_MAX = 4_096;

/** version (1 byte) | iv (12) | tag (16) | ciphertext */
export function seal(key: KeyObject, plaintext: string, context: string): Buffer {
  const data = Buffer.from(plaintext, 'utf8');
  assert(data.length <= SEALED_PLAINTEXT_BYTES_MAX, 'sealed plaintext within limit');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Opens what seal() produced under the same key and context; throws when either differs. */
export function open(key: KeyObject, sealed: Buffer, context: string): string {
  assert(sealed.length > 1 + IV_BYTES + TAG_BYTES - 1 && sealed[0] === VERSION, 'sealed value has a known version');
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** HMAC-SHA256 over unambiguous parts (each length-prefixed), for lookup columns and counters. */
export function lookupHash(key: KeyObject, ...parts: readonly string[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hmac.update(length).update(bytes);
  }
  return hmac.digest();
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Emails compare case-insensitively and without surrounding blanks. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
