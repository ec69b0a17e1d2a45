// Configuration is parsed once, validated, and frozen; the process refuses to start on a bad
// value. Nothing else in the stack reads process.env.
import { z } from 'zod';
import { deepFreeze, parseEnv, wallConfigOf, wallEnvShape, type WallConfig } from '@bulwark/shared-contracts/wall';

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  ...wallEnvShape,
});

export interface AppConfig {
  readonly stack: 'customer';
  readonly env: 'development' | 'test' | 'production';
  readonly http: { readonly host: string; readonly port: number };
  readonly logLevel: string;
  readonly database: { readonly url: string; readonly poolMax: number };
  readonly wall: WallConfig;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function parseConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const e = parseEnv(EnvSchema, env);
  return deepFreeze({
    stack: 'customer',
    env: e.NODE_ENV,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    wall: wallConfigOf(e),
  });
}
