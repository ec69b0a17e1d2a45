// The books survive a crash: a desk runs in a child process, takes a stream of orders, stops,
// cancels and session changes, and is killed with SIGKILL mid-stream. A fresh process recovers
// the book from the latest snapshot and the journal after it, and it must equal the book of an
// uninterrupted run of the same commands, every acknowledged command included.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderType, Side, StpMode, TimeInForce } from '@bulwark/engine';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { MarketBook, type MarketBookSnapshot, type OrderSpec } from '../src/market/market-book.js';
import { breakerOf, engineConfigOf, type TimelessCommand } from '../src/market/market-desk.js';
import { MarketService } from '../src/market/market.service.js';
import type { Instrument } from '../src/market/instruments.service.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'support/market-desk.child.ts');
const COMMANDS = 4_000;
const KILL_AFTER_ACKS = 1_500;

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let instrument: Instrument;

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  app = await createExecutionApp(parseStackConfig('execution', testStackEnv('execution', database, nats)));
  await app.init();
  instrument = await app.get(MarketService).list({
    symbol: 'CRASH-1',
    kind: 'security',
    tickSize: '0.01',
    lotSize: '1',
    priceMax: '100',
    haltMoveBps: 500,
    haltWindowMs: 200,
    haltCooldownMs: 300,
  });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

/** A seeded stream: limit orders (GTC, IOC, GTD), stops, stop-limits, cancels and operator halts. */
function stream(count: number, seed: number): { at: number; command: TimelessCommand }[] {
  let x = seed;
  const next = (n: number) => {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    return (x >>> 8) % n;
  };
  const out: { at: number; command: TimelessCommand }[] = [];
  for (let i = 0; i < count; i++) {
    const at = 1_800_000_000_000 + i * 7;
    const roll = next(100);
    let command: TimelessCommand;
    if (roll < 12) command = { kind: 'cancel', orderId: 1 + next(i + 1) };
    else if (roll === 12) command = { kind: 'halt', cooldownMs: 50 };
    else if (roll === 13) command = { kind: 'resume' };
    else {
      const side = next(2) === 0 ? Side.Buy : Side.Sell;
      const kind = next(10);
      const type = kind === 0 ? OrderType.Stop : kind === 1 ? OrderType.StopLimit : OrderType.Limit;
      const tif = type === OrderType.Limit ? [TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.GTD][next(4)] ?? TimeInForce.GTC : TimeInForce.GTC;
      const order: OrderSpec = {
        ownerId: next(4),
        side,
        type,
        priceTicks: 4_900 + next(200),
        stopPriceTicks: 4_900 + next(200),
        lots: 1 + next(20),
        tif,
        expiryMs: tif === TimeInForce.GTD ? at + 100 + next(2_000) : 0,
        postOnly: false,
        stp: StpMode.CancelNewest,
      };
      command = { kind: 'submit', order };
    }
    out.push({ at, command });
  }
  return out;
}

function startChild(mode: 'run' | 'dump'): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, mode], {
    env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: database.url, DESK_INSTRUMENT: JSON.stringify(instrument), DESK_SNAPSHOT_EVERY: '250' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

describe('restart recovery', () => {
  it('a book killed with SIGKILL mid-stream recovers to the uninterrupted book of the journaled commands', async () => {
    const commands = stream(COMMANDS, 42);
    const child = startChild('run');
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let acked = 0;
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
      lines.on('line', (line) => {
        if (line === 'ready') {
          // Feed the stream in slices so that the kill lands while commands are still arriving.
          let sent = 0;
          const feed = () => {
            if (sent >= commands.length || child.killed) return;
            child.stdin.write(commands.slice(sent, sent + 50).map((c) => `${JSON.stringify(c)}\n`).join(''));
            sent += 50;
            setTimeout(feed, 2);
          };
          feed();
        } else if (line.startsWith('ack ')) {
          acked = Math.max(acked, Number(line.slice(4)));
          if (acked >= KILL_AFTER_ACKS && !child.killed) {
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    const dump = startChild('dump');
    let out = '';
    dump.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let dumpErr = '';
    dump.stderr.on('data', (d: Buffer) => (dumpErr += d.toString()));
    const code = await new Promise<number | null>((resolve) => dump.once('exit', resolve));
    expect([code, dumpErr]).toEqual([0, '']);
    const recovered = JSON.parse(out) as MarketBookSnapshot;

    // Everything acknowledged survived; the kill really was mid-stream.
    expect(recovered.commandSeq).toBeGreaterThanOrEqual(acked);
    expect(recovered.commandSeq).toBeLessThan(COMMANDS);
    const [journal] = await app.get(DataSource).query(
      `SELECT max(seq)::int AS last, (SELECT max(seq)::int FROM market_snapshot WHERE instrument_id = $1) AS snapshot FROM market_journal WHERE instrument_id = $1`,
      [instrument.id],
    );
    expect(journal.last).toBe(recovered.commandSeq);
    // Recovery started from a snapshot, not from the beginning (and replayed what came after it).
    expect(journal.snapshot).toBeGreaterThan(0);
    expect(journal.snapshot).toBeLessThanOrEqual(recovered.commandSeq);

    // The uninterrupted run of the same commands, in this process.
    const straight = new MarketBook(engineConfigOf(instrument), breakerOf(instrument));
    for (const { at, command } of commands.slice(0, recovered.commandSeq)) straight.apply({ ...command, nowMs: at } as Parameters<MarketBook['apply']>[0]);
    expect(recovered).toEqual(JSON.parse(JSON.stringify(straight.snapshot())));
    // The stream left resting orders and pending stops to recover, and went through halts.
    expect(recovered.engine.orders.length).toBeGreaterThan(10);
    expect(recovered.engine.stops.length).toBeGreaterThan(0);
    const halts = await app.get(DataSource).query(`SELECT count(*)::int AS n FROM market_journal WHERE instrument_id = $1 AND command->>'kind' = 'halt'`, [instrument.id]);
    expect(halts[0].n).toBeGreaterThan(0);
  });
});
