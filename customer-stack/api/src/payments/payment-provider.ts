// Where money enters and leaves: a payment provider (a bank or payment institution) behind an
// interface. It takes a deposit instruction (the customer then pays in), sends payouts, returns
// funds, and reports outcomes by signed webhooks to POST /v1/payments/webhooks/:provider.
// A deterministic sandbox provider ships (sandbox-payment-provider.ts); real ones plug in here.
import { z } from 'zod';
import type { Rail } from './rails.js';

export const PAYMENT_PROVIDERS = Symbol('PAYMENT_PROVIDERS');

export interface DepositInstruction {
  /** Our deposit id; the provider echoes it in every webhook about this deposit. */
  readonly paymentId: string;
  readonly tenantId: string;
  readonly amount: string;
  readonly currency: string;
  readonly rail: Rail;
}

export interface DepositInstructions {
  readonly providerRef: string;
  /** What the customer quotes when paying in, so the provider matches the transfer to the deposit. */
  readonly payInReference: string;
  readonly payTo: { readonly bank: string; readonly account: string };
}

export interface PayoutInstruction {
  readonly paymentId: string;
  readonly tenantId: string;
  readonly amount: string;
  readonly currency: string;
  readonly rail: Rail;
  readonly beneficiary: Beneficiary;
}

export type PayoutAnswer = { readonly status: 'accepted'; readonly providerRef: string } | { readonly status: 'refused'; readonly code: string };

export interface PaymentProvider {
  readonly name: string;
  createDeposit(instruction: DepositInstruction): Promise<DepositInstructions>;
  /** Sends a payout; the provider deduplicates by `paymentId` (a repeat gets the same answer). */
  sendPayout(instruction: PayoutInstruction): Promise<PayoutAnswer>;
  /** Sends money that arrived for a deposit we could not credit back to where it came from. */
  returnDeposit(input: { paymentId: string; tenantId: string; providerRef: string; reason: string }): Promise<{ returnRef: string }>;
}

export const BENEFICIARY_NAME_LENGTH_MAX = 140;

export const Beneficiary = z.strictObject({
  name: z.string().trim().min(2).max(BENEFICIARY_NAME_LENGTH_MAX),
  accountNumber: z.string().regex(/^[A-Z0-9]{4,34}$/, 'an account number or IBAN: 4–34 capital letters and digits'),
  bankCode: z.string().regex(/^[A-Z0-9]{2,11}$/, 'a bank or branch code (or BIC): 2–11 capital letters and digits').optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code'),
});
export type Beneficiary = z.infer<typeof Beneficiary>;

export const WEBHOOK_EVENT_TYPES = ['deposit.pending', 'deposit.settled', 'deposit.failed', 'payout.settled', 'payout.failed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What every provider's webhook body is translated to (the sandbox sends exactly this). */
export const WebhookEvent = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{8,100}$/),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.strictObject({
    paymentId: z.uuid(),
    tenantId: z.uuid(),
    providerRef: z.string().min(1).max(100),
    amount: z.string().regex(/^\d{1,20}(\.\d{1,18})?$/),
    currency: z.enum(['LKR', 'USD', 'EUR', 'GBP']),
    failureCode: z.string().regex(/^[a-z_]{1,64}$/).optional(),
  }),
});
export type WebhookEvent = z.infer<typeof WebhookEvent>;
