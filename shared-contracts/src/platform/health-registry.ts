// Health contributions from domain modules (circuit breakers around providers, schedulers...):
// a module registers a named check, and /health reports it next to the database and the wall.
// A `critical` check that is down makes /health 503; a non-critical one is reported with its
// state (a provider behind an open breaker degrades one feature, not the stack).
import { Global, Injectable, Module } from '@nestjs/common';
import { assert } from '../assert.js';

export interface HealthContribution {
  readonly up: boolean;
  readonly details?: Record<string, string | number | boolean | null>;
}

export interface HealthCheckRegistration {
  readonly name: string;
  readonly critical: boolean;
  readonly check: () => HealthContribution | Promise<HealthContribution>;
}

export const HEALTH_CHECKS_MAX = 32;
const NAME = /^[a-z][a-z0-9-]{1,39}$/;
const RESERVED = new Set(['database', 'nats']);

@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckRegistration>();

  register(registration: HealthCheckRegistration): void {
    assert(NAME.test(registration.name) && !RESERVED.has(registration.name), 'a health check has its own lower-case name');
    assert(!this.checks.has(registration.name), `health check ${registration.name} registered once`);
    assert(this.checks.size < HEALTH_CHECKS_MAX, 'health checks within limit');
    this.checks.set(registration.name, registration);
  }

  registrations(): readonly HealthCheckRegistration[] {
    return [...this.checks.values()];
  }
}

@Global()
@Module({ providers: [HealthRegistry], exports: [HealthRegistry] })
export class HealthRegistryModule {}
