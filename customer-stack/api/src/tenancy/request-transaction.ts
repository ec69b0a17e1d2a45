// One HTTP mutation, one database transaction. The idempotency interceptor opens a unit of work
// for the request; every TenantScope.run inside it joins that transaction as a savepoint (so each
// run still succeeds or fails as a whole, as it did in a transaction of its own) and the request's
// outcome is written last, in the same transaction. Either the effects and the outcome commit
// together or neither does: a retry with the same key replays the answer or acts once, never twice.
//
// Group commit: requests of one tenant that arrive together on a route that allows it share one
// transaction (one BEGIN, one audit chain head lock, one COMMIT and its WAL flush for all of them).
// Each is a member with a savepoint of its own around its runs and its outcome, so a refusal or a
// failure rolls back only that member; members take turns (savepoints of two members must not
// interleave) and every answer waits for the shared commit, which, if it fails, fails them all
// with nothing of any of them left behind.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';

/** Savepoints (joined runs) one request may open: a handler is a few runs, never a loop of them. */
export const JOINS_PER_REQUEST_MAX = 1_000;
/** Before-commit hooks the joined runs of one request may register (the audit appends, mostly). */
export const HOOKS_PER_REQUEST_MAX = 256;

export interface RequestGroupLimits {
  /** Requests one shared transaction holds at most; a full group takes no more and commits when its members are done. */
  readonly membersMax: number;
  /** How long, in all, a group whose members are done waits for requests already under way to join it. */
  readonly waitMs: number;
  /**
   * How long a member waits for a row lock before it leaves the group: another transaction holding
   * that row may be waiting for rows earlier members of the group hold (a wall batch locks accounts
   * in id order; a group locks them in arrival order), a cycle only one side can break.
   */
  readonly lockWaitMs: number;
  /**
   * Groups of one tenant taking members at once, each on a connection of its own: members of a
   * group run one after another, so one group alone would do a tenant's placements at the pace of
   * one connection. A request joins the group with the fewest members still to finish and opens
   * another while every open one is busy and there are fewer than this.
   */
  readonly lanesMax: number;
}

export const REQUEST_GROUP_LIMITS = Symbol('REQUEST_GROUP_LIMITS');
export const DEFAULT_REQUEST_GROUP_LIMITS: RequestGroupLimits = Object.freeze({ membersMax: 64, waitMs: 2, lockWaitMs: 100, lanesMax: 4 });

/** Postgres's SQLSTATEs for a lock wait cut short: lock_timeout ran out, or a deadlock was broken here. */
const LOCK_WAIT_CUT_SHORT: ReadonlySet<string> = new Set(['55P03', '40P01']);

function isLockWaitCutShort(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  return LOCK_WAIT_CUT_SHORT.has(String(code ?? driverError?.code ?? ''));
}

/** One shared transaction and the requests in it. */
interface Group {
  readonly tenantId: string;
  readonly opening: Promise<SqlTx>;
  /** The shared transaction's end: commits, or throws what rolled it back. */
  readonly done: Promise<void>;
  /** Tells the transaction to run `last` and commit. */
  readonly end: (last: (tx: SqlTx) => Promise<void>) => void;
  /** Requests admitted so far (they name the members' savepoints). */
  admitted: number;
  /** Admitted and not yet done: the group commits only when none is left. */
  active: number;
  /** The end of the turn of the member admitted last: the next one starts there. */
  lastTurn: Promise<void>;
  /** The before-commit hooks of the members that stayed, in the order they finished. */
  readonly hooks: (() => Promise<void>)[];
  /** Whether new members may still join (false once full or committing). */
  accepting: boolean;
  waitedMs: number;
  /** Stops the group's wait when a new member arrives. */
  wake: (() => void) | null;
}

/** A request admitted to a group: its savepoint and the end of its turn. */
interface Member {
  readonly group: Group;
  readonly tx: SqlTx;
  readonly savepoint: string;
  readonly endTurn: () => void;
  /** Nothing ran in its savepoint yet. */
  empty: boolean;
}

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
  /** The tenant whose concurrent requests this one may share a transaction with; null: a transaction of its own. */
  groupTenant: string | null;
  /** Its place in a group once admitted; null before, and after it left. */
  member: Member | null;
  /** The tenant it is counted under as a request that may still join a group; null once admitted or ended. */
  underWayIn: string | null;
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
  /**
   * The tenant of a request that may share its transaction with concurrent requests of that tenant
   * (group commit): only for a handler whose work is all in this database, so a member never holds
   * the group waiting for something else. Null or absent: a transaction of its own.
   */
  readonly groupTenant?: string | null;
}

/** Rolls the request's transaction back; never seen outside. */
class RolledBack extends Error {}

@Injectable()
export class RequestTransaction {
  private readonly contexts = new AsyncLocalStorage<Context>();
  /** Per tenant, the groups new requests join (at most RequestGroupLimits.lanesMax). */
  private readonly accepting = new Map<string, Group[]>();
  /** Per tenant, requests that may join a group and have not yet: an idle group waits for them a little. */
  private readonly underWay = new Map<string, number>();
  private readonly limits: RequestGroupLimits;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Optional() @Inject(REQUEST_GROUP_LIMITS) limits?: RequestGroupLimits | null,
  ) {
    this.limits = limits ?? DEFAULT_REQUEST_GROUP_LIMITS;
    const { membersMax, waitMs, lockWaitMs, lanesMax } = this.limits;
    assert(membersMax >= 1 && waitMs >= 0 && lockWaitMs >= 1 && lanesMax >= 1, 'request group limits are sane');
  }

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
    const groupTenant = work.groupTenant ?? null;
    const unit: Unit = {
      requestId: work.requestId, opening: null, done: null, end: null, hooks: [], joins: 0, open: true, actedOutside: false, queue: Promise.resolve(),
      groupTenant, member: null, underWayIn: groupTenant,
    };
    if (groupTenant !== null) this.underWay.set(groupTenant, (this.underWay.get(groupTenant) ?? 0) + 1);
    try {
      return await this.runUnit(unit, work);
    } finally {
      // Ended before it was admitted (it failed before its first run): no group waits for it any longer.
      this.notUnderWay(unit);
    }
  }

  private async runUnit<T>(unit: Unit, work: RequestWork<T>): Promise<T> {
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
      await this.close(unit, (tx) => work.settle(tx, ended));
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
    const turn = unit.queue.then(() => this.savepointOrLeave(unit, work));
    unit.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * A run of the request. A member's first run that waited too long for a row lock (see
   * RequestGroupLimits.lockWaitMs) takes the member out of its group, which has nothing of it yet,
   * and runs again in a transaction of the request's own, which waits for the lock as long as it takes.
   */
  private async savepointOrLeave<T>(unit: Unit, work: (tx: SqlTx) => Promise<T>): Promise<T> {
    const firstRun = unit.joins === 0;
    try {
      return await this.savepoint(unit, unit.hooks, work);
    } catch (error) {
      if (unit.member === null || !firstRun || !isLockWaitCutShort(error)) throw error;
      await this.leaveGroup(unit);
      return this.savepoint(unit, unit.hooks, work);
    }
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
    const hooks: (() => Promise<void>)[] = [];
    const tx: SqlTx = {
      query: (text, params) => outer.query(text, params),
      beforeCommit: (hook) => {
        hooks.push(hook);
      },
    };
    const outer = await this.transactionOf(unit);
    // A member's first run starts where its member savepoint does: that savepoint serves it (two statements fewer).
    const member = unit.member;
    const inMemberSavepoint = member !== null && member.empty && into === unit.hooks;
    if (member !== null) member.empty = false;
    const name = inMemberSavepoint ? member.savepoint : `request_run_${unit.joins}`;
    if (!inMemberSavepoint) await outer.query(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = await this.contexts.run({ unit, parentHooks: hooks }, () => work(tx));
    } catch (error) {
      // A run that failed leaves nothing behind, its hooks included, exactly as a rolled-back transaction.
      await outer.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
    if (!inMemberSavepoint) await outer.query(`RELEASE SAVEPOINT ${name}`);
    assert(into.length + hooks.length <= HOOKS_PER_REQUEST_MAX, 'before-commit hooks per request within limit');
    into.push(...hooks);
    return result;
  }

  /** Opens the request's transaction (or its place in a group) at its first use; it stays open until `close`. */
  private transactionOf(unit: Unit): Promise<SqlTx> {
    if (unit.groupTenant !== null) return unit.member ? Promise.resolve(unit.member.tx) : this.admit(unit, unit.groupTenant);
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

  /**
   * Ends the request: `settle` runs in its transaction, then its before-commit hooks, and it
   * commits; or (null) it rolls back. A member settles in its savepoint and answers once its
   * group has committed.
   */
  private async close(unit: Unit, settle: ((tx: SqlTx) => Promise<void>) | null): Promise<void> {
    if (unit.groupTenant !== null) {
      await this.closeMember(unit, settle);
      return;
    }
    if (settle === null) {
      if (unit.opening === null) return;
      unit.end?.(null);
      // Rolled back, or it never opened: either way nothing of it committed.
      await unit.done?.catch(() => undefined);
      return;
    }
    await this.transactionOf(unit);
    assert(unit.end !== null && unit.done !== null, 'an open request transaction can be ended');
    unit.end(async (tx) => {
      await settle(tx);
      for (let i = 0; i < unit.hooks.length; i += 1) await (unit.hooks[i] as () => Promise<void>)();
    });
    await unit.done;
  }

  // ------------------------------------------------------------------ group commit

  /** Admits the request to its tenant's open group (opening one if none is) and waits for its turn there. */
  private async admit(unit: Unit, tenantId: string): Promise<SqlTx> {
    assert(unit.member === null, 'a request is admitted once');
    this.notUnderWay(unit);
    const open = this.accepting.get(tenantId) ?? [];
    let group = open.reduce<Group | undefined>((fewest, g) => (fewest === undefined || g.active < fewest.active ? g : fewest), undefined);
    if (group === undefined || (group.active > 0 && open.length < this.limits.lanesMax)) {
      group = this.openGroup(tenantId);
      this.accepting.set(tenantId, [...open, group]);
    }
    group.admitted += 1;
    group.active += 1;
    if (group.admitted >= this.limits.membersMax) this.stopAccepting(group);
    group.wake?.();
    const savepoint = `request_member_${group.admitted}`;
    const previousTurn = group.lastTurn;
    let endTurn!: () => void;
    group.lastTurn = new Promise<void>((resolve) => (endTurn = resolve));
    await previousTurn;
    const joined = group;
    const done = (): void => {
      joined.active -= 1;
      endTurn();
      if (joined.active === 0) this.idle(joined);
    };
    try {
      const tx = await group.opening;
      await tx.query(`SAVEPOINT ${savepoint}`);
      unit.member = { group, tx, savepoint, endTurn: done, empty: true };
      return tx;
    } catch (error) {
      done();
      throw error;
    }
  }

  /**
   * Ends a member: its outcome settles in its savepoint, which is released, and it answers when the
   * group commits; or (null, or settling failed) its savepoint rolls back and it leaves at once.
   */
  private async closeMember(unit: Unit, settle: ((tx: SqlTx) => Promise<void>) | null): Promise<void> {
    if (settle === null) {
      if (unit.member !== null) await this.leaveGroup(unit);
      return;
    }
    const tx = await this.transactionOf(unit);
    const member = unit.member;
    assert(member !== null, 'a settling member is in its group');
    try {
      await settle(tx);
      await tx.query(`RELEASE SAVEPOINT ${member.savepoint}`);
    } catch (error) {
      await this.leaveGroup(unit);
      throw error;
    }
    const { group } = member;
    assert(group.hooks.length + unit.hooks.length <= HOOKS_PER_REQUEST_MAX * this.limits.membersMax, 'before-commit hooks per group within limit');
    group.hooks.push(...unit.hooks);
    unit.member = null;
    member.endTurn();
    await group.done;
  }

  /**
   * Takes a member out of its group with nothing of it left there: its savepoint rolls back. It
   * becomes a request with a transaction of its own (when it still has work to do, it opens one).
   */
  private async leaveGroup(unit: Unit): Promise<void> {
    const member = unit.member;
    assert(member !== null, 'only a member leaves its group');
    unit.member = null;
    unit.groupTenant = null;
    try {
      await member.tx.query(`ROLLBACK TO SAVEPOINT ${member.savepoint}`);
      await member.tx.query(`RELEASE SAVEPOINT ${member.savepoint}`);
    } finally {
      member.endTurn();
    }
  }

  /** Opens a group's transaction, with the lock wait its members may take (see RequestGroupLimits.lockWaitMs). */
  private openGroup(tenantId: string): Group {
    let end!: (last: (tx: SqlTx) => Promise<void>) => void;
    const ending = new Promise<(tx: SqlTx) => Promise<void>>((resolve) => (end = resolve));
    let opened!: (tx: SqlTx) => void;
    let failed!: (error: unknown) => void;
    const opening = new Promise<SqlTx>((resolve, reject) => {
      opened = resolve;
      failed = reject;
    });
    const done = this.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('lock_timeout', $1, true)`, [`${this.limits.lockWaitMs}ms`]);
      opened(tx);
      const last = await ending;
      await last(tx);
    });
    done.catch(failed);
    // Members see a failed commit through `done`; the group itself must not raise it a second time.
    done.catch(() => undefined);
    return { tenantId, opening, done, end, admitted: 0, active: 0, lastTurn: Promise.resolve(), hooks: [], accepting: true, waitedMs: 0, wake: null };
  }

  /**
   * Every member of the group is done: it commits, unless requests of its tenant are under way
   * and it has waited less than RequestGroupLimits.waitMs in all; then it waits for one to join.
   */
  private idle(group: Group): void {
    const waitMs = this.limits.waitMs - group.waitedMs;
    if (!group.accepting || waitMs <= 0 || (this.underWay.get(group.tenantId) ?? 0) === 0) {
      this.commit(group);
      return;
    }
    const started = performance.now();
    const timer = setTimeout(() => {
      group.wake = null;
      group.waitedMs = this.limits.waitMs;
      if (group.active === 0) this.commit(group);
    }, waitMs);
    group.wake = () => {
      clearTimeout(timer);
      group.wake = null;
      group.waitedMs += performance.now() - started;
    };
  }

  private commit(group: Group): void {
    assert(group.active === 0, 'a group commits when its members are done');
    this.stopAccepting(group);
    group.end(async (tx) => {
      // The hooks take the audit chain's head, which every auditing transaction commits with: waited for as long as it takes.
      await tx.query(`SELECT set_config('lock_timeout', '0', true)`);
      for (let i = 0; i < group.hooks.length; i += 1) await (group.hooks[i] as () => Promise<void>)();
    });
  }

  private stopAccepting(group: Group): void {
    if (!group.accepting) return;
    group.accepting = false;
    const others = (this.accepting.get(group.tenantId) ?? []).filter((g) => g !== group);
    if (others.length === 0) this.accepting.delete(group.tenantId);
    else this.accepting.set(group.tenantId, others);
  }

  /** A request that may join a group no longer will (admitted, or ended first). */
  private notUnderWay(unit: Unit): void {
    const tenantId = unit.underWayIn;
    if (tenantId === null) return;
    unit.underWayIn = null;
    const count = (this.underWay.get(tenantId) ?? 0) - 1;
    assert(count >= 0, 'requests under way never go below none');
    if (count === 0) this.underWay.delete(tenantId);
    else this.underWay.set(tenantId, count);
  }
}
