// The sandbox payment provider: a separate component from the receiver, standing in for a bank.
// It answers deposit and payout instructions at once and reports each outcome as a real HTTP
// webhook to the stack's webhook route, signed with the shared secret (HMAC-SHA256 over
// `{timestamp}.{body}`), retrying on network errors and 5xx. Outcomes follow the test data:
//
//   deposits, by the cents of the amount:     .13 → failed · .42 → delayed (pending now, settled
//                                              after PAYMENTS_SANDBOX_DELAY_MS) · else settled
//   payouts, by the beneficiary account's     …0099 → refused at once · …0013 → failed ·
//   last four characters:                      …0042 → delayed · else settled
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { assert } from '@bulwark/shared-contracts';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import type { DepositInstruction, DepositInstructions, PaymentProvider, PayoutAnswer, PayoutInstruction, WebhookEvent } from './payment-provider.js';
import { signWebhook } from './webhook-signature.js';

export const SANDBOX_PROVIDER = 'sandbox';
/** The first callback waits this long, as a bank would, so the instruction's own commit comes first. */
export const SANDBOX_CALLBACK_AFTER_MS = 50;
export const SANDBOX_DELIVERY_ATTEMPTS_MAX = 5;
export const SANDBOX_RETRY_BASE_MS = 200;
export const SANDBOX_DELIVERY_LOG_MAX = 500;
export const SANDBOX_PAYOUTS_REMEMBERED_MAX = 100_000;

export type SandboxOutcome = 'settled' | 'failed' | 'delayed';

/** The sandbox's rule for a deposit: the cents of the amount pick the outcome. */
export function sandboxDepositOutcome(amount: string): SandboxOutcome {
  const cents = /\.(\d{2})$/.exec(amount)?.[1];
  if (cents === '13') return 'failed';
  if (cents === '42') return 'delayed';
  return 'settled';
}

/** The sandbox's rule for a payout: the beneficiary account's last four characters. */
export function sandboxPayoutOutcome(accountNumber: string): SandboxOutcome | 'refused' {
  const tail = accountNumber.slice(-4);
  if (tail === '0099') return 'refused';
  if (tail === '0013') return 'failed';
  if (tail === '0042') return 'delayed';
  return 'settled';
}

/** One webhook the sandbox sent: exactly the bytes and headers, and what the receiver answered. */
export interface SandboxDelivery {
  readonly event: WebhookEvent;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number | null;
}

@Injectable()
export class SandboxPaymentProvider implements PaymentProvider, OnApplicationShutdown {
  readonly name = SANDBOX_PROVIDER;
  private readonly logger = new Logger('SandboxPaymentProvider');
  private readonly secret: Buffer;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly held = new Map<string, WebhookEvent>();
  private readonly payouts = new Map<string, PayoutAnswer>();
  private readonly log: SandboxDelivery[] = [];
  private stopped = false;

  constructor(
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
  ) {
    const [current] = config.money.payments.webhookSecrets.reveal();
    assert(current !== undefined, 'a current webhook secret');
    this.secret = current;
  }

  async createDeposit(instruction: DepositInstruction): Promise<DepositInstructions> {
    const providerRef = `sbx_dep_${randomUUID()}`;
    const outcome = sandboxDepositOutcome(instruction.amount);
    const event = (type: WebhookEvent['type'], failureCode?: string) => this.event(type, instruction, providerRef, failureCode);
    if (outcome === 'failed') this.later(event('deposit.failed', 'payer_account_closed'));
    else if (outcome === 'settled') this.later(event('deposit.settled'));
    else {
      this.later(event('deposit.pending'));
      this.hold(event('deposit.settled'));
    }
    return { providerRef, payInReference: `BW-${instruction.paymentId.slice(0, 8).toUpperCase()}`, payTo: { bank: 'Sandbox Bank PLC (7999)', account: '000111222333' } };
  }

  async sendPayout(instruction: PayoutInstruction): Promise<PayoutAnswer> {
    const known = this.payouts.get(instruction.paymentId);
    if (known) return known;
    const outcome = sandboxPayoutOutcome(instruction.beneficiary.accountNumber);
    const answer: PayoutAnswer = outcome === 'refused' ? { status: 'refused', code: 'beneficiary_account_invalid' } : { status: 'accepted',
      providerRef: `sbx_pay_${randomUUID()}` };
    if (this.payouts.size >= SANDBOX_PAYOUTS_REMEMBERED_MAX) this.payouts.clear();
    this.payouts.set(instruction.paymentId, answer);
    if (answer.status === 'accepted') {
      const event = (type: WebhookEvent['type'], failureCode?: string) => this.event(type, instruction, answer.providerRef, failureCode);
      if (outcome === 'failed') this.later(event('payout.failed', 'beneficiary_account_closed'));
      else if (outcome === 'delayed') this.hold(event('payout.settled'));
      else this.later(event('payout.settled'));
    }
    return answer;
  }

  async returnDeposit(input: { paymentId: string; providerRef: string; reason: string }): Promise<{ returnRef: string }> {
    assert(input.providerRef.startsWith('sbx_dep_'), 'a sandbox deposit is returned by the sandbox');
    return { returnRef: `sbx_ret_${randomUUID()}` };
  }

  /** Sends every held ("delayed") outcome now, as if the delay had passed; resolves when delivered. */
  async releaseDelayed(): Promise<number> {
    const events = [...this.held.values()];
    this.held.clear();
    await Promise.all(events.map((event) => this.deliver(event)));
    return events.length;
  }

  /** The webhooks sent so far (the most recent SANDBOX_DELIVERY_LOG_MAX), oldest first. */
  deliveries(): readonly SandboxDelivery[] {
    return [...this.log];
  }

  /** Resolves once nothing is waiting to be delivered except held outcomes. */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.inFlight.size > 0) {
      await Promise.race([...this.inFlight, new Promise((resolve) => setTimeout(resolve, 10))]);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private event(type: WebhookEvent['type'], instruction: DepositInstruction | PayoutInstruction, providerRef: string, failureCode?: string): WebhookEvent {
    return {
      id: `evt_${randomUUID()}`,
      type,
      occurredAt: new Date().toISOString(),
      data: {
        paymentId: instruction.paymentId, tenantId: instruction.tenantId, providerRef, amount: instruction.amount,
        currency: instruction.currency as WebhookEvent['data']['currency'], ...(failureCode ? { failureCode } : {}),
      },
    };
  }

  private later(event: WebhookEvent, afterMs = SANDBOX_CALLBACK_AFTER_MS, attempt = 1): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(event, attempt);
    }, afterMs);
    timer.unref();
    this.timers.add(timer);
  }

  private hold(event: WebhookEvent): void {
    this.held.set(event.id, event);
    const delayMs = this.config.money.payments.sandboxDelayMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.held.delete(event.id)) void this.deliver(event);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private deliver(event: WebhookEvent, attempt = 1): Promise<void> {
    const delivery = this.post(event, attempt).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
    return delivery;
  }

  private async post(event: WebhookEvent, attempt: number): Promise<void> {
    if (this.stopped) return;
    const body = JSON.stringify(event);
    const headers = { 'content-type': 'application/json', ...signWebhook(this.secret, Buffer.from(body), Date.now()) };
    let status: number | null = null;
    try {
      const response = await fetch(this.callbackUrl(), { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      this.logger.warn({ msg: 'sandbox webhook delivery failed', eventId: event.id, attempt, error: String(error) });
    }
    this.record({ event, body, headers, status });
    const retry = status === null || status >= 500;
    if (retry && attempt < SANDBOX_DELIVERY_ATTEMPTS_MAX) this.later(event, SANDBOX_RETRY_BASE_MS * 2 ** (attempt - 1), attempt + 1);
    else if (retry) this.logger.error({ msg: 'sandbox webhook given up', eventId: event.id, type: event.type, paymentId: event.data.paymentId });
  }

  private record(delivery: SandboxDelivery): void {
    this.log.push(delivery);
    if (this.log.length > SANDBOX_DELIVERY_LOG_MAX) this.log.shift();
  }

  /** The configured URL, else this stack's own webhook route on the address it listens on. */
  private callbackUrl(): string {
    const configured = this.config.money.payments.sandboxCallbackUrl;
    if (configured) return configured;
    const address = this.http.httpAdapter.getHttpServer().address() as AddressInfo | string | null;
    assert(address !== null && typeof address === 'object', 'the HTTP server listens on a TCP port');
    const host = address.family === 'IPv6' ? (address.address === '::' ? '[::1]' : `[${address.address}]`) : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
    return `http://${host}:${address.port}/v1/payments/webhooks/${SANDBOX_PROVIDER}`;
  }
}
