// The market-maker simulator: a member that quotes a two-sided market around a fair value
// through the real member API (signed HTTP requests, like any member), and refreshes its
// quotes on a timer so a fresh install always has a live book. Plain TypeScript, no Nest.
import { decimal } from '@bulwark/shared-contracts';
import { signRequest, type SignedPayload, type SigningKey } from '../members/request-signature.js';

export const MARKET_MAKER_LEVELS_MAX = 20;
export const MARKET_MAKER_REQUEST_TIMEOUT_MS = 5_000;

export interface QuoteSettings {
  readonly instrumentId: string;
  readonly fairValue: string;
  readonly tickSize: string;
  readonly priceMin: string;
  readonly priceMax: string;
  /** Distance of the best bid and ask from the fair value, in ticks. */
  readonly halfSpreadTicks: number;
  readonly levels: number;
  readonly quantity: string;
}

/** The quotes around the fair value, best first, clipped to the static band. */
export function quotesFor(s: QuoteSettings): { side: 'buy' | 'sell'; price: string }[] {
  const tick = decimal(s.tickSize);
  const fair = decimal(s.fairValue).div(tick).round(0, 0).times(tick);
  const out: { side: 'buy' | 'sell'; price: string }[] = [];
  for (let level = 0; level < Math.min(s.levels, MARKET_MAKER_LEVELS_MAX); level++) {
    const offset = tick.times(decimal(String(s.halfSpreadTicks + level)));
    const bid = fair.minus(offset);
    const ask = fair.plus(offset);
    if (bid.gte(decimal(s.priceMin))) out.push({ side: 'buy', price: bid.toString() });
    if (ask.lte(decimal(s.priceMax))) out.push({ side: 'sell', price: ask.toString() });
  }
  return out;
}

export class MarketMakerSimulator {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  refreshes = 0;
  lastError: string | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly key: SigningKey,
    private readonly quotes: readonly QuoteSettings[],
    private readonly refreshMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (!this.running) this.running = this.refresh().finally(() => (this.running = null));
    };
    tick();
    this.timer = setInterval(tick, this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Cancels the previous quotes and places fresh ones on every instrument. */
  async refresh(): Promise<void> {
    try {
      const { orders } = (await this.call('GET', '/v1/member/orders?open=true&limit=500')) as { orders: { instrumentId: string; orderId: string }[] };
      for (const order of orders) await this.call('DELETE', `/v1/member/orders/${order.instrumentId}/${order.orderId}`, undefined, [204, 404]);
      for (const settings of this.quotes) {
        for (const quote of quotesFor(settings)) {
          // Post-only: a quote never takes liquidity; one that would cross is simply skipped.
          await this.call('POST', '/v1/member/orders', { instrumentId: settings.instrumentId, ...quote, quantity: settings.quantity, postOnly: true }, [201, 422]);
        }
      }
      this.refreshes += 1;
      this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
    }
  }

  private async call(method: SignedPayload['method'], path: string, body?: unknown, accept: number[] = [200]): Promise<unknown> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = await signRequest(this.key, { method, path, body: text });
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(text ? { 'content-type': 'application/json' } : {}) },
      ...(text ? { body: text } : {}),
      signal: AbortSignal.timeout(MARKET_MAKER_REQUEST_TIMEOUT_MS),
    });
    if (!accept.includes(response.status)) throw new Error(`${method} ${path} answered ${response.status}`);
    return response.status === 204 ? null : response.json();
  }
}
