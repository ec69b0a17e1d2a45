// A market desk in its own process, for the restart-recovery test. `run` reads commands (one
// JSON line each: the arrival time and the command) from stdin and prints `ack <n>` once each
// is journaled; `dump` recovers the book from the database and prints its snapshot.
import { createInterface } from 'node:readline';
import pg from 'pg';
import { poolDatabase } from '@bulwark/shared-contracts/wall';
import { MarketDesk, type DeskInstrument, type TimelessCommand } from '../../src/market/market-desk.js';

const [mode = 'run'] = process.argv.slice(2);
const instrument = JSON.parse(process.env.DESK_INSTRUMENT ?? '{}') as DeskInstrument;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const db = poolDatabase(pool);
let nowMs = 0;
const desk = await MarketDesk.open(db, instrument, { nowMs: () => nowMs }, {
  snapshotEveryCommands: Number(process.env.DESK_SNAPSHOT_EVERY ?? '100'),
  onBatch: () => undefined,
  onError: (_desk, error) => process.stderr.write(`batch failed: ${String(error)}\n`),
});

if (mode === 'dump') {
  process.stdout.write(`${JSON.stringify(desk.book.snapshot())}\n`);
  await pool.end();
} else {
  let n = 0;
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const { at, command } = JSON.parse(line) as { at: number; command: TimelessCommand };
    nowMs = at;
    const index = ++n;
    void desk.submit(command).then(() => process.stdout.write(`ack ${index}\n`));
  }
}
