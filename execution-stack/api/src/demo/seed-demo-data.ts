// What `npm start` seeds into the execution stack (see seed-demo.ts): kept apart so the start
// script can print it without running the seed.
import type { NewInstrument } from '../market/instruments.service.js';

export const DEMO_INSTRUMENTS: readonly NewInstrument[] = [
  { symbol: 'LK-ELECTION-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' },
  { symbol: 'LK-GOVBOND-2030', kind: 'security', tickSize: '0.01', lotSize: '1', priceMin: '50', priceMax: '150' },
];
export const DEMO_OPERATORS = ['op-demo-1', 'op-demo-2'] as const;
