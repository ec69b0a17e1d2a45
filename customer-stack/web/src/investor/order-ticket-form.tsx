// The order ticket: what to trade, buy or sell, how many, the limit price and the time in force.
// "Review order" checks it (lots, ticks, amounts, the available balance with the fee) and shows
// the estimate — the exact amount the stack will hold, and where the investor's money is in
// another currency, that amount at a live quote with its rate and source. "Place order" sends it
// once (its Idempotency-Key is fixed at review, so a retry cannot place it twice) and the result
// is followed until the market answers: accepted, or rejected with its coded reason.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import {
  Alert, Badge, Button, ErrorAlert, Field, KeyValues, SelectField, formatDecimal, formatInstant, newIdempotencyKey, trimDecimal, useAction, useResource,
} from '@bulwark/ui-kit';
import type { Instrument } from '../shared/market-data';
import { fx, ledger, type FxCurrency, type FxQuote } from '../shared/money-api';
import { orders, type IntentView, type Side, type TimeInForce, type TradingTerms } from '../shared/orders-api';
import { balanceSheet } from './balances';
import { STATUS_TEXT, rejectReason } from './order-history';
import { checkTicket, gtdExpiresAt, inLocalCurrency, type Estimate, type TicketErrors, type TicketForm } from './order-ticket';

const BALANCES_REFRESH_MS = 15_000;
const RESULT_POLL_MS = 1_500;
/** A representative amount to quote the local currency's rate with (the rate is per USD). */
const FX_RATE_PROBE_AMOUNT = '10000';
const LOCAL_CURRENCIES: readonly FxCurrency[] = ['LKR', 'EUR', 'GBP'];

const TIF_TEXT: Readonly<Record<TimeInForce, string>> = {
  GTC: 'Good till cancelled',
  IOC: 'Immediate or cancel (what fills now; the rest is cancelled)',
  FOK: 'Fill or kill (all now, or nothing)',
  GTD: 'Good till date (open until the time you choose)',
};

const usd = (value: string) => `${trimDecimal(value)} USD`;

interface Review {
  readonly form: TicketForm;
  readonly instrument: Instrument;
  readonly estimate: Estimate;
  readonly idempotencyKey: string;
}

function FxLine({ total, local }: { readonly total: string; readonly local: FxCurrency }) {
  const quote = useResource<FxQuote>(() => fx.quote(local, 'USD', FX_RATE_PROBE_AMOUNT), [total, local]);
  if (quote.resource.status === 'loading') return <p className="muted">Getting the {local} rate…</p>;
  if (quote.resource.status === 'error') return <p className="muted">The {local} rate is not available right now; the order is paid in USD either way.</p>;
  const q = quote.resource.data;
  return (
    <p data-testid="ticket-fx">
      About <strong>{formatDecimal(inLocalCurrency(total, q.price), 2)} {local}</strong> at 1 USD = {q.price} {local}
      {' '}(rate from {q.provider}, our margin of {q.spreadBps / 100}% included, quoted until {formatInstant(q.expiresAt)}).
      {' '}Orders are paid from USD: convert on the Money page first if you need to.
    </p>
  );
}

function ReviewCard({ review, terms, local, onChange, onPlaced }: {
  readonly review: Review;
  readonly terms: TradingTerms;
  readonly local: FxCurrency | undefined;
  readonly onChange: () => void;
  readonly onPlaced: (intent: IntentView) => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const [placing, place] = useAction(async () => {
    const { form } = review;
    const intent = await orders.place(
      {
        instrumentId: form.instrumentId, side: form.side, quantity: form.quantity.trim(), limitPrice: form.limitPrice.trim(), timeInForce: form.timeInForce,
        ...(form.timeInForce === 'GTD' ? { expiresAt: gtdExpiresAt(form.expiresAt ?? '') } : {}),
      },
      review.idempotencyKey,
    );
    onPlaced(intent);
    return intent;
  });
  const { form, estimate, instrument } = review;
  const buying = form.side === 'buy';
  return (
    <div className="card review" data-testid="order-review">
      <h3 ref={heading} tabIndex={-1}>Check your order</h3>
      <KeyValues items={[
        ['Order', <span key="o" className={buying ? 'buy' : 'sell'}>{buying ? 'Buy' : 'Sell'} {trimDecimal(form.quantity.trim())} {instrument.symbol}</span>],
        ['Limit price', `${usd(form.limitPrice.trim())} per unit`],
        ['Time in force', TIF_TEXT[form.timeInForce]],
        ...(form.timeInForce === 'GTD' ? [['Open until', formatInstant(gtdExpiresAt(form.expiresAt ?? '') ?? '')] as const] : []),
        ['Trade value at your limit', usd(estimate.notional)],
        [`Fee (at most ${terms.feeBps / 100}%)`, usd(estimate.feeMax)],
        [buying ? 'Held from your cash' : 'You receive at least', <strong key="t">{usd(estimate.total)}</strong>],
      ]} />
      <p className="hint">
        {buying
          ? 'This is the most the order can cost. If it fills at a better price or pays a lower fee, the difference is released to your available cash.'
          : 'If it fills at a better price, you receive more.'}
      </p>
      {buying && local ? <FxLine total={estimate.total} local={local} /> : null}
      {placing.status === 'failed' ? <ErrorAlert error={placing.error} /> : null}
      <div className="row">
        <Button onClick={() => void place()} busy={placing.status === 'running'}>Place order</Button>
        <Button variant="secondary" onClick={onChange} disabled={placing.status === 'running'}>Change order</Button>
      </div>
    </div>
  );
}

function PlacedCard({ placed, symbol, onAnother }: { readonly placed: IntentView; readonly symbol: string; readonly onAnother: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // Follow the intent until the market has answered (accepted, rejected, or further on).
  const followed = useResource((signal) => orders.get(placed.intentId, signal), [placed.intentId], RESULT_POLL_MS);
  const intent = followed.resource.status === 'ready' ? followed.resource.data : placed;
  const status = STATUS_TEXT[intent.status];
  return (
    <div className="card" data-testid="order-result" aria-live="polite">
      <div className="card-head">
        <h3 ref={heading} tabIndex={-1}>{intent.status === 'rejected' ? 'Your order was rejected' : 'Your order was placed'}</h3>
        <Badge tone={status.tone}>{status.label}</Badge>
      </div>
      <p>{intent.side === 'buy' ? 'Buy' : 'Sell'} {trimDecimal(intent.quantity)} {symbol} at {usd(intent.limitPrice)}. {status.meaning}</p>
      {intent.status === 'rejected' ? (
        <Alert tone="error" title="Why">
          <p>{rejectReason(intent.rejectCode)}</p>
          {intent.rejectCode ? <p className="small">Code <code>{intent.rejectCode}</code>.</p> : null}
        </Alert>
      ) : null}
      <p className="small muted">Order reference <code>{intent.intentId}</code></p>
      <div className="row">
        <Link to={`/orders?intent=${intent.intentId}`}>See it in your orders</Link>
        <Button variant="secondary" onClick={onAnother}>New order</Button>
      </div>
    </div>
  );
}

export function OrderTicket({ instrument, instruments, terms, onInstrument }: {
  readonly instrument: Instrument | undefined;
  readonly instruments: readonly Instrument[];
  readonly terms: TradingTerms;
  readonly onInstrument: (instrumentId: string) => void;
}) {
  const [side, setSide] = useState<Side>('buy');
  const [quantity, setQuantity] = useState('');
  const [limitPrice, setLimitPrice] = useState('');
  const [timeInForce, setTimeInForce] = useState<TimeInForce>('GTC');
  const [expiresAt, setExpiresAt] = useState('');
  const [errors, setErrors] = useState<TicketErrors>({});
  const [review, setReview] = useState<Review | undefined>();
  const [placed, setPlaced] = useState<IntentView | undefined>();
  const balances = useResource((signal) => ledger.balances(signal), [], BALANCES_REFRESH_MS);
  const sheet = balances.resource.status === 'ready' ? balanceSheet(balances.resource.data.accounts) : undefined;
  const cashUsd = sheet?.cash.find((line) => line.currency === 'USD')?.available ?? '0';
  const units = sheet?.positions.find((line) => line.instrumentId === instrument?.id)?.quantity ?? '0';
  const local = sheet?.cash.map((line) => line.currency as FxCurrency).find((currency) => LOCAL_CURRENCIES.includes(currency));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const form: TicketForm = { instrumentId: instrument?.id ?? '', side, quantity, limitPrice, timeInForce, expiresAt };
    if (!sheet) return setErrors({ balance: 'Your balance is still loading; try again in a moment.' });
    const checked = checkTicket(form, instrument, { cashUsd, units }, terms.feeBps, { nowMs: Date.now(), horizonMs: terms.gtcTtlMs });
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length > 0 || !checked.estimate || !instrument) return;
    setReview({ form, instrument, estimate: checked.estimate, idempotencyKey: newIdempotencyKey() });
  };
  const startAgain = () => {
    setPlaced(undefined);
    setReview(undefined);
    balances.reload();
  };

  if (placed) return <PlacedCard placed={placed} symbol={instrument?.symbol ?? placed.instrumentId} onAnother={startAgain} />;
  if (review) {
    return <ReviewCard review={review} terms={terms} local={local} onChange={() => setReview(undefined)} onPlaced={(intent) => { setPlaced(intent); balances.reload(); }} />;
  }
  return (
    <form onSubmit={submit} noValidate className="ticket" aria-label="Order ticket">
      <SelectField label="Instrument" name="instrument" value={instrument?.id ?? ''} error={errors.instrumentId}
        onChange={(event) => onInstrument(event.target.value)}
        options={[{ value: '', label: 'Choose…' }, ...instruments.map((i) => ({ value: i.id, label: `${i.symbol} (${i.kind === 'event' ? 'event contract' : 'security'})` }))]} />
      <fieldset>
        <legend>Side</legend>
        <div className="radio-row">
          {(['buy', 'sell'] as const).map((value) => (
            <label key={value}>
              <input type="radio" name="side" value={value} checked={side === value} onChange={() => setSide(value)} /> {value === 'buy' ? 'Buy' : 'Sell'}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label="Quantity" name="quantity" inputMode="decimal" autoComplete="off" value={quantity} error={errors.quantity}
        hint={instrument ? `In lots of ${instrument.lotSize}.${side === 'sell' ? ` You can sell ${trimDecimal(units)}.` : ''}` : undefined}
        onChange={(event) => setQuantity(event.target.value)} />
      <Field label="Limit price (USD per unit)" name="limit-price" inputMode="decimal" autoComplete="off" value={limitPrice} error={errors.limitPrice}
        hint={instrument ? `In steps of ${instrument.tickSize}. ${side === 'buy' ? 'The most you pay per unit.' : 'The least you accept per unit.'}` : undefined}
        onChange={(event) => setLimitPrice(event.target.value)} />
      <SelectField label="Time in force" name="time-in-force" value={timeInForce} onChange={(event) => setTimeInForce(event.target.value as TimeInForce)}
        options={terms.timesInForce.map((tif) => ({ value: tif, label: TIF_TEXT[tif] }))} />
      {timeInForce === 'GTD' ? (
        <Field label="Open until (your local time)" name="expires-at" type="datetime-local" value={expiresAt} error={errors.expiresAt}
          hint="The order is withdrawn at this time; what has not filled by then is released." onChange={(event) => setExpiresAt(event.target.value)} />
      ) : null}
      <p className="hint">Available to buy with: <strong>{sheet ? usd(cashUsd) : 'checking…'}</strong>. Fees are at most {terms.feeBps / 100}% of the trade value.</p>
      {errors.balance ? <Alert tone="error" title="Not enough to cover this order"><p>{errors.balance}</p></Alert> : null}
      <Button type="submit">Review order</Button>
    </form>
  );
}
