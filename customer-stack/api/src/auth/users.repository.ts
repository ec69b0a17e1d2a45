// user_account. The email is personal data: it is stored sealed by the
// PersonalDataVault under the person's own key (erasing the person makes it unreadable), and
// found at sign-in by a keyed hash (HMAC) that erasure removes.
import { Inject, Injectable } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { PersonalDataVault } from '../privacy/personal-data-vault.js';
import { VaultIntegrityError } from '../privacy/vault-crypto.js';
import type { Role } from './permissions.js';
import { lookupHash, normaliseEmail } from './secret-box.js';

export interface UserRow {
  readonly id: string;
  readonly tenantId: string;
  readonly passwordHash: string;
  readonly roles: Role[];
  readonly accountRef: string | null;
  readonly status: 'active' | 'disabled' | 'erased';
}

export interface NewUser {
  readonly id: string;
  readonly tenantId: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly roles: readonly Role[];
  readonly accountRef: string | null;
  readonly createdBy: string | null;
  readonly now: Date;
}

interface Row {
  id: string;
  tenant_id: string;
  password_hash: string;
  roles: Role[];
  account_ref: string | null;
  status: 'active' | 'disabled' | 'erased';
}

const toUser = (row: Row): UserRow => ({
  id: row.id,
  tenantId: row.tenant_id,
  passwordHash: row.password_hash,
  roles: row.roles,
  accountRef: row.account_ref,
  status: row.status,
});

@Injectable()
export class UsersRepository {
  constructor(
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
  ) {}

  /** Inserts the user (the tenant set on `tx` is theirs); false when the email is already registered in the tenant. */
  async insert(tx: SqlTx, user: NewUser): Promise<boolean> {
    // Sealing first creates the person's key; a refused insert rolls it back with the transaction.
    const emailSealed = await this.vault.seal(tx, user.id, normaliseEmail(user.email));
    const rows = await tx.query(
      `INSERT INTO user_account (id, tenant_id, email_lookup, email_sealed, password_hash, roles, account_ref, status, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7, 'active', $8, $9, $9)
       ON CONFLICT ON CONSTRAINT user_account_email DO NOTHING
       RETURNING id`,
      [
        user.id, user.tenantId, this.emailLookup(user.tenantId, user.email), emailSealed,
        user.passwordHash, user.roles, user.accountRef, user.createdBy, user.now,
      ],
    );
    return rows.length === 1;
  }

  async findByEmail(tx: SqlTx, tenantId: string, email: string): Promise<UserRow | undefined> {
    const [row] = await tx.query<Row>(`SELECT * FROM user_account WHERE tenant_id = $1 AND email_lookup = $2`, [tenantId, this.emailLookup(tenantId, email)]);
    return row && toUser(row);
  }

  async findById(tx: SqlTx, userId: string): Promise<UserRow | undefined> {
    const [row] = await tx.query<Row>(`SELECT * FROM user_account WHERE id = $1`, [userId]);
    return row && toUser(row);
  }

  async setRoles(tx: SqlTx, userId: string, roles: readonly Role[], now: Date): Promise<void> {
    const rows = await tx.query(`UPDATE user_account SET roles = $2::text[], updated_at = $3 WHERE id = $1 RETURNING id`, [userId, roles, now]);
    assert(rows.length === 1, 'roles changed on an existing user');
  }

  /** The user's email in clear, for sending them mail; null when there is none to open (erased, or sealed before the vault). */
  async emailOf(tx: SqlTx, userId: string): Promise<string | null> {
    const [row] = await tx.query<{ email_sealed: Buffer | null }>(`SELECT email_sealed FROM user_account WHERE id = $1`, [userId]);
    if (!row?.email_sealed) return null;
    try {
      return await this.vault.open(tx, userId, row.email_sealed);
    } catch (error) {
      if (error instanceof VaultIntegrityError) return null;
      throw error;
    }
  }

  /** `emailOf` for many users with one read of the addresses and one of their keys (an unknown user maps to null). */
  async emailsOf(tx: SqlTx, userIds: readonly string[]): Promise<Map<string, string | null>> {
    const rows = await tx.query<{ id: string; email_sealed: Buffer | null }>(`SELECT id, email_sealed FROM user_account WHERE id = ANY($1::uuid[])`, [userIds]);
    const sealed = new Map(rows.flatMap((row) => (row.email_sealed ? [[row.id, row.email_sealed] as const] : [])));
    let opened: Map<string, string | null>;
    try {
      opened = await this.vault.openEach(tx, sealed);
    } catch (error) {
      if (!(error instanceof VaultIntegrityError)) throw error;
      // One value does not open: each user on their own, so that only that one maps to null.
      opened = new Map();
      for (const userId of sealed.keys()) opened.set(userId, await this.emailOf(tx, userId));
    }
    return new Map(userIds.map((userId) => [userId, opened.get(userId) ?? null]));
  }

  /**
   * Erasure: the lookup hash goes (sign-in by that email finds nobody, and the address may register
   * again), the sealed copy goes with the key the vault destroys, and the account can never sign
   * in. Returns false when the subject has no account here.
   */
  async erase(tx: SqlTx, userId: string, now: Date): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE user_account SET email_lookup = NULL, email_sealed = NULL, password_hash = '', status = 'erased', updated_at = $2 WHERE id = $1 RETURNING id`,
      [userId, now],
    );
    return rows.length === 1;
  }

  /** What the account holds, for the subject-access export (the email opened while it can be). */
  async exportOf(tx: SqlTx, userId: string): Promise<Record<string, unknown> | null> {
    const [row] = await tx.query<Row & { created_at: Date; updated_at: Date; created_by: string | null }>(`SELECT * FROM user_account WHERE id = $1`, [userId]);
    if (!row) return null;
    return {
      userId: row.id,
      email: await this.emailOf(tx, userId),
      roles: row.roles,
      accountRef: row.account_ref,
      status: row.status,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  private emailLookup(tenantId: string, email: string): Buffer {
    return lookupHash(this.config.auth.lookupKey.reveal(), 'email', tenantId, normaliseEmail(email));
  }
}
