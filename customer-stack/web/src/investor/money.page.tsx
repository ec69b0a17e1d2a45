// The investor's money: balances straight from the ledger (available, reserved, positions), and
// a live FX quote whose rate is locked until a visible expiry; an expired quote says so and can
// no longer be used, only replaced.
import { useState, type FormEvent } from 'react';
import {
  Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, SelectField, formatDecimal, formatMoney, useAction, useResource,
} from '@bulwark/ui-kit';
import { fx, ledger, type FxQuote } from '../shared/money-api';
import { APP_NAME } from './app-name';
import { balanceSheet, type CashLine, type PositionLine } from './balances';
import { CONVERSIONS, validateSellAmount } from './fx-quote';
import { QuoteCard } from './quote-card';
import { useTradingSetup } from './trading-setup';

const BALANCES_REFRESH_MS = 15_000;
/** Positions are shown to 8 places: instruments trade in fractions. */
const QUANTITY_DP = 8;

function Balances() {
  const handle = useResource((signal) => ledger.balances(signal), [], BALANCES_REFRESH_MS);
  const setup = useTradingSetup();
  const symbolOf = (instrumentId: string) => (setup.resource.status === 'ready' ? setup.resource.data.instruments.find((i) => i.id === instrumentId)?.symbol : undefined);
  return (
    <Section title="Balances" actions={<Button variant="secondary" onClick={handle.reload}>Refresh</Button>}>
      <ResourceView handle={handle} label="your balances" isEmpty={(data) => data.accounts.length === 0}
        empty="There is no money in your account yet. Your balances appear here once a deposit arrives.">
        {(data) => {
          const sheet = balanceSheet(data.accounts);
          return (
            <div className="stack">
              {sheet.cash.length > 0 ? (
                <DataTable<CashLine> caption="Cash" rowKey={(line) => line.currency} rows={sheet.cash} columns={[
                  { header: 'Currency', render: (line) => line.currency },
                  { header: 'Available', align: 'end', render: (line) => formatMoney(line.available, line.currency) },
                  { header: 'Reserved', align: 'end', render: (line) => formatMoney(line.reserved, line.currency) },
                  { header: 'Total', align: 'end', render: (line) => formatMoney(line.total, line.currency) },
                ]} />
              ) : null}
              <p className="hint">Available is what you can spend or sell now; reserved is held for your open orders and withdrawals.</p>
              {sheet.positions.length > 0 ? (
                <DataTable<PositionLine> caption="Positions" rowKey={(line) => line.instrumentId} rows={sheet.positions} columns={[
                  { header: 'Instrument', render: (line) => symbolOf(line.instrumentId) ?? <code>{line.instrumentId}</code> },
                  { header: 'Available', align: 'end', render: (line) => formatDecimal(line.quantity, QUANTITY_DP) },
                  { header: 'Reserved', align: 'end', render: (line) => formatDecimal(line.reserved, QUANTITY_DP) },
                ]} />
              ) : <p className="muted">You hold no positions.</p>}
            </div>
          );
        }}
      </ResourceView>
    </Section>
  );
}

const conversionKey = (c: { readonly sell: string; readonly buy: string } | undefined): string => (c ? `${c.sell}-${c.buy}` : '');

type QuoteRequest = { readonly sell: FxQuote['sell']; readonly buy: FxQuote['buy']; readonly amount: string };

function FxQuoteForm() {
  const [conversion, setConversion] = useState(conversionKey(CONVERSIONS[0]));
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [quote, setQuote] = useState<{ readonly request: QuoteRequest; readonly quote: FxQuote } | undefined>();
  const { sell, buy } = CONVERSIONS.find((c) => conversionKey(c) === conversion) ?? { sell: 'LKR', buy: 'USD' };
  const [state, run] = useAction(async (request: QuoteRequest) => {
    const answer = await fx.quote(request.sell, request.buy, request.amount);
    setQuote({ request, quote: answer });
    return answer;
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateSellAmount(amount, sell);
    setError(found);
    if (!found) void run({ sell, buy, amount: amount.trim() });
  };

  return (
    <Section title="Exchange rate">
      <p className="hint">A quote locks the rate for a few minutes. Each quote can be used once; after it expires you ask for a new one.</p>
      <form onSubmit={submit} noValidate className="stack">
        <SelectField label="Convert" name="conversion" value={conversion}
          onChange={(event) => setConversion(event.target.value)}
          options={CONVERSIONS.map((c) => ({ value: conversionKey(c), label: `${c.sell} to ${c.buy}` }))} />
        <Field label={`Amount to convert (${sell})`} name="sell-amount" inputMode="decimal" autoComplete="off" value={amount} error={error}
          onChange={(event) => setAmount(event.target.value)} />
        <div className="row"><Button type="submit" busy={state.status === 'running'}>Get a quote</Button></div>
      </form>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      {quote ? (
        <QuoteCard key={quote.quote.quoteId} quote={quote.quote} renewing={state.status === 'running'} onRenew={() => void run(quote.request)} />
      ) : null}
    </Section>
  );
}

export function MoneyPage() {
  return (
    <>
      <PageTitle appName={APP_NAME}>Money</PageTitle>
      <div className="grid">
        <Balances />
        <FxQuoteForm />
      </div>
    </>
  );
}
