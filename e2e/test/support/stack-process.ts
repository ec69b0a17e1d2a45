// The parent's side of a stack process (stack.child.ts): start it with an environment, call its
// operations over IPC, stop it cleanly or kill it with SIGKILL, and start it again with the same
// environment (same database, same NATS user), as an operator restarting a crashed stack would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StackName } from '@bulwark/testing';
import type { StackOp, StackReady, StackReply, StackRequest } from './stack.child.js';

const CHILD = fileURLToPath(new URL('./stack.child.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;

type Result<O extends StackOp['op']> = O extends 'registerAccounts' | 'submitIntents'
  ? string[]
  : O extends 'listInstrument' | 'registerAccountRef' | 'createUser' | 'createMarketMaker' ? string : unknown;

export class StackProcess {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  /** The HTTP base URL of the running process. */
  baseUrl = '';
  /** How many times the process was started. */
  starts = 0;

  constructor(
    readonly stack: StackName,
    private env: Record<string, string>,
    /** Node options for the process (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Changes the environment the next start uses. */
  reconfigure(overrides: Record<string, string>): void {
    this.env = { ...this.env, ...overrides };
  }

  async start(): Promise<void> {
    if (this.child) throw new Error(`the ${this.stack} stack is already running`);
    const child = spawn(process.execPath, [...this.nodeArgs, '--import', 'tsx', CHILD, this.stack], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.starts += 1;
    child.on('message', (message: StackReply | StackReady) => {
      if ('ready' in message) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new Error(`${this.stack} stack: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      for (const waiter of this.pending.values()) waiter.reject(new StackExited(`${this.stack} stack exited (${signal ?? code})`));
      this.pending.clear();
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.stack} stack did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.on('message', (message: StackReply | StackReady) => {
        if (!('ready' in message)) return;
        clearTimeout(timer);
        resolve(message.port);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.stack} stack exited during start (${signal ?? code})`));
      });
    });
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  call<O extends StackOp['op']>(op: O, args: Extract<StackOp, { op: O }>['args']): Promise<Result<O>> {
    const child = this.child;
    if (!child) return Promise.reject(new StackExited(`${this.stack} stack is not running`));
    const id = this.nextId++;
    return new Promise<Result<O>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, op, args } as StackRequest);
    });
  }

  /** Kills the process (SIGKILL: no shutdown hook runs) and waits until it is gone. */
  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }
}

/** A call that could not complete because the process went away (expected in fault tests). */
export class StackExited extends Error {
  override readonly name = 'StackExited';
}
