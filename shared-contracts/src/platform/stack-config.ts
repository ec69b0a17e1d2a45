// Configuration is parsed once, validated, and frozen; a stack refuses to start on a bad
// value. Nothing else in a stack reads process.env.
import { z } from 'zod';
import { deepFreeze, parseEnv, wallConfigOf, wallEnvShape, type WallConfig } from '../wall/wall-config.js';
import type { StackName } from '../wall/topology.js';

export const DEFAULT_HTTP_PORT: Readonly<Record<StackName, number>> = { customer: 3000, execution: 3100 };

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The application role: owns nothing, cannot bypass row-level security. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  /** The owner role: owns the schema; used only to run the migrations at start. */
  DATABASE_OWNER_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** Where the stack's built UIs are (vite's dist); unset: the stack's own web workspace. */
  UI_DIST_DIR: z.string().min(1).max(4_096).optional(),
  ...wallEnvShape,
});

export interface StackConfig<S extends StackName = StackName> {
  readonly stack: S;
  readonly env: 'development' | 'test' | 'production';
  readonly http: { readonly host: string; readonly port: number };
  readonly logLevel: string;
  readonly database: { readonly url: string; readonly ownerUrl: string; readonly poolMax: number };
  readonly wall: WallConfig;
  readonly ui: { readonly distDir: string | undefined };
}

export const STACK_CONFIG = Symbol('STACK_CONFIG');

export function parseStackConfig<S extends StackName>(stack: S, env: Readonly<Record<string, string | undefined>>): StackConfig<S> {
  const e = parseEnv(EnvSchema, env);
  return deepFreeze({
    stack,
    env: e.NODE_ENV,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT ?? DEFAULT_HTTP_PORT[stack] },
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, ownerUrl: e.DATABASE_OWNER_URL, poolMax: e.DATABASE_POOL_MAX },
    wall: wallConfigOf(e),
    ui: { distDir: e.UI_DIST_DIR },
  });
}
