// What `npm start` seeds into the execution stack (see seed-demo.ts): kept apart so the start
// script can print it without running the seed.
import type { NewInstrument } from '../market/instruments.service.js';

export const DEMO_INSTRUMENTS: readonly NewInstrument[] = [
  { symbol: 'LK-ELECTION-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' },
  { symbol: 'LK-GOVBOND-2030', kind: 'security', tickSize: '0.01', lotSize: '1', priceMin: '50', priceMax: '150' },
];
export const DEMO_OPERATORS = ['op-demo-1', 'op-demo-2'] as const;
/**
 * What `npm start`'s market maker quotes (MARKET_MAKER_QUOTES): its own demo events and the seeded
 * LK instruments, so each has a seller and a buyer from the start (with the chain on, it is
 * stocked with every instrument it quotes, so its asks pass the on-chain pre-trade check).
 */
export const DEMO_MARKET_MAKER_QUOTES = 'DEMO-RAIN-YES=0.55,DEMO-ELECTION-YES=0.30,LK-ELECTION-2027-YES=0.40,LK-GOVBOND-2030=100.00';
