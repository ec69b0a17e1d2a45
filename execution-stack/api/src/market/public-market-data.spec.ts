import { describe, expect, it } from '@jest/globals';
import { isPublicMarketRead } from './public-market-data.js';

const ID = '0b7d9c1e-3f0a-4c55-8a61-2d4e6f8a9b10';

describe('which requests are public market data (readable from any origin, no credentials)', () => {
  it.each([
    ['GET', '/v1/instruments', true],
    ['OPTIONS', '/v1/instruments', true],
    ['GET', `/v1/market/${ID}/book`, true],
    ['GET', `/v1/market/${ID}/trades`, true],
    ['HEAD', `/v1/market/${ID}/candles`, true],
    ['POST', '/v1/instruments', false],
    ['GET', '/v1/operator/audit', false],
    ['GET', '/v1/member/me', false],
    ['GET', `/v1/market/${ID}/book/extra`, false],
    ['GET', '/v1/market/feed', false],
    ['POST', '/v1/operator/instruments', false],
  ])('%s %s → %s', (method, path, expected) => {
    expect(isPublicMarketRead(method, path)).toBe(expected);
  });
});
