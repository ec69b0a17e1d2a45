// A private nats-server with the project's users and permissions that a fault test can stop and
// start again on the same port with the same JetStream store directory: a real outage of the
// wall's transport, after which the streams, consumers and their positions are what the server
// kept on disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, generateSecrets, provisionWall, spawnNatsServer, type Secrets } from '../../../infra/scripts/services.mjs';
import type { StackName, TestNats } from '@bulwark/testing';

type Server = Awaited<ReturnType<typeof spawnNatsServer>>;

export class RestartableNats implements TestNats {
  private server: Server | undefined;

  private constructor(
    private readonly port: number,
    private readonly storeDir: string,
    readonly secrets: Secrets,
  ) {}

  static async start(secrets: Secrets = generateSecrets()): Promise<RestartableNats> {
    const nats = new RestartableNats(await freePort(), mkdtempSync(path.join(tmpdir(), 'bulwark-e2e-nats-')), secrets);
    await nats.up();
    await provisionWall(nats.url, nats.credentials('provisioner'));
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.server?.pid ?? 0;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  credentials(user: StackName | 'provisioner'): { user: string; pass: string } {
    return { user, pass: this.secrets.nats[user] };
  }

  /** Starts the server (again) on the same port and store directory. */
  async up(): Promise<void> {
    if (this.server) return;
    this.server = await spawnNatsServer({ port: this.port, storeDir: this.storeDir, secrets: this.secrets });
  }

  /** Stops the server: SIGKILL is a crash (nothing flushed), SIGTERM a clean shutdown. */
  async down(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // After a SIGKILL, stop() only waits for the exit (its own SIGTERM finds no process).
    if (signal === 'SIGKILL') process.kill(server.pid, 'SIGKILL');
    await server.stop();
  }

  async stop(): Promise<void> {
    await this.down('SIGTERM');
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
