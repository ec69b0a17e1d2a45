// The intake of the omnibus: every intent.submitted.v1 that passed the wall is checked against
// its instrument and answered exactly once, accepted or rejected with a code. The answer is
// written to the outbox in the same transaction as the intent itself.
import { Inject, Injectable, Module, Optional, type OnModuleInit } from '@nestjs/common';
import { assert, decimal, type MessageBody } from '@bulwark/shared-contracts';
import { ParkMessage, enqueueOutbound, type InboundMessage, type OutboundMessage, type SqlTx } from '@bulwark/shared-contracts/wall';
import { WallService } from '@bulwark/shared-contracts/platform';
import { InstrumentsService, type Instrument } from '../market/instruments.service.js';
import { MarketModule } from '../market/market.module.js';
import { ChainUnavailableError } from '../chain/chain-rpc.js';
import { ChainService, type PreTradeRefusal } from '../chain/chain.service.js';
import { AggregationModule, AggregationService } from '../aggregation/aggregation.service.js';
import { ExecutionAuditModule, ExecutionAuditService } from '../audit/execution-audit.service.js';

type IntentRejectCode = MessageBody<'intent.rejected.v1'>['code'];

const isMultipleOf = (amount: string, step: string): boolean => decimal(amount).mod(decimal(step)).eq(decimal('0'));

/** Why an intent cannot enter the book, or undefined when it can. */
export function intakeRefusal(intent: MessageBody<'intent.submitted.v1'>, instrument: Instrument | undefined): IntentRejectCode | undefined {
  if (!instrument) return 'unknown_instrument';
  if (instrument.status !== 'open') return 'instrument_not_trading';
  if (!isMultipleOf(intent.limitPrice, instrument.tickSize)) return 'bad_tick';
  if (!isMultipleOf(intent.quantity, instrument.lotSize)) return 'bad_lot';
  return undefined;
}

/** How a pre-trade refusal on chain answers the intent: settlement must never fail on compliance. */
export function chainRefusalCode(refusal: PreTradeRefusal): IntentRejectCode {
  return refusal === 'instrument_not_on_chain' ? 'instrument_not_trading' : 'transfer_not_compliant';
}

@Injectable()
export class IntakeService implements OnModuleInit {
  constructor(
    @Inject(WallService) private readonly wall: WallService,
    @Inject(InstrumentsService) private readonly instruments: InstrumentsService,
    @Inject(AggregationService) private readonly aggregation: AggregationService,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
    // Present when the stack runs with a chain: intents are then simulated on chain before acceptance.
    @Optional() @Inject(ChainService) private readonly chain: ChainService | null = null,
  ) {}

  /**
   * The on-chain pre-trade check of an intent the book would accept: can the tenant's omnibus
   * wallet receive (buy) or deliver (sell) the quantity under every compliance rule right now?
   * Fails closed: an unreachable chain answers venue_unavailable.
   */
  private async preTradeRefusal(intent: MessageBody<'intent.submitted.v1'>): Promise<IntentRejectCode | undefined> {
    if (!this.chain) return undefined;
    try {
      const refusal = await this.chain.preTradeCheck({ instrumentId: intent.instrumentId, walletRef: intent.tenantRef, side: intent.side, quantity: intent.quantity });
      return refusal === null ? undefined : chainRefusalCode(refusal);
    } catch (error) {
      if (error instanceof ChainUnavailableError) return 'venue_unavailable';
      throw error;
    }
  }

  onModuleInit(): void {
    this.wall.registerHandlers({
      'intent.submitted.v1': (tx, messages) => this.onSubmitted(tx, messages),
      'intent.cancel.v1': (tx, messages) => this.onCancel(tx, messages),
    });
  }

  /**
   * Closes the intents an intent.cancel.v1 names (its investor's cancel, or the customer stack's
   * expiry by time): see AggregationService.requestClose. A rejected intent was answered already.
   * A cancel that arrives before its intent is parked.
   */
  async onCancel(tx: SqlTx, messages: readonly InboundMessage<'intent.cancel.v1'>[]): Promise<void> {
    const ids = [...new Set(messages.map((m) => m.body.intentId))];
    const known = new Set(
      (await tx.query<{ intent_id: string }>(`SELECT intent_id FROM omnibus_intent WHERE intent_id = ANY($1::uuid[])`, [ids])).map((r) => r.intent_id),
    );
    const early = ids.find((id) => !known.has(id));
    if (early) throw new ParkMessage(`cancel for intent ${early} before the intent itself`);
    // The first reason wins when one batch carries two cancels of one intent.
    const reasons = new Map<string, 'cancelled' | 'expired'>();
    for (const m of messages) if (!reasons.has(m.body.intentId)) reasons.set(m.body.intentId, m.body.reason === 'expired' ? 'expired' : 'cancelled');
    await this.aggregation.requestClose(tx, reasons, 'system:intake');
  }

  async onSubmitted(tx: SqlTx, messages: readonly InboundMessage<'intent.submitted.v1'>[]): Promise<void> {
    const instruments = await this.instruments.findMany(tx, [...new Set(messages.map((m) => m.body.instrumentId))]);
    const decided: { message: (typeof messages)[number]; refusal: IntentRejectCode | undefined }[] = [];
    for (const m of messages) {
      const refusal = intakeRefusal(m.body, instruments.get(m.body.instrumentId)) ?? (await this.preTradeRefusal(m.body));
      decided.push({ message: m, refusal });
    }
    // An intent id seen before (a customer-stack retry under a new message id) is answered once only.
    const inserted = new Set(
      (
        await tx.query<{ intent_id: string }>(
          `INSERT INTO omnibus_intent (intent_id, account_ref, tenant_ref, instrument_id, side, quantity, limit_price, time_in_force,
                                       status, reject_code, message_id, expires_at, received_at)
           SELECT *, clock_timestamp()
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::numeric[], $7::numeric[], $8::text[],
                         $9::text[], $10::text[], $11::uuid[], $12::timestamptz[])
           ON CONFLICT (intent_id) DO NOTHING RETURNING intent_id`,
          [
            decided.map((d) => d.message.body.intentId),
            decided.map((d) => d.message.body.accountRef),
            decided.map((d) => d.message.body.tenantRef),
            decided.map((d) => d.message.body.instrumentId),
            decided.map((d) => d.message.body.side),
            decided.map((d) => d.message.body.quantity),
            decided.map((d) => d.message.body.limitPrice),
            decided.map((d) => d.message.body.timeInForce),
            decided.map((d) => (d.refusal ? 'rejected' : 'accepted')),
            decided.map((d) => d.refusal ?? null),
            decided.map((d) => d.message.meta.id),
            decided.map((d) => d.message.body.expiresAt ?? null),
          ],
        )
      ).map((r) => r.intent_id),
    );
    const now = new Date().toISOString();
    const answers: OutboundMessage[] = [];
    const admitted: MessageBody<'intent.submitted.v1'>[] = [];
    for (const { message, refusal } of decided) {
      if (!inserted.has(message.body.intentId)) continue;
      inserted.delete(message.body.intentId); // a second copy inside the same batch is answered once
      if (!refusal) admitted.push(message.body);
      const { intentId, accountRef } = message.body;
      answers.push(
        refusal
          ? { type: 'intent.rejected.v1', body: { intentId, accountRef, code: refusal, rejectedAt: now } }
          : { type: 'intent.accepted.v1', body: { intentId, accountRef, acceptedAt: now } },
      );
    }
    assert(answers.length <= messages.length, 'at most one answer per intent');
    await enqueueOutbound(tx, answers);
    await this.aggregation.admit(tx, admitted); // accepted intents wait in their pools from the same commit
    // No nudge here: the inbound pipeline wakes the outbox relay once this batch has committed.
  }
}

@Module({ imports: [MarketModule, AggregationModule, ExecutionAuditModule], providers: [IntakeService], exports: [IntakeService] })
export class IntakeModule {}
