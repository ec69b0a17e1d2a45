// Starts the market-maker simulator when configured: it lists the demo event contracts if
// they are missing, registers itself as a market-maker member with a fresh key, and quotes
// through the member API over HTTP like any other member.
import { Inject, Injectable, Logger, Module, Optional, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { ChainService } from '../chain/chain.service.js';
import { EXECUTION_CONFIG, type ExecutionConfig } from '../config/execution-config.js';
import { MarketModule } from '../market/market.module.js';
import { MarketService } from '../market/market.service.js';
import { MembersModule } from '../members/members.module.js';
import { MembersService, type NewMember } from '../members/members.service.js';
import { MarketMakerSimulator } from './market-maker.js';

/** Units of each instrument minted to the simulator's wallet on chain, so that its asks pass the pre-trade check. */
export const MARKET_MAKER_INVENTORY_UNITS = '1000000';
/** The simulator's wallet jurisdiction on chain (ISO 3166-1 numeric; 0 = none, like the house wallet). */
const MARKET_MAKER_COUNTRY = 0;

@Injectable()
export class MarketMakerRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MarketMaker');
  private running: MarketMakerSimulator | null = null;

  constructor(
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
    @Inject(MarketService) private readonly market: MarketService,
    @Inject(MembersService) private readonly members: MembersService,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    // With a chain, member orders pass the on-chain pre-trade check: the simulator's too.
    @Optional() @Inject(ChainService) private readonly chain: ChainService | null = null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.marketMaker;
    if (!settings.enabled) return;
    const quotes = [];
    for (const { symbol, fairValue } of settings.quotes) {
      const instrument = await this.market.list({ symbol, kind: 'event', tickSize: '0.01', lotSize: '1' });
      const { id: instrumentId, tickSize, priceMin, priceMax } = instrument;
      quotes.push({ instrumentId, symbol, fairValue, tickSize, priceMin, priceMax, halfSpreadTicks: 1, levels: 5, quantity: '100' });
    }
    // A fresh member per start: the private key lives only in this process.
    const { privateKey, publicKey } = await generateKeyPair('PS256');
    const { member, keyId } = await this.members.createMember('system:market-maker', {
      kind: 'market_maker',
      orderQuantityMax: '100000',
      orderNotionalMax: '100000',
      openOrdersMax: 1_000,
      messagesPerSecond: 1_000,
      publicJwk: (await exportJWK(publicKey)) as NewMember['publicJwk'],
    });
    this.running = new MarketMakerSimulator(settings.baseUrl, { keyId, privateKey }, quotes, settings.refreshMs);
    this.running.start();
    this.logger.log({ memberId: member.id, instruments: quotes.length, msg: 'market-maker simulator quoting' });
    // In the background: until it is done (or while the chain is down) the pre-trade check refuses the quotes.
    if (this.chain) void this.prepareChain(this.chain, member.id, quotes);
  }

  /** Deploys the simulator's instruments on chain, registers its wallet and mints it stock to sell. */
  private async prepareChain(chain: ChainService, memberId: string, quotes: readonly { instrumentId: string; symbol: string }[]): Promise<void> {
    try {
      await chain.houseWallet();
      await chain.registerWallet(memberId, 'member', MARKET_MAKER_COUNTRY);
      for (const { instrumentId, symbol } of quotes) {
        await chain.ensureInstrument(instrumentId, symbol);
        await this.db.transaction((tx) => chain.mint(tx, instrumentId, memberId, MARKET_MAKER_INVENTORY_UNITS, `market-maker:${memberId}:${instrumentId}`));
      }
      this.logger.log({ memberId, instruments: quotes.length, msg: 'market-maker simulator ready on chain' });
    } catch (error) {
      this.logger.warn({ memberId, error: error instanceof Error ? error.message : String(error), msg: 'market-maker simulator not ready on chain: its orders are refused' });
    }
  }

  /** The running simulator (null when disabled): its refresh count and last error are its health. */
  get simulator(): MarketMakerSimulator | null {
    return this.running;
  }

  // Before the HTTP server closes: the simulator is a client of this very server, and its
  // keep-alive connections and stream would hold the close open.
  async beforeApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }
}

@Module({ imports: [MarketModule, MembersModule], providers: [MarketMakerRunner] })
export class MarketMakerModule {}
