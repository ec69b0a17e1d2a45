// The execution stack's own settings (market, member API, market-maker simulator), parsed once
// from the environment next to the platform's StackConfig. The process refuses to start on a
// bad value; nothing else reads process.env.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { z } from 'zod';
import { deepFreeze, parseEnv } from '@bulwark/shared-contracts/wall';

const ExecutionEnv = z.object({
  /** Unsent bytes a feed client may hold on the server before it is dropped as a slow consumer. */
  MARKET_FEED_CLIENT_BUFFER_BYTES: z.coerce.number().int().min(4_096).max(64 * 1024 * 1024).default(1024 * 1024),
  /** A snapshot every this many journaled commands bounds the replay after a restart. */
  MARKET_SNAPSHOT_EVERY_COMMANDS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /** How often the books are checked for due auctions and good-till-date expiries. */
  MARKET_TICK_MS: z.coerce.number().int().min(10).max(60_000).default(100),
  /** Signed member and operator requests are accepted this long either side of their timestamp. */
  MEMBER_SIGNATURE_WINDOW_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  /** The market-maker simulator: off unless asked for (npm start turns it on for a live demo market). */
  MARKET_MAKER_ENABLED: z.enum(['true', 'false']).default('false'),
  /** The member API it talks to (this stack's own HTTP address). */
  MARKET_MAKER_BASE_URL: z.url().default('http://127.0.0.1:3100'),
  /** Instruments it quotes (event contracts listed if missing): SYMBOL=fair value, comma separated. */
  MARKET_MAKER_QUOTES: z
    .string()
    .regex(/^[A-Z0-9][A-Z0-9-]{1,47}=(0|[1-9]\d{0,5})\.\d{1,2}(,[A-Z0-9][A-Z0-9-]{1,47}=(0|[1-9]\d{0,5})\.\d{1,2}){0,19}$/)
    .default('DEMO-RAIN-YES=0.55,DEMO-ELECTION-YES=0.30'),
  MARKET_MAKER_REFRESH_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
});

export interface ExecutionConfig {
  readonly market: { readonly feedClientBufferBytes: number; readonly snapshotEveryCommands: number; readonly tickMs: number };
  readonly members: { readonly signatureWindowMs: number };
  readonly marketMaker: {
    readonly enabled: boolean;
    readonly baseUrl: string;
    readonly quotes: readonly { readonly symbol: string; readonly fairValue: string }[];
    readonly refreshMs: number;
  };
}

export const EXECUTION_CONFIG = Symbol('EXECUTION_CONFIG');

export function parseExecutionConfig(env: Readonly<Record<string, string | undefined>>): ExecutionConfig {
  const e = parseEnv(ExecutionEnv, env);
  return deepFreeze({
    market: { feedClientBufferBytes: e.MARKET_FEED_CLIENT_BUFFER_BYTES, snapshotEveryCommands: e.MARKET_SNAPSHOT_EVERY_COMMANDS, tickMs: e.MARKET_TICK_MS },
    members: { signatureWindowMs: e.MEMBER_SIGNATURE_WINDOW_MS },
    marketMaker: {
      enabled: e.MARKET_MAKER_ENABLED === 'true',
      baseUrl: e.MARKET_MAKER_BASE_URL.replace(/\/$/, ''),
      quotes: e.MARKET_MAKER_QUOTES.split(',').map((pair) => {
        const [symbol = '', fairValue = ''] = pair.split('=');
        return { symbol, fairValue };
      }),
      refreshMs: e.MARKET_MAKER_REFRESH_MS,
    },
  });
}

@Global()
@Module({})
export class ExecutionConfigModule {
  static forRoot(config: ExecutionConfig): DynamicModule {
    return { module: ExecutionConfigModule, providers: [{ provide: EXECUTION_CONFIG, useValue: config }], exports: [EXECUTION_CONFIG] };
  }
}
