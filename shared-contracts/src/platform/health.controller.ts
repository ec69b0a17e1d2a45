// /health: the database, the wall (NATS connection, relay, inbound consumer) and what domain
// modules register in the HealthRegistry. 200 when all critical parts are up, 503 with the
// failing part named otherwise.
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from './access.js';
import { HealthRegistry } from './health-registry.js';
import { WallService } from './wall.module.js';

const CHECK_TIMEOUT_MS = 2_000;

@ApiTags('platform')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicator: HealthIndicatorService,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(WallService) private readonly wall: WallService,
    @Inject(HealthRegistry) private readonly registry: HealthRegistry,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const session = this.indicator.check('database');
        try {
          await withTimeout(this.dataSource.query('SELECT 1'));
          return session.up();
        } catch (error) {
          return session.down({ error: error instanceof Error ? error.message : 'unreachable' });
        }
      },
      async () => {
        const session = this.indicator.check('nats');
        try {
          const state = await withTimeout(this.wall.health());
          return state.connected && state.relayHealthy ? session.up(state) : session.down(state);
        } catch (error) {
          return session.down({ error: error instanceof Error ? error.message : 'unreachable' });
        }
      },
      ...this.registry.registrations().map(({ name, critical, check }) => async () => {
        const session = this.indicator.check(name);
        try {
          const state = await withTimeout(Promise.resolve(check()));
          return state.up || !critical ? session.up({ ...state.details, ...(state.up ? {} : { degraded: true }) }) : session.down(state.details);
        } catch (error) {
          const details = { error: error instanceof Error ? error.message : 'unreachable' };
          return critical ? session.down(details) : session.up({ ...details, degraded: true });
        }
      }),
    ]);
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref())]);
}
