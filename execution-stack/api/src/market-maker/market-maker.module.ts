// Starts the market-maker simulator when configured: it lists the demo event contracts if
// they are missing, registers itself as a market-maker member with a fresh key, and quotes
// through the member API over HTTP like any other member.
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import { EXECUTION_CONFIG, type ExecutionConfig } from '../config/execution-config.js';
import { MarketModule } from '../market/market.module.js';
import { MarketService } from '../market/market.service.js';
import { MembersModule } from '../members/members.module.js';
import { MembersService, type NewMember } from '../members/members.service.js';
import { MarketMakerSimulator } from './market-maker.js';

@Injectable()
export class MarketMakerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MarketMaker');
  private running: MarketMakerSimulator | null = null;

  constructor(
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
    @Inject(MarketService) private readonly market: MarketService,
    @Inject(MembersService) private readonly members: MembersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.marketMaker;
    if (!settings.enabled) return;
    const quotes = [];
    for (const { symbol, fairValue } of settings.quotes) {
      const instrument = await this.market.list({ symbol, kind: 'event', tickSize: '0.01', lotSize: '1' });
      const { id: instrumentId, tickSize, priceMin, priceMax } = instrument;
      quotes.push({ instrumentId, fairValue, tickSize, priceMin, priceMax, halfSpreadTicks: 1, levels: 5, quantity: '100' });
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
  }

  /** The running simulator (null when disabled): its refresh count and last error are its health. */
  get simulator(): MarketMakerSimulator | null {
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }
}

@Module({ imports: [MarketModule, MembersModule], providers: [MarketMakerRunner] })
export class MarketMakerModule {}
