// The chain module: present only when the execution stack is configured with a chain. A worker
// drives it on an interval: wallets and listings to deploy, the settlement cycle, anchors, the
// transaction pipeline, the indexer, then the anchors it confirmed.
import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type { ChainConfig } from './chain-config.js';
import { CHAIN_CONFIG, ChainRpc, ChainUnavailableError } from './chain-rpc.js';
import { MembersModule } from '../members/members.module.js';
import { ChainIndexerService } from './chain-indexer.service.js';
import { ChainStatusController } from './chain-status.controller.js';
import { ChainTxService } from './chain-tx.service.js';
import { ChainService } from './chain.service.js';

@Injectable()
export class ChainWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChainWorker.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(CHAIN_CONFIG) private readonly config: ChainConfig,
    @Inject(ChainService) private readonly chain: ChainService,
    @Inject(ChainIndexerService) private readonly indexer: ChainIndexerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The configured wallets are recorded now (no chain needed); the cycles give them their identity.
    await this.chain.requestConfiguredWallets();
    this.timer = setInterval(() => void this.runOnce(), this.config.pollIntervalMs);
  }

  /** One cycle; a chain outage leaves the work queued for the next. Concurrent calls share one cycle. */
  runOnce(): Promise<void> {
    this.running ??= this.cycle().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async cycle(): Promise<void> {
    try {
      await this.chain.tick();
      await this.indexer.indexOnce();
      await this.chain.confirmAnchors();
    } catch (error) {
      if (error instanceof ChainUnavailableError) {
        this.logger.warn({ event: 'chain.unavailable', error: error.message }, 'chain unavailable: work stays queued');
        return;
      }
      this.logger.error({ event: 'chain.cycle.failed', error: error instanceof Error ? error.message : String(error) }, 'chain cycle failed');
    }
  }

  // Before the RPC door closes (ChainRpc shuts its breaker on application shutdown): a cycle
  // still running against a shut breaker would only log the chain as unavailable.
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

@Module({})
export class ChainModule {
  static forRoot(config: ChainConfig): DynamicModule {
    return {
      module: ChainModule,
      global: true,
      // MembersModule: the signed-request guard of the read-only operator status route.
      imports: [MembersModule],
      controllers: [ChainStatusController],
      providers: [{ provide: CHAIN_CONFIG, useValue: config }, ChainRpc, ChainTxService, ChainService, ChainIndexerService, ChainWorker],
      exports: [ChainService, ChainIndexerService, ChainTxService, ChainWorker],
    };
  }
}
