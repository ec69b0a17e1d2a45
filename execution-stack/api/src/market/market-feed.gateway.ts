// Serves the feed on the application's HTTP server: WebSocket upgrades on /v1/market/feed.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer } from 'ws';
import { FEED_CLIENT_MESSAGE_BYTES_MAX } from './feed-hub.js';
import { MarketService } from './market.service.js';

export const MARKET_FEED_PATH = '/v1/market/feed';

@Injectable()
export class MarketFeedGateway implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: FEED_CLIENT_MESSAGE_BYTES_MAX });
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(request.url ?? '/', 'http://feed').pathname !== MARKET_FEED_PATH) return;
    this.server.handleUpgrade(request, socket, head, (ws) => this.market.feed.attach(ws));
  };

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(MarketService) private readonly market: MarketService,
  ) {}

  onApplicationBootstrap(): void {
    this.adapterHost.httpAdapter.getHttpServer().on('upgrade', this.onUpgrade);
  }

  onApplicationShutdown(): void {
    this.adapterHost.httpAdapter?.getHttpServer()?.off('upgrade', this.onUpgrade);
    this.market.feed.close();
    this.server.close();
  }
}
