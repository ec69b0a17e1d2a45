// The one door to the chain: a JSON-RPC provider on a fixed network, the operator's signer,
// the custodial wallets derived from the configured phrase, and an opossum circuit breaker
// every RPC goes through. While the breaker is open, callers get ChainUnavailableError at once
// and their work stays queued in Postgres.
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { HDNodeWallet, JsonRpcProvider, Network, Wallet, isCallException } from 'ethers';
import { assert } from '@bulwark/shared-contracts';
import type { ChainConfig } from './chain-config.js';

export const CHAIN_CONFIG = Symbol('CHAIN_CONFIG');

/** Custodial wallets live under this derivation path; the index is the wallet's key_index. */
const WALLET_PATH_PREFIX = "m/44'/60'/1'/0";
export const WALLET_KEY_INDEX_MAX = 2 ** 31 - 1;

export class ChainUnavailableError extends Error {
  override readonly name = 'ChainUnavailableError';
}

@Injectable()
export class ChainRpc implements OnApplicationShutdown {
  private readonly logger = new Logger(ChainRpc.name);
  readonly provider: JsonRpcProvider;
  readonly operator: Wallet;
  private readonly root: HDNodeWallet;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private operatorQueue: Promise<unknown> = Promise.resolve();
  /** How often the breaker opened since start, and when it last did (the operator's status shows both). */
  private opened = { count: 0, lastAt: null as Date | null };

  constructor(@Inject(CHAIN_CONFIG) readonly config: ChainConfig) {
    const network = Network.from(config.chainId);
    // No response cache (reads after writes must see the writes) and no network probing while down.
    this.provider = new JsonRpcProvider(config.rpcUrl, network, { staticNetwork: network, cacheTimeout: -1, batchMaxCount: 1 });
    this.provider.pollingInterval = Math.min(config.pollIntervalMs, 250);
    this.operator = new Wallet(config.signerKey, this.provider);
    this.root = HDNodeWallet.fromPhrase(config.walletMnemonic, undefined, WALLET_PATH_PREFIX);
    this.breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
      timeout: config.rpcTimeoutMs,
      resetTimeout: config.breakerResetMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 2,
      // A revert is the chain answering: it says nothing about the chain being down.
      errorFilter: (error: unknown) => isCallException(error),
    });
    this.breaker.on('open', () => {
      this.opened = { count: this.opened.count + 1, lastAt: new Date() };
      this.logger.warn({ event: 'chain.breaker.open' }, 'chain RPC failing: circuit open, work stays queued');
    });
    this.breaker.on('close', () => this.logger.log({ event: 'chain.breaker.closed' }, 'chain RPC answering again'));
  }

  get available(): boolean {
    return !this.breaker.opened;
  }

  /** The breaker as the operator sees it. */
  breakerStatus(): { state: 'closed' | 'open' | 'half_open'; openedCount: number; lastOpenedAt: string | null } {
    const state = this.breaker.halfOpen ? 'half_open' : this.breaker.opened ? 'open' : 'closed';
    return { state, openedCount: this.opened.count, lastOpenedAt: this.opened.lastAt?.toISOString() ?? null };
  }

  /** Runs one RPC interaction through the breaker. */
  async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(work)) as T;
    } catch (error) {
      if (isCallException(error)) throw error;
      throw new ChainUnavailableError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  /** Serialises everything the operator signs, so its nonces never collide. */
  withOperator<T>(work: () => Promise<T>): Promise<T> {
    const run = this.operatorQueue.then(work, work);
    this.operatorQueue = run.catch(() => undefined);
    return run;
  }

  /** The custodial wallet at `keyIndex`, connected to the provider. */
  wallet(keyIndex: number): HDNodeWallet {
    assert(Number.isInteger(keyIndex) && keyIndex >= 0 && keyIndex <= WALLET_KEY_INDEX_MAX, 'wallet key index in range');
    return this.root.deriveChild(keyIndex).connect(this.provider);
  }

  // Last, once the workers that call through it have stopped (their beforeApplicationShutdown).
  onApplicationShutdown(): void {
    this.breaker.shutdown();
    this.provider.destroy();
  }
}
