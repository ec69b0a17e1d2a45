import { describe, expect, it } from '@jest/globals';
import { GroupCommitter, QueueFullError, RetryGroup } from './group-commit.js';

const limits = { queueMax: 100, batchSizeMax: 10, lingerMs: 0, concurrencyMax: 1, retriesMax: 2 };

describe('GroupCommitter', () => {
  it('batches concurrent submissions, at most batchSizeMax per run, each caller getting its own result', async () => {
    const runs: number[][] = [];
    const committer = new GroupCommitter<number, string>(limits, () => 'g', async (items) => {
      runs.push(items);
      return items.map((n) => `r${n}`);
    });
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => committer.submit(i)));
    expect(results).toEqual(Array.from({ length: 25 }, (_, i) => `r${i}`));
    expect(runs.every((run) => run.length <= 10)).toBe(true);
    expect(runs.length).toBeLessThanOrEqual(4);
    expect(runs.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('runs each group of a batch on its own', async () => {
    const runs: string[][] = [];
    const committer = new GroupCommitter<string, string>(limits, (item) => item.slice(0, 1), async (items) => {
      runs.push(items);
      return items;
    });
    await Promise.all(['a1', 'b1', 'a2', 'b2'].map((item) => committer.submit(item)));
    expect(runs).toEqual([['a1', 'a2'], ['b1', 'b2']]);
  });

  it('refuses past queueMax and rejects only the failing group', async () => {
    const committer = new GroupCommitter<string, string>({ ...limits, queueMax: 10, batchSizeMax: 5 }, (item) => item, async (items) => {
      if (items[0] === 'bad') throw new Error('boom');
      return items;
    });
    // 5 go into the first batch at once; 10 wait behind it, and the queue is full.
    const submitted = Array.from({ length: 15 }, (_, i) => committer.submit(i === 3 ? 'bad' : `ok${i}`));
    await expect(committer.submit('one-too-many')).rejects.toBeInstanceOf(QueueFullError);
    const settled = await Promise.allSettled(submitted);
    expect(settled.map((s) => s.status)).toEqual(Array.from({ length: 15 }, (_, i) => (i === 3 ? 'rejected' : 'fulfilled')));
  });

  it('retries a group that asks for it, up to retriesMax', async () => {
    let attempts = 0;
    const committer = new GroupCommitter<string, string>(limits, () => 'g', async (items) => {
      attempts += 1;
      if (attempts < 3) throw new RetryGroup('lost a race');
      return items;
    });
    await expect(committer.submit('x')).resolves.toBe('x');
    expect(attempts).toBe(3);
    attempts = -10;
    await expect(committer.submit('y')).rejects.toBeInstanceOf(RetryGroup);
    await committer.drained();
  });
});
