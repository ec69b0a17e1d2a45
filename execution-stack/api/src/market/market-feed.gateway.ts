// Serves the feed on the application's HTTP server: WebSocket upgrades on /v1/market/feed.
import type { Server } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FEED_CLIENT_MESSAGE_BYTES_MAX } from './feed-hub.js';
import { MarketService } from './market.service.js';
import { WebSocketRoute } from './websocket-route.js';

export const MARKET_FEED_PATH = '/v1/market/feed';

@Injectable()
export class MarketFeedGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly route: WebSocketRoute<null>;

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(MarketService) private readonly market: MarketService,
  ) {
    // The public feed needs no credentials: every upgrade on its path is accepted.
    this.route = new WebSocketRoute(MARKET_FEED_PATH, FEED_CLIENT_MESSAGE_BYTES_MAX, () => Promise.resolve(null), (ws) => this.market.feed.attach(ws));
  }

  onApplicationBootstrap(): void {
    this.route.listen(this.adapterHost.httpAdapter.getHttpServer() as Server);
  }

  // Before the HTTP server closes: it waits for every open connection, these sockets included.
  beforeApplicationShutdown(): void {
    this.route.close();
    this.market.feed.close();
  }
}
