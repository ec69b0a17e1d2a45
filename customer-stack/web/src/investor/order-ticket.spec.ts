import { describe, expect, it } from '@jest/globals';
import { checkTicket, estimate, expiryError, gtdExpiresAt, inLocalCurrency, neighbours, type TicketForm, type TicketInstrument } from './order-ticket';

const EVENT: TicketInstrument = { symbol: 'RAIN-CMB', tickSize: '0.01', lotSize: '1', status: 'open' };
const ticket = (change: Partial<TicketForm> = {}): TicketForm => ({ instrumentId: 'i', side: 'buy', quantity: '10', limitPrice: '0.55', timeInForce: 'GTC', ...change });
const rich = { cashUsd: '1000', units: '0' };

describe('the estimate is the stack\'s own reservation rule, exact', () => {
  it.each([
    // side, quantity, price, fee bps, notional, most fee, total
    ['buy', '10', '0.55', 10, '5.5', '0.0055', '5.5055'],
    ['buy', '3', '0.333', 10, '0.999', '0.000999', '0.999999'],
    ['buy', '7', '0.01', 0, '0.07', '0', '0.07'],
    ['sell', '4', '0.6', 10, '2.4', '0.0024', '2.3976'],
    ['buy', '1000000', '0.99', 1000, '990000', '99000', '1089000'],
  ] as const)('%s %s at %s, fee %i bps', (side, quantity, price, feeBps, notional, feeMax, total) => {
    expect(estimate(side, quantity, price, feeBps)).toEqual({ notional, feeMax, total });
  });

  it('refuses a fee rate outside 0–10,000 bps (a broken terms answer, not a number to trust)', () => {
    expect(() => estimate('buy', '1', '1', -1)).toThrow('fee rate');
    expect(() => estimate('buy', '1', '1', 1.5)).toThrow('fee rate');
  });

  it('converts at the quoted rate, rounded up to the cent so the local amount is never understated', () => {
    expect(inLocalCurrency('5.5055', '301.5075')).toBe('1659.95');
    expect(inLocalCurrency('1', '300')).toBe('300.00');
  });
});

describe('the ticket says what the stack would refuse, before it does', () => {
  it('accepts a good ticket and gives its estimate', () => {
    expect(checkTicket(ticket(), EVENT, rich, 10)).toEqual({ errors: {}, estimate: { notional: '5.5', feeMax: '0.0055', total: '5.5055' } });
  });

  it.each([
    ['no instrument', ticket(), undefined, rich, { instrumentId: 'Choose what to trade.' }],
    ['a halted instrument', ticket(), { ...EVENT, status: 'halted' }, rich, { instrumentId: 'RAIN-CMB is not trading now (halted); orders would be refused.' }],
    ['an empty quantity', ticket({ quantity: ' ' }), EVENT, rich, { quantity: 'Enter the quantity.' }],
    ['a word for a quantity', ticket({ quantity: 'ten' }), EVENT, rich, { quantity: 'Enter the quantity as a number like 10.' }],
    ['a negative quantity', ticket({ quantity: '-3' }), EVENT, rich, { quantity: 'Enter the quantity as a number like 10.' }],
    ['a zero price', ticket({ limitPrice: '0.00' }), EVENT, rich, { limitPrice: 'The limit price must be above zero.' }],
    ['exponent notation', ticket({ limitPrice: '5e-1' }), EVENT, rich, { limitPrice: 'Enter the limit price as a number like 0.55.' }],
    ['a too precise quantity', ticket({ quantity: `1.${'0'.repeat(19)}` }), EVENT, rich, { quantity: 'That quantity is too large or too precise.' }],
    ['a part lot', ticket({ quantity: '2.5' }), EVENT, rich, { quantity: 'RAIN-CMB trades in lots of 1: try 2 or 3.' }],
    ['less than a lot', ticket({ quantity: '0.5' }), EVENT, rich, { quantity: 'RAIN-CMB trades in lots of 1: try 1.' }],
    ['off the tick', ticket({ limitPrice: '0.555' }), EVENT, rich, { limitPrice: 'Prices move in steps of 0.01 USD: try 0.55 or 0.56.' }],
    ['a buy above the available cash (fee included)', ticket(), EVENT, { cashUsd: '5.50', units: '0' },
      { balance: 'This order holds up to 5.5055 USD (the fee included) and 5.50 USD is available. Lower the quantity or price, or add USD first.' }],
    ['a sale of more than is held', ticket({ side: 'sell', quantity: '3' }), EVENT, { cashUsd: '0', units: '2' },
      { balance: 'You can sell at most 2 units now (the rest is not yours or is held by open orders).' }],
  ] as const)('flags %s', (_why, form, instrument, holdings, expected) => {
    expect(checkTicket(form, instrument, holdings, 10).errors).toEqual(expected);
  });

  it('still shows the estimate when only the balance falls short, so the investor sees by how much', () => {
    expect(checkTicket(ticket(), EVENT, { cashUsd: '1', units: '0' }, 10).estimate?.total).toBe('5.5055');
  });

  it('finds the valid neighbours on a lot or tick grid', () => {
    expect(neighbours('0.555', '0.01')).toEqual(['0.55', '0.56']);
    expect(neighbours('12', '5')).toEqual(['10', '15']);
    expect(neighbours('0.5', '1')).toEqual(['0', '1']);
  });
});

describe('a GTD ticket names when it stops trading', () => {
  const nowMs = new Date(2026, 10, 22, 9, 0).getTime(); // local time, as the investor's browser reads the input
  const bounds = { nowMs, horizonMs: 30 * 86_400_000 };

  it('turns the local date and time picked into the UTC instant the stack takes', () => {
    expect(gtdExpiresAt('2026-11-22T17:30')).toBe(new Date(2026, 10, 22, 17, 30).toISOString());
    expect(gtdExpiresAt(' 2026-11-22T17:30:15 ')).toBe(new Date(2026, 10, 22, 17, 30, 15).toISOString());
    expect(gtdExpiresAt('tomorrow')).toBeUndefined();
    expect(gtdExpiresAt('2026-11-22')).toBeUndefined();
  });

  it.each([
    ['a time later today', '2026-11-22T17:30', undefined],
    ['the end of the horizon', '2026-12-22T09:00', undefined],
    ['nothing chosen', ' ', 'Choose until when the order stays open.'],
    ['not a date and time', '22/11/2026 17:30', 'Enter a date and time like 2026-12-31T17:00.'],
    ['now', '2026-11-22T09:00', 'Choose a time in the future.'],
    ['beyond the horizon', '2026-12-22T09:01', 'An order stays open at most 30 days: choose an earlier time.'],
  ] as const)('%s', (_why, local, expected) => {
    expect(expiryError(local, bounds)).toBe(expected);
  });

  it('the ticket flags the expiry of a GTD order only, with the rest of its checks', () => {
    expect(checkTicket(ticket({ timeInForce: 'GTD', expiresAt: '2026-11-22T17:30' }), EVENT, rich, 10, bounds).errors).toEqual({});
    expect(checkTicket(ticket({ timeInForce: 'GTD', quantity: '2.5' }), EVENT, rich, 10, bounds).errors).toEqual({
      expiresAt: 'Choose until when the order stays open.', quantity: 'RAIN-CMB trades in lots of 1: try 2 or 3.',
    });
    expect(checkTicket(ticket({ expiresAt: '' }), EVENT, rich, 10, bounds).errors).toEqual({});
  });
});
