// Deposits, withdrawals and the provider webhook events received (kept to refuse replays).
// Amounts are NUMERIC; a withdrawal's beneficiary (a person's name and bank account) is sealed
// under the customer's key in the PersonalDataVault, only its country is in clear.
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TenantRow } from '../tenancy/tenant-row.js';
import type { DepositStatus, WithdrawalStatus } from './payments.views.js';

/** What a deposit and a withdrawal both record: whose money, through which provider and rail, and when. */
abstract class PaymentRow extends TenantRow {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'provider_ref', type: 'text', nullable: true })
  providerRef!: string | null;

  @Column({ type: 'text' })
  rail!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'payment_deposit' })
@Index('payment_deposit_account_created', ['accountRef', 'createdAt'])
@Index('payment_deposit_quote', ['quoteId'], { unique: true })
@Check('payment_deposit_status', `"status" IN ('initiated', 'pending', 'settled', 'failed')`)
@Check('payment_deposit_settled', `("status" = 'settled') = ("transaction_id" IS NOT NULL)`)
@Check('payment_deposit_failed', `("status" = 'failed') = ("failure_code" IS NOT NULL)`)
@Check('payment_deposit_amounts', `"amount" > 0 AND "credit_amount" > 0 AND "price" > 0`)
export class PaymentDepositEntity extends PaymentRow {

  /** The locked FX quote: single-use, so one deposit per quote. */
  @Column({ name: 'quote_id', type: 'uuid' })
  quoteId!: string;

  /** What the customer pays in (the quote's sell amount and currency). */
  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ type: 'text' })
  currency!: string;

  /** What is credited on settlement (the quote's buy amount and currency), exactly. */
  @Column({ name: 'credit_amount', type: 'numeric', precision: 38, scale: 18 })
  creditAmount!: string;

  @Column({ name: 'credit_currency', type: 'text' })
  creditCurrency!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  price!: string;

  @Column({ name: 'quote_expires_at', type: 'timestamptz' })
  quoteExpiresAt!: Date;

  @Column({ type: 'text' })
  status!: DepositStatus;

  @Column({ name: 'failure_code', type: 'text', nullable: true })
  failureCode!: string | null;

  /** The ledger transaction that credited the customer. */
  @Column({ name: 'transaction_id', type: 'uuid', nullable: true })
  transactionId!: string | null;

  /** How the customer pays in (the provider's account and the reference to quote). */
  @Column({ type: 'jsonb', nullable: true })
  instructions!: { payInReference: string; payTo: { bank: string; account: string } } | null;

  /** The provider's reference of the return of funds, for a deposit that failed after the money arrived. */
  @Column({ name: 'return_ref', type: 'text', nullable: true })
  returnRef!: string | null;
}

@Entity({ name: 'payment_withdrawal' })
@Index('payment_withdrawal_account_created', ['accountRef', 'createdAt'])
@Index('payment_withdrawal_queue', ['status', 'createdAt'])
@Index('payment_withdrawal_quote', ['quoteId'], { unique: true, where: `"quote_id" IS NOT NULL` })
@Index('payment_withdrawal_hold_expiry', ['holdExpiresAt'], { where: `"status" IN ('held', 'pending_approval', 'approved', 'sending', 'sent')` })
@Check('payment_withdrawal_status', `"status" IN ('held', 'pending_approval', 'approved', 'sending', 'sent', 'settled', 'failed', 'rejected')`)
@Check('payment_withdrawal_amounts', `"amount" > 0 AND ("payout_amount" IS NULL OR "payout_amount" > 0)`)
@Check('payment_withdrawal_approvals', `"approvals_required" BETWEEN 0 AND 2 AND cardinality("approved_by") <= "approvals_required"`)
@Check('payment_withdrawal_failed', `("status" IN ('failed', 'rejected')) = ("failure_code" IS NOT NULL)`)
@Check('payment_withdrawal_sent', `"status" NOT IN ('sending', 'sent', 'settled') OR ("quote_id" IS NOT NULL AND "conversion_transaction_id" IS NOT NULL)`)
@Check('payment_withdrawal_settled', `("status" = 'settled') = ("settle_transaction_id" IS NOT NULL)`)
export class PaymentWithdrawalEntity extends PaymentRow {

  @Column({ type: 'text' })
  urgency!: string;

  /** What leaves the customer's cash (USD). */
  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ type: 'text' })
  currency!: string;

  /** What is paid out (LKR), fixed by the fresh quote taken when it is sent. */
  @Column({ name: 'payout_amount', type: 'numeric', precision: 38, scale: 18, nullable: true })
  payoutAmount!: string | null;

  @Column({ name: 'payout_currency', type: 'text' })
  payoutCurrency!: string;

  @Column({ name: 'quote_id', type: 'uuid', nullable: true })
  quoteId!: string | null;

  @Column({ name: 'reservation_id', type: 'uuid' })
  reservationId!: string;

  /** When the reservation expires: a waiting withdrawal then fails; one with the provider gets a new hold. */
  @Column({ name: 'hold_expires_at', type: 'timestamptz' })
  holdExpiresAt!: Date;

  /** The posting (keyed by the quote id) that committed the payout currency to the bank at the quote. */
  @Column({ name: 'conversion_transaction_id', type: 'uuid', nullable: true })
  conversionTransactionId!: string | null;

  /** The reservation's posting once the provider confirmed the payout. */
  @Column({ name: 'settle_transaction_id', type: 'uuid', nullable: true })
  settleTransactionId!: string | null;

  @Column({ type: 'text' })
  status!: WithdrawalStatus;

  /** 0: sent at once; 1: a finance_ops approval; 2: two different finance_ops approvers. */
  @Column({ name: 'approvals_required', type: 'smallint' })
  approvalsRequired!: number;

  @Column({ name: 'approved_by', type: 'uuid', array: true, default: () => `'{}'` })
  approvedBy!: string[];

  /** The beneficiary (name, account number, bank code), sealed under the customer's key. */
  @Column({ name: 'beneficiary_sealed', type: 'bytea' })
  beneficiarySealed!: Buffer;

  @Column({ name: 'beneficiary_country', type: 'text' })
  beneficiaryCountry!: string;

  @Column({ name: 'screening_decision', type: 'text' })
  screeningDecision!: string;

  @Column({ name: 'failure_code', type: 'text', nullable: true })
  failureCode!: string | null;
}

/** Every verified webhook event, kept so that a replay (same id, or same signature) is refused. */
@Entity({ name: 'payment_webhook_event' })
@Index('payment_webhook_event_signature', ['signatureSha256'], { unique: true })
export class PaymentWebhookEventEntity {
  @PrimaryColumn({ type: 'text' })
  provider!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'signature_sha256', type: 'char', length: 64 })
  signatureSha256!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'payment_id', type: 'uuid' })
  paymentId!: string;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}

export const PAYMENT_ENTITIES = [PaymentDepositEntity, PaymentWithdrawalEntity, PaymentWebhookEventEntity];
