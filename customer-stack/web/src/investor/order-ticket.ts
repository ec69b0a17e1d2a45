// The order ticket's arithmetic and checks, pure so they are tested exactly: what the stack will
// refuse (lot and tick sizes, positive amounts, the available balance including the fee) is said
// here first, in words; and the estimate is the stack's own reservation rule (quantity × limit
// plus the most the fee can be), so what the investor reads is what gets held. Decimal strings
// throughout: big.js does the sums, a JS number never holds an amount.
import { big, compare, isDecimal, isMultipleOf, roundTo } from '@bulwark/ui-kit';
import type { Side, TimeInForce } from '../shared/orders-api';

export const BPS_PER_UNIT = 10_000;
/** The stack's limits on a decimal (shared-contracts' DECIMAL_*_DIGITS_MAX). */
export const WHOLE_DIGITS_MAX = 30;
export const FRACTION_DIGITS_MAX = 18;

export interface TicketForm {
  readonly instrumentId: string;
  readonly side: Side;
  readonly quantity: string;
  readonly limitPrice: string;
  readonly timeInForce: TimeInForce;
  /** GTD only: the local date and time the order stays open until, as a datetime-local input gives it. */
  readonly expiresAt?: string;
}

/** What a GTD expiry is checked against: the time now, and how far ahead an order may stay open (the GTC lifetime). */
export interface ExpiryBounds {
  readonly nowMs: number;
  readonly horizonMs: number;
}

export interface TicketInstrument {
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly status: string;
}

export interface Holdings {
  /** Available (not reserved) USD cash. */
  readonly cashUsd: string;
  /** Available units of the chosen instrument. */
  readonly units: string;
}

export type TicketField = 'instrumentId' | 'quantity' | 'limitPrice' | 'expiresAt' | 'balance';
export type TicketErrors = Partial<Record<TicketField, string>>;

export interface Estimate {
  /** quantity × limit price: the most the order trades for. */
  readonly notional: string;
  /** The most the fee can be (feeBps of the notional). */
  readonly feeMax: string;
  /** Buy: what is held from available cash (notional + fee). Sell: the least that comes in (notional − fee). */
  readonly total: string;
}

function amountError(value: string, what: string, example: string): string | undefined {
  const text = value.trim();
  if (!text) return `Enter the ${what}.`;
  if (!isDecimal(text) || text.startsWith('-') || text.startsWith('+')) return `Enter the ${what} as a number like ${example}.`;
  const [whole = '', fraction = ''] = text.split('.');
  if (whole.replace(/^0+/, '').length > WHOLE_DIGITS_MAX || fraction.length > FRACTION_DIGITS_MAX) return `That ${what} is too large or too precise.`;
  if (compare(text, '0') <= 0) return `The ${what} must be above zero.`;
  return undefined;
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const DAY_MS = 86_400_000;

/** A GTD ticket's expiry as the stack takes it (UTC, milliseconds) from the local date and time picked; undefined when it is none. */
export function gtdExpiresAt(local: string): string | undefined {
  const text = local.trim();
  if (!LOCAL_DATE_TIME.test(text)) return undefined;
  const ms = new Date(text).getTime(); // a date-time without an offset is the investor's local time
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** What is wrong with a GTD expiry, in words: missing, not a date and time, not in the future, or further ahead than an order lives. */
export function expiryError(local: string | undefined, bounds: ExpiryBounds): string | undefined {
  if (!local?.trim()) return 'Choose until when the order stays open.';
  const at = gtdExpiresAt(local);
  if (!at) return 'Enter a date and time like 2026-12-31T17:00.';
  if (Date.parse(at) <= bounds.nowMs) return 'Choose a time in the future.';
  if (Date.parse(at) > bounds.nowMs + bounds.horizonMs) return `An order stays open at most ${Math.floor(bounds.horizonMs / DAY_MS)} days: choose an earlier time.`;
  return undefined;
}

/** The two valid neighbours of `value` on a grid of `step` (the nearest below and above). */
export function neighbours(value: string, step: string): readonly [string, string] {
  const units = big(value).div(big(step));
  const below = units.round(0, 0).times(big(step));
  const above = units.round(0, 3).times(big(step));
  return [below.toString(), above.toString()];
}

/** Exact cost of a ticket: the stack's reservation rule, no rounding. */
export function estimate(side: Side, quantity: string, limitPrice: string, feeBps: number): Estimate {
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > BPS_PER_UNIT) throw new Error(`fee rate out of range: ${feeBps}`);
  const notional = big(quantity).times(big(limitPrice));
  const feeMax = notional.times(feeBps).div(BPS_PER_UNIT);
  const total = side === 'buy' ? notional.plus(feeMax) : notional.minus(feeMax);
  if (side === 'buy' ? total.lt(notional) : total.gt(notional)) throw new Error('the fee moved the total the wrong way');
  return { notional: notional.toString(), feeMax: feeMax.toString(), total: total.toString() };
}

/**
 * Every problem with the ticket, by field, in the words the investor needs; and the estimate
 * when quantity and price are good (shown even while the balance falls short, so they see by how much).
 */
export function checkTicket(
  form: TicketForm, instrument: TicketInstrument | undefined, holdings: Holdings, feeBps: number, expiry?: ExpiryBounds,
): { errors: TicketErrors; estimate?: Estimate } {
  const errors: TicketErrors = {};
  if (form.timeInForce === 'GTD') {
    const problem = expiry ? expiryError(form.expiresAt, expiry) : 'This ticket cannot check an expiry now.';
    if (problem) errors.expiresAt = problem;
  }
  if (!instrument) errors.instrumentId = 'Choose what to trade.';
  else if (instrument.status !== 'open') errors.instrumentId = `${instrument.symbol} is not trading now (${instrument.status}); orders would be refused.`;
  const quantityError = amountError(form.quantity, 'quantity', '10');
  const priceError = amountError(form.limitPrice, 'limit price', '0.55');
  if (quantityError) errors.quantity = quantityError;
  if (priceError) errors.limitPrice = priceError;
  if (instrument && !quantityError && !isMultipleOf(form.quantity.trim(), instrument.lotSize)) {
    const [below, above] = neighbours(form.quantity.trim(), instrument.lotSize);
    errors.quantity = `${instrument.symbol} trades in lots of ${instrument.lotSize}: try ${compare(below, '0') > 0 ? `${below} or ` : ''}${above}.`;
  }
  if (instrument && !priceError && !isMultipleOf(form.limitPrice.trim(), instrument.tickSize)) {
    const [below, above] = neighbours(form.limitPrice.trim(), instrument.tickSize);
    errors.limitPrice = `Prices move in steps of ${instrument.tickSize} USD: try ${compare(below, '0') > 0 ? `${below} or ` : ''}${above}.`;
  }
  if (quantityError || priceError) return { errors };
  const cost = estimate(form.side, form.quantity.trim(), form.limitPrice.trim(), feeBps);
  if (form.side === 'buy' && compare(cost.total, holdings.cashUsd) > 0) {
    errors.balance = `This order holds up to ${cost.total} USD (the fee included) and ${holdings.cashUsd} USD is available. Lower the quantity or price, or add USD first.`;
  }
  if (form.side === 'sell' && compare(form.quantity.trim(), holdings.units) > 0) {
    errors.balance = `You can sell at most ${holdings.units} units now (the rest is not yours or is held by open orders).`;
  }
  return { errors, estimate: cost };
}

/** Rounding away from zero: an amount the investor may have to pay is never understated. */
const ROUND_UP = 3;

/** What `usd` comes to in the investor's own currency at a quoted rate (`pricePerUsd` local units per 1 USD), rounded up to the cent. */
export function inLocalCurrency(usd: string, pricePerUsd: string): string {
  return roundTo(big(usd).times(big(pricePerUsd)).round(2, ROUND_UP), 2);
}
