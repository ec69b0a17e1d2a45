import { describe, expect, it } from '@jest/globals';
import { feedUrlOf } from './market-data';

describe('the market feed\'s address on the market-data origin', () => {
  it.each([
    ['http://localhost:3100', 'ws://localhost:3100/v1/market/feed'],
    ['https://market.example.com', 'wss://market.example.com/v1/market/feed'],
    ['https://market.example.com:8443/', 'wss://market.example.com:8443/v1/market/feed'],
  ])('%s → %s', (origin, feed) => {
    expect(feedUrlOf(origin)).toBe(feed);
  });
});
