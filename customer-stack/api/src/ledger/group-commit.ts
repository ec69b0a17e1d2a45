// Group commit, as TigerBeetle does it: concurrent callers queue their items, and one database
// transaction carries a whole batch, so the cost of a durable commit (the WAL flush) is shared.
// Each caller still gets its own result. Bounded: the queue, the batch and the wait are limited.
import { assert } from '@bulwark/shared-contracts';

export interface GroupCommitLimits {
  /** Items queued and not yet in a batch; past it, submit refuses at once (back-pressure). */
  readonly queueMax: number;
  readonly batchSizeMax: number;
  /** How long the first item of a batch may wait for company before the batch starts. */
  readonly lingerMs: number;
  /** Batches in flight at once. */
  readonly concurrencyMax: number;
  /** Retries of a group whose run asked for one (a lost race on an idempotency key). */
  readonly retriesMax: number;
}

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

/** Thrown by a group's run to have it run again (the transaction rolled back, nothing happened). */
export class RetryGroup extends Error {
  override readonly name = 'RetryGroup';
}

interface Pending<I, R> {
  readonly item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class GroupCommitter<I, R> {
  private readonly queue: Pending<I, R>[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly limits: GroupCommitLimits,
    /** Items of one group share a transaction; each group of a batch runs on its own. */
    private readonly groupOf: (item: I) => string,
    /** Runs one group; `attempt` counts from 0 (a retry after RetryGroup is attempt 1, 2…). */
    private readonly run: (items: I[], attempt: number) => Promise<R[]>,
  ) {
    assert(limits.batchSizeMax >= 1 && limits.queueMax >= limits.batchSizeMax, 'queue holds at least one batch');
    assert(limits.concurrencyMax >= 1 && limits.lingerMs >= 0 && limits.retriesMax >= 0, 'sane group commit limits');
  }

  get queued(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<R> {
    if (this.queue.length >= this.limits.queueMax) return Promise.reject(new QueueFullError(`group commit queue full (${this.limits.queueMax})`));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing is queued or in flight. */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.inFlight >= this.limits.concurrencyMax || this.queue.length === 0) return;
    if (this.queue.length >= this.limits.batchSizeMax) {
      this.flush();
      return;
    }
    if (this.timer) return;
    const start = () => {
      this.timer = undefined;
      this.flush();
    };
    this.timer = this.limits.lingerMs === 0 ? (setImmediate(start) as unknown as NodeJS.Timeout) : setTimeout(start, this.limits.lingerMs);
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      clearImmediate(this.timer as unknown as NodeJS.Immediate);
      this.timer = undefined;
    }
    if (this.inFlight >= this.limits.concurrencyMax || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.limits.batchSizeMax);
    this.inFlight += 1;
    void this.runBatch(batch).finally(() => {
      this.inFlight -= 1;
      if (this.queue.length > 0) this.flush();
      this.schedule();
      if (this.queue.length === 0 && this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
    // Another slot may take the next batch right away when items are waiting.
    if (this.queue.length >= this.limits.batchSizeMax) this.flush();
  }

  private async runBatch(batch: Pending<I, R>[]): Promise<void> {
    const groups = new Map<string, Pending<I, R>[]>();
    for (const pending of batch) {
      const key = this.groupOf(pending.item);
      const group = groups.get(key);
      if (group) group.push(pending);
      else groups.set(key, [pending]);
    }
    for (const group of groups.values()) await this.runGroup(group);
  }

  private async runGroup(group: Pending<I, R>[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const results = await this.run(group.map((pending) => pending.item), attempt);
        assert(results.length === group.length, 'one result per item of a group');
        group.forEach((pending, index) => pending.resolve(results[index] as R));
        return;
      } catch (error) {
        if (error instanceof RetryGroup && attempt < this.limits.retriesMax) continue;
        for (const pending of group) pending.reject(error);
        return;
      }
    }
  }
}
