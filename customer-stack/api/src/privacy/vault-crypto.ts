// The vault's cryptography, pure: AES-256-GCM for a person's data (under their data key) and
// for the data key itself (under the master key). The associated data binds each ciphertext to
// its subject, so a sealed value moved to another person's row does not open.
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { assert } from '@bulwark/shared-contracts';

const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;
/** Plaintext bytes per sealed value (a name, an address, a document number: far below this). */
export const SEALED_PLAINTEXT_BYTES_MAX = 64 * 1024;

export class VaultIntegrityError extends Error {
  override readonly name = 'VaultIntegrityError';
}

function encrypt(key: KeyObject | Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const sealed = Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), body]);
  assert(sealed.length === 1 + IV_BYTES + TAG_BYTES + plaintext.length, 'GCM adds exactly the header');
  return sealed;
}

function decrypt(key: KeyObject | Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_V1) throw new VaultIntegrityError('not a sealed value of a known format');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new VaultIntegrityError('sealed value failed authentication (tampered, or sealed for someone else)');
  }
}

const keyAad = (subjectId: string) => `bulwark:person-key:v1:${subjectId}`;
const dataAad = (subjectId: string) => `bulwark:personal-data:v1:${subjectId}`;

export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

export function wrapDataKey(masterKey: KeyObject, subjectId: string, dataKey: Buffer): Buffer {
  assert(dataKey.length === DATA_KEY_BYTES, 'data keys are 256-bit');
  return encrypt(masterKey, dataKey, keyAad(subjectId));
}

export function unwrapDataKey(masterKey: KeyObject, subjectId: string, wrapped: Buffer): Buffer {
  const dataKey = decrypt(masterKey, wrapped, keyAad(subjectId));
  if (dataKey.length !== DATA_KEY_BYTES) throw new VaultIntegrityError('unwrapped key has the wrong length');
  return dataKey;
}

export function sealWithDataKey(dataKey: Buffer, subjectId: string, plaintext: string): Buffer {
  const bytes = Buffer.from(plaintext, 'utf8');
  assert(bytes.length <= SEALED_PLAINTEXT_BYTES_MAX, 'sealed plaintext within limit');
  return encrypt(dataKey, bytes, dataAad(subjectId));
}

export function openWithDataKey(dataKey: Buffer, subjectId: string, sealed: Buffer): string {
  return decrypt(dataKey, sealed, dataAad(subjectId)).toString('utf8');
}
