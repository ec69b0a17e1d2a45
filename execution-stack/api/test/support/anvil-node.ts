// An anvil node a test can stop and start again on the same port with the same chain state
// (--state dumps on exit and loads on start): a real outage of the chain, not a mock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { JsonRpcProvider } from 'ethers';
import { anvilBinaryPath } from '@bulwark/solidity';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { parseChainConfig } from '../../src/chain/chain-config.js';
import type { ExecutionConfig } from '../../src/config/execution-config.js';

/** anvil's first default account: funded on every fresh anvil chain. */
export const ANVIL_OPERATOR_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const ANVIL_CHAIN_ID = 31337;
export const TEST_WALLET_MNEMONIC = 'test test test test test test test test test test test junk';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

async function rpcReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' });
    return response.ok;
  } catch {
    return false;
  }
}

export class RestartableAnvil {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'bulwark-anvil-'));

  private constructor(
    readonly port: number,
    private readonly args: readonly string[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `args`: more anvil options, e.g. ['--block-time', '1', '--mixed-mining'] for blocks that keep coming. */
  static async start(args: readonly string[] = []): Promise<RestartableAnvil> {
    const node = new RestartableAnvil(await freePort(), args);
    await node.start();
    return node;
  }

  async start(): Promise<void> {
    const child = spawn(anvilBinaryPath(), ['--host', '127.0.0.1', '--port', String(this.port), '--quiet', '--state', path.join(this.dir, 'state.json'), ...this.args], {
      stdio: 'ignore',
    });
    this.child = child;
    const deadline = Date.now() + 15_000;
    while (!(await rpcReady(this.url))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('anvil did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    const response = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }

  async mine(blocks = 1): Promise<void> {
    for (let i = 0; i < blocks; i += 1) await this.rpc('evm_mine');
  }
}

export function chainTestEnv(anvil: RestartableAnvil, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CHAIN_RPC_URL: anvil.url,
    CHAIN_ID: String(ANVIL_CHAIN_ID),
    CHAIN_SIGNER_KEY: ANVIL_OPERATOR_KEY,
    CHAIN_WALLET_MNEMONIC: TEST_WALLET_MNEMONIC,
    CHAIN_CONFIRMATIONS: '1',
    CHAIN_POLL_INTERVAL_MS: '60000', // tests drive the worker themselves
    CHAIN_RPC_TIMEOUT_MS: '3000',
    CHAIN_BREAKER_RESET_MS: '200',
    ...overrides,
  };
}

/** What a chain test of the execution stack runs against: a JetStream, a fresh execution database, an anvil node, and a provider on it that never caches. */
export interface ChainTestServices {
  nats: TestNats;
  database: TestDatabase;
  anvil: RestartableAnvil;
  provider: JsonRpcProvider;
  /** Creates and starts the execution stack on these services: the chain settings of chainTestEnv with `chainOverrides`. */
  startApp(chainOverrides?: Record<string, string>, execution?: ExecutionConfig): Promise<INestApplication>;
  /** Stops the app (when one was started) and then every service. */
  close(app?: INestApplication): Promise<void>;
}

export async function startChainTestServices(): Promise<ChainTestServices> {
  const [nats, database, anvil] = await Promise.all([startTestNats(), createTestDatabase('execution'), RestartableAnvil.start()]);
  const provider = new JsonRpcProvider(anvil.url, undefined, { cacheTimeout: -1, staticNetwork: true });
  return {
    nats,
    database,
    anvil,
    provider,
    async startApp(chainOverrides = {}, execution) {
      const env = { ...testStackEnv('execution', database, nats), ...chainTestEnv(anvil, chainOverrides) };
      // Loaded here, not at the top: the e2e system imports this module for RestartableAnvil, and
      // under tsx (the benches) the app's sources would be compiled without e2e's decorator settings.
      const { createExecutionApp } = await import('../../src/app.js');
      const app = await createExecutionApp(parseStackConfig('execution', env), parseChainConfig(env), execution);
      await app.init();
      return app;
    },
    async close(app) {
      await app?.close();
      provider.destroy();
      await anvil.close();
      await database.drop();
      await nats.stop();
    },
  };
}
