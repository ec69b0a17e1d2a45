// Order intents. An investor's intent is checked (KYC approved, not frozen, velocity, the tier's
// daily trading limit), its cash (buy: quantity × limit + the most the fee can be) or units
// (sell) reserved in the ledger, and it is recorded and announced across the wall, all in one
// transaction. The execution stack's answers come back and are booked: a rejection releases the
// reservation; each allocation.v1 (its inputs hash checked against our own record)
// posts the reservation in part, books the position and, once the intent is complete, releases
// what is left; an intent.closed.v1 (nothing more will be allocated: an IOC/FOK remainder, or the
// answer to a cancel) releases what is still held once the allocations it counts are booked. A
// cancel, and an expiry by time, are two-phase: the intent is cancel_requested (expire_requested)
// and keeps its hold until that intent.closed.v1 confirms what will never fill, so no hold is
// released that can still be filled. A payout.v1 credits
// cash and, on resolution, closes the position. Inbound
// handling is idempotent (an allocation or payout id is booked once) and safe against
// out-of-order delivery: what arrives before what it depends on is parked and retried.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { IntentSubmittedV1Fields, allocationInputsHash, assert, intentExpiryIssue, canonicalDecimal, decimal, sumDecimals, type MessageBody } from '@bulwark/shared-contracts';
import { ParkMessage, enqueueOutbound, type InboundMessage, type OutboundMessage, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { HealthRegistry, SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import { AmlService } from '../aml/aml.service.js';
import { TransactionMonitor } from '../aml/transaction-monitor.js';
import { AuditService } from '../audit/audit.service.js';
import type { AuditActor } from '../audit/audit-input.js';
import type { Principal } from '../auth/principal.js';
import { CUSTOMER_CONFIG, type CustomerConfig, type OrdersConfig } from '../config/customer-config.js';
import { KycService } from '../kyc/kyc.service.js';
import { LedgerService, type ReservedStep } from '../ledger/ledger.service.js';
import type { AccountKey, AccountKind, Leg, PostingInput, PostingKind } from '../ledger/ledger.types.js';
import { ReservationExpiryScheduler } from '../ledger/reservation-expiry.scheduler.js';
import { NotificationService } from '../notifications/notification.service.js';
import { TenancyError } from '../tenancy/tenancy.errors.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { TenantsService } from '../tenancy/tenants.service.js';
import { CANCEL_REQUESTED, CLOSE_REQUESTED_STATUSES, EXPIRE_REQUESTED, OPEN_INTENT_STATUSES } from './order-intent.entity.js';
import { OrdersError } from './orders.errors.js';
import { allocationOrder, buyReservationUsd, intentExpiry, placementRefusal, usageUsd, utcDayStart } from './orders-rules.js';
import { OrdersRepository, type AllocationRow, type IntentRow, type NewIntent, type PayoutRow } from './orders.repository.js';
import type { AllocationView, IntentView, PayoutView, TradingTerms } from './orders.views.js';

/** What a caller gives: the intent.submitted.v1 body without the ids and time this stack assigns. */
export const SubmitIntentInput = IntentSubmittedV1Fields.omit({ intentId: true, submittedAt: true });
export type SubmitIntentInput = z.infer<typeof SubmitIntentInput>;

/** What an investor gives over HTTP: their account and tenant come from the session; expiresAt for GTD only. */
export const PlaceIntentInput = IntentSubmittedV1Fields.pick({ instrumentId: true, side: true, quantity: true, limitPrice: true, expiresAt: true }).extend({
  timeInForce: IntentSubmittedV1Fields.shape.timeInForce.default('GTC'),
}).strict();
export type PlaceIntentInput = z.input<typeof PlaceIntentInput>;

export const INTENTS_PER_CALL_MAX = 1_000;
export const INTENTS_PER_PAGE_MAX = 200;
export const INTENTS_EXPIRED_PER_SWEEP_MAX = 500;
/** An intent is split into at most this many allocations shown at once. */
export const ALLOCATIONS_PER_INTENT_SHOWN_MAX = 500;
export const PAYOUTS_PER_PAGE_MAX = 200;
/** The most accounts one statement's cash is reconciled for. */
export const BOOKED_CASH_ACCOUNTS_MAX = 10_000;
export const TIMES_IN_FORCE = IntentSubmittedV1Fields.shape.timeInForce.options;
/**
 * An intent asked to cancel or expire keeps its hold until the execution stack answers; one
 * still waiting after this long is reported on every sweep (the execution stack is down, or a
 * message is stuck), never released blindly.
 */
export const CLOSE_ANSWER_OVERDUE_MS = 15 * 60_000;

/** Who books the execution stack's answers in the audit chain. */
const WALL_ACTOR: AuditActor = { actor: 'system:execution-stack', role: 'system' };
const EXPIRY_ACTOR: AuditActor = { actor: 'system:orders-expiry', role: 'system' };
/** Every intent's reservation carries this reference prefix: the ledger's expiry sweep leaves them to orders. */
const INTENT_RESERVATION_PREFIX = 'order_intent:';

type Answer = MessageBody<'intent.accepted.v1'> | MessageBody<'intent.rejected.v1'>;
type Allocation = MessageBody<'allocation.v1'>;
type Payout = MessageBody<'payout.v1'>;
type Closed = MessageBody<'intent.closed.v1'>;

export function intentView(row: IntentRow): IntentView {
  return {
    intentId: row.id, accountRef: row.account_ref, instrumentId: row.instrument_id, side: row.side, quantity: canonicalDecimal(row.quantity),
    limitPrice: canonicalDecimal(row.limit_price), timeInForce: row.time_in_force, status: row.status, rejectCode: row.reject_code,
    filledQuantity: canonicalDecimal(row.filled_quantity), notional: canonicalDecimal(row.notional), fee: canonicalDecimal(row.fee),
    reservationId: row.reservation_id, expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function allocationView(row: AllocationRow): AllocationView {
  assert(decimal(row.quantity).gt(decimal('0')), 'a booked allocation has a quantity');
  return {
    allocationId: row.allocation_id, quantity: canonicalDecimal(row.quantity),
    averagePrice: canonicalDecimal(decimal(row.notional).div(decimal(row.quantity))), notional: canonicalDecimal(row.notional),
    fee: canonicalDecimal(row.fee), remainingQuantity: canonicalDecimal(row.remaining_quantity),
    allocatedAt: new Date(row.allocated_at).toISOString(), bookedAt: new Date(row.booked_at).toISOString(),
  };
}

export function payoutView(row: PayoutRow): PayoutView {
  return {
    payoutId: row.payout_id, instrumentId: row.instrument_id, eventRef: row.event_ref, kind: row.kind, quantity: canonicalDecimal(row.quantity),
    amount: canonicalDecimal(row.amount), currency: 'USD', paidAt: new Date(row.paid_at).toISOString(), bookedAt: new Date(row.booked_at).toISOString(),
  };
}


@Injectable()
export class OrdersService implements OnModuleInit {
  private readonly logger = new Logger('Orders');
  private readonly repository = new OrdersRepository();
  private readonly config: OrdersConfig;
  private readonly marketDataUrl: string | null;
  /** Per tenant, as of its last expiry sweep: intents waiting too long for the execution stack to confirm a cancel or expiry. */
  private readonly overdueCloses = new Map<string, { count: number; oldest: Date | null }>();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(WallService) private readonly wall: WallService,
    @Inject(TenantScope) private readonly tenants: TenantScope,
    @Inject(TenantsService) private readonly tenantSettings: TenantsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Inject(KycService) private readonly kyc: KycService,
    @Inject(AmlService) private readonly aml: AmlService,
    @Inject(TransactionMonitor) private readonly monitor: TransactionMonitor,
    @Inject(NotificationService) private readonly notifications: NotificationService,
    @Inject(ReservationExpiryScheduler) private readonly expiry: ReservationExpiryScheduler,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(CUSTOMER_CONFIG) config: CustomerConfig,
  ) {
    this.config = config.money.orders;
    this.marketDataUrl = config.marketDataUrl;
  }

  onModuleInit(): void {
    this.wall.registerHandlers({
      'intent.accepted.v1': (tx, messages) => this.onAccepted(tx, messages),
      'intent.rejected.v1': (tx, messages) => this.onRejected(tx, messages),
      'allocation.v1': (tx, messages) => this.onAllocations(tx, messages),
      'payout.v1': (tx, messages) => this.onPayouts(tx, messages),
      'intent.closed.v1': (tx, messages) => this.onClosed(tx, messages),
    });
    this.expiry.register('orders', (tenantId, now) => this.expireIntents(tenantId, now), { ownsReservationsReferencing: INTENT_RESERVATION_PREFIX });
    // Degraded, not down: the stack still serves; holds wait for answers that are overdue.
    this.health.register({ name: 'orders-close-answers', critical: false, check: () => this.closeAnswersHealth() });
  }

  // ------------------------------------------------------------------ investors

  /**
   * Places an investor's intent: checks, reservation, the intent and its intent.submitted.v1 in
   * one transaction. A refusal leaves nothing behind.
   */
  async placeIntent(principal: Principal, raw: unknown, now: Date = new Date()): Promise<IntentView> {
    const parsed = PlaceIntentInput.safeParse(raw ?? {});
    if (!parsed.success) throw new OrdersError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const input = parsed.data;
    const expiry = intentExpiry(input.timeInForce, input.expiresAt, now, this.config);
    if ('refusal' in expiry) throw new OrdersError('invalid_request', `expiresAt: ${expiry.refusal}`);
    const { expiresAt } = expiry;
    const accountRef = principal.accountRef;
    if (!accountRef) throw new OrdersError('not_an_investor');
    const { tenantId, userId } = principal;
    const actor: AuditActor = { actor: `user:${userId}`, role: 'investor' };
    const row = await this.tenants.run(tenantId, async (tx) => {
      await this.ensureRoutable(tx, actor, tenantId, accountRef);
      const standing = await this.kyc.standing(tx, userId);
      const frozen = await this.aml.isFrozen(tx, userId);
      const dayStart = utcDayStart(now);
      const windowStart = new Date(now.getTime() - this.config.velocityWindowMs);
      // One read serves both limits: the day's usage and the velocity window's count.
      const placed = await this.repository.placedSince(tx, accountRef, windowStart < dayStart ? windowStart : dayStart);
      const usage = placed.filter((p) => p.created_at >= dayStart);
      const placedInWindow = placed.filter((p) => p.created_at >= windowStart).length;
      const refusal = placementRefusal({
        kycStatus: standing.status, frozen, dailyTradeLimitUsd: standing.dailyTradeLimitUsd,
        usedTodayUsd: sumDecimals(usage.map((u) => usageUsd({ status: u.status, quantity: u.quantity, limitPrice: u.limit_price, notional: u.notional }))),
        intentUsd: canonicalDecimal(decimal(input.quantity).times(decimal(input.limitPrice))),
        placedInWindow, velocityMax: this.config.velocityMax,
      });
      if (refusal) throw new OrdersError(refusal);
      const id = randomUUID();
      // The hold first, so the intent is stored with it in one statement.
      const reserved = await this.ledger.reserve(
        tx,
        input.side === 'buy'
          ? { tenantId, ownerRef: accountRef, unit: 'USD', amount: buyReservationUsd(input.quantity, input.limitPrice, this.config.feeBps), source: 'customer_cash',
            expiresAt, reference: `${INTENT_RESERVATION_PREFIX}${id}`, idempotencyKey: `intent:${id}` }
          : { tenantId, ownerRef: accountRef, unit: input.instrumentId, amount: input.quantity, source: 'customer_position',
            expiresAt, reference: `${INTENT_RESERVATION_PREFIX}${id}`, idempotencyKey: `intent:${id}` },
        actor,
      );
      if (reserved.status === 'rejected') {
        if (reserved.code === 'insufficient_funds') throw new OrdersError('insufficient_funds');
        throw new Error(`intent ${id}: a fresh reservation key conflicted`);
      }
      const intent: NewIntent = { id, accountRef, tenantId, userId, ...input, createdAt: now, expiresAt, reservationId: reserved.reservationId };
      const [stored] = await this.repository.insert(tx, [intent]);
      assert(stored && stored.reservation_id === reserved.reservationId, 'the intent is stored with its reservation');
      await this.audit.record(tx, {
        tenantId, ...actor, action: 'orders.intent.submitted', resource: `order_intent:${intent.id}`,
        diff: {
          instrumentId: intent.instrumentId, side: intent.side, quantity: intent.quantity, limitPrice: intent.limitPrice, timeInForce: intent.timeInForce,
          expiresAt: expiresAt.toISOString(), reservationId: reserved.reservationId,
        },
      });
      await enqueueOutbound(tx, [this.submittedMessage(intent, now)]);
      return stored;
    });
    this.wall.nudge();
    return intentView(row);
  }

  async listIntents(principal: Principal, query: { limit: number; before: Date | null }): Promise<IntentView[]> {
    assert(query.limit >= 1 && query.limit <= INTENTS_PER_PAGE_MAX, 'page size within limit');
    const accountRef = principal.accountRef;
    if (!accountRef) return [];
    const rows = await this.tenants.run(principal.tenantId, (tx) => this.repository.listOf(tx, accountRef, query.limit, query.before));
    return rows.map(intentView);
  }

  async getIntent(principal: Principal, intentId: string): Promise<IntentView> {
    const [row] = await this.tenants.run(principal.tenantId, (tx) => this.repository.find(tx, [intentId]));
    if (!row || row.account_ref !== principal.accountRef) throw new OrdersError('intent_not_found');
    return intentView(row);
  }

  async listAllocations(principal: Principal, intentId: string): Promise<AllocationView[]> {
    const rows = await this.tenants.run(principal.tenantId, async (tx) => {
      const [intent] = await this.repository.find(tx, [intentId]);
      if (!intent || intent.account_ref !== principal.accountRef) throw new OrdersError('intent_not_found');
      return this.repository.allocationsOf(tx, intentId, ALLOCATIONS_PER_INTENT_SHOWN_MAX);
    });
    return rows.map(allocationView);
  }

  async listPayouts(principal: Principal, limit: number): Promise<PayoutView[]> {
    assert(limit >= 1 && limit <= PAYOUTS_PER_PAGE_MAX, 'page size within limit');
    const accountRef = principal.accountRef;
    if (!accountRef) return [];
    const rows = await this.tenants.run(principal.tenantId, (tx) => this.repository.payoutsOf(tx, accountRef, limit));
    return rows.map(payoutView);
  }

  terms(): TradingTerms {
    return {
      currency: 'USD', feeBps: this.config.feeBps, timesInForce: TIMES_IN_FORCE, gtcTtlMs: this.config.gtcTtlMs,
      immediateTtlMs: this.config.immediateTtlMs, marketDataUrl: this.marketDataUrl,
    };
  }

  /**
   * Requests the cancel of an open intent: it becomes cancel_requested, keeps its hold, and
   * intent.cancel.v1 tells the execution stack. Its intent.closed.v1 answer (at once for an intent
   * not yet pooled; when its omnibus order ends otherwise) says what was allocated; once that is
   * booked, the rest of the hold is released and the intent is cancelled (closeIntent).
   */
  async cancelIntent(principal: Principal, intentId: string): Promise<IntentView> {
    const actor: AuditActor = { actor: `user:${principal.userId}`, role: 'investor' };
    const row = await this.tenants.run(principal.tenantId, async (tx) => {
      const intent = await this.repository.lock(tx, intentId);
      if (!intent || intent.account_ref !== principal.accountRef) throw new OrdersError('intent_not_found');
      if (!OPEN_INTENT_STATUSES.includes(intent.status)) throw new OrdersError('intent_not_cancellable', `It is ${intent.status}.`);
      assert(await this.repository.requestClose(tx, intent.id, 'cancel_requested'), 'an open, locked intent can be cancelled');
      await this.audit.record(tx, {
        tenantId: principal.tenantId, ...actor, action: 'orders.intent.cancel_requested', resource: `order_intent:${intent.id}`, diff: { reason: 'customer_request' },
      });
      await enqueueOutbound(tx, [this.cancelMessage(intent, 'customer_request')]);
      const [stored] = await this.repository.find(tx, [intent.id]);
      assert(stored, 'the cancelled intent is there');
      return stored;
    });
    this.wall.nudge();
    return intentView(row);
  }

  // ------------------------------------------------------------------ the platform's own path

  /**
   * Records intents and their intent.submitted.v1 messages atomically, without checks or a
   * reservation: the platform's own flows and the wall's tests and benchmarks. Each intent's
   * account must be registered under the tenant it names (`tenantRef` on the wall is the tenant id).
   * Their allocations are booked against the account's available balance.
   */
  async submitIntents(inputs: readonly SubmitIntentInput[]): Promise<string[]> {
    assert(inputs.length >= 1 && inputs.length <= INTENTS_PER_CALL_MAX, 'intents per call within limit');
    const now = new Date();
    const intents: NewIntent[] = inputs.map((raw) => {
      const { tenantRef, expiresAt, ...rest } = SubmitIntentInput.parse(raw);
      const issue = intentExpiryIssue({ timeInForce: rest.timeInForce, expiresAt, submittedAt: now.toISOString() });
      if (issue) throw new OrdersError('invalid_request', `expiresAt: ${issue}`);
      // The platform's own intents live until they fill or are cancelled, unless they name a GTD expiry.
      return { ...rest, tenantId: tenantRef, id: randomUUID(), createdAt: now, expiresAt: expiresAt === undefined ? null : new Date(expiresAt) };
    });
    await this.db.transaction(async (tx) => {
      const owners = await this.tenants.tenantOfAccounts(tx, intents.map((i) => i.accountRef));
      for (const intent of intents) {
        if (owners.get(intent.accountRef) !== intent.tenantId) throw new TenancyError('account_not_in_tenant', intent.accountRef);
      }
      for (const [tenantId, group] of groupBy(intents, (i) => i.tenantId)) {
        await this.tenants.enter(tx, tenantId);
        await this.repository.insert(tx, group);
        await this.audit.recordMany(
          tx,
          group.map((intent) => ({
            tenantId,
            actor: `account:${intent.accountRef}`,
            role: 'investor',
            action: 'orders.intent.submitted',
            resource: `order_intent:${intent.id}`,
            diff: { instrumentId: intent.instrumentId, side: intent.side, quantity: intent.quantity, limitPrice: intent.limitPrice, timeInForce: intent.timeInForce },
          })),
        );
      }
      await enqueueOutbound(tx, intents.map((intent) => this.submittedMessage(intent, now)));
    });
    this.wall.nudge();
    return intents.map((i) => i.id);
  }

  /** The tenant's intents among `ids` (another tenant's intents are not visible). */
  async findIntents(tenantId: string, ids: readonly string[]): Promise<IntentRow[]> {
    return this.tenants.run(tenantId, (tx) => this.repository.find(tx, ids));
  }

  // ------------------------------------------------------------------ expiry

  /**
   * Expires the tenant's open intents past their time, in two phases like a cancel: each becomes
   * expire_requested and keeps its hold (pooled into an omnibus order, it can still fill until the
   * execution stack takes it out), and intent.cancel.v1 (expired) asks the execution stack to
   * close it. Its intent.closed.v1 says what was allocated; the rest is released then
   * (closeIntent). The ledger's own expiry sweep leaves these holds to us. Intents that wait too
   * long for that answer are reported on every sweep.
   */
  async expireIntents(tenantId: string, now: Date): Promise<number> {
    const expired = await this.tenants.run(tenantId, async (tx) => {
      const due = await this.repository.dueIntents(tx, now, INTENTS_EXPIRED_PER_SWEEP_MAX);
      for (const intent of due) {
        assert(await this.repository.requestClose(tx, intent.id, 'expire_requested'), 'a due, locked intent is open');
        await this.audit.record(tx, {
          tenantId, ...EXPIRY_ACTOR, action: 'orders.intent.expire_requested', resource: `order_intent:${intent.id}`,
          diff: { expiresAt: intent.expires_at ? new Date(intent.expires_at).toISOString() : null },
        });
      }
      await enqueueOutbound(tx, due.map((intent) => this.cancelMessage(intent, 'expired')));
      const overdue = await this.repository.closeRequestsWaitingSince(tx, new Date(now.getTime() - CLOSE_ANSWER_OVERDUE_MS));
      this.overdueCloses.set(tenantId, overdue);
      if (overdue.count > 0) {
        this.logger.warn(
          { event: 'orders.close_answer.overdue', tenantId, intents: overdue.count, oldestRequestedAt: overdue.oldest ? new Date(overdue.oldest).toISOString() : null },
          'intents wait for the execution stack to confirm their cancel or expiry; their holds stay',
        );
      }
      return due.length;
    });
    if (expired > 0) this.wall.nudge();
    return expired;
  }

  /** /health: how many intents waited too long for their intent.closed.v1, over every tenant, as of the last sweeps. */
  private closeAnswersHealth(): { up: boolean; details: Record<string, number | string | null> } {
    let count = 0;
    let oldest: Date | null = null;
    for (const tenant of this.overdueCloses.values()) {
      count += tenant.count;
      if (tenant.oldest && (!oldest || new Date(tenant.oldest) < oldest)) oldest = new Date(tenant.oldest);
    }
    return { up: count === 0, details: { overdueIntents: count, oldestRequestedAt: oldest ? oldest.toISOString() : null, overdueAfterMs: CLOSE_ANSWER_OVERDUE_MS } };
  }

  // ------------------------------------------------------------------ the execution stack's answers

  private async onAccepted(tx: SqlTx, messages: readonly InboundMessage<'intent.accepted.v1'>[]): Promise<void> {
    await this.settle(tx, messages.map((m) => m.body), 'accepted');
  }

  private async onRejected(tx: SqlTx, messages: readonly InboundMessage<'intent.rejected.v1'>[]): Promise<void> {
    await this.settle(tx, messages.map((m) => m.body), 'rejected');
  }

  /** Books a batch of answers, tenant by tenant (the batch may span tenants; each group runs under its own). */
  private async settle(tx: SqlTx, bodies: readonly Answer[], status: 'accepted' | 'rejected'): Promise<void> {
    for (const [tenantId, group] of await this.routed(tx, bodies, (b) => `intent ${b.intentId}`)) {
      await this.tenants.enter(tx, tenantId);
      await this.settleTenant(tx, tenantId, group, status);
    }
  }

  private async settleTenant(tx: SqlTx, tenantId: string, bodies: readonly Answer[], status: 'accepted' | 'rejected'): Promise<void> {
    const ids = bodies.map((b) => b.intentId);
    const codes = bodies.map((b) => ('code' in b ? b.code : null));
    const moved = new Set(await this.repository.settleSubmitted(tx, ids, status, codes));
    const rows = new Map((await this.repository.find(tx, ids)).map((row) => [row.id, row]));
    const unmoved = ids.filter((i) => !moved.has(i));
    for (const body of bodies) {
      if (!moved.delete(body.intentId)) continue; // a second copy in the same batch is booked once
      const row = rows.get(body.intentId);
      assert(row, 'a moved intent is there');
      // A rejected intent never trades: what it held goes back at once.
      const released = status === 'rejected' ? await this.releaseHold(tx, tenantId, row, `intent-rejected:${row.id}`, 'voided', WALL_ACTOR) : '0';
      await this.audit.record(tx, {
        tenantId, ...WALL_ACTOR, action: `orders.intent.${status}`, resource: `order_intent:${body.intentId}`,
        diff: { status, ...('code' in body ? { rejectCode: body.code, released } : {}) },
      });
    }
    // An answer for an intent already past it (accepted, then filled or cancelled) is a harmless
    // repeat or a late arrival; for an unknown intent it is early; an intent the execution stack
    // answered both ways is a break.
    for (const id of unmoved) {
      const row = rows.get(id);
      if (!row) throw new ParkMessage(`intent ${id} is not known (yet)`);
      const consistent = status === 'accepted' ? row.status !== 'rejected' : row.status === 'rejected' || row.status === 'cancelled' || row.status === 'expired';
      assert(consistent, `intent ${id} is ${row.status}, the execution stack says ${status}`);
    }
  }

  private async onAllocations(tx: SqlTx, messages: readonly InboundMessage<'allocation.v1'>[]): Promise<void> {
    for (const [tenantId, group] of await this.routed(tx, messages.map((m) => m.body), (b) => `allocation ${b.allocationId}`)) {
      await this.tenants.enter(tx, tenantId);
      await this.bookAllocations(tx, tenantId, group);
    }
  }

  /**
   * Books one tenant's allocations as a set: the intents locked in one statement (id order),
   * each allocation checked in turn against its intent as the ones before it in the batch left
   * it, then one update of the intents, one insert of the allocations, one ledger plan for all
   * of them and one audit call. The ledger locks the reservations and accounts last, in id
   * order, so placements waiting on an investor's account wait only for the end of the batch.
   * An allocation that cannot be booked yet parks, and a bad one (its inputs hash differs, it
   * does not match its intent) throws: either fails the batch, whose messages the wall then
   * retries one by one, so it holds back none of its batch-mates.
   */
  private async bookAllocations(tx: SqlTx, tenantId: string, group: readonly Allocation[]): Promise<void> {
    const booked = await this.repository.allocationBooked(tx, group.map((b) => b.allocationId));
    const fresh: Allocation[] = [];
    for (const body of group) {
      if (booked.has(body.allocationId)) continue; // delivered again: booked once
      booked.add(body.allocationId);
      fresh.push(body);
    }
    if (fresh.length === 0) return;
    const intents = new Map((await this.repository.lockMany(tx, [...new Set(fresh.map((a) => a.intentId))])).map((row) => [row.id, row]));
    const fills: Fill[] = fresh.map((a) => {
      const intent = intents.get(a.intentId);
      if (!intent) throw new ParkMessage(`allocation ${a.allocationId}: intent ${a.intentId} is not known (yet)`);
      const fill = checkedFill(intent, a);
      // The next allocation of this intent in the batch is checked against what this one leaves.
      intents.set(intent.id, {
        ...intent, status: fill.complete ? 'filled' : intent.status,
        filled_quantity: canonicalDecimal(decimal(intent.filled_quantity).plus(decimal(a.quantity))),
        notional: canonicalDecimal(decimal(intent.notional).plus(decimal(a.notional))),
        fee: canonicalDecimal(decimal(intent.fee).plus(decimal(a.fee))),
      });
      return fill;
    });
    await this.repository.recordFills(tx, fills.map(({ intent, allocation: a, complete }) => ({
      id: intent.id, quantity: a.quantity, notional: a.notional, fee: a.fee, complete,
    })));
    await this.repository.insertAllocations(tx, fills.map(({ intent, allocation: a }) => ({
      allocationId: a.allocationId, tenantId, intentId: intent.id, quantity: a.quantity, notional: a.notional, fee: a.fee,
      remainingQuantity: a.remainingQuantity, inputsHash: a.inputsHash, allocatedAt: a.allocatedAt,
    })));
    await this.audit.recordMany(tx, fills.map(({ intent, allocation: a, complete }) => ({
      tenantId, ...WALL_ACTOR, action: 'orders.allocation.booked', resource: `order_intent:${intent.id}`,
      diff: { allocationId: a.allocationId, quantity: a.quantity, notional: a.notional, fee: a.fee, remainingQuantity: a.remainingQuantity, complete },
    })));
    const investors = fills.filter((fill): fill is Fill & { intent: { user_id: string } } => fill.intent.user_id !== null);
    await this.monitor.observeMany(tx, investors.map(({ intent, allocation: a }) => ({
      tenantId, userId: intent.user_id, kind: 'trade', amountUsd: a.notional, currency: 'USD', amount: a.notional, at: new Date(a.allocatedAt),
    })));
    await this.notifications.enqueueMany(tx, investors.filter((fill) => fill.complete).map(({ intent, allocation: a }) => ({
      tenantId, userId: intent.user_id, event: 'order.filled',
      data: {
        intentId: intent.id, side: intent.side, quantity: canonicalDecimal(intent.quantity),
        notional: canonicalDecimal(decimal(intent.notional).plus(decimal(a.notional))),
      },
    })));
    // Last: the investors' accounts stay locked only from here to the commit.
    await this.ledger.postBatch(tx, tenantId, fills.flatMap((fill) => allocationSteps(tenantId, fill)));
  }

  private async onPayouts(tx: SqlTx, messages: readonly InboundMessage<'payout.v1'>[]): Promise<void> {
    for (const [tenantId, group] of await this.routed(tx, messages.map((m) => m.body), (b) => `payout ${b.payoutId}`)) {
      await this.tenants.enter(tx, tenantId);
      const booked = await this.repository.payoutBooked(tx, group.map((b) => b.payoutId));
      for (const body of group) {
        if (booked.has(body.payoutId)) continue;
        await this.bookPayout(tx, tenantId, body);
        booked.add(body.payoutId);
      }
    }
  }

  /**
   * Credits a payout and, for a resolution, closes the position it paid on (a payout of 0 still
   * closes it). Intents still open in a resolved instrument can no longer trade: their holds are
   * released first. A position smaller than the units paid on means allocations are still on
   * their way: the payout is parked until they are booked.
   */
  private async bookPayout(tx: SqlTx, tenantId: string, p: Payout): Promise<void> {
    const owner = p.accountRef;
    const key = (leg: string) => `payout:${p.payoutId}:${leg}`;
    if (p.kind === 'resolution') {
      for (const side of ['buy', 'sell'] as const) {
        for (const intent of await this.repository.openIntentsIn(tx, owner, p.instrumentId, side)) {
          const released = await this.releaseHold(tx, tenantId, intent, key(`close:${intent.id}`), 'voided', WALL_ACTOR);
          assert(await this.repository.close(tx, intent.id, 'expired'), 'an open, locked intent closes');
          await this.audit.record(tx, {
            tenantId, ...WALL_ACTOR, action: 'orders.intent.expired', resource: `order_intent:${intent.id}`,
            diff: { reason: 'instrument_resolved', eventRef: p.eventRef, released },
          });
        }
      }
      const position = await this.ledger.balance(tx, tenantId, { kind: 'customer_position', ownerRef: owner, unit: p.instrumentId });
      if (decimal(position).lt(decimal(p.quantity))) throw new ParkMessage(`payout ${p.payoutId}: position ${position} < ${p.quantity} paid on; allocations still arriving`);
      if (decimal(p.quantity).gt(decimal('0'))) {
        await this.postOrBreak(tx, tenantId, 'payout', key('units'), `payout:${p.payoutId}`, [
          { account: { kind: 'customer_position', ownerRef: owner, unit: p.instrumentId }, side: 'debit', amount: p.quantity },
          { account: { kind: 'omnibus', ownerRef: null, unit: p.instrumentId }, side: 'credit', amount: p.quantity },
        ]);
      }
    }
    const paid = decimal(p.amount).gt(decimal('0'));
    if (paid) {
      await this.postOrBreak(tx, tenantId, 'payout', key('cash'), `payout:${p.payoutId}`, [
        { account: { kind: 'payouts', ownerRef: null, unit: 'USD' }, side: 'debit', amount: p.amount },
        { account: { kind: 'customer_cash', ownerRef: owner, unit: 'USD' }, side: 'credit', amount: p.amount },
      ]);
    }
    await this.repository.insertPayout(tx, {
      payoutId: p.payoutId, tenantId, accountRef: owner, instrumentId: p.instrumentId, eventRef: p.eventRef, kind: p.kind, quantity: p.quantity, amount: p.amount, paidAt: p.paidAt,
    });
    await this.audit.record(tx, {
      tenantId, ...WALL_ACTOR, action: 'orders.payout.booked', resource: `order_payout:${p.payoutId}`,
      diff: { instrumentId: p.instrumentId, eventRef: p.eventRef, kind: p.kind, quantity: p.quantity, amount: p.amount },
    });
    const userId = await this.repository.userOf(tx, owner);
    if (userId && paid) {
      await this.monitor.observe(tx, { tenantId, userId, kind: 'payout', amountUsd: p.amount, currency: 'USD', amount: p.amount, at: new Date(p.paidAt) });
      await this.notifications.enqueue(tx, {
        tenantId, userId, event: 'payout.credited', data: { instrumentId: p.instrumentId, kind: p.kind, amount: canonicalDecimal(p.amount), currency: 'USD' },
      });
    }
  }

  private async onClosed(tx: SqlTx, messages: readonly InboundMessage<'intent.closed.v1'>[]): Promise<void> {
    for (const [tenantId, group] of await this.routed(tx, messages.map((m) => m.body), (b) => `intent.closed ${b.intentId}`)) {
      await this.tenants.enter(tx, tenantId);
      for (const body of group) await this.closeIntent(tx, tenantId, body);
    }
  }

  /**
   * The execution stack will allocate nothing more to this intent (its IOC/FOK remainder, an
   * order the venue ended, or the answer to a cancel): what the reservation still holds is
   * released and the intent expires, or is cancelled when its investor asked for that.
   * It closes only once its own allocations add up to exactly what the message says it was
   * allocated; before that, allocations are still on their way and the message is parked. An
   * intent already closed here (cancelled, expired, filled, rejected) holds nothing: no effect.
   */
  private async closeIntent(tx: SqlTx, tenantId: string, c: Closed): Promise<void> {
    const intent = await this.repository.lock(tx, c.intentId);
    if (!intent) throw new ParkMessage(`intent.closed ${c.intentId}: the intent is not known (yet)`);
    assert(intent.account_ref === c.accountRef, `intent.closed ${c.intentId} names the intent's account`);
    if (intent.status === 'submitted') throw new ParkMessage(`intent.closed ${c.intentId}: the intent is not accepted yet`);
    if (!CLOSE_REQUESTED_STATUSES.includes(intent.status) && !OPEN_INTENT_STATUSES.includes(intent.status)) return;
    const cancelling = intent.status === CANCEL_REQUESTED;
    const booked = decimal(intent.filled_quantity);
    if (booked.lt(decimal(c.filledQuantity))) {
      throw new ParkMessage(`intent.closed ${c.intentId}: ${canonicalDecimal(booked)} of ${c.filledQuantity} booked; allocations still arriving`);
    }
    // More booked than the execution stack ever allocated would be a break across the wall, not a refusal.
    assert(booked.eq(decimal(c.filledQuantity)), `intent ${c.intentId}: booked ${canonicalDecimal(booked)} exceeds the ${c.filledQuantity} allocated`);
    const released = await this.releaseHold(tx, tenantId, intent, `intent-closed:${intent.id}`, cancelling ? 'voided' : 'expired', WALL_ACTOR);
    assert(await this.repository.close(tx, intent.id, cancelling ? 'cancelled' : 'expired'), 'an open, locked intent closes');
    await this.audit.record(tx, {
      tenantId, ...WALL_ACTOR, resource: `order_intent:${intent.id}`,
      action: cancelling ? 'orders.intent.cancelled' : intent.status === EXPIRE_REQUESTED ? 'orders.intent.expired' : 'orders.intent.closed',
      diff: { reason: c.reason, filledQuantity: canonicalDecimal(c.filledQuantity), released },
    });
  }

  /** What this stack booked as trade and payout cash per account over a period (reconciliation compares it with a statement). */
  async bookedCash(tx: SqlTx, accountRefs: readonly string[], start: Date, end: Date): Promise<Map<string, string>> {
    assert(accountRefs.length <= BOOKED_CASH_ACCOUNTS_MAX, 'accounts per call within limit');
    if (accountRefs.length === 0) return new Map();
    const rows = await this.repository.bookedCash(tx, accountRefs, start, end);
    return new Map(rows.map((r) => [r.account_ref, canonicalDecimal(r.amount)]));
  }

  /** The accounts of a tenant with trade or payout cash booked in [start, end): what a statement's cash lines must cover. */
  async accountsWithBookedCash(tx: SqlTx, tenantId: string, start: Date, end: Date): Promise<string[]> {
    const refs = await this.repository.accountsWithBookedCash(tx, tenantId, start, end, BOOKED_CASH_ACCOUNTS_MAX + 1);
    assert(refs.length <= BOOKED_CASH_ACCOUNTS_MAX, `accounts with booked cash of tenant ${tenantId} within ${BOOKED_CASH_ACCOUNTS_MAX}`);
    return refs;
  }

  // ------------------------------------------------------------------ helpers

  /** Returns what an intent's reservation still holds; the amount released ('0' when none). */
  private async releaseHold(tx: SqlTx, tenantId: string, intent: IntentRow, idempotencyKey: string, reason: 'voided' | 'expired', actor: AuditActor): Promise<string> {
    if (!intent.reservation_id) return '0';
    const before = await this.ledger.reservation(tx, intent.reservation_id);
    assert(before, `intent ${intent.id}: its reservation exists`);
    const result = await this.ledger.releaseReservation(tx, { tenantId, reservationId: intent.reservation_id, idempotencyKey, reason }, actor);
    if (result.status === 'rejected') {
      assert(result.code === 'reservation_closed', `intent ${intent.id}: a release is refused only when the reservation is closed`);
      return '0';
    }
    return result.replayed ? '0' : canonicalDecimal(decimal(before.amount).minus(decimal(before.posted)).minus(decimal(before.released)));
  }

  private async postOrBreak(tx: SqlTx, tenantId: string, kind: PostingKind, idempotencyKey: string, reference: string, legs: Leg[]): Promise<void> {
    const result = await this.ledger.post(tx, { tenantId, idempotencyKey, kind, reference, legs });
    // Not a refusal to return to anyone: the trade happened; a ledger that cannot book it is a break.
    assert(result.status === 'posted', `${reference}: the ledger refused ${idempotencyKey} (${result.status === 'rejected' ? result.code : ''})`);
  }

  /** Groups inbound bodies by the tenant of their account (the caller enters each tenant in turn). */
  private async routed<T extends { accountRef: string }>(tx: SqlTx, bodies: readonly T[], what: (body: T) => string): Promise<[string, T[]][]> {
    const owners = await this.tenants.tenantOfAccounts(tx, bodies.map((b) => b.accountRef));
    const unrouted = bodies.find((b) => !owners.has(b.accountRef));
    // Only a registered account can have intents: an unknown one is early, or a break to investigate.
    if (unrouted) throw new ParkMessage(`${what(unrouted)}: account ${unrouted.accountRef} is not registered (yet)`);
    return [...groupBy(bodies, (b) => owners.get(b.accountRef) as string)];
  }

  /** The investor's account becomes routable for wall answers the first time it trades. */
  private async ensureRoutable(tx: SqlTx, actor: AuditActor, tenantId: string, accountRef: string): Promise<void> {
    const owner = (await this.tenants.tenantOfAccounts(tx, [accountRef])).get(accountRef);
    if (owner === tenantId) return;
    if (owner !== undefined) throw new TenancyError('account_not_in_tenant', accountRef);
    try {
      await this.tenantSettings.registerAccount(tx, actor, tenantId, accountRef);
    } catch (error) {
      // A concurrent first intent registered it meanwhile (the insert waited for it, then did nothing).
      if (!(error instanceof TenancyError && error.code === 'account_already_registered')) throw error;
      if ((await this.tenants.tenantOfAccounts(tx, [accountRef])).get(accountRef) !== tenantId) throw new TenancyError('account_not_in_tenant', accountRef);
    }
  }

  private submittedMessage(intent: NewIntent, now: Date): OutboundMessage<'intent.submitted.v1'> {
    // Only a GTD intent's expiry crosses: the execution stack expires it on its side too.
    const gtd = intent.timeInForce === 'GTD';
    assert(!gtd || intent.expiresAt, `GTD intent ${intent.id} has its expiry`);
    return {
      type: 'intent.submitted.v1',
      body: {
        intentId: intent.id, accountRef: intent.accountRef, tenantRef: intent.tenantId, instrumentId: intent.instrumentId, side: intent.side,
        quantity: intent.quantity, limitPrice: intent.limitPrice, timeInForce: intent.timeInForce,
        ...(gtd && intent.expiresAt ? { expiresAt: intent.expiresAt.toISOString() } : {}), submittedAt: now.toISOString(),
      },
    };
  }

  private cancelMessage(intent: IntentRow, reason: 'customer_request' | 'expired'): OutboundMessage<'intent.cancel.v1'> {
    return { type: 'intent.cancel.v1', body: { intentId: intent.id, accountRef: intent.account_ref, reason, requestedAt: new Date().toISOString() } };
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** An allocation checked against its intent as it stood before it (earlier allocations of the batch included). */
interface Fill {
  readonly intent: IntentRow;
  readonly allocation: Allocation;
  readonly complete: boolean;
}

/**
 * Checks an allocation against its intent: parks what arrived before what it depends on (the
 * acceptance, an earlier allocation); throws on a break (it does not match the intent, was made
 * against more than is open, or its inputs hash differs from our record).
 */
function checkedFill(intent: IntentRow, a: Allocation): Fill {
  if (intent.status === 'submitted') throw new ParkMessage(`allocation ${a.allocationId}: intent ${a.intentId} is not accepted yet`);
  assert(intent.account_ref === a.accountRef && intent.instrument_id === a.instrumentId && intent.side === a.side, `allocation ${a.allocationId} matches its intent`);
  assert(intent.status !== 'rejected', `allocation ${a.allocationId} for rejected intent ${a.intentId}`);
  const open = canonicalDecimal(decimal(intent.quantity).minus(decimal(intent.filled_quantity)));
  const order = allocationOrder(open, a);
  if (order === 'early') throw new ParkMessage(`allocation ${a.allocationId}: an earlier allocation of intent ${a.intentId} has not been booked yet`);
  assert(order === 'next', `allocation ${a.allocationId} was made against more than intent ${a.intentId} has open (${open})`);
  // The pair across the wall: both sides computed the same inputs, or nothing is booked.
  const inputsHash = allocationInputsHash({
    intentId: intent.id, accountRef: intent.account_ref, instrumentId: intent.instrument_id, side: intent.side, limitPrice: intent.limit_price,
    openQuantity: open, omnibusOrderRef: a.omnibusOrderRef, fillRefs: a.fillRefs, quantity: a.quantity, notional: a.notional, fee: a.fee,
    remainingQuantity: a.remainingQuantity,
  });
  assert(inputsHash === a.inputsHash, `allocation ${a.allocationId}: inputs hash differs from our record of intent ${a.intentId}`);
  return { intent, allocation: a, complete: decimal(a.remainingQuantity).eq(decimal('0')) };
}

/**
 * The ledger side of an allocation. Buy: the reservation pays the omnibus the notional and the
 * fees account the fee, and the omnibus delivers the units to the position. Sell: the
 * reservation delivers the units to the omnibus, which pays the notional less the fee. A
 * complete intent releases what its reservation still holds. Without a usable reservation
 * (none, or already released by a cancel or expiry) the available balance pays; when it
 * cannot, the allocation is a break and fails loudly rather than be booked short.
 */
function allocationSteps(tenantId: string, { intent, allocation: a, complete }: Fill): (ReservedStep | PostingInput)[] {
  const owner = intent.account_ref;
  const usd = (kind: AccountKind): AccountKey => ({ kind, ownerRef: kind.startsWith('customer_') ? owner : null, unit: 'USD' });
  const units = (kind: AccountKind): AccountKey => ({ kind, ownerRef: kind.startsWith('customer_') ? owner : null, unit: intent.instrument_id });
  const key = (leg: string) => `allocation:${a.allocationId}:${leg}`;
  const reference = `allocation:${a.allocationId}`;
  const hasFee = decimal(a.fee).gt(decimal('0'));
  const held = intent.side === 'buy' ? 'cash' : 'units';
  const heldCredits = intent.side === 'buy'
    ? [{ account: usd('omnibus'), amount: a.notional }, ...(hasFee ? [{ account: usd('fees'), amount: a.fee }] : [])]
    : [{ account: units('omnibus'), amount: a.quantity }];
  const source = intent.side === 'buy' ? usd('customer_cash') : units('customer_position');
  const total = intent.side === 'buy' ? canonicalDecimal(decimal(a.notional).plus(decimal(a.fee))) : a.quantity;
  const heldStep: ReservedStep = {
    reservation: intent.reservation_id
      ? { tenantId, reservationId: intent.reservation_id, idempotencyKey: key(held), reference, credits: heldCredits, final: complete }
      : null,
    otherwise: {
      tenantId, idempotencyKey: key(held), kind: 'trade', reference,
      legs: [{ account: source, side: 'debit', amount: total }, ...heldCredits.map((c) => ({ account: c.account, side: 'credit' as const, amount: c.amount }))],
    },
    releaseKey: key('release'),
  };
  const delivered: PostingInput = intent.side === 'buy'
    ? {
      tenantId, idempotencyKey: key('units'), kind: 'trade', reference,
      legs: [{ account: units('omnibus'), side: 'debit', amount: a.quantity }, { account: units('customer_position'), side: 'credit', amount: a.quantity }],
    }
    : {
      tenantId, idempotencyKey: key('cash'), kind: 'trade', reference,
      legs: [
        { account: usd('omnibus'), side: 'debit', amount: a.notional },
        { account: usd('customer_cash'), side: 'credit', amount: canonicalDecimal(decimal(a.notional).minus(decimal(a.fee))) },
        ...(hasFee ? [{ account: usd('fees'), side: 'credit' as const, amount: a.fee }] : []),
      ],
    };
  return [heldStep, delivered];
}

