// The stack's side of the wall as a Nest module: the NATS connection, the outbox relay and the
// inbound pipeline. Domain modules register their inbound handlers during module init; the
// pipeline starts once the application has bootstrapped, so no message reaches a half-built app.
import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createKeyring, type Keyring } from '../envelope/keyring.js';
import { InboundPipeline, type InboundHandlers } from '../wall/inbound.js';
import { OutboxRelay } from '../wall/outbox.js';
import { connectWall, systemClock, type WallConnection, type WallLogger } from '../wall/runtime.js';
import { STACK_WALL, WALL_STREAMS, type StackName } from '../wall/topology.js';
import type { SqlDatabase } from '../wall/sql.js';
import type { WallConfig } from '../wall/wall-config.js';
import { SQL_DATABASE } from './database.module.js';
import { MetricsService } from './metrics.js';

export const WALL_OPTIONS = Symbol('WALL_OPTIONS');

export interface WallModuleOptions {
  readonly stack: StackName;
  readonly config: WallConfig;
}

/** Adapts Nest's logger to the wall runtime's structured logger port. */
function wallLogger(logger: Logger): WallLogger {
  return {
    info: (object, message) => logger.log({ ...object, msg: message }),
    warn: (object, message) => logger.warn({ ...object, msg: message }),
    error: (object, message) => logger.error({ ...object, msg: message }),
  };
}

@Injectable()
export class WallService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Wall');
  private readonly handlers: { -readonly [K in keyof InboundHandlers]: InboundHandlers[K] } = {};
  private connection: WallConnection | undefined;
  private relay: OutboxRelay | undefined;
  private pipeline: InboundPipeline | undefined;
  readonly keyring: Keyring;

  constructor(
    @Inject(WALL_OPTIONS) private readonly options: WallModuleOptions,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {
    this.keyring = createKeyring(options.config.keys);
  }

  /** Called by domain modules in onModuleInit. */
  registerHandlers(handlers: InboundHandlers): void {
    for (const type of Object.keys(handlers) as (keyof InboundHandlers)[]) {
      if (this.handlers[type]) throw new Error(`a handler for ${type} is already registered`);
    }
    Object.assign(this.handlers, handlers);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { stack, config } = this.options;
    this.connection = await connectWall({
      servers: config.nats.url,
      user: config.nats.user,
      pass: config.nats.password,
      name: `${stack}-stack`,
      inboxPrefix: `_INBOX_${stack}`,
    });
    const wall = STACK_WALL[stack];
    // The topology is provisioned by infra (a user with stream rights); refuse to run without it.
    await this.connection.jsm.consumers.info(WALL_STREAMS[wall.inbound], wall.consumer).catch((error: unknown) => {
      throw new Error(`wall consumer ${wall.consumer} is not provisioned: run infra provisioning first (${String(error)})`);
    });
    this.relay = new OutboxRelay({ ...this.wallDeps(this.connection), publisher: this.connection.publisher, direction: wall.outbound });
    // Every commit that wrote the outbox wakes the relay, whichever module wrote it.
    this.db.onOutboxCommitted?.(() => this.nudge());
    this.relay.start();
    await this.resumeInbound();
    this.logger.log({ msg: 'wall connected', stack, inbound: WALL_STREAMS[wall.inbound] });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pipeline?.stop();
    await this.relay?.stop();
    await this.connection?.nc.drain().catch(() => undefined);
  }

  /**
   * Stops taking inbound messages (for maintenance): JetStream keeps them, and the outbox relay
   * goes on publishing. Messages already taken are finished first.
   */
  async pauseInbound(): Promise<void> {
    const pipeline = this.pipeline;
    this.pipeline = undefined;
    await pipeline?.stop();
    if (pipeline) this.logger.warn({ msg: 'wall inbound paused', stack: this.options.stack });
  }

  /** Takes inbound messages again, from where the durable consumer stopped. */
  async resumeInbound(): Promise<void> {
    if (this.pipeline || !this.connection) return;
    this.pipeline = new InboundPipeline({ ...this.wallDeps(this.connection), stack: this.options.stack, handlers: this.handlers, committed: () => this.nudge() });
    await this.pipeline.start();
  }

  private wallDeps(connection: WallConnection) {
    return { db: this.db, js: connection.js, keyring: this.keyring, clock: systemClock, logger: wallLogger(this.logger), observer: this.metrics };
  }

  /** Wakes the outbox relay after a transaction that enqueued messages has committed. */
  nudge(): void {
    this.relay?.nudge();
  }

  async health(): Promise<{ connected: boolean; relayHealthy: boolean; consumerPending?: number }> {
    const nc = this.connection?.nc;
    if (!nc || nc.isClosed() || !this.relay) return { connected: false, relayHealthy: false };
    const wall = STACK_WALL[this.options.stack];
    const info = await this.connection?.jsm.consumers.info(WALL_STREAMS[wall.inbound], wall.consumer);
    return { connected: true, relayHealthy: this.relay.healthy, consumerPending: info?.num_pending };
  }
}

@Global()
@Module({})
export class WallModule {
  static forRoot(options: WallModuleOptions): DynamicModule {
    return {
      module: WallModule,
      providers: [{ provide: WALL_OPTIONS, useValue: options }, MetricsService, WallService],
      exports: [WallService, MetricsService],
    };
  }
}
