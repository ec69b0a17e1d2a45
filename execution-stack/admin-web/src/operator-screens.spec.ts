// The pure parts of the operator screens: the limits form checked as the stack checks it, and
// durations, breaker settings and indexer lag as an operator reads them.
import { describe, expect, it } from '@jest/globals';
import { formatDuration } from '@bulwark/ui-kit';
import { indexerLag } from './chain.page';
import { formatMs } from './halts.page';
import { checkLimits } from './members.page';
import { approvalPayload } from './operator-key';
import { previousUtcDay, utcInstant } from './settlement.page';

describe('member limits form', () => {
  const good = { orderQuantityMax: '1000', orderNotionalMax: '50000.5', openOrdersMax: '20', messagesPerSecond: '100' };
  it('turns good input into the limits the API takes (counts as integers, amounts as decimal strings)', () => {
    expect(checkLimits(good)).toEqual({ ok: true, limits: { orderQuantityMax: '1000', orderNotionalMax: '50000.5', openOrdersMax: 20, messagesPerSecond: 100 } });
  });
  it.each([
    ['a zero quantity', { orderQuantityMax: '0' }, 'orderQuantityMax'],
    ['a negative notional', { orderNotionalMax: '-5' }, 'orderNotionalMax'],
    ['a fractional count', { openOrdersMax: '2.5' }, 'openOrdersMax'],
    ['a count past the stack bound', { messagesPerSecond: '100001' }, 'messagesPerSecond'],
    ['an empty count', { openOrdersMax: '' }, 'openOrdersMax'],
  ])('refuses %s beside its field', (_what, change, field) => {
    const checked = checkLimits({ ...good, ...change });
    expect(checked.ok).toBe(false);
    expect(Object.keys(checked.ok ? {} : checked.errors)).toEqual([field]);
  });
});

describe('durations as people read them', () => {
  it.each([
    [42_000, '42 s'],
    [5 * 60_000, '5 min'],
    [3 * 3_600_000 + 5 * 60_000, '3 h 5 min'],
    [50 * 3_600_000, '2 d 2 h'],
  ])('a break open for %d ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [30_000, '30 s'],
    [300_000, '5 min'],
    [7_200_000, '2 h'],
    [90_000, '90 s'],
  ])('a breaker setting of %d ms reads %s', (ms, text) => expect(formatMs(ms)).toBe(text));
});

describe('indexer lag', () => {
  it.each([
    [{ headBlock: 100, confirmations: 2, indexedBlock: '98' }, 0],
    [{ headBlock: 100, confirmations: 2, indexedBlock: '90' }, 8],
    [{ headBlock: 5, confirmations: 2, indexedBlock: null }, 4], // nothing indexed: blocks 0..3 are due
    [{ headBlock: null, confirmations: 2, indexedBlock: '90' }, null], // the node does not answer: unknown, not zero
  ])('%j → %s', (status, lag) => expect(indexerLag(status)).toBe(lag));
});

describe('settlement periods and approvals', () => {
  it('defaults to the previous UTC day, whatever the hour', () => {
    expect(previousUtcDay(Date.parse('2026-11-21T00:00:00Z'))).toEqual({ start: '2026-11-20T00:00', end: '2026-11-21T00:00' });
    expect(previousUtcDay(Date.parse('2026-11-21T23:59:59Z'))).toEqual({ start: '2026-11-20T00:00', end: '2026-11-21T00:00' });
  });

  it.each([
    ['2026-11-21T10:15', '2026-11-21T10:15:00.000Z'],
    ['2026-11-21T10:15:07', '2026-11-21T10:15:07.000Z'],
    ['2026-11-21', undefined],
    ['2026-13-40T10:15', undefined],
    ['', undefined],
  ])('reads %j as UTC: %s', (value, instant) => expect(utcInstant(value)).toBe(instant));

  it('signs exactly the text the stack verifies: the batch id bound to its content hash', () => {
    const hash = 'ab'.repeat(32);
    expect(approvalPayload('8a16399d-d3f1-457e-b086-6564749ce3db', hash)).toBe(`bulwark-settlement-batch:8a16399d-d3f1-457e-b086-6564749ce3db:${hash}`);
  });
});
