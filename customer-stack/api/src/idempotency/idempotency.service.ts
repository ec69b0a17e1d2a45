// Claims, completes and replays idempotency keys. The claim is its own short transaction that
// commits before the handler runs, so a concurrent duplicate sees it and is told to wait; the
// outcome is written in the handler's own transaction (see RequestTransaction), fenced by the
// claim's time, so it commits with the handler's effects or not at all. Claims that arrive while
// one is being committed are committed together next: one INSERT and one commit for all the new
// keys among them; a key already there is looked at on its own, as before.
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';

/** How long an outcome is kept for replay. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60_000;
/** A claim older than this with no outcome is abandoned (its process died) and may be taken over. */
export const IDEMPOTENCY_PENDING_TIMEOUT_MS = 60_000;
export const IDEMPOTENCY_RESPONSE_BYTES_MAX = 256 * 1024;
/** Claims committed together at most. */
export const CLAIMS_PER_BATCH_MAX = 256;

export type Claim =
  /** `claimedAt` fences the claim: a claim taken over after the pending timeout has another. */
  | { readonly kind: 'claimed'; readonly claimedAt: Date }
  | { readonly kind: 'replay'; readonly status: number; readonly body: string | null }
  | { readonly kind: 'in_progress' }
  | { readonly kind: 'mismatch' };

interface RecordRow {
  request_hash: string;
  state: 'pending' | 'done';
  response_status: number | null;
  response_body: string | null;
  created_at: Date;
}

/** JSON with object keys sorted, so the same body hashes the same however it was serialised. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${path}\n${stableJson(body ?? null)}`).digest('hex');
}

/** A request whose claim was taken over while it ran: its effects must not commit. */
export class IdempotencyClaimLostError extends Error {
  override readonly name = 'IdempotencyClaimLostError';

  constructor(scope: string, key: string) {
    super(`the idempotency claim on ${scope} ${key} was taken over while its request ran`);
  }
}

interface WaitingClaim {
  readonly scope: string;
  readonly key: string;
  readonly hash: string;
  readonly now: Date;
  readonly answer: (claim: Promise<Claim>) => void;
}

const claimId = (c: { scope: string; key: string }): string => `${c.scope}\n${c.key}`;

@Injectable()
export class IdempotencyService {
  /** Claims that arrived while a batch was being committed: the next batch. */
  private readonly waiting: WaitingClaim[] = [];
  private claiming = false;

  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Claims a key for a request: at once when no other claim is being committed, else with the next batch. */
  claim(scope: string, key: string, hash: string, now: Date): Promise<Claim> {
    return new Promise<Claim>((resolve, reject) => {
      this.waiting.push({ scope, key, hash, now, answer: (claim) => claim.then(resolve, reject) });
      if (!this.claiming) void this.claimWaiting();
    });
  }

  private async claimWaiting(): Promise<void> {
    this.claiming = true;
    try {
      while (this.waiting.length > 0) await this.claimBatch(this.waiting.splice(0, CLAIMS_PER_BATCH_MAX));
    } finally {
      this.claiming = false;
    }
  }

  /**
   * Inserts the batch's new keys in one statement. A key it did not insert (there already, or a
   * second claim of a key in the same batch, which then comes just after the first) is claimed on
   * its own, which tells a retry, a duplicate, a reuse and an abandoned claim apart.
   */
  private async claimBatch(batch: readonly WaitingClaim[]): Promise<void> {
    assert(batch.length >= 1 && batch.length <= CLAIMS_PER_BATCH_MAX, 'claims per batch within limit');
    const firsts = new Map<string, WaitingClaim>();
    const others: WaitingClaim[] = [];
    for (const c of batch) {
      if (firsts.has(claimId(c))) others.push(c);
      else firsts.set(claimId(c), c);
    }
    const fresh = [...firsts.values()];
    let inserted: Set<string>;
    try {
      const rows = await this.db.transaction((tx) =>
        tx.query<{ scope: string; key: string }>(
          `INSERT INTO idempotency_record (scope, key, request_hash, state, created_at)
           SELECT scope, key, request_hash, 'pending', created_at FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS c(scope, key, request_hash, created_at)
           ON CONFLICT (scope, key) DO NOTHING RETURNING scope, key`,
          [fresh.map((c) => c.scope), fresh.map((c) => c.key), fresh.map((c) => c.hash), fresh.map((c) => c.now.toISOString())],
        ),
      );
      inserted = new Set(rows.map(claimId));
    } catch (error) {
      for (const c of batch) c.answer(Promise.reject(error));
      return;
    }
    assert(inserted.size <= fresh.length, 'a batch inserts only its own keys');
    for (const c of fresh) {
      if (inserted.has(claimId(c))) c.answer(Promise.resolve({ kind: 'claimed', claimedAt: c.now }));
      else others.push(c);
    }
    for (const c of others) c.answer(this.claimOne(c.scope, c.key, c.hash, c.now));
  }

  private async claimOne(scope: string, key: string, hash: string, now: Date): Promise<Claim> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO idempotency_record (scope, key, request_hash, state, created_at) VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
        [scope, key, hash, now.toISOString()],
      );
      if (inserted.length === 1) return { kind: 'claimed', claimedAt: now };
      const [row] = await tx.query<RecordRow>(
        `SELECT request_hash, state, response_status, response_body, created_at FROM idempotency_record WHERE scope = $1 AND key = $2 FOR UPDATE`,
        [scope, key],
      );
      if (!row) return { kind: 'in_progress' }; // deleted between the two statements: a retry claims it
      const age = now.getTime() - row.created_at.getTime();
      const abandoned = row.state === 'pending' && age > IDEMPOTENCY_PENDING_TIMEOUT_MS;
      if (age > IDEMPOTENCY_RETENTION_MS || abandoned) {
        await tx.query(
          `UPDATE idempotency_record SET request_hash = $3, state = 'pending', response_status = NULL, response_body = NULL, created_at = $4, completed_at = NULL
            WHERE scope = $1 AND key = $2`,
          [scope, key, hash, now.toISOString()],
        );
        return { kind: 'claimed', claimedAt: now };
      }
      if (row.request_hash !== hash) return { kind: 'mismatch' };
      if (row.state === 'pending') return { kind: 'in_progress' };
      return { kind: 'replay', status: row.response_status ?? 500, body: row.response_body };
    });
  }

  /**
   * Records the outcome in `tx`, the transaction of the handler's effects. Throws (rolling them
   * back) when the claim is no longer this request's: it was taken over after the pending timeout
   * by a retry, which then acts instead, so the request acts once.
   */
  async complete(tx: SqlTx, scope: string, key: string, claimedAt: Date, status: number, body: string | null, now: Date): Promise<void> {
    const stored = body !== null && Buffer.byteLength(body) > IDEMPOTENCY_RESPONSE_BYTES_MAX ? null : body;
    const updated = await tx.query(
      `UPDATE idempotency_record SET state = 'done', response_status = $4, response_body = $5, completed_at = $6
        WHERE scope = $1 AND key = $2 AND state = 'pending' AND created_at = $3 RETURNING key`,
      [scope, key, claimedAt.toISOString(), status, stored, now.toISOString()],
    );
    if (updated.length !== 1) throw new IdempotencyClaimLostError(scope, key);
  }

  /** Forgets a claim whose request failed and left no effect (a 5xx rolled back): it may be retried. */
  async release(scope: string, key: string, claimedAt: Date): Promise<void> {
    await this.db.transaction((tx) =>
      tx.query(`DELETE FROM idempotency_record WHERE scope = $1 AND key = $2 AND state = 'pending' AND created_at = $3`, [scope, key, claimedAt.toISOString()]),
    );
  }

  /** Drops outcomes past retention; returns how many. */
  async purge(now: Date): Promise<number> {
    const rows = await this.db.transaction((tx) =>
      tx.query(`DELETE FROM idempotency_record WHERE created_at < $1 RETURNING key`, [new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS).toISOString()]),
    );
    return rows.length;
  }
}
