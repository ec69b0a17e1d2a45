// A quote as the investor sees it: the rate locked until a visible expiry, counting down; an
// expired quote says so and can no longer be used, only replaced.
import type { ReactNode } from 'react';
import { Alert, Badge, Button, KeyValues, formatCountdown, formatInstant, formatMoney, useNow } from '@bulwark/ui-kit';
import type { FxQuote } from '../shared/money-api';
import { quoteState, rateText } from './fx-quote';

export function QuoteCard({ quote, onRenew, renewing, children }: {
  readonly quote: FxQuote;
  readonly onRenew: () => void;
  readonly renewing: boolean;
  /** What the quote is for (a deposit button), given whether it can still be used. */
  readonly children?: (usable: boolean) => ReactNode;
}) {
  const now = useNow(1_000);
  const state = quoteState(quote, now);
  return (
    <div className="card" data-testid="fx-quote">
      <div className="card-head">
        <h3>Your quote</h3>
        {state.usable ? <Badge tone="success">Rate locked</Badge> : <Badge tone="error">Expired</Badge>}
      </div>
      <KeyValues items={[
        ['You pay', formatMoney(quote.sellAmount, quote.sell)],
        ['You get', formatMoney(quote.buyAmount, quote.buy)],
        ['Rate', rateText(quote)],
        ['Our margin', `${quote.spreadBps / 100}% (included in the rate)`],
        ['Valid until', formatInstant(quote.expiresAt)],
      ]} />
      {state.usable ? (
        <p>Expires in <strong role="timer" aria-label={`${state.secondsLeft} seconds left`}>{formatCountdown(state.secondsLeft)}</strong></p>
      ) : (
        <Alert tone="warning" title="This quote has expired">
          <p>Its rate can no longer be used. Ask for a new quote at the current rate.</p>
        </Alert>
      )}
      {children?.(state.usable)}
      <div className="row">
        <Button variant={state.usable ? 'secondary' : 'primary'} busy={renewing} onClick={onRenew}>Get a new quote</Button>
      </div>
    </div>
  );
}
