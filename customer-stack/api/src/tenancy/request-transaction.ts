// One HTTP mutation, one database transaction. The idempotency interceptor opens a unit of work
// for the request; every TenantScope.run inside it joins that transaction as a savepoint (so each
// run still succeeds or fails as a whole, as it did in a transaction of its own) and the request's
// outcome is written last, in the same transaction. Either the effects and the outcome commit
// together or neither does: a retry with the same key replays the answer or acts once, never twice.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';

/** Savepoints (joined runs) one request may open: a handler is a few runs, never a loop of them. */
export const JOINS_PER_REQUEST_MAX = 1_000;
/** Before-commit hooks the joined runs of one request may register (the audit appends, mostly). */
export const HOOKS_PER_REQUEST_MAX = 256;

interface Unit {
  /** Names the request across its retries (the caller's idempotency scope and key). */
  readonly requestId: string;
  /** The transaction, once the first run (or the outcome) opened it: a request holds a connection only from then. */
  opening: Promise<SqlTx> | null;
  /** The transaction's end: commits, or throws what rolled it back. */
  done: Promise<void> | null;
  /** Tells the open transaction how to end: with this last work then commit, or roll back (null). */
  end: ((last: ((tx: SqlTx) => Promise<void>) | null) => void) | null;
  readonly hooks: (() => Promise<void>)[];
  joins: number;
  open: boolean;
  /** The handler ran work `outside`: effects that committed on their own, which no rollback undoes. */
  actedOutside: boolean;
  /** Joins one at a time: savepoints of concurrent runs on one connection would interleave. */
  queue: Promise<unknown>;
}

interface Context {
  readonly unit: Unit;
  /**
   * Inside a joined run, that run's hooks: a run nested in it takes a savepoint at once (it must
   * not queue behind itself) and hands its hooks to it, so they go when it is rolled back.
   */
  readonly parentHooks: (() => Promise<void>)[] | null;
}

/** How the handler ended, for the caller to record in the request's own transaction. */
export type RequestEnd<T> = { readonly kind: 'returned'; readonly value: T } | { readonly kind: 'refused'; readonly error: unknown };

export interface RequestWork<T> {
  /** Names the request across its retries: the same for a retry of it, different for any other request. */
  readonly requestId: string;
  readonly handler: () => Promise<T>;
  /** An answer worth recording: the effects before it commit with it. */
  readonly isRefusal: (error: unknown) => boolean;
  /** Records how the handler ended, in the request's transaction, just before it commits. */
  readonly settle: (tx: SqlTx, end: RequestEnd<T>) => Promise<void>;
  /** After a rollback: whether the handler had also acted `outside` (then what it did there stands). */
  readonly failed: (error: unknown, actedOutside: boolean) => Promise<void>;
}

/** Rolls the request's transaction back; never seen outside. */
class RolledBack extends Error {}

@Injectable()
export class RequestTransaction {
  private readonly contexts = new AsyncLocalStorage<Context>();

  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /**
   * Runs `work.handler` as one unit of work, then `work.settle` with how it ended, in the same
   * transaction, which then commits. A handler that throws an error `work.isRefusal` accepts still
   * commits what its runs did before (as separate transactions would have) with the refusal
   * settled; any other error, or a failure to settle or commit, rolls everything back, calls
   * `work.failed` and is thrown — except that a handler that acted `outside` (effects that
   * committed already) still returns its answer when only its outcome was lost: an error would
   * send the client to retry it.
   */
  async run<T>(work: RequestWork<T>): Promise<T> {
    const unit: Unit = { requestId: work.requestId, opening: null, done: null, end: null, hooks: [], joins: 0, open: true, actedOutside: false, queue: Promise.resolve() };
    let ended: RequestEnd<T>;
    try {
      ended = { kind: 'returned', value: await this.contexts.run({ unit, parentHooks: null }, work.handler) };
    } catch (error) {
      if (!work.isRefusal(error)) {
        unit.open = false;
        await this.close(unit, null);
        await work.failed(error, unit.actedOutside);
        throw error;
      }
      ended = { kind: 'refused', error };
    }
    // Work the handler left running (a promise it did not await) must not write into a
    // transaction that is about to commit: from here on it opens its own.
    unit.open = false;
    await unit.queue;
    try {
      await this.close(unit, async (tx) => {
        await work.settle(tx, ended);
        for (let i = 0; i < unit.hooks.length; i += 1) await (unit.hooks[i] as () => Promise<void>)();
      });
    } catch (error) {
      await work.failed(error, unit.actedOutside);
      if (!unit.actedOutside || ended.kind !== 'returned') throw error;
    }
    if (ended.kind === 'refused') throw ended.error;
    return ended.value;
  }

  /** Runs `work` inside the request's transaction when one is open; undefined when there is none. */
  join<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> | undefined {
    const context = this.contexts.getStore();
    if (context === undefined || !context.unit.open) return undefined;
    const { unit } = context;
    if (context.parentHooks !== null) return this.savepoint(unit, context.parentHooks, work);
    const turn = unit.queue.then(() => this.savepoint(unit, unit.hooks, work));
    unit.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * A UUID for what this request creates (`purpose` tells its creations apart), the same for every
   * retry of the request; null outside a request. A handler acting `outside` names its record by
   * it, so a retry finds the record instead of creating a second one.
   */
  stableId(purpose: string): string | null {
    const context = this.contexts.getStore();
    if (context === undefined) return null;
    const hex = createHash('sha256').update(`${context.unit.requestId}\n${purpose}`).digest('hex');
    // Shaped as a version 4 UUID (validators along the way accept 1-5 only); hashed, it is as unguessable.
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /**
   * Runs `work` with its runs in transactions of their own, each committing at once, as outside
   * a request. For a handler that calls a provider outside this database between its runs: what
   * it records before the call must be durable before the call, and the provider's webhook must
   * see it. Such a handler stays idempotent by its own means (say so where it is used).
   */
  outside<T>(work: () => Promise<T>): Promise<T> {
    const context = this.contexts.getStore();
    if (context !== undefined) context.unit.actedOutside = true;
    return this.contexts.exit(work);
  }

  private async savepoint<T>(unit: Unit, into: (() => Promise<void>)[], work: (tx: SqlTx) => Promise<T>): Promise<T> {
    // No check of `open` here: a run queued while the handler ran takes its turn before the
    // request's transaction ends (`run` waits for the queue), even if that is after the handler returned.
    unit.joins += 1;
    assert(unit.joins <= JOINS_PER_REQUEST_MAX, 'runs per request within limit');
    const name = `request_run_${unit.joins}`;
    const hooks: (() => Promise<void>)[] = [];
    const tx: SqlTx = {
      query: (text, params) => outer.query(text, params),
      beforeCommit: (hook) => {
        hooks.push(hook);
      },
    };
    const outer = await this.transactionOf(unit);
    await outer.query(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = await this.contexts.run({ unit, parentHooks: hooks }, () => work(tx));
    } catch (error) {
      // A run that failed leaves nothing behind, its hooks included, exactly as a rolled-back transaction.
      await outer.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
    await outer.query(`RELEASE SAVEPOINT ${name}`);
    assert(into.length + hooks.length <= HOOKS_PER_REQUEST_MAX, 'before-commit hooks per request within limit');
    into.push(...hooks);
    return result;
  }

  /** Opens the request's transaction at its first use; it stays open until `close`. */
  private transactionOf(unit: Unit): Promise<SqlTx> {
    unit.opening ??= new Promise<SqlTx>((opened, failed) => {
      const ending = new Promise<((tx: SqlTx) => Promise<void>) | null>((resolve) => (unit.end = resolve));
      unit.done = this.db.transaction(async (tx) => {
        opened(tx);
        const last = await ending;
        if (last === null) throw new RolledBack();
        await last(tx);
      });
      unit.done.catch(failed);
    });
    return unit.opening;
  }

  /** Ends the request's transaction: `last` runs in it and it commits, or (null) it rolls back. */
  private async close(unit: Unit, last: ((tx: SqlTx) => Promise<void>) | null): Promise<void> {
    if (last === null) {
      if (unit.opening === null) return;
      unit.end?.(null);
      // Rolled back, or it never opened: either way nothing of it committed.
      await unit.done?.catch(() => undefined);
      return;
    }
    await this.transactionOf(unit);
    assert(unit.end !== null && unit.done !== null, 'an open request transaction can be ended');
    unit.end(last);
    await unit.done;
  }
}
