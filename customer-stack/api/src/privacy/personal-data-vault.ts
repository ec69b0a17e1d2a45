// Personal columns (names, emails, dates of birth, document numbers, addresses) are stored
// sealed under a key per person. Erasing a person destroys that key: every sealed value of
// theirs, in any table and any backup taken afterwards, becomes unreadable, while rows, ledger
// entries and the audit chain (which never holds the plaintext) stay intact and verifiable.
import { Inject, Injectable } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { isUuid } from '../tenancy/tenant-scope.js';
import { PrivacyError } from './privacy.errors.js';
import { newDataKey, openWithDataKey, sealWithDataKey, unwrapDataKey, wrapDataKey } from './vault-crypto.js';

interface KeyRow {
  wrapped_key: Buffer | null;
  erased_at: Date | null;
}

@Injectable()
export class PersonalDataVault {
  constructor(@Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig) {}

  /**
   * Seals `plaintext` for `subjectId` inside the caller's transaction, whose tenant must be the
   * subject's (the first seal creates the person's key under that tenant). Refused once erased.
   */
  async seal(tx: SqlTx, subjectId: string, plaintext: string): Promise<Buffer> {
    const dataKey = await this.dataKeyFor(tx, subjectId, true);
    if (!dataKey) throw new PrivacyError('subject_erased');
    return sealWithDataKey(dataKey, subjectId, plaintext);
  }

  /** The plaintext, or null once the person is erased (or never had a key). */
  async open(tx: SqlTx, subjectId: string, sealed: Buffer): Promise<string | null> {
    const dataKey = await this.dataKeyFor(tx, subjectId, false);
    return dataKey ? openWithDataKey(dataKey, subjectId, sealed) : null;
  }

  /** Opens many values of one person with one key read. */
  async openMany(tx: SqlTx, subjectId: string, sealed: readonly Buffer[]): Promise<(string | null)[]> {
    const dataKey = await this.dataKeyFor(tx, subjectId, false);
    return sealed.map((value) => (dataKey ? openWithDataKey(dataKey, subjectId, value) : null));
  }

  /**
   * Opens one value each of many people with one read of their keys: subject id → plaintext, or
   * null for a person erased (or never keyed). A value that fails its integrity check throws, as `open` does.
   */
  async openEach(tx: SqlTx, sealed: ReadonlyMap<string, Buffer>): Promise<Map<string, string | null>> {
    const subjects = [...sealed.keys()];
    if (subjects.length === 0) return new Map();
    subjects.forEach((subjectId) => this.checkSubject(subjectId));
    const masterKey = this.config.privacy.vaultMasterKey.reveal();
    const rows = await tx.query<KeyRow & { subject_id: string }>(
      'SELECT subject_id, wrapped_key, erased_at FROM person_key WHERE subject_id = ANY($1::uuid[])', [subjects],
    );
    const wrappedKeys = new Map(rows.map((row) => [row.subject_id, row.wrapped_key]));
    return new Map(subjects.map((subjectId) => {
      const wrapped = wrappedKeys.get(subjectId);
      const value = sealed.get(subjectId) as Buffer;
      return [subjectId, wrapped ? openWithDataKey(unwrapDataKey(masterKey, subjectId, wrapped), subjectId, value) : null];
    }));
  }

  async isErased(tx: SqlTx, subjectId: string): Promise<boolean> {
    const [row] = await tx.query<KeyRow>('SELECT wrapped_key, erased_at FROM person_key WHERE subject_id = $1', [subjectId]);
    return row !== undefined && row.erased_at !== null;
  }

  /**
   * Destroys the person's key (the caller audits and commits). Idempotent; a person without a
   * key gets an erased tombstone so nothing can be sealed for them later. Returns whether a key
   * was destroyed now.
   */
  async destroyKey(tx: SqlTx, subjectId: string): Promise<boolean> {
    this.checkSubject(subjectId);
    const destroyed = await tx.query(
      `UPDATE person_key SET wrapped_key = NULL, erased_at = clock_timestamp() WHERE subject_id = $1 AND erased_at IS NULL RETURNING subject_id`,
      [subjectId],
    );
    if (destroyed.length === 1) return true;
    await tx.query(
      `INSERT INTO person_key (subject_id, tenant_id, wrapped_key, created_at, erased_at)
       VALUES ($1, NULLIF(current_setting('bulwark.tenant_id', true), '')::uuid, NULL, clock_timestamp(), clock_timestamp())
       ON CONFLICT (subject_id) DO NOTHING`,
      [subjectId],
    );
    if (!(await this.isErased(tx, subjectId))) throw new PrivacyError('subject_not_in_tenant');
    return false;
  }

  private async dataKeyFor(tx: SqlTx, subjectId: string, create: boolean): Promise<Buffer | null> {
    this.checkSubject(subjectId);
    const masterKey = this.config.privacy.vaultMasterKey.reveal();
    let [row] = await tx.query<KeyRow>('SELECT wrapped_key, erased_at FROM person_key WHERE subject_id = $1', [subjectId]);
    if (!row && create) {
      await tx.query(
        `INSERT INTO person_key (subject_id, tenant_id, wrapped_key, created_at)
         VALUES ($1, NULLIF(current_setting('bulwark.tenant_id', true), '')::uuid, $2, clock_timestamp())
         ON CONFLICT (subject_id) DO NOTHING`,
        [subjectId, wrapDataKey(masterKey, subjectId, newDataKey())],
      );
      [row] = await tx.query<KeyRow>('SELECT wrapped_key, erased_at FROM person_key WHERE subject_id = $1', [subjectId]);
      // Present under another tenant (the insert hit its key, row-level security hides it).
      if (!row) throw new PrivacyError('subject_not_in_tenant');
    }
    if (!row?.wrapped_key) return null;
    return unwrapDataKey(masterKey, subjectId, row.wrapped_key);
  }

  private checkSubject(subjectId: string): void {
    if (!isUuid(subjectId)) throw new PrivacyError('invalid_request', 'a subject id is a lowercase UUID');
  }
}
