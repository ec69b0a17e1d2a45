// The parent's side of a stack process (stack.child.ts): start it with an environment, call its
// operations over IPC, stop it cleanly or kill it with SIGKILL, and start it again with the same
// environment (same database, same NATS user), as an operator restarting a crashed stack would.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { StackName } from '@bulwark/testing';
import type { StackOp, StackReady, StackReply, StackRequest } from './stack.child.js';

const CHILD = fileURLToPath(new URL('./stack.child.ts', import.meta.url));
// A start is waited for until the process says it is ready (it listens) or exits, however loaded
// the machine is: what bounds the wait is the process's own CPU time, not the wall clock. Measured
// at a load average of 13–19 on 2 cores: ~5 s of CPU per start (4.5 s of it loading the modules
// through tsx), 19–46 s of wall time. A start that burns START_CPU_MAX_MS, or makes no progress
// (uses no CPU) for START_IDLE_MAX_MS, is stuck; where the CPU time cannot be read (no /proc)
// the wall clock bounds it instead.
const START_CPU_MAX_MS = 30_000;
const START_IDLE_MAX_MS = 60_000;
const START_WALL_MAX_MS = 60_000;
const START_CHECK_MS = 500;
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const CLOCK_TICK_MS = 10;

/** CPU time (user + system) the process used, in ms, or undefined where /proc cannot tell. */
function cpuTimeMs(pid: number): number | undefined {
  try {
    // The fields after the command name (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
    if (!fields || fields.length < 13) return undefined;
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return undefined;
  }
}
/** Node flags of a stack process, as its image sets them (infra/docker/stack.Dockerfile). */
const STACK_NODE_FLAGS = ['--max-semi-space-size=64'];
/** Log lines of a process kept for a failing test to quote (the newest). */
const LOG_LINES_KEPT = 400;

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
  /** The newest log lines of every start, oldest first (see `recentLog`). */
  private readonly log: string[] = [];

  constructor(
    readonly stack: StackName,
    private env: Record<string, string>,
    /** Node options for the process (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
    private readonly nodeArgs: readonly string[] = [],
    /** Whether the process's output is also printed (it is always kept for `recentLog`). */
    private readonly echo = true,
  ) {}

  /** The newest `limit` kept log lines, oldest first. */
  recentLog(limit: number): string[] {
    return this.log.slice(-limit);
  }

  private keep(stream: Readable | null, out: NodeJS.WriteStream): void {
    if (!stream) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      this.log.push(line);
      if (this.log.length > LOG_LINES_KEPT) this.log.splice(0, this.log.length - LOG_LINES_KEPT);
      if (this.echo) out.write(`${line}\n`);
    });
  }

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
    const child = spawn(process.execPath, [...STACK_NODE_FLAGS, ...this.nodeArgs, '--import', 'tsx', CHILD, this.stack], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.keep(child.stdout, process.stdout);
    this.keep(child.stderr, process.stderr);
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
    const started = Date.now();
    const port = await new Promise<number>((resolve, reject) => {
      let progress = { cpuMs: 0, at: started };
      const check = setInterval(() => {
        const now = Date.now();
        const cpuMs = cpuTimeMs(child.pid ?? 0);
        const waited = `${now - started} ms`;
        if (cpuMs === undefined) {
          if (now - started > START_WALL_MAX_MS) fail(`${this.stack} stack did not start within ${START_WALL_MAX_MS} ms`);
          return;
        }
        if (cpuMs > progress.cpuMs) progress = { cpuMs, at: now };
        if (cpuMs > START_CPU_MAX_MS) fail(`${this.stack} stack did not start within ${START_CPU_MAX_MS} ms of CPU (${waited} waited)`);
        else if (now - progress.at > START_IDLE_MAX_MS) fail(`${this.stack} stack made no progress for ${START_IDLE_MAX_MS} ms (${cpuMs} ms of CPU used, ${waited} waited)`);
      }, START_CHECK_MS);
      const fail = (message: string) => {
        clearInterval(check);
        reject(new Error(message));
      };
      child.on('message', (message: StackReply | StackReady) => {
        if (!('ready' in message)) return;
        clearInterval(check);
        resolve(message.port);
      });
      child.once('exit', (code, signal) => {
        clearInterval(check);
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
