// Password hashing with argon2id (@node-rs/argon2's default algorithm) at OWASP's recommended
// cost (19 MiB, 2 passes, 1 lane). Unknown accounts are verified against a dummy hash so a
// wrong email and a wrong password take the same time.
import { hash, verify } from '@node-rs/argon2';
import { assert } from '@bulwark/shared-contracts';

const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_LENGTH_MIN = 12;
export const PASSWORD_LENGTH_MAX = 128;

let dummyHash: Promise<string> | undefined;

export async function hashPassword(password: string): Promise<string> {
  assert(password.length >= PASSWORD_LENGTH_MIN && password.length <= PASSWORD_LENGTH_MAX, 'password length validated before hashing');
  const hashed = await hash(password, ARGON2_OPTIONS);
  assert(hashed.startsWith('$argon2id$'), 'passwords are hashed with argon2id');
  return hashed;
}

/** Verifies against the stored hash, or burns the same time against a dummy when there is none. */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (password.length > PASSWORD_LENGTH_MAX) return false;
  dummyHash ??= hash('dummy password for unknown accounts', ARGON2_OPTIONS);
  const ok = await verify(stored ?? (await dummyHash), password).catch(() => false);
  return stored !== undefined && ok;
}
