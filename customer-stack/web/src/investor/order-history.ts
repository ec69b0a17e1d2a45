// How an order reads in the investor's history: its state in words (with what happens next), the
// execution stack's coded refusals explained, and the average price of what filled.
import { big, compare, type Tone } from '@bulwark/ui-kit';
import { OPEN_STATUSES, type IntentStatus, type IntentView } from '../shared/orders-api';

export const AVERAGE_PRICE_DP = 8;

export const STATUS_TEXT: Readonly<Record<IntentStatus, { readonly label: string; readonly tone: Tone; readonly meaning: string }>> = {
  submitted: { label: 'Submitted', tone: 'info', meaning: 'Sent to the market; waiting for it to be accepted.' },
  accepted: { label: 'Working', tone: 'info', meaning: 'Accepted by the market and waiting to fill at your limit or better.' },
  cancel_requested: {
    label: 'Cancelling', tone: 'info', meaning: 'Cancel requested; what may still fill stays held until the market confirms, then the rest is released.',
  },
  expire_requested: {
    label: 'Expiring', tone: 'info', meaning: 'Its time in force ran out; what may still fill stays held until the market confirms, then the rest is released.',
  },
  filled: { label: 'Filled', tone: 'success', meaning: 'Completely filled.' },
  rejected: { label: 'Rejected', tone: 'error', meaning: 'The market refused it; nothing traded and the money held for it was released.' },
  cancelled: { label: 'Cancelled', tone: 'neutral', meaning: 'Cancelled; whatever had not filled was released.' },
  expired: { label: 'Expired', tone: 'neutral', meaning: 'Its time in force ran out; whatever had not filled was released.' },
};

/** The execution stack's refusal codes (intent.rejected.v1), in words. */
export const REJECT_TEXT: Readonly<Record<string, string>> = {
  unknown_instrument: 'The market does not list this instrument.',
  instrument_not_trading: 'The instrument was not trading (halted or closed) when the order arrived.',
  price_out_of_band: 'The limit price was outside the price band the market allows now.',
  bad_tick: 'The limit price was not on the instrument\'s price steps.',
  bad_lot: 'The quantity was not a whole number of lots.',
  duplicate_intent: 'The market had already received this order.',
  venue_unavailable: 'The market could not take orders at that moment.',
  transfer_not_compliant: 'The token\'s transfer rules would not allow this trade to settle.',
};

export function rejectReason(code: string | null): string {
  if (!code) return 'No reason was given.';
  return REJECT_TEXT[code] ?? 'The market refused it.';
}

export function isCancellable(intent: Pick<IntentView, 'status'>): boolean {
  return OPEN_STATUSES.includes(intent.status);
}

/** USD per unit over everything filled so far; null before the first fill. */
export function averagePrice(intent: Pick<IntentView, 'filledQuantity' | 'notional'>): string | null {
  if (compare(intent.filledQuantity, '0') <= 0) return null;
  return big(intent.notional).div(big(intent.filledQuantity)).round(AVERAGE_PRICE_DP, 2).toString();
}

/** "6 of 10" — how much of the order filled. */
export function filledText(intent: Pick<IntentView, 'filledQuantity' | 'quantity'>): string {
  return `${big(intent.filledQuantity).toString()} of ${big(intent.quantity).toString()}`;
}
