// The provider behind an opossum circuit breaker with a timeout. Whatever goes wrong — a slow
// answer, an error, an open breaker — comes back as `unavailable`, which leaves the customer
// pending: KYC fails closed. The breaker's state is reported on /health.
import CircuitBreaker from 'opossum';
import type { KycProvider, KycProviderRequest, KycProviderResult } from './kyc-provider.js';

export type GuardedResult =
  | { readonly kind: 'answered'; readonly result: KycProviderResult }
  | { readonly kind: 'unavailable'; readonly cause: 'timeout' | 'error' | 'breaker_open' };

export interface BreakerOptions {
  readonly timeoutMs: number;
  readonly resetMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export class GuardedKycProvider {
  private readonly breaker: CircuitBreaker<[KycProviderRequest], KycProviderResult>;

  constructor(readonly provider: KycProvider, options: BreakerOptions) {
    this.breaker = new CircuitBreaker(
      async (request: KycProviderRequest) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), options.timeoutMs + 50);
        try {
          return await provider.verify(request, controller.signal);
        } finally {
          clearTimeout(timer);
        }
      },
      {
        timeout: options.timeoutMs,
        resetTimeout: options.resetMs,
        errorThresholdPercentage: 50,
        volumeThreshold: 3,
        rollingCountTimeout: 60_000,
      },
    );
  }

  async verify(request: KycProviderRequest): Promise<GuardedResult> {
    try {
      return { kind: 'answered', result: await this.breaker.fire(request) };
    } catch (error) {
      if (this.breaker.opened && (error as { code?: string }).code === 'EOPENBREAKER') return { kind: 'unavailable', cause: 'breaker_open' };
      if ((error as { code?: string }).code === 'ETIMEDOUT') return { kind: 'unavailable', cause: 'timeout' };
      return { kind: 'unavailable', cause: 'error' };
    }
  }

  get state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  get stats(): { failures: number; timeouts: number; successes: number; rejects: number } {
    const s = this.breaker.stats;
    return { failures: s.failures, timeouts: s.timeouts, successes: s.successes, rejects: s.rejects };
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
