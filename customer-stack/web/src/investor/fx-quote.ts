// What the quote form checks before the stack does, and how a quote reads: the rate locked as
// "1 USD = x LKR" (USD is every pair's base), and whether it can still be used.
import { compare, isDecimal, secondsLeft } from '@bulwark/ui-kit';
import type { FxCurrency, FxQuote } from '../shared/money-api';

/** Minor units the stack rounds an amount to (customer-stack's money helpers). */
const MINOR_DIGITS: Readonly<Record<FxCurrency, number>> = { LKR: 2, USD: 2, EUR: 2, GBP: 2 };
/** The stack's limit on the whole part of an amount to convert. */
export const SELL_AMOUNT_WHOLE_DIGITS_MAX = 20;

export const CONVERSIONS: readonly { readonly sell: FxCurrency; readonly buy: FxCurrency }[] = [
  { sell: 'LKR', buy: 'USD' },
  { sell: 'USD', buy: 'LKR' },
];

export function validateSellAmount(amount: string, sell: FxCurrency): string | undefined {
  const text = amount.trim();
  if (!text) return `Enter how much ${sell} to convert.`;
  if (!isDecimal(text) || text.startsWith('-')) return 'Enter an amount like 25000 or 25000.50.';
  const [whole = '', fraction = ''] = text.split('.');
  if (fraction.length > MINOR_DIGITS[sell]) return `${sell} has ${MINOR_DIGITS[sell]} decimal places at most.`;
  if (whole.replace(/^0+/, '').length > SELL_AMOUNT_WHOLE_DIGITS_MAX) return 'That amount is too large.';
  if (compare(text, '0') <= 0) return 'Enter an amount above zero.';
  return undefined;
}

/** "1 USD = 301.234 LKR": the price is always the non-USD currency per one USD. */
export function rateText(quote: Pick<FxQuote, 'sell' | 'buy' | 'price'>): string {
  const other = quote.sell === 'USD' ? quote.buy : quote.sell;
  return `1 USD = ${quote.price} ${other}`;
}

export type QuoteState = { readonly usable: true; readonly secondsLeft: number } | { readonly usable: false; readonly secondsLeft: 0 };

export function quoteState(quote: Pick<FxQuote, 'expiresAt'>, now: number): QuoteState {
  const left = secondsLeft(quote.expiresAt, now);
  return left > 0 ? { usable: true, secondsLeft: left } : { usable: false, secondsLeft: 0 };
}
