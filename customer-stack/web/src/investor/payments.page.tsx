// Money in and out. A deposit pays LKR in at a rate locked by a quote: the quote counts down, the
// deposit can be made only while it holds (the stack refuses an expired or used quote as well),
// and the deposit is followed until the money is credited. A withdrawal pays USD out to a bank
// account in LKR and needs the current code of the investor's authenticator app; larger ones wait
// for approval, and the screen says so.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import {
  Badge, Button, DataTable, ErrorAlert, Field, KeyValues, PageTitle, ResourceView, Section, SelectField, formatInstant, formatMoney,
  newIdempotencyKey, useAction, useResource,
} from '@bulwark/ui-kit';
import { fx, ledger, type FxQuote } from '../shared/money-api';
import { payments, type DepositView, type WithdrawalView } from '../shared/payments-api';
import { APP_NAME } from './app-name';
import { balanceSheet } from './balances';
import { validateSellAmount } from './fx-quote';
import { DEPOSIT_STATUS_TEXT, WITHDRAWAL_STATUS_TEXT, bareAccount, validateWithdrawal, type WithdrawalErrors, type WithdrawalForm } from './payment-forms';
import { QuoteCard } from './quote-card';

const FOLLOW_MS = 1_500;
const HISTORY_REFRESH_MS = 10_000;
const COUNTRIES: readonly { readonly value: string; readonly label: string }[] = [
  { value: 'LK', label: 'Sri Lanka' }, { value: 'IN', label: 'India' }, { value: 'AE', label: 'United Arab Emirates' }, { value: 'SG', label: 'Singapore' },
  { value: 'GB', label: 'United Kingdom' }, { value: 'DE', label: 'Germany' }, { value: 'US', label: 'United States' }, { value: 'AU', label: 'Australia' },
];

function DepositResult({ placed }: { readonly placed: DepositView }) {
  const followed = useResource((signal) => payments.getDeposit(placed.depositId, signal), [placed.depositId], FOLLOW_MS);
  const deposit = followed.resource.status === 'ready' ? followed.resource.data : placed;
  const status = DEPOSIT_STATUS_TEXT[deposit.status];
  return (
    <div className="card" data-testid="deposit-result" aria-live="polite">
      <div className="card-head">
        <h3>Your deposit</h3>
        <Badge tone={status.tone}>{status.label}</Badge>
      </div>
      <p>{status.meaning}</p>
      <KeyValues items={[
        ['You pay', formatMoney(deposit.amount, deposit.currency)],
        ['You get', formatMoney(deposit.creditAmount, deposit.creditCurrency)],
        ['Locked rate', `1 USD = ${deposit.price} ${deposit.currency}`],
        ...(deposit.instructions ? [
          ['Pay to', `${deposit.instructions.payTo.bank}, account ${deposit.instructions.payTo.account}`] as const,
          ['Payment reference', <code key="r">{deposit.instructions.payInReference}</code>] as const,
        ] : []),
        ['Transfer', deposit.rail],
        ...(deposit.failureCode ? [['Reason', <code key="f">{deposit.failureCode}</code>] as const] : []),
      ]} />
    </div>
  );
}

function Deposit({ onDone }: { readonly onDone: () => void }) {
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [quote, setQuote] = useState<{ readonly quote: FxQuote; readonly key: string } | undefined>();
  const [placed, setPlaced] = useState<DepositView | undefined>();
  const [quoting, runQuote] = useAction(async (sellAmount: string) => {
    setPlaced(undefined);
    setQuote({ quote: await fx.quote('LKR', 'USD', sellAmount), key: newIdempotencyKey() });
  });
  const [depositing, runDeposit] = useAction(async () => {
    if (!quote) return;
    setPlaced(await payments.deposit(quote.quote.quoteId, quote.key));
    setQuote(undefined);
    onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateSellAmount(amount, 'LKR');
    setError(found);
    if (!found) void runQuote(amount.trim());
  };
  return (
    <Section title="Deposit">
      <p className="hint">Pay in LKR from your bank. You get USD at the rate a quote locks for a few minutes; the deposit settles at exactly that rate or not at all.</p>
      <form onSubmit={submit} noValidate className="stack" aria-label="Deposit">
        <Field label="Amount to deposit (LKR)" name="deposit-amount" inputMode="decimal" autoComplete="off" value={amount} error={error}
          onChange={(event) => setAmount(event.target.value)} />
        <div className="row"><Button type="submit" busy={quoting.status === 'running'}>Get a rate</Button></div>
      </form>
      {quoting.status === 'failed' ? <ErrorAlert error={quoting.error} /> : null}
      {quote ? (
        <QuoteCard key={quote.quote.quoteId} quote={quote.quote} renewing={quoting.status === 'running'} onRenew={() => void runQuote(quote.quote.sellAmount)}>
          {(usable) => (
            <>
              {depositing.status === 'failed' ? <ErrorAlert error={depositing.error} /> : null}
              {usable ? <div className="row"><Button busy={depositing.status === 'running'} onClick={() => void runDeposit()}>Deposit at this rate</Button></div> : null}
            </>
          )}
        </QuoteCard>
      ) : null}
      {placed ? <DepositResult placed={placed} /> : null}
    </Section>
  );
}

function WithdrawalResult({ placed }: { readonly placed: WithdrawalView }) {
  const followed = useResource((signal) => payments.getWithdrawal(placed.withdrawalId, signal), [placed.withdrawalId], FOLLOW_MS);
  const withdrawal = followed.resource.status === 'ready' ? followed.resource.data : placed;
  const status = WITHDRAWAL_STATUS_TEXT[withdrawal.status];
  return (
    <div className="card" data-testid="withdrawal-result" aria-live="polite">
      <div className="card-head">
        <h3>Your withdrawal</h3>
        <Badge tone={status.tone}>{status.label}</Badge>
      </div>
      <p>
        {formatMoney(withdrawal.amount, withdrawal.currency)}
        {withdrawal.payoutAmount ? `, ${withdrawal.status === 'settled' ? '' : 'about '}${formatMoney(withdrawal.payoutAmount, withdrawal.payoutCurrency)}` : ''}.
        {' '}{status.meaning}
      </p>
      {withdrawal.approvalsRequired > 0 ? <p className="small">Approvals: {withdrawal.approvals} of {withdrawal.approvalsRequired}.</p> : null}
      {withdrawal.failureCode ? <p className="small">Code <code>{withdrawal.failureCode}</code>.</p> : null}
    </div>
  );
}

const EMPTY_WITHDRAWAL: WithdrawalForm = { amount: '', name: '', accountNumber: '', bankCode: '', country: 'LK', totpCode: '' };

function Withdraw({ onDone }: { readonly onDone: () => void }) {
  const [form, setForm] = useState<WithdrawalForm>(EMPTY_WITHDRAWAL);
  const [errors, setErrors] = useState<WithdrawalErrors>({});
  const balances = useResource((signal) => ledger.balances(signal), [], HISTORY_REFRESH_MS);
  const available = balances.resource.status === 'ready' ? balanceSheet(balances.resource.data.accounts).cash.find((c) => c.currency === 'USD')?.available ?? '0' : '';
  const [sending, send] = useAction(async () => {
    const bankCode = bareAccount(form.bankCode);
    const answer = await payments.withdraw({
      amount: form.amount.trim(), totpCode: form.totpCode,
      beneficiary: { name: form.name.trim(), accountNumber: bareAccount(form.accountNumber), country: form.country, ...(bankCode ? { bankCode } : {}) },
    }, newIdempotencyKey());
    setForm(EMPTY_WITHDRAWAL);
    balances.reload();
    onDone();
    return answer;
  });
  const set = (field: keyof WithdrawalForm) => (value: string) => setForm((previous) => ({ ...previous, [field]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateWithdrawal(form, available);
    setErrors(found);
    if (Object.keys(found).length === 0) void send();
  };
  const done = sending.status === 'done' ? sending.result : undefined;
  return (
    <Section title="Withdraw">
      <p className="hint">
        Withdrawals are paid in LKR to your bank at the rate when they are sent, and need a code from your authenticator app
        (<Link to="/security">set up two-factor authentication</Link> first). Available: <strong>{available ? formatMoney(available, 'USD') : 'checking…'}</strong>.
      </p>
      <form onSubmit={submit} noValidate aria-label="Withdraw">
        <Field label="Amount (USD)" name="withdraw-amount" inputMode="decimal" autoComplete="off" value={form.amount} error={errors.amount}
          onChange={(e) => set('amount')(e.target.value)} />
        <Field label="Account holder" name="beneficiary-name" autoComplete="name" value={form.name} error={errors.name} onChange={(e) => set('name')(e.target.value)} />
        <Field label="Account number or IBAN" name="beneficiary-account" autoComplete="off" value={form.accountNumber} error={errors.accountNumber}
          onChange={(e) => set('accountNumber')(e.target.value)} />
        <Field label="Bank or branch code (optional)" name="beneficiary-bank" autoComplete="off" value={form.bankCode} error={errors.bankCode}
          onChange={(e) => set('bankCode')(e.target.value)} />
        <SelectField label="Bank's country" name="beneficiary-country" value={form.country} error={errors.country} options={COUNTRIES}
          onChange={(e) => set('country')(e.target.value)} />
        <Field label="Code from your authenticator app" name="withdraw-totp" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={form.totpCode}
          error={errors.totpCode} onChange={(e) => set('totpCode')(e.target.value.replace(/\D/g, ''))} />
        {sending.status === 'failed' ? <ErrorAlert error={sending.error} /> : null}
        <Button type="submit" busy={sending.status === 'running'}>Withdraw</Button>
      </form>
      {done ? <WithdrawalResult placed={done} /> : null}
    </Section>
  );
}

function History({ generation }: { readonly generation: number }) {
  const deposits = useResource((signal) => payments.deposits(signal), [generation], HISTORY_REFRESH_MS);
  const withdrawals = useResource((signal) => payments.withdrawals(signal), [generation], HISTORY_REFRESH_MS);
  return (
    <Section title="History">
      <ResourceView handle={deposits} label="deposits" isEmpty={(rows) => rows.length === 0} empty="No deposits yet.">
        {(rows) => (
          <DataTable<DepositView> caption="Deposits, newest first" rows={rows} rowKey={(d) => d.depositId} columns={[
            { header: 'Started', render: (d) => formatInstant(d.createdAt) },
            { header: 'Paid', align: 'end', render: (d) => formatMoney(d.amount, d.currency) },
            { header: 'Credited', align: 'end', render: (d) => formatMoney(d.creditAmount, d.creditCurrency) },
            { header: 'Status', render: (d) => <Badge tone={DEPOSIT_STATUS_TEXT[d.status].tone}>{DEPOSIT_STATUS_TEXT[d.status].label}</Badge> },
          ]} />
        )}
      </ResourceView>
      <ResourceView handle={withdrawals} label="withdrawals" isEmpty={(rows) => rows.length === 0} empty="No withdrawals yet.">
        {(rows) => (
          <DataTable<WithdrawalView> caption="Withdrawals, newest first" rows={rows} rowKey={(w) => w.withdrawalId} columns={[
            { header: 'Asked', render: (w) => formatInstant(w.createdAt) },
            { header: 'Amount', align: 'end', render: (w) => formatMoney(w.amount, w.currency) },
            { header: 'Paid out', align: 'end', render: (w) => (w.payoutAmount ? formatMoney(w.payoutAmount, w.payoutCurrency) : '—') },
            { header: 'Status', render: (w) => <Badge tone={WITHDRAWAL_STATUS_TEXT[w.status].tone}>{WITHDRAWAL_STATUS_TEXT[w.status].label}</Badge> },
          ]} />
        )}
      </ResourceView>
    </Section>
  );
}

export function PaymentsPage() {
  const [generation, setGeneration] = useState(0);
  const changed = () => setGeneration((g) => g + 1);
  return (
    <>
      <PageTitle appName={APP_NAME}>Deposit and withdraw</PageTitle>
      <div className="grid">
        <Deposit onDone={changed} />
        <Withdraw onDone={changed} />
      </div>
      <div className="stack spaced">
        <History generation={generation} />
      </div>
    </>
  );
}
