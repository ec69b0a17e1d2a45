import { describe, expect, it } from '@jest/globals';
import { applyFeed, emptyBook, type FeedMessage, type LiveBook } from './book-feed';

const id = '11111111-2222-4333-8444-555555555555';
const snapshot: FeedMessage = { type: 'snapshot', instrumentId: id, seq: 10, state: 'open', bids: [['0.40', '5'], ['0.42', '3']], asks: [['0.45', '2']], lastPrice: null };
const run = (...messages: FeedMessage[]): LiveBook => messages.reduce(applyFeed, emptyBook(id));

describe('the live book follows the feed exactly', () => {
  it('ignores increments until the snapshot, then sorts best first', () => {
    const book = run({ type: 'depth', instrumentId: id, seq: 3, bids: [['0.10', '1']], asks: [] }, snapshot);
    expect(book.bids).toEqual([['0.42', '3'], ['0.40', '5']]);
    expect(book.asks).toEqual([['0.45', '2']]);
    expect([book.synced, book.seq]).toEqual([true, 10]);
  });

  it('applies level changes in sequence; quantity 0 removes a level', () => {
    const book = run(snapshot, { type: 'depth', instrumentId: id, seq: 11, bids: [['0.42', '0'], ['0.43', '1']], asks: [['0.44', '7']] });
    expect(book.bids).toEqual([['0.43', '1'], ['0.40', '5']]);
    expect(book.asks).toEqual([['0.44', '7'], ['0.45', '2']]);
  });

  it('records trades (newest first) and status changes', () => {
    const book = run(
      snapshot,
      { type: 'trade', instrumentId: id, seq: 11, tradeSeq: 1, price: '0.45', quantity: '2', aggressor: 'buy', at: 1 },
      { type: 'status', instrumentId: id, seq: 12, state: 'halted', reason: 'operator', resumeAt: null },
    );
    expect(book.lastPrice).toBe('0.45');
    expect(book.trades.map((t) => t.tradeSeq)).toEqual([1]);
    expect(book.state).toBe('halted');
  });

  it('marks a gap and waits for a fresh snapshot, ignoring what comes before it', () => {
    const gapped = run(snapshot, { type: 'depth', instrumentId: id, seq: 12, bids: [['0.41', '1']], asks: [] });
    expect([gapped.synced, gapped.needsSnapshot]).toEqual([false, true]);
    expect(gapped.bids).toEqual(run(snapshot).bids); // the out-of-order change was not applied
    const asked = applyFeed(gapped, { type: 'resync-requested' });
    expect(asked.needsSnapshot).toBe(false);
    const resynced = applyFeed(asked, { ...snapshot, seq: 20, bids: [['0.41', '1']] } as FeedMessage);
    expect([resynced.synced, resynced.seq, resynced.bids]).toEqual([true, 20, [['0.41', '1']]]);
  });

  it('ignores other instruments and keeps feed errors visible', () => {
    expect(run({ ...snapshot, instrumentId: 'other' } as FeedMessage).synced).toBe(false);
    expect(run({ type: 'error', code: 'unknown_instrument' }).error).toBe('unknown_instrument');
  });
});
