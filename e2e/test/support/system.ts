// The whole system for end-to-end and fault tests: a private nats-server that can be stopped and
// restarted, a fresh database per stack on the real Postgres, and both stacks as child processes
// from their compiled builds (so SIGKILL is a real crash). Optionally the customer stack reaches
// NATS through a TCP link the test can cut, and the execution stack runs with a real anvil chain.
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { WALL_STREAMS } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, testStackEnv, testSuperuserUrl, type TestDatabase } from '@bulwark/testing';
import { chainTestEnv, RestartableAnvil } from '../../../execution-stack/api/test/support/anvil-node.js';
import { RestartableNats } from './restartable-nats.js';
import { StackProcess } from './stack-process.js';
import { TcpLink } from './tcp-link.js';

export interface SystemOptions {
  /** The customer stack reaches NATS through a TcpLink the test can cut. */
  readonly customerLink?: boolean;
  /** The execution stack runs with the chain module on a restartable anvil. */
  readonly chain?: boolean;
  readonly customerEnv?: Record<string, string>;
  readonly executionEnv?: Record<string, string>;
  /** Node options for both stack processes (a benchmark's --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

export class TestSystem {
  private constructor(
    readonly nats: RestartableNats,
    readonly customerDb: TestDatabase,
    readonly executionDb: TestDatabase,
    readonly customer: StackProcess,
    readonly execution: StackProcess,
    /** Superuser pools: the test reads both databases whole, across tenants (no RLS). */
    readonly customerSql: pg.Pool,
    readonly executionSql: pg.Pool,
    readonly customerLink: TcpLink | undefined,
    readonly anvil: RestartableAnvil | undefined,
  ) {}

  static async start(options: SystemOptions = {}): Promise<TestSystem> {
    const [nats, customerDb, executionDb, anvil] = await Promise.all([
      RestartableNats.start(),
      createTestDatabase('customer'),
      createTestDatabase('execution'),
      // Blocks keep coming (one a second, as on a live chain) besides those a transaction mines at
      // once, so what the indexer waits for (confirmations) arrives without anyone sending more.
      options.chain ? RestartableAnvil.start(['--block-time', '1', '--mixed-mining']) : Promise.resolve(undefined),
    ]);
    const link = options.customerLink ? await TcpLink.open(nats.url) : undefined;
    // Warnings and errors are kept (not printed) for a failing test to quote; BULWARK_TEST_LOG_LEVEL prints that level.
    const printed = process.env.BULWARK_TEST_LOG_LEVEL;
    const quiet = { LOG_LEVEL: printed ?? 'warn', HTTP_PORT: '0', DATABASE_POOL_MAX: '8' };
    const customer = new StackProcess('customer', {
      ...testStackEnv('customer', customerDb, nats, quiet),
      // Audit roots are anchored by the execution stack's chain module: without a chain nothing
      // handles the anchor requests (they would be dead-lettered), so none is cut during the run.
      ...(anvil ? {} : { AUDIT_ANCHOR_INTERVAL_MS: String(24 * 3_600_000) }),
      ...(link ? { NATS_URL: link.via(nats.url) } : {}),
      ...options.customerEnv,
    }, options.nodeArgs, printed !== undefined);
    const execution = new StackProcess('execution', {
      ...testStackEnv('execution', executionDb, nats, quiet),
      ...(anvil ? chainTestEnv(anvil, { CHAIN_POLL_INTERVAL_MS: '200', CHAIN_RPC_TIMEOUT_MS: '2000' }) : {}),
      ...options.executionEnv,
    }, options.nodeArgs, printed !== undefined);
    // The execution stack first: it must be consuming before the customer stack's relay publishes.
    await execution.start();
    await customer.start();
    const pool = (database: TestDatabase) => new pg.Pool({ connectionString: testSuperuserUrl(database), max: 3 });
    return new TestSystem(nats, customerDb, executionDb, customer, execution, pool(customerDb), pool(executionDb), link, anvil);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.customer.stop(), this.execution.stop()]);
    await Promise.allSettled([this.customerSql.end(), this.executionSql.end()]);
    await this.customerLink?.cut();
    await this.anvil?.close();
    await Promise.allSettled([this.customerDb.drop(), this.executionDb.drop()]);
    await this.nats.stop();
  }

  /** Messages held by each wall stream (JetStream deduplicates by Nats-Msg-Id = message id). */
  async streamMessages(): Promise<{ c2e: number; e2c: number; dlq: number }> {
    const nc = await connect({ servers: this.nats.url, ...this.nats.credentials('provisioner') });
    try {
      const jsm = await jetstreamManager(nc);
      const count = async (name: string) => (await jsm.streams.info(name)).state.messages;
      return { c2e: await count(WALL_STREAMS.c2e), e2c: await count(WALL_STREAMS.e2c), dlq: await count(WALL_STREAMS.dlq) };
    } finally {
      await nc.close();
    }
  }
}
