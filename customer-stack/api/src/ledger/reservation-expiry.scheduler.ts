// Reservations do not outlive their expiry: on an interval, for every tenant, the domains that
// hold reservations for a purpose (orders: an intent's cash or units; payments: a withdrawal's
// hold) expire theirs first; then the ledger's expireDue returns what any other due reservation
// still holds. A domain may own its reservations outright (by their reference prefix): the
// ledger's sweep then never releases them, because only the domain knows whether something can
// still draw on them (an expired intent's hold stays until the execution stack confirms what
// filled). Otherwise both use the same idempotency key per reservation
// (`reservation-expiry:<id>`), so whichever runs first, a reservation is released once.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { assert } from '@bulwark/shared-contracts';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { TenantsService } from '../tenancy/tenants.service.js';
import { LedgerService, RESERVATIONS_EXPIRED_PER_CALL_MAX } from './ledger.service.js';

export const RESERVATION_EXPIRY_JOB = 'ledger.reservation-expiry';
export const EXPIRY_PARTICIPANTS_MAX = 8;
/** Batches per tenant per sweep: a backlog drains over several sweeps rather than in one long one. */
export const EXPIRY_BATCHES_PER_SWEEP_MAX = 20;

/** Expires a domain's due items of one tenant; returns how many it expired. */
export type ExpiryParticipant = (tenantId: string, now: Date) => Promise<number>;

export interface ExpiryParticipation {
  /** Reservations whose reference starts with this belong to the domain: the ledger's sweep leaves them. */
  readonly ownsReservationsReferencing?: string;
}

export interface ExpirySweep {
  readonly tenants: number;
  readonly expired: number;
}

@Injectable()
export class ReservationExpiryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReservationExpiry');
  private readonly participants = new Map<string, ExpiryParticipant>();
  private readonly ownedPrefixes: string[] = [];
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(SchedulerRegistry) private readonly scheduler: SchedulerRegistry,
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
  ) {}

  /** A domain's own expiry, run before the ledger's (register at module init). */
  register(name: string, participant: ExpiryParticipant, participation: ExpiryParticipation = {}): void {
    assert(!this.participants.has(name) && this.participants.size < EXPIRY_PARTICIPANTS_MAX, 'expiry participants unique and within limit');
    const prefix = participation.ownsReservationsReferencing;
    const overlaps = (p: string) => prefix !== undefined && (p.startsWith(prefix) || prefix.startsWith(p));
    assert(prefix === undefined || (prefix.length > 0 && !this.ownedPrefixes.some(overlaps)), 'owned reservation prefixes non-empty and disjoint');
    this.participants.set(name, participant);
    if (prefix !== undefined) this.ownedPrefixes.push(prefix);
  }

  onApplicationBootstrap(): void {
    const timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error({ err: error, msg: 'reservation expiry sweep failed' }))
        .finally(() => {
          this.running = undefined;
        });
    }, this.config.money.expiryIntervalMs);
    timer.unref();
    this.scheduler.addInterval(RESERVATION_EXPIRY_JOB, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', RESERVATION_EXPIRY_JOB)) this.scheduler.deleteInterval(RESERVATION_EXPIRY_JOB);
    await this.running;
  }

  /** One sweep over every tenant (the interval calls it; tests may too). */
  async sweep(now: Date = new Date()): Promise<ExpirySweep> {
    const tenants = await this.tenants.list();
    let expired = 0;
    for (const tenant of tenants) {
      for (const participant of this.participants.values()) expired += await participant(tenant.id, now);
      for (let batch = 0; batch < EXPIRY_BATCHES_PER_SWEEP_MAX; batch++) {
        const released = await this.scope.run(tenant.id, (tx) => this.ledger.expireDue(tx, tenant.id, now, RESERVATIONS_EXPIRED_PER_CALL_MAX, this.ownedPrefixes));
        expired += released;
        if (released < RESERVATIONS_EXPIRED_PER_CALL_MAX) break;
      }
    }
    return { tenants: tenants.length, expired };
  }
}
