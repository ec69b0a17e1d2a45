// Deposits and withdrawals through a payment provider, booked in the ledger, audited at every
// state change and announced through the notifications outbox.
//
// Deposit: an investor names a locked LKR→USD quote; the deposit is recorded (one per quote) and
// the provider instructed. When the provider's signed webhook says the money arrived, one
// transaction consumes the quote and posts the deposit with the quote id as its idempotency key,
// at exactly the quote's amounts. A quote that expired (or was used) by then converts nothing:
// the deposit fails and the money is returned through the provider.
//
// Withdrawal: a fresh TOTP code, approved KYC, the tier's daily limit, the USD reserved in the
// ledger, the beneficiary screened (a hit holds it for AML review) and monitored, then approval
// by finance_ops above a threshold (never by the requester). Sending takes a fresh USD→LKR quote
// and, in one transaction, consumes it and commits the LKR to the bank (posting keyed by the
// quote id); the reservation stays pending until the provider reports. Settled: the reservation
// is posted to FX conversion. Refused or failed: the LKR commitment is reversed and the
// reservation released.
import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { PositiveDecimal, assert, canonicalDecimal, decimal, roundMoney, type CurrencyCode } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { AmlService } from '../aml/aml.service.js';
import { TransactionMonitor } from '../aml/transaction-monitor.js';
import { AuditService } from '../audit/audit.service.js';
import type { AuditActor } from '../audit/audit-input.js';
import { AuthService } from '../auth/auth.service.js';
import type { Principal } from '../auth/principal.js';
import { CUSTOMER_CONFIG, type CustomerConfig, type PaymentsConfig } from '../config/customer-config.js';
import { FxError } from '../fx/fx.errors.js';
import { FxService } from '../fx/fx.service.js';
import { KycService } from '../kyc/kyc.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { ReservationExpiryScheduler } from '../ledger/reservation-expiry.scheduler.js';
import type { AccountKey } from '../ledger/ledger.types.js';
import { NotificationService } from '../notifications/notification.service.js';
import { PersonalDataVault } from '../privacy/personal-data-vault.js';
import { SubjectDataRegistry } from '../privacy/subject-data.registry.js';
import { RequestTransaction } from '../tenancy/request-transaction.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { Beneficiary, PAYMENT_PROVIDERS, WebhookEvent, type PaymentProvider, type PayoutInstruction } from './payment-provider.js';
import type { DepositView, WithdrawalReview, WithdrawalStatus, WithdrawalView } from './payments.views.js';
import { PaymentsError, type PaymentsErrorCode } from './payments.errors.js';
import { PaymentsRepository, type DepositRow, type WithdrawalRow } from './payments.repository.js';
import { approvalsRequired, depositFrom, moneyRefusal, utcDayStart, withdrawalFrom, withdrawalLimitRefusal } from './payments-rules.js';
import { URGENCIES, detectRail } from './rails.js';
import { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, verifyWebhook, type WebhookRejection } from './webhook-signature.js';

export const PAYMENTS_PER_PAGE_MAX = 200;
/** A subject-access export lists at most this many deposits and as many withdrawals. */
export const PAYMENTS_EXPORTED_MAX = 10_000;
/** Withdrawal holds handled per tenant per expiry sweep. */
export const HOLDS_EXPIRED_PER_SWEEP_MAX = 500;
export const REJECT_REASON_LENGTH_MAX = 500;
/** A quote closer than this to its expiry is not used to send a payout: a fresh one is taken. */
export const PAYOUT_QUOTE_MARGIN_MS = 30_000;
/** The currency customers pay in and are paid out in, and the country of the platform's bank. */
export const LOCAL_CURRENCY = 'LKR';
export const LOCAL_COUNTRY = 'LK';

const UsdAmount = PositiveDecimal.refine((value) => /^\d{1,12}(\.\d{1,2})?$/.test(value), 'a USD amount with at most 2 decimals');

export const DepositBody = z.strictObject({
  quoteId: z.uuid(),
  urgency: z.enum(URGENCIES).default('standard'),
});
export const WithdrawalBody = z.strictObject({
  amount: UsdAmount,
  /** The current code of the investor's authenticator app: every withdrawal needs a fresh one. */
  totpCode: z.string().max(16).optional(),
  beneficiary: Beneficiary,
  urgency: z.enum(URGENCIES).default('standard'),
});
export const RejectBody = z.strictObject({ reason: z.string().trim().min(3).max(REJECT_REASON_LENGTH_MAX) });

const WEBHOOK_REFUSALS: Readonly<Record<WebhookRejection, PaymentsErrorCode>> = Object.freeze({
  signature_missing: 'webhook_signature_missing',
  signature_malformed: 'webhook_signature_malformed',
  signature_invalid: 'webhook_signature_invalid',
  timestamp_outside_window: 'webhook_timestamp_outside_window',
  body_too_large: 'webhook_body_too_large',
});

const WEBHOOK_ACTOR: AuditActor = Object.freeze({ actor: 'system:payment-provider', role: 'system' });
const SYSTEM: AuditActor = Object.freeze({ actor: 'system:payments', role: 'system' });
const EXPIRY_ACTOR: AuditActor = Object.freeze({ actor: 'system:payments-expiry', role: 'system' });

const money = (amount: string, currency: string) => roundMoney(amount, currency as CurrencyCode, 'down');

export function depositView(row: DepositRow): DepositView {
  return {
    depositId: row.id, status: row.status, amount: money(row.amount, row.currency), currency: row.currency, creditAmount: money(row.credit_amount, row.credit_currency),
    creditCurrency: row.credit_currency, price: canonicalDecimal(row.price), quoteId: row.quote_id, quoteExpiresAt: new Date(row.quote_expires_at).toISOString(),
    rail: row.rail, provider: row.provider, providerRef: row.provider_ref, instructions: row.instructions, failureCode: row.failure_code, transactionId: row.transaction_id,
    createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function withdrawalView(row: WithdrawalRow): WithdrawalView {
  return {
    withdrawalId: row.id, status: row.status === 'held' ? 'pending_approval' : row.status, amount: money(row.amount, row.currency), currency: row.currency,
    payoutAmount: row.payout_amount === null ? null : money(row.payout_amount, row.payout_currency), payoutCurrency: row.payout_currency, rail: row.rail,
    urgency: row.urgency, beneficiaryCountry: row.beneficiary_country, approvalsRequired: row.approvals_required, approvals: row.approved_by.length,
    failureCode: row.failure_code, createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function parseWith<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new PaymentsError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

const investorActor = (principal: Principal): AuditActor => ({ actor: `user:${principal.userId}`, role: 'investor' });

@Injectable()
export class PaymentsService implements OnModuleInit {
  private readonly logger = new Logger('PaymentsService');
  private readonly repository = new PaymentsRepository();
  private readonly providers: ReadonlyMap<string, PaymentProvider>;
  private readonly config: PaymentsConfig;

  constructor(
    @Inject(TenantScope) private readonly tenants: TenantScope,
    @Inject(RequestTransaction) private readonly request: RequestTransaction,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Inject(FxService) private readonly fx: FxService,
    @Inject(KycService) private readonly kyc: KycService,
    @Inject(AmlService) private readonly aml: AmlService,
    @Inject(TransactionMonitor) private readonly monitor: TransactionMonitor,
    @Inject(NotificationService) private readonly notifications: NotificationService,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
    @Inject(SubjectDataRegistry) private readonly subjects: SubjectDataRegistry,
    @Inject(ReservationExpiryScheduler) private readonly expiry: ReservationExpiryScheduler,
    @Inject(PAYMENT_PROVIDERS) providers: readonly PaymentProvider[],
    @Inject(CUSTOMER_CONFIG) config: CustomerConfig,
  ) {
    assert(providers.length >= 1, 'at least one payment provider');
    this.providers = new Map(providers.map((p) => [p.name, p]));
    assert(this.providers.size === providers.length, 'payment provider names are unique');
    this.config = config.money.payments;
  }

  /**
   * A person's deposits and withdrawals join their subject-access export, each withdrawal with its
   * beneficiary (null once the person is erased: the vault's key for them is gone).
   */
  onModuleInit(): void {
    this.expiry.register('payments', (tenantId, now) => this.expireHolds(tenantId, now));
    this.subjects.register('payments', async (tx, subjectId) => {
      const { deposits, withdrawals } = await this.repository.paymentsOfUser(tx, subjectId, PAYMENTS_EXPORTED_MAX);
      const sealed = await this.vault.openMany(tx, subjectId, withdrawals.map((w) => w.beneficiary_sealed));
      return {
        deposits: deposits.map(depositView),
        withdrawals: withdrawals.map((w, index) => {
          const opened = sealed[index];
          return { ...withdrawalView(w), status: w.status, beneficiary: opened ? (JSON.parse(opened) as unknown) : null };
        }),
      };
    });
  }

  /** New deposits and withdrawals go through the first provider configured. */
  private get provider(): PaymentProvider {
    const [first] = this.providers.values();
    assert(first, 'a payment provider');
    return first;
  }

  // ------------------------------------------------------------------ deposits

  /**
   * The deposit is recorded, committed, before the provider is asked for instructions (its
   * webhook may come back before it answers), so this runs outside the request's transaction. A
   * retry with the same Idempotency-Key whose outcome was lost cannot deposit twice: the FX quote
   * is single-use (a second deposit on it is refused `quote_used`).
   */
  initiateDeposit(principal: Principal, raw: unknown): Promise<DepositView> {
    return this.request.outside(() => this.initiateDepositNow(principal, raw));
  }

  private async initiateDepositNow(principal: Principal, raw: unknown): Promise<DepositView> {
    const input = parseWith(DepositBody, raw);
    const accountRef = principal.accountRef;
    if (!accountRef) throw new PaymentsError('not_an_investor');
    const { tenantId, userId } = principal;
    const actor = investorActor(principal);
    const provider = this.provider;
    const id = randomUUID();
    const now = new Date();
    const deposit = await this.tenants.run(tenantId, async (tx) => {
      await this.refuseUnlessMayMoveMoney(tx, userId);
      const quote = await this.fx.find(tx, input.quoteId);
      if (!quote || quote.tenantId !== tenantId) throw new FxError('quote_not_found');
      if (quote.ownerRef !== accountRef) throw new FxError('quote_foreign');
      if (quote.status === 'used') throw new FxError('quote_used');
      if (quote.expiresAt.getTime() <= now.getTime()) throw new FxError('quote_expired');
      if (quote.sell !== LOCAL_CURRENCY || quote.buy !== 'USD') throw new PaymentsError('quote_not_a_deposit');
      const rail = detectRail({ currency: LOCAL_CURRENCY, fromCountry: LOCAL_COUNTRY, toCountry: LOCAL_COUNTRY, amount: quote.sellAmount, urgency: input.urgency });
      const inserted = await this.repository.insertDeposit(tx, {
        id, tenant_id: tenantId, user_id: userId, account_ref: accountRef, provider: provider.name, rail, quote_id: quote.quoteId, amount: quote.sellAmount,
        currency: quote.sell, credit_amount: quote.buyAmount, credit_currency: quote.buy, price: quote.price, quote_expires_at: quote.expiresAt, created_at: now,
      });
      if (!inserted) throw new FxError('quote_used', 'A deposit was made with it already.');
      await this.audit.record(tx, {
        tenantId, ...actor, action: 'payments.deposit.initiated', resource: `payment_deposit:${id}`,
        diff: { quoteId: quote.quoteId, amount: quote.sellAmount, currency: quote.sell, creditAmount: quote.buyAmount, creditCurrency: quote.buy, price: quote.price,
          rail, provider: provider.name },
      });
      const row = await this.repository.deposit(tx, id);
      assert(row && row.status === 'initiated', 'the deposit is recorded as initiated');
      return row;
    });
    let instructions;
    try {
      instructions = await provider.createDeposit({ paymentId: id, tenantId, amount: money(deposit.amount, deposit.currency), currency: deposit.currency,
        rail: deposit.rail as PayoutInstruction['rail'] });
    } catch (error) {
      this.logger.error({ msg: 'payment provider refused a deposit instruction', provider: provider.name, depositId: id, error: String(error) });
      await this.tenants.run(tenantId, async (tx) => {
        const locked = await this.repository.deposit(tx, id, true);
        if (locked) await this.failDeposit(tx, locked, 'provider_unavailable', SYSTEM);
      });
      throw new PaymentsError('provider_unavailable');
    }
    const stored = await this.tenants.run(tenantId, async (tx) => {
      await this.repository.setInstructions(tx, id, instructions.providerRef, { payInReference: instructions.payInReference, payTo: instructions.payTo });
      // The provider may have reported already (its webhook then recorded pending on the way).
      if (await this.repository.moveDeposit(tx, id, ['initiated'], 'pending', new Date(), { providerRef: instructions.providerRef })) {
        await this.audit.record(tx, { tenantId, ...SYSTEM, action: 'payments.deposit.pending', resource: `payment_deposit:${id}`,
          diff: { providerRef: instructions.providerRef } });
      }
      return this.repository.deposit(tx, id);
    });
    assert(stored, 'the deposit is there');
    return depositView(stored);
  }

  async getDeposit(principal: Principal, depositId: string): Promise<DepositView> {
    const row = await this.tenants.run(principal.tenantId, (tx) => this.repository.deposit(tx, depositId));
    if (!row || row.account_ref !== principal.accountRef) throw new PaymentsError('deposit_not_found');
    return depositView(row);
  }

  async listDeposits(principal: Principal, query: { limit: number; before: Date | null }): Promise<DepositView[]> {
    assert(query.limit >= 1 && query.limit <= PAYMENTS_PER_PAGE_MAX, 'page size within limit');
    const accountRef = principal.accountRef;
    if (!accountRef) return [];
    const rows = await this.tenants.run(principal.tenantId, (tx) => this.repository.depositsOf(tx, accountRef, query.limit, query.before));
    return rows.map(depositView);
  }

  // ------------------------------------------------------------------ withdrawals

  /**
   * A withdrawal below the approval threshold is sent at once: its posting commits before the
   * provider is called, so this runs outside the request's transaction. Its id is the request's
   * stable id, so a retry whose outcome was lost (past the pending timeout) finds the withdrawal
   * it made and answers with it instead of requesting a second one.
   */
  requestWithdrawal(principal: Principal, raw: unknown): Promise<WithdrawalView> {
    const id = this.request.stableId('payment_withdrawal') ?? randomUUID();
    return this.request.outside(() => this.requestWithdrawalNow(principal, raw, id));
  }

  private async requestWithdrawalNow(principal: Principal, raw: unknown, id: string): Promise<WithdrawalView> {
    const input = parseWith(WithdrawalBody, raw);
    const accountRef = principal.accountRef;
    if (!accountRef) throw new PaymentsError('not_an_investor');
    const made = await this.tenants.run(principal.tenantId, (tx) => this.repository.withdrawal(tx, id));
    if (made) {
      assert(made.account_ref === accountRef, 'a request\'s stable id names only its own withdrawal');
      return withdrawalView(made);
    }
    if (!input.totpCode) throw new PaymentsError('step_up_required');
    if (!(await this.auth.verifyStepUp(principal, input.totpCode))) throw new PaymentsError('step_up_failed');
    const { tenantId, userId } = principal;
    const actor = investorActor(principal);
    const provider = this.provider;
    const now = new Date();

    // Indicative: what the amount pays out now; sending uses this quote while it is fresh, else a new one.
    const quote = await this.fx.quote({ tenantId, ownerRef: accountRef, sell: 'USD', buy: LOCAL_CURRENCY, sellAmount: input.amount }, actor);
    const required = approvalsRequired(input.amount, this.config);
    const holdExpiresAt = new Date(now.getTime() + this.config.withdrawalHoldMs);
    const row = await this.tenants.run(tenantId, async (tx) => {
      await this.repository.lockAccount(tx, accountRef);
      const standing = await this.refuseUnlessMayMoveMoney(tx, userId);
      const withdrawnTodayUsd = await this.repository.withdrawnSince(tx, accountRef, utcDayStart(now));
      const overLimit = withdrawalLimitRefusal({ dailyLimitUsd: standing.dailyWithdrawalLimitUsd, withdrawnTodayUsd, amountUsd: input.amount });
      if (overLimit) throw new PaymentsError(overLimit, `Limit ${standing.dailyWithdrawalLimitUsd} USD a day; ${canonicalDecimal(withdrawnTodayUsd)} USD withdrawn today.`);
      const reserved = await this.ledger.reserve(tx, {
        tenantId, ownerRef: accountRef, unit: 'USD', amount: input.amount, source: 'customer_cash', expiresAt: holdExpiresAt,
        reference: `payment_withdrawal:${id}`, idempotencyKey: `withdrawal:${id}`,
      }, actor);
      if (reserved.status === 'rejected') {
        if (reserved.code === 'insufficient_funds') throw new PaymentsError('insufficient_funds');
        throw new Error(`withdrawal ${id}: a fresh reservation key conflicted`);
      }
      const screening = await this.aml.screenBeneficiary(tx, tenantId, userId, { name: input.beneficiary.name, country: input.beneficiary.country });
      const status: WithdrawalStatus = screening.decision !== 'clear' ? 'held' : required === 0 ? 'approved' : 'pending_approval';
      const rail = detectRail({ currency: LOCAL_CURRENCY, fromCountry: LOCAL_COUNTRY, toCountry: input.beneficiary.country, amount: quote.buyAmount, urgency: input.urgency });
      await this.repository.insertWithdrawal(tx, {
        id, tenant_id: tenantId, user_id: userId, account_ref: accountRef, provider: provider.name, rail, urgency: input.urgency, amount: input.amount, currency: 'USD',
        payout_currency: LOCAL_CURRENCY, payout_amount: quote.buyAmount, quote_id: quote.quoteId, reservation_id: reserved.reservationId, hold_expires_at: holdExpiresAt, status,
        approvals_required: required, beneficiary_sealed: await this.vault.seal(tx, userId, JSON.stringify(input.beneficiary)),
        beneficiary_country: input.beneficiary.country, screening_decision: screening.decision, created_at: now,
      });
      await this.audit.record(tx, {
        tenantId, ...actor, action: 'payments.withdrawal.requested', resource: `payment_withdrawal:${id}`,
        diff: {
          amount: input.amount, currency: 'USD', indicativePayout: quote.buyAmount, quoteId: quote.quoteId, rail, approvalsRequired: required,
          reservationId: reserved.reservationId, screening: screening.decision, status,
        },
      });
      if (status === 'held') {
        await this.audit.record(tx, {
          tenantId, ...SYSTEM, action: 'payments.withdrawal.held', resource: `payment_withdrawal:${id}`, diff: { reason: 'beneficiary_screening', decision: screening.decision },
        });
      }
      await this.monitor.observe(tx, { tenantId, userId, kind: 'withdrawal', amountUsd: input.amount, currency: 'USD', amount: input.amount,
        country: input.beneficiary.country, at: now });
      await this.notifications.enqueue(tx, { tenantId, userId, event: 'withdrawal.requested', data: { withdrawalId: id, amount: input.amount, currency: 'USD' } });
      const stored = await this.repository.withdrawal(tx, id);
      assert(stored && stored.reservation_id === reserved.reservationId, 'the withdrawal is stored with its reservation');
      return stored;
    });
    if (row.status === 'approved') await this.sendOrLeaveApproved(tenantId, id, SYSTEM);
    return withdrawalView(await this.withdrawalRow(tenantId, id));
  }

  async getWithdrawal(principal: Principal, withdrawalId: string): Promise<WithdrawalView> {
    const row = await this.tenants.run(principal.tenantId, (tx) => this.repository.withdrawal(tx, withdrawalId));
    if (!row || row.account_ref !== principal.accountRef) throw new PaymentsError('withdrawal_not_found');
    return withdrawalView(row);
  }

  async listWithdrawals(principal: Principal, query: { limit: number; before: Date | null }): Promise<WithdrawalView[]> {
    assert(query.limit >= 1 && query.limit <= PAYMENTS_PER_PAGE_MAX, 'page size within limit');
    const accountRef = principal.accountRef;
    if (!accountRef) return [];
    const rows = await this.tenants.run(principal.tenantId, (tx) => this.repository.withdrawalsOf(tx, accountRef, query.limit, query.before));
    return rows.map(withdrawalView);
  }

  /** finance_ops' queue: the tenant's withdrawals waiting for approval or held for AML review, oldest first. */
  async approvalQueue(officer: Principal, limit: number): Promise<WithdrawalReview[]> {
    assert(limit >= 1 && limit <= PAYMENTS_PER_PAGE_MAX, 'page size within limit');
    return this.tenants.run(officer.tenantId, async (tx) => {
      const rows = await this.repository.withdrawalsIn(tx, ['pending_approval', 'held'], limit);
      const reviews: WithdrawalReview[] = [];
      for (const row of rows) reviews.push(await this.review(tx, row));
      return reviews;
    });
  }

  /**
   * A finance_ops approval. The requester cannot approve; a withdrawal above the dual threshold
   * needs two different approvers. The last approval sends it.
   */
  approveWithdrawal(officer: Principal, withdrawalId: string): Promise<WithdrawalReview> {
    // The last approval sends the payout: its posting commits before the provider is called, so
    // this runs outside the request's transaction. A retry whose outcome was lost cannot pay twice:
    // the withdrawal's state refuses a second approval, and the provider knows the payout by its
    // payment id (the withdrawal's id) and answers a resend with the first answer.
    return this.request.outside(() => this.approveWithdrawalNow(officer, withdrawalId));
  }

  private async approveWithdrawalNow(officer: Principal, withdrawalId: string): Promise<WithdrawalReview> {
    const actor: AuditActor = { actor: `user:${officer.userId}`, role: 'finance_ops' };
    const approved = await this.tenants.run(officer.tenantId, async (tx) => {
      const row = await this.repository.withdrawal(tx, withdrawalId, true);
      if (!row) throw new PaymentsError('withdrawal_not_found');
      if (row.status === 'held') throw new PaymentsError('withdrawal_held');
      if (row.status === 'approved') {
        // Approved but not sent (no quote or provider then): approving again retries the send.
        await this.audit.record(tx, { tenantId: officer.tenantId, ...actor, action: 'payments.withdrawal.send_retried', resource: `payment_withdrawal:${row.id}` });
        return true;
      }
      if (row.status !== 'pending_approval') throw new PaymentsError('withdrawal_not_pending', `It is ${row.status}.`);
      if (row.user_id === officer.userId) throw new PaymentsError('approver_is_requester');
      if (row.approved_by.includes(officer.userId)) throw new PaymentsError('approver_already_approved');
      const approvals = row.approved_by.length + 1;
      const complete = approvals >= row.approvals_required;
      assert(await this.repository.moveWithdrawal(tx, row.id, ['pending_approval'], complete ? 'approved' : 'pending_approval', new Date(), { approvedBy: officer.userId }),
        'a locked pending withdrawal takes the approval');
      await this.audit.record(tx, {
        tenantId: officer.tenantId, ...actor, action: 'payments.withdrawal.approved', resource: `payment_withdrawal:${row.id}`,
        diff: { approvals, approvalsRequired: row.approvals_required, complete },
      });
      return complete;
    });
    if (approved) await this.sendOrLeaveApproved(officer.tenantId, withdrawalId, actor);
    return this.tenants.run(officer.tenantId, async (tx) => this.review(tx, await this.lockedOrThrow(tx, withdrawalId, false)));
  }

  /** A finance_ops refusal (also of a withdrawal held for AML review): the reservation is released. */
  async rejectWithdrawal(officer: Principal, withdrawalId: string, raw: unknown): Promise<WithdrawalReview> {
    const { reason } = parseWith(RejectBody, raw);
    const actor: AuditActor = { actor: `user:${officer.userId}`, role: 'finance_ops' };
    return this.tenants.run(officer.tenantId, async (tx) => {
      const row = await this.lockedOrThrow(tx, withdrawalId, true);
      if (row.status !== 'pending_approval' && row.status !== 'held') throw new PaymentsError('withdrawal_not_pending', `It is ${row.status}.`);
      await this.failWithdrawal(tx, row, 'rejected', 'rejected_by_finance_ops', actor, { reason });
      return this.review(tx, await this.lockedOrThrow(tx, withdrawalId, false));
    });
  }

  // ------------------------------------------------------------------ the provider's webhooks

  /**
   * Verifies and applies one provider webhook: signature over the exact bytes received, the
   * five-minute window, then the event recorded (its id and signature, unique) in the same
   * transaction as its effect, so a replay is refused and nothing is applied twice.
   */
  async receiveWebhook(providerName: string, headers: Readonly<Record<string, string | string[] | undefined>>,
    body: Buffer | undefined): Promise<{ received: true; eventId: string }> {
    const provider = this.providers.get(providerName);
    if (!provider) throw new PaymentsError('provider_unknown');
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(' ') : value;
    };
    if (!body) throw new PaymentsError('webhook_malformed', 'Send the event as application/json.');
    const receivedAt = new Date();
    const verdict = verifyWebhook({
      secrets: this.config.webhookSecrets.reveal(), timestamp: header(WEBHOOK_TIMESTAMP_HEADER), signature: header(WEBHOOK_SIGNATURE_HEADER), body, nowMs: receivedAt.getTime(),
    });
    if (!verdict.ok) {
      this.logger.warn({ msg: 'webhook refused', provider: providerName, reason: verdict.reason });
      throw new PaymentsError(WEBHOOK_REFUSALS[verdict.reason]);
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new PaymentsError('webhook_malformed', 'The body is not JSON.');
    }
    const parsed = WebhookEvent.safeParse(json);
    if (!parsed.success) throw new PaymentsError('webhook_malformed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const event = parsed.data;
    const after: (() => Promise<void>)[] = [];
    await this.tenants.run(event.data.tenantId, async (tx) => {
      const fresh = await this.repository.recordEvent(tx, {
        provider: provider.name, eventId: event.id, tenantId: event.data.tenantId, signatureSha256: createHash('sha256').update(verdict.signature).digest('hex'),
        type: event.type, paymentId: event.data.paymentId, signedAt: new Date(verdict.timestampS * 1000), receivedAt,
      });
      if (!fresh) throw new PaymentsError('webhook_replayed');
      if (event.type.startsWith('deposit.')) await this.applyDepositEvent(tx, provider, event, after);
      else await this.applyPayoutEvent(tx, provider, event);
    });
    for (const step of after) await step();
    return { received: true, eventId: event.id };
  }

  private async applyDepositEvent(tx: SqlTx, provider: PaymentProvider, event: WebhookEvent, after: (() => Promise<void>)[]): Promise<void> {
    const { tenantId, paymentId, providerRef } = event.data;
    const deposit = await this.repository.deposit(tx, paymentId, true);
    if (!deposit || deposit.provider !== provider.name) throw new PaymentsError('webhook_payment_unknown');
    const resource = `payment_deposit:${deposit.id}`;
    if (deposit.status === 'settled' || deposit.status === 'failed') {
      await this.audit.record(tx, { tenantId, ...WEBHOOK_ACTOR, action: 'payments.deposit.event_ignored', resource, diff: { eventId: event.id, type: event.type,
        status: deposit.status } });
      return;
    }
    if (deposit.status === 'initiated') {
      assert(await this.repository.moveDeposit(tx, deposit.id, ['initiated'], 'pending', new Date(), { providerRef }), 'a locked initiated deposit moves to pending');
      await this.audit.record(tx, { tenantId, ...WEBHOOK_ACTOR, action: 'payments.deposit.pending', resource, diff: { providerRef, eventId: event.id } });
    }
    if (event.type === 'deposit.pending') return;
    if (event.type === 'deposit.failed') {
      await this.failDeposit(tx, deposit, event.data.failureCode ?? 'provider_failed', WEBHOOK_ACTOR);
      return;
    }
    // Settled: the money arrived. It converts at exactly the locked quote, or not at all.
    const refuse = async (code: string) => {
      await this.failDeposit(tx, deposit, code, WEBHOOK_ACTOR);
      after.push(() => this.returnDeposit(provider, deposit, code));
    };
    if (event.data.currency !== deposit.currency || !decimal(event.data.amount).eq(decimal(deposit.amount))) return refuse('amount_mismatch');
    const quote = await this.fx.find(tx, deposit.quote_id);
    assert(quote && quote.tenantId === tenantId && quote.ownerRef === deposit.account_ref, `deposit ${deposit.id}: its quote is there`);
    if (quote.status === 'used') return refuse('quote_used');
    if (quote.expiresAt.getTime() <= Date.now()) return refuse('quote_expired');
    const used = await this.fx.consume(tx, { tenantId, ownerRef: deposit.account_ref, quoteId: quote.quoteId }, WEBHOOK_ACTOR);
    // The pair across the boundary: the deposit recorded exactly the quote it now consumes.
    assert(decimal(used.sellAmount).eq(decimal(deposit.amount)) && decimal(used.buyAmount).eq(decimal(deposit.credit_amount)) && decimal(used.price).eq(decimal(deposit.price)),
      `deposit ${deposit.id} settles at exactly its quote`);
    const platform = (kind: 'bank_clearing' | 'fx_conversion', unit: string): AccountKey => ({ kind, ownerRef: null, unit });
    const posted = await this.ledger.post(tx, {
      tenantId, idempotencyKey: used.quoteId, kind: 'deposit', reference: resource,
      legs: [
        { account: platform('bank_clearing', used.sell), side: 'debit', amount: used.sellAmount },
        { account: platform('fx_conversion', used.sell), side: 'credit', amount: used.sellAmount },
        { account: platform('fx_conversion', used.buy), side: 'debit', amount: used.buyAmount },
        { account: { kind: 'customer_cash', ownerRef: deposit.account_ref, unit: used.buy }, side: 'credit', amount: used.buyAmount },
      ],
    }, WEBHOOK_ACTOR);
    assert(posted.status === 'posted' && !posted.replayed, `deposit ${deposit.id}: the quote's first posting is made`);
    assert(await this.repository.moveDeposit(tx, deposit.id, depositFrom('settled'), 'settled', new Date(), { transactionId: posted.transactionId }),
      'a locked pending deposit settles');
    await this.audit.record(tx, {
      tenantId, ...WEBHOOK_ACTOR, action: 'payments.deposit.settled', resource,
      diff: { eventId: event.id, transactionId: posted.transactionId, quoteId: used.quoteId, amount: used.sellAmount, creditAmount: used.buyAmount, price: used.price },
    });
    await this.monitor.observe(tx, {
      tenantId, userId: deposit.user_id, kind: 'deposit', amountUsd: used.buyAmount, currency: used.sell, amount: used.sellAmount, sourceRef: providerRef, country: LOCAL_COUNTRY,
      at: new Date(),
    });
    await this.notifications.enqueue(tx, {
      tenantId, userId: deposit.user_id, event: 'deposit.settled',
      data: { depositId: deposit.id, amount: used.sellAmount, currency: used.sell, credited: used.buyAmount, creditCurrency: used.buy, rate: used.price },
    });
  }

  private async failDeposit(tx: SqlTx, deposit: DepositRow, code: string, actor: AuditActor): Promise<void> {
    assert(await this.repository.moveDeposit(tx, deposit.id, depositFrom('failed'), 'failed', new Date(), { failureCode: code }), 'an open, locked deposit fails');
    await this.audit.record(tx, { tenantId: deposit.tenant_id, ...actor, action: 'payments.deposit.failed', resource: `payment_deposit:${deposit.id}`,
      diff: { failureCode: code } });
    await this.notifications.enqueue(tx, {
      tenantId: deposit.tenant_id, userId: deposit.user_id, event: 'deposit.failed',
      data: { depositId: deposit.id, amount: money(deposit.amount, deposit.currency), currency: deposit.currency, reason: code },
    });
  }

  /** Money arrived for a deposit that could not be credited: the provider sends it back. */
  private async returnDeposit(provider: PaymentProvider, deposit: DepositRow, reason: string): Promise<void> {
    try {
      const providerRef = deposit.provider_ref ?? (await this.tenants.run(deposit.tenant_id, (tx) => this.repository.deposit(tx, deposit.id)))?.provider_ref;
      assert(providerRef, `deposit ${deposit.id} has the provider's reference`);
      const { returnRef } = await provider.returnDeposit({ paymentId: deposit.id, tenantId: deposit.tenant_id, providerRef, reason });
      await this.tenants.run(deposit.tenant_id, async (tx) => {
        await this.repository.setDepositReturn(tx, deposit.id, returnRef, new Date());
        await this.audit.record(tx, { tenantId: deposit.tenant_id, ...SYSTEM, action: 'payments.deposit.returned', resource: `payment_deposit:${deposit.id}`,
          diff: { returnRef, reason } });
      });
    } catch (error) {
      // The deposit stays failed without a return reference: docs/operations.md, "failed deposit not returned".
      this.logger.error({ msg: 'return of a failed deposit did not go through', depositId: deposit.id, error: String(error) });
    }
  }

  private async applyPayoutEvent(tx: SqlTx, provider: PaymentProvider, event: WebhookEvent): Promise<void> {
    const { tenantId, paymentId, providerRef } = event.data;
    const row = await this.repository.withdrawal(tx, paymentId, true);
    if (!row || row.provider !== provider.name) throw new PaymentsError('webhook_payment_unknown');
    const resource = `payment_withdrawal:${row.id}`;
    if (row.status !== 'sending' && row.status !== 'sent') {
      await this.audit.record(tx, { tenantId, ...WEBHOOK_ACTOR, action: 'payments.withdrawal.event_ignored', resource, diff: { eventId: event.id, type: event.type,
        status: row.status } });
      return;
    }
    assert(row.payout_amount !== null && event.data.currency === row.payout_currency && decimal(event.data.amount).eq(decimal(row.payout_amount)),
      `withdrawal ${row.id}: the provider paid what was sent`);
    if (event.type === 'payout.failed') {
      await this.failWithdrawal(tx, row, 'failed', event.data.failureCode ?? 'provider_failed', WEBHOOK_ACTOR, { eventId: event.id });
      return;
    }
    const usd: AccountKey = { kind: 'fx_conversion', ownerRef: null, unit: row.currency };
    const key = `withdrawal:${row.id}:settle`;
    const posted = await this.ledger.postReservation(tx, {
      tenantId, reservationId: row.reservation_id, idempotencyKey: key, reference: resource, credits: [{ account: usd, amount: row.amount }], final: true,
    }, WEBHOOK_ACTOR);
    let transactionId: string;
    if (posted.status === 'posted') {
      transactionId = posted.transactionId;
    } else {
      // The money has left: a reservation released meanwhile (expired) is paid from cash instead; a customer without it is a break.
      assert(posted.code === 'reservation_closed', `withdrawal ${row.id}: its reservation refuses only when closed`);
      const direct = await this.ledger.post(tx, {
        tenantId, idempotencyKey: key, kind: 'withdrawal', reference: resource,
        legs: [{ account: { kind: 'customer_cash', ownerRef: row.account_ref, unit: row.currency }, side: 'debit', amount: row.amount }, { account: usd, side: 'credit',
          amount: row.amount }],
      }, WEBHOOK_ACTOR);
      assert(direct.status === 'posted', `withdrawal ${row.id}: the paid-out amount is booked`);
      transactionId = direct.transactionId;
    }
    assert(await this.repository.moveWithdrawal(tx, row.id, withdrawalFrom('settled'), 'settled', new Date(), { settleTransactionId: transactionId, providerRef }),
      'a locked sent withdrawal settles');
    await this.audit.record(tx, {
      tenantId, ...WEBHOOK_ACTOR, action: 'payments.withdrawal.settled', resource, diff: { eventId: event.id, transactionId, amount: row.amount, payoutAmount: row.payout_amount },
    });
    await this.notifications.enqueue(tx, {
      tenantId, userId: row.user_id, event: 'withdrawal.settled',
      data: { withdrawalId: row.id, amount: money(row.amount, row.currency), currency: row.currency, paidOut: money(row.payout_amount, row.payout_currency),
        payoutCurrency: row.payout_currency },
    });
  }

  // ------------------------------------------------------------------ sending a withdrawal

  /** Sends; when no quote or provider can be had now, the withdrawal stays approved (a new approval retries). */
  private async sendOrLeaveApproved(tenantId: string, withdrawalId: string, actor: AuditActor): Promise<void> {
    try {
      await this.send(tenantId, withdrawalId, actor);
    } catch (error) {
      if (!(error instanceof FxError)) throw error;
      this.logger.error({ msg: 'withdrawal approved but not sent: no quote', withdrawalId, code: error.code });
    }
  }

  /**
   * Sends an approved withdrawal: a fresh quote consumed with the posting that commits the LKR
   * to the bank (keyed by the quote id), then the provider. A refusal undoes both and releases
   * the reservation. A provider that does not answer leaves it `sending` (docs/operations.md).
   */
  private async send(tenantId: string, withdrawalId: string, actor: AuditActor): Promise<void> {
    const pending = await this.withdrawalRow(tenantId, withdrawalId);
    if (pending.status !== 'approved') return;
    const fresh = pending.quote_id ? await this.tenants.run(tenantId, (tx) => this.fx.find(tx, pending.quote_id as string)) : null;
    const quoteId = fresh && fresh.status === 'open' && fresh.expiresAt.getTime() - Date.now() > PAYOUT_QUOTE_MARGIN_MS
      ? fresh.quoteId
      : (await this.fx.quote({ tenantId, ownerRef: pending.account_ref, sell: 'USD', buy: LOCAL_CURRENCY, sellAmount: money(pending.amount, pending.currency) }, SYSTEM)).quoteId;
    const instruction = await this.tenants.run(tenantId, async (tx): Promise<PayoutInstruction | null> => {
      const row = await this.lockedOrThrow(tx, withdrawalId, true);
      if (row.status !== 'approved') return null; // sent by a concurrent approval
      const used = await this.fx.consume(tx, { tenantId, ownerRef: row.account_ref, quoteId }, actor);
      assert(used.sell === row.currency && used.buy === row.payout_currency && decimal(used.sellAmount).eq(decimal(row.amount)),
        `withdrawal ${row.id}: the quote converts its amount`);
      const beneficiary = Beneficiary.parse(JSON.parse((await this.vault.open(tx, row.user_id, row.beneficiary_sealed)) ?? 'null'));
      const rail = detectRail({ currency: LOCAL_CURRENCY, fromCountry: LOCAL_COUNTRY, toCountry: beneficiary.country, amount: used.buyAmount,
        urgency: row.urgency as 'standard' | 'bulk' });
      const lkr = (kind: 'bank_clearing' | 'fx_conversion'): AccountKey => ({ kind, ownerRef: null, unit: used.buy });
      const posted = await this.ledger.post(tx, {
        tenantId, idempotencyKey: used.quoteId, kind: 'fx_conversion', reference: `payment_withdrawal:${row.id}`,
        legs: [{ account: lkr('fx_conversion'), side: 'debit', amount: used.buyAmount }, { account: lkr('bank_clearing'), side: 'credit', amount: used.buyAmount }],
      }, actor);
      assert(posted.status === 'posted' && !posted.replayed, `withdrawal ${row.id}: the quote's first posting is made`);
      assert(await this.repository.moveWithdrawal(tx, row.id, ['approved'], 'sending', new Date(), {
        quoteId: used.quoteId, payoutAmount: used.buyAmount, conversionTransactionId: posted.transactionId, rail,
      }), 'a locked approved withdrawal moves to sending');
      await this.audit.record(tx, {
        tenantId, ...actor, action: 'payments.withdrawal.sending', resource: `payment_withdrawal:${row.id}`,
        diff: { quoteId: used.quoteId, price: used.price, payoutAmount: used.buyAmount, payoutCurrency: used.buy, rail, transactionId: posted.transactionId },
      });
      return { paymentId: row.id, tenantId, amount: used.buyAmount, currency: used.buy, rail, beneficiary };
    });
    if (!instruction) return;
    let answer;
    try {
      answer = await this.provider.sendPayout(instruction);
    } catch (error) {
      this.logger.error({ msg: 'payment provider did not answer a payout; the withdrawal stays sending', withdrawalId, error: String(error) });
      return;
    }
    await this.tenants.run(tenantId, async (tx) => {
      const row = await this.lockedOrThrow(tx, withdrawalId, true);
      if (answer.status === 'refused') {
        if (row.status === 'sending') await this.failWithdrawal(tx, row, 'failed', answer.code, SYSTEM);
        return;
      }
      // The provider's webhook may have settled (or failed) it already.
      if (await this.repository.moveWithdrawal(tx, row.id, ['sending'], 'sent', new Date(), { providerRef: answer.providerRef })) {
        await this.audit.record(tx, { tenantId, ...SYSTEM, action: 'payments.withdrawal.sent', resource: `payment_withdrawal:${row.id}`,
          diff: { providerRef: answer.providerRef } });
      }
    });
  }

  /** Rejected or failed: the LKR commitment (if any) reversed, the reservation released, the customer told. */
  private async failWithdrawal(
    tx: SqlTx, row: WithdrawalRow, to: 'failed' | 'rejected', code: string, actor: AuditActor, extra: Record<string, string> = {},
  ): Promise<void> {
    const { tenant_id: tenantId } = row;
    if (row.conversion_transaction_id && row.status !== 'approved') {
      const reversed = await this.ledger.reverse(tx, { tenantId, transactionId: row.conversion_transaction_id, idempotencyKey: `withdrawal:${row.id}:unconvert` }, actor);
      assert(reversed.status === 'posted', `withdrawal ${row.id}: the LKR commitment is reversed`);
    }
    const released = await this.ledger.releaseReservation(tx, { tenantId, reservationId: row.reservation_id, idempotencyKey: `withdrawal:${row.id}:release`,
      reason: 'voided' }, actor);
    assert(released.status === 'posted' || released.code === 'reservation_closed', `withdrawal ${row.id}: the reservation is released or already closed`);
    assert(await this.repository.moveWithdrawal(tx, row.id, withdrawalFrom(to), to, new Date(), { failureCode: code }), `a locked open withdrawal is ${to}`);
    await this.audit.record(tx, {
      tenantId, ...actor, action: `payments.withdrawal.${to}`, resource: `payment_withdrawal:${row.id}`,
      diff: { failureCode: code, released: released.status === 'posted', ...extra },
    });
    await this.notifications.enqueue(tx, {
      tenantId, userId: row.user_id, event: 'withdrawal.failed', data: { withdrawalId: row.id, amount: money(row.amount, row.currency), currency: row.currency, reason: code },
    });
  }

  // ------------------------------------------------------------------ holds that expire

  /**
   * Runs before the ledger's own expiry of due reservations. A withdrawal still waiting (held,
   * pending approval, approved but not sent) when its hold expires fails (`approval_expired`) and
   * its money is released. A withdrawal already with the provider must keep its money held: its
   * expired reservation is released and a new one made for the same amount in the same
   * transaction, so the money is never available in between.
   */
  async expireHolds(tenantId: string, now: Date): Promise<number> {
    return this.tenants.run(tenantId, async (tx) => {
      const due = await this.repository.dueHolds(tx, now, HOLDS_EXPIRED_PER_SWEEP_MAX);
      for (const row of due) {
        // The ledger's expiry uses this key too: whichever runs first releases the reservation once.
        const released = await this.ledger.releaseReservation(
          tx, { tenantId, reservationId: row.reservation_id, idempotencyKey: `reservation-expiry:${row.reservation_id}`, reason: 'expired' }, EXPIRY_ACTOR,
        );
        assert(released.status === 'posted' || released.code === 'reservation_closed', `withdrawal ${row.id}: its hold is released or already closed`);
        const resource = `payment_withdrawal:${row.id}`;
        if (row.status === 'sending' || row.status === 'sent') {
          const holdExpiresAt = new Date(now.getTime() + this.config.withdrawalHoldMs);
          const renewed = await this.ledger.reserve(tx, {
            tenantId, ownerRef: row.account_ref, unit: row.currency, amount: money(row.amount, row.currency), source: 'customer_cash', expiresAt: holdExpiresAt,
            reference: resource, idempotencyKey: `withdrawal:${row.id}:hold:${holdExpiresAt.toISOString()}`,
          }, EXPIRY_ACTOR);
          assert(renewed.status === 'reserved', `withdrawal ${row.id}: the money just released is held again`);
          assert(await this.repository.renewHold(tx, row.id, renewed.reservationId, holdExpiresAt, now), 'a locked withdrawal with the provider renews its hold');
          await this.audit.record(tx, {
            tenantId, ...EXPIRY_ACTOR, action: 'payments.withdrawal.hold_renewed', resource,
            diff: { expiredReservationId: row.reservation_id, reservationId: renewed.reservationId, holdExpiresAt: holdExpiresAt.toISOString() },
          });
          continue;
        }
        assert(await this.repository.moveWithdrawal(tx, row.id, withdrawalFrom('failed'), 'failed', now, { failureCode: 'approval_expired' }), 'a locked waiting withdrawal fails');
        await this.audit.record(tx, { tenantId, ...EXPIRY_ACTOR, action: 'payments.withdrawal.expired', resource, diff: { released: released.status === 'posted' } });
        await this.notifications.enqueue(tx, {
          tenantId, userId: row.user_id, event: 'withdrawal.failed',
          data: { withdrawalId: row.id, amount: money(row.amount, row.currency), currency: row.currency, reason: 'approval_expired' },
        });
      }
      return due.length;
    });
  }

  // ------------------------------------------------------------------ helpers

  private async refuseUnlessMayMoveMoney(tx: SqlTx, userId: string): Promise<Awaited<ReturnType<KycService['standing']>>> {
    const standing = await this.kyc.standing(tx, userId);
    const refusal = moneyRefusal({ kycStatus: standing.status, frozen: await this.aml.isFrozen(tx, userId) });
    if (refusal) throw new PaymentsError(refusal);
    return standing;
  }

  private async withdrawalRow(tenantId: string, withdrawalId: string): Promise<WithdrawalRow> {
    return this.tenants.run(tenantId, (tx) => this.lockedOrThrow(tx, withdrawalId, false));
  }

  private async lockedOrThrow(tx: SqlTx, withdrawalId: string, lock: boolean): Promise<WithdrawalRow> {
    const row = await this.repository.withdrawal(tx, withdrawalId, lock);
    if (!row) throw new PaymentsError('withdrawal_not_found');
    return row;
  }

  private async review(tx: SqlTx, row: WithdrawalRow): Promise<WithdrawalReview> {
    const opened = await this.vault.open(tx, row.user_id, row.beneficiary_sealed);
    const beneficiary = opened === null ? null : Beneficiary.safeParse(JSON.parse(opened));
    return {
      ...withdrawalView(row), status: row.status, requestedBy: row.user_id, approvedBy: row.approved_by, screeningDecision: row.screening_decision,
      beneficiaryAccountLast4: beneficiary?.success ? beneficiary.data.accountNumber.slice(-4) : null, reservationId: row.reservation_id,
    };
  }
}
