// The market domain: instruments, books (one journaled single writer each), sessions and
// circuit breakers, candles, and the public feed.
import { Module } from '@nestjs/common';
import { InstrumentsController, InstrumentsService } from './instruments.service.js';
import { MarketController } from './market.controller.js';
import { MarketFeedGateway } from './market-feed.gateway.js';
import { MARKET_CLOCK, MarketService, systemClock } from './market.service.js';

@Module({
  providers: [InstrumentsService, MarketService, MarketFeedGateway, { provide: MARKET_CLOCK, useValue: systemClock }],
  controllers: [InstrumentsController, MarketController],
  exports: [InstrumentsService, MarketService, MARKET_CLOCK],
})
export class MarketModule {}
