// A deterministic rate provider for development and tests: mid rates per pair, a spread in basis
// points around the mid, and knobs for what real providers do badly (fail, go stale, drift).
import { assert, decimal, toFixedScale } from '@bulwark/shared-contracts';
import { pairKey, type CurrencyPair, type ProviderRate, type RateProvider } from './rate-provider.js';

export interface SandboxRateOptions {
  readonly name: string;
  /** Mid rates by "BASE/QUOTE", e.g. { 'USD/LKR': '300.35' }. */
  readonly mids: Readonly<Record<string, string>>;
  readonly spreadBps: number;
  readonly clock?: () => Date;
}

export const SANDBOX_RATE_DECIMALS = 8;
export const SANDBOX_SPREAD_BPS_MAX = 1_000;

export class SandboxRateProvider implements RateProvider {
  readonly name: string;
  private readonly mids = new Map<string, string>();
  private failing = false;
  private staleByMs = 0;

  constructor(private readonly options: SandboxRateOptions) {
    assert(Number.isInteger(options.spreadBps) && options.spreadBps >= 0 && options.spreadBps <= SANDBOX_SPREAD_BPS_MAX, 'sandbox spread within limit');
    this.name = options.name;
    for (const [pair, mid] of Object.entries(options.mids)) this.setMid(pair, mid);
  }

  setMid(pair: string, mid: string): void {
    assert(decimal(mid).gt(decimal('0')), 'a mid rate is positive');
    this.mids.set(pair, mid);
  }

  /** Every call fails (an outage) until set back. */
  setFailing(failing: boolean): void {
    this.failing = failing;
  }

  /** Rates come back this much older than now (a feed that stopped updating). */
  setStaleBy(ms: number): void {
    this.staleByMs = ms;
  }

  async rate(pair: CurrencyPair): Promise<ProviderRate> {
    if (this.failing) throw new Error(`${this.name} is unavailable`);
    const mid = this.mids.get(pairKey(pair));
    if (!mid) throw new Error(`${this.name} does not quote ${pairKey(pair)}`);
    const half = decimal(String(this.options.spreadBps)).div(decimal('20000'));
    const now = (this.options.clock ?? (() => new Date()))();
    return {
      provider: this.name,
      pair,
      bid: toFixedScale(decimal(mid).times(decimal('1').minus(half)), SANDBOX_RATE_DECIMALS, 'down'),
      ask: toFixedScale(decimal(mid).times(decimal('1').plus(half)), SANDBOX_RATE_DECIMALS, 'up'),
      asOf: new Date(now.getTime() - this.staleByMs),
    };
  }
}

/** The two sandbox providers the stack ships with: close but not equal, so best-of-N matters. */
export function defaultSandboxProviders(clock?: () => Date): SandboxRateProvider[] {
  const common = { clock, spreadBps: 20 };
  return [
    new SandboxRateProvider({ ...common, name: 'sandbox-alpha', mids: { 'USD/LKR': '300.35', 'USD/EUR': '0.9210', 'USD/GBP': '0.7905' } }),
    new SandboxRateProvider({ ...common, name: 'sandbox-beta', mids: { 'USD/LKR': '300.10', 'USD/EUR': '0.9225', 'USD/GBP': '0.7898' } }),
  ];
}
