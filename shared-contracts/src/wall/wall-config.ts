// How a stack is told its side of the wall: NATS connection and envelope keys, both
// directions, current and previous. Both stacks parse the same variables the same way.
import { z } from 'zod';
import type { DirectionKeys } from '../envelope/keyring.js';

const secret = z.string().regex(/^[A-Za-z0-9_-]{43,}$/, 'a base64url secret of at least 32 bytes');
const kid = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id of letters, digits, . _ -');

export const wallEnvShape = {
  NATS_URL: z.string().min(1),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  WALL_C2E_KID: kid,
  WALL_C2E_SECRET: secret,
  WALL_C2E_PREVIOUS_KID: kid.optional(),
  WALL_C2E_PREVIOUS_SECRET: secret.optional(),
  WALL_E2C_KID: kid,
  WALL_E2C_SECRET: secret,
  WALL_E2C_PREVIOUS_KID: kid.optional(),
  WALL_E2C_PREVIOUS_SECRET: secret.optional(),
};

type WallEnv = z.infer<z.ZodObject<typeof wallEnvShape>>;

export interface WallConfig {
  readonly nats: { readonly url: string; readonly user?: string | undefined; readonly password?: string | undefined };
  readonly keys: readonly DirectionKeys[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function pair(kidValue: string | undefined, secretValue: string | undefined, name: string) {
  if ((kidValue === undefined) !== (secretValue === undefined)) throw new ConfigError(`${name}_PREVIOUS_KID and ${name}_PREVIOUS_SECRET go together`);
  return kidValue !== undefined && secretValue !== undefined ? { kid: kidValue, secret: secretValue } : undefined;
}

export function wallConfigOf(e: WallEnv): WallConfig {
  if ((e.NATS_USER === undefined) !== (e.NATS_PASSWORD === undefined)) throw new ConfigError('NATS_USER and NATS_PASSWORD go together');
  return {
    nats: { url: e.NATS_URL, user: e.NATS_USER, password: e.NATS_PASSWORD },
    keys: [
      { direction: 'c2e', current: { kid: e.WALL_C2E_KID, secret: e.WALL_C2E_SECRET }, previous: pair(e.WALL_C2E_PREVIOUS_KID, e.WALL_C2E_PREVIOUS_SECRET, 'WALL_C2E') },
      { direction: 'e2c', current: { kid: e.WALL_E2C_KID, secret: e.WALL_E2C_SECRET }, previous: pair(e.WALL_E2C_PREVIOUS_KID, e.WALL_E2C_PREVIOUS_SECRET, 'WALL_E2C') },
    ],
  };
}

/** Parses an environment with a schema, or throws one error naming every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Readonly<Record<string, string | undefined>>): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
