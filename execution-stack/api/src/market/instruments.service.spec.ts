import { describe, expect, it } from '@jest/globals';
import { NewInstrument } from './instruments.service.js';

describe('NewInstrument', () => {
  it.each([
    ['an event contract defaults to [one tick, 1]', { kind: 'event' }, { priceMin: '0.01', priceMax: '1' }],
    ['a security defaults to [one tick, 100,000 ticks]', { kind: 'security' }, { priceMin: '0.01', priceMax: '1000' }],
    ['an explicit band is kept', { kind: 'security', priceMin: '5', priceMax: '50' }, { priceMin: '5', priceMax: '50' }],
  ])('%s', (_what, input, expected) => {
    expect(NewInstrument.parse({ symbol: 'ABC', tickSize: '0.01', lotSize: '1', ...input })).toMatchObject(expected);
  });

  it.each([
    ['an off-tick band', { priceMax: '10.005' }],
    ['a band wider than the level limit', { priceMax: '5000' }],
    ['an inverted band', { priceMin: '10', priceMax: '5' }],
    ['an off-tick band width', { bandWidth: '0.001' }],
  ])('refuses %s', (_what, input) => {
    expect(NewInstrument.safeParse({ symbol: 'ABC', kind: 'security', tickSize: '0.01', lotSize: '1', ...input }).success).toBe(false);
  });
});
