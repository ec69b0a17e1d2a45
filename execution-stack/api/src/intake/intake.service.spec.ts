import { describe, expect, it } from '@jest/globals';
import { intakeRefusal } from './intake.service.js';
import type { Instrument } from '../market/instruments.service.js';

const instrument: Instrument = {
  id: '6f1c2b9e-2f4a-4c1e-9d7a-3b8e5c2a1f00',
  symbol: 'EVT-YES',
  kind: 'event',
  tickSize: '0.01',
  lotSize: '5',
  status: 'open',
  priceMin: '0.01',
  priceMax: '1',
  bandWidth: '0',
  haltMoveBps: 2_000,
  haltWindowMs: 60_000,
  haltCooldownMs: 30_000,
};
const intent = (limitPrice: string, quantity: string) => ({
  intentId: '0b8c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3', accountRef: '1b8c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3', tenantRef: '2b8c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3',
  instrumentId: instrument.id, side: 'buy' as const, quantity, limitPrice, timeInForce: 'GTC' as const, submittedAt: '2026-11-21T10:00:00.000Z',
});

describe('intakeRefusal', () => {
  it.each([
    ['on tick and lot', '0.55', '10', instrument, undefined],
    ['price between ticks', '0.555', '10', instrument, 'bad_tick'],
    ['quantity between lots', '0.55', '7', instrument, 'bad_lot'],
    ['unknown instrument', '0.55', '10', undefined, 'unknown_instrument'],
    ['halted instrument', '0.55', '10', { ...instrument, status: 'halted' as const }, 'instrument_not_trading'],
  ])('%s → %s', (_name, price, quantity, listed, expected) => {
    expect(intakeRefusal(intent(price, quantity), listed)).toBe(expected);
  });
});
