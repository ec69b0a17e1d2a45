// Public market data (instruments, books, trades, candles) is readable from any origin without
// credentials: it carries no personal data, and the investor SPA on the customer stack's origin
// reads it straight from the browser (the stacks themselves still talk only over NATS). `*` is
// deliberate: with it a browser never sends cookies, so no session of either stack comes along.
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const PUBLIC_MARKET_PATH = /^\/v1\/(instruments\/?|market\/[0-9a-fA-F-]{36}\/(book|trades|candles))$/;
const CORS_MAX_AGE_S = 600;

export function isPublicMarketRead(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') && PUBLIC_MARKET_PATH.test(path);
}

export function allowPublicMarketData(app: INestApplication): void {
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (!isPublicMarketRead(request.method, request.path)) return next();
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (request.method !== 'OPTIONS') return next();
    response.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
    response.setHeader('Access-Control-Max-Age', String(CORS_MAX_AGE_S));
    response.status(204).end();
  });
}
