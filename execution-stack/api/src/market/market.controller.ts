// Public market data over REST: the book, recent trades and candles of an instrument.
import { Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CANDLE_INTERVAL_NAMES, type CandleInterval } from './candles.js';
import { FEED_DEPTH_LEVELS } from './feed-hub.js';
import { MARKET_PAGE_ROWS_MAX, MarketService, type BookView } from './market.service.js';

const Page = z.coerce.number().int().min(1).max(MARKET_PAGE_ROWS_MAX).default(100);
const Levels = z.coerce.number().int().min(1).max(FEED_DEPTH_LEVELS).default(20);
const Interval = z.enum(CANDLE_INTERVAL_NAMES as [CandleInterval, ...CandleInterval[]]).default('1m');

@ApiTags('market')
@Controller('v1/market')
export class MarketController {
  constructor(@Inject(MarketService) private readonly market: MarketService) {}

  /** The L2 book (best levels first), the session state and the last price. */
  @Get(':instrumentId/book')
  @ApiOkResponse({ description: 'Order book' })
  async book(@Param('instrumentId', ParseUUIDPipe) instrumentId: string, @Query('levels') levels?: string): Promise<BookView> {
    const view = await this.market.book(instrumentId, Levels.parse(levels));
    if (!view) throw new NotFoundException({ message: 'No instrument has this id.', code: 'unknown_instrument' });
    return view;
  }

  @Get(':instrumentId/trades')
  @ApiOkResponse({ description: 'Recent trades, newest first' })
  async trades(@Param('instrumentId', ParseUUIDPipe) instrumentId: string, @Query('limit') limit?: string): Promise<{ trades: Record<string, string>[] }> {
    return { trades: await this.market.trades(instrumentId, Page.parse(limit)) };
  }

  /** OHLC candles (1s, 1m, 1h, 1d), oldest first. */
  @Get(':instrumentId/candles')
  @ApiOkResponse({ description: 'OHLC candles' })
  async candles(
    @Param('instrumentId', ParseUUIDPipe) instrumentId: string,
    @Query('interval') interval?: string,
    @Query('limit') limit?: string,
  ): Promise<{ interval: CandleInterval; candles: Record<string, string | number>[] }> {
    const parsed = Interval.safeParse(interval);
    if (!parsed.success) throw new NotFoundException({ message: 'Intervals are 1s, 1m, 1h and 1d.', code: 'bad_interval' });
    return { interval: parsed.data, candles: await this.market.candles(instrumentId, parsed.data, Page.parse(limit)) };
  }
}
