// Sessions (one per sign-in = one refresh-token family), their refresh tokens (stored hashed) and
// the devices a user has signed in from. Every method runs in the caller's tenant transaction.
// The User-Agent describes the person's device: it is sealed under their key by the vault.
import { Inject, Injectable } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { PersonalDataVault } from '../privacy/personal-data-vault.js';

export interface SessionRow {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly revokeReason: string | null;
}

export interface NewSession {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly deviceLookup: Buffer;
  readonly userAgent: string;
  readonly now: Date;
  readonly expiresAt: Date;
}

export type RotateOutcome =
  | { readonly kind: 'rotated'; readonly sessionId: string }
  | { readonly kind: 'reused'; readonly sessionId: string }
  | { readonly kind: 'unknown' };

/** A session as listed to its owner: the User-Agent opened (null once the person is erased). */
export type ListedSession = SessionRow & { readonly userAgent: string | null };

interface Row {
  id: string;
  user_id: string;
  user_agent_sealed: Buffer;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoke_reason: string | null;
}

const toSession = (row: Row): SessionRow => ({
  id: row.id,
  userId: row.user_id,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  revokeReason: row.revoke_reason,
});

export const SESSIONS_LISTED_MAX = 100;

@Injectable()
export class SessionsRepository {
  constructor(@Inject(PersonalDataVault) private readonly vault: PersonalDataVault) {}

  async create(tx: SqlTx, session: NewSession): Promise<void> {
    const userAgentSealed = await this.vault.seal(tx, session.userId, session.userAgent);
    await tx.query(
      `INSERT INTO auth_session (id, tenant_id, user_id, device_lookup, user_agent_sealed, created_at, last_used_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
      [session.id, session.tenantId, session.userId, session.deviceLookup, userAgentSealed, session.now, session.expiresAt],
    );
  }

  async addRefreshToken(tx: SqlTx, tenantId: string, sessionId: string, tokenHash: Buffer, now: Date): Promise<void> {
    await tx.query(`INSERT INTO refresh_token (token_hash, tenant_id, session_id, created_at) VALUES ($1, $2, $3, $4)`, [tokenHash, tenantId, sessionId, now]);
  }

  /**
   * Marks a refresh token used. The row lock makes two concurrent uses of one token resolve to
   * one rotation and one reuse, never two rotations.
   */
  async rotate(tx: SqlTx, tokenHash: Buffer, now: Date): Promise<RotateOutcome> {
    const [rotated] = await tx.query<{ session_id: string }>(
      `UPDATE refresh_token SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL RETURNING session_id`,
      [tokenHash, now],
    );
    if (rotated) return { kind: 'rotated', sessionId: rotated.session_id };
    const [used] = await tx.query<{ session_id: string }>(`SELECT session_id FROM refresh_token WHERE token_hash = $1`, [tokenHash]);
    return used ? { kind: 'reused', sessionId: used.session_id } : { kind: 'unknown' };
  }

  async find(tx: SqlTx, sessionId: string): Promise<SessionRow | undefined> {
    const [row] = await tx.query<Row>(`SELECT * FROM auth_session WHERE id = $1`, [sessionId]);
    return row && toSession(row);
  }

  /** True while the session is neither revoked nor expired (checked on every authenticated request). */
  async isLive(tx: SqlTx, sessionId: string, userId: string, now: Date): Promise<boolean> {
    const rows = await tx.query(`SELECT 1 FROM auth_session WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3`, [sessionId, userId, now]);
    return rows.length === 1;
  }

  async touch(tx: SqlTx, sessionId: string, now: Date): Promise<void> {
    await tx.query(`UPDATE auth_session SET last_used_at = $2 WHERE id = $1`, [sessionId, now]);
  }

  /** The user's sessions, newest first, with their User-Agents opened (one key read for all). */
  async listForUser(tx: SqlTx, userId: string): Promise<ListedSession[]> {
    const rows = await tx.query<Row>(`SELECT * FROM auth_session WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2`, [userId, SESSIONS_LISTED_MAX]);
    const userAgents = await this.vault.openMany(tx, userId, rows.map((row) => row.user_agent_sealed));
    return rows.map((row, index) => ({ ...toSession(row), userAgent: userAgents[index] ?? null }));
  }

  /** Revokes a live session; false when it was already revoked (or is not the user's). */
  async revoke(tx: SqlTx, sessionId: string, userId: string, reason: string, now: Date): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE auth_session SET revoked_at = $3, revoke_reason = $4 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`,
      [sessionId, userId, now, reason],
    );
    return rows.length === 1;
  }

  /** Revokes every live session of the user; returns the ids revoked (oldest first). */
  async revokeAllForUser(tx: SqlTx, userId: string, reason: string, now: Date): Promise<string[]> {
    const rows = await tx.query<{ id: string; created_at: Date }>(
      `UPDATE auth_session SET revoked_at = $2, revoke_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id, created_at`,
      [userId, now, reason],
    );
    return rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id)).map((row) => row.id);
  }

  /** Records the device; true when the user had not signed in from it before. */
  async rememberDevice(tx: SqlTx, tenantId: string, userId: string, deviceLookup: Buffer, now: Date): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO known_device (user_id, device_lookup, tenant_id, first_seen_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, deviceLookup, tenantId, now],
    );
    return rows.length === 1;
  }

  async knownDeviceCount(tx: SqlTx, userId: string): Promise<number> {
    const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM known_device WHERE user_id = $1`, [userId]);
    return row?.n ?? 0;
  }
}
