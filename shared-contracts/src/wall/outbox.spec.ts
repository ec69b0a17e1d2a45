import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createKeyring } from '../envelope/keyring.js';
import { OutboxRelay, OUTBOX_IDLE_POLL_MS, OUTBOX_IDLE_POLL_MS_MAX } from './outbox.js';
import type { BatchPublisher } from './publisher.js';
import type { SqlDatabase } from './sql.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const keyring = createKeyring([{ direction: 'e2c', current: { kid: 'e2c-test-1', secret: new Uint8Array(32).fill(7) } }]);
const publisher: BatchPublisher = { publishBatch: async () => { throw new Error('an empty outbox publishes nothing'); } };

/** An outbox that stays empty and records when the relay looked (each look is one transaction). */
function emptyOutbox(lockFree = true): SqlDatabase & { looksAtMs: number[] } {
  const db = {
    looksAtMs: [] as number[],
    async transaction<T>(work: Parameters<SqlDatabase['transaction']>[0]): Promise<T> {
      db.looksAtMs.push(Date.now());
      // The pending read answers one row with a null seq when nothing is pending.
      const answer = (text: string) => (text.includes('pg_try_advisory_xact_lock') ? [{ locked: lockFree }] : [{ seq: null, target: '10:10:', resumed: false }]);
      return work({ query: async (text: string) => answer(text) as never }) as Promise<T>;
    },
  };
  return db;
}

const relayOn = (db: SqlDatabase) => new OutboxRelay({ db, publisher, keyring, direction: 'e2c', clock: { nowMs: () => Date.now() }, logger: quiet });
const gaps = (times: readonly number[]) => times.slice(1).map((t, i) => t - (times[i] ?? 0));

describe('OutboxRelay idle poll', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('doubles its wait while the outbox stays empty, up to its maximum', async () => {
    const db = emptyOutbox();
    const relay = relayOn(db);
    relay.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(gaps(db.looksAtMs).slice(0, 6)).toEqual([100, 200, 400, 800, 1_000, 1_000].map((ms) => Math.min(ms, OUTBOX_IDLE_POLL_MS_MAX)));
    expect(db.looksAtMs.length).toBeLessThan(10_000 / OUTBOX_IDLE_POLL_MS_MAX + 6);
    await relay.stop();
  });

  it('looks at once when nudged, and polls from the shortest wait again after', async () => {
    const db = emptyOutbox();
    const relay = relayOn(db);
    relay.start();
    await jest.advanceTimersByTimeAsync(5_000); // the wait has grown to its maximum
    const before = db.looksAtMs.length;
    relay.nudge();
    await jest.advanceTimersByTimeAsync(0);
    expect(db.looksAtMs.length).toBe(before + 1);
    expect(db.looksAtMs.at(-1)).toBe(5_000);
    // A nudge found nothing here, yet the next look comes after the shortest wait: the nudging commit may be in flight.
    await jest.advanceTimersByTimeAsync(OUTBOX_IDLE_POLL_MS);
    expect(db.looksAtMs.at(-1)).toBe(5_000 + OUTBOX_IDLE_POLL_MS);
    await relay.stop();
  });

  it('keeps the shortest wait while another relay holds the lock', async () => {
    const db = emptyOutbox(false);
    const relay = relayOn(db);
    relay.start();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(new Set(gaps(db.looksAtMs))).toEqual(new Set([OUTBOX_IDLE_POLL_MS]));
    await relay.stop();
  });
});
