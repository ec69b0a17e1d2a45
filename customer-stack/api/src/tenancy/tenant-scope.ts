// Sets the tenant of a transaction, which row-level security then enforces in the database
// itself. Everything that touches customer data runs inside `run` or after `enter`.
import { Inject, Injectable } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { RequestTransaction } from './request-transaction.js';
import { TENANT_SETTING } from './rls.js';
import { TenancyError } from './tenancy.errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ACCOUNTS_PER_LOOKUP_MAX = 10_000;
export const BYPASS_REASON_LENGTH_MAX = 500;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export function assertTenantId(tenantId: string): void {
  if (!isUuid(tenantId)) throw new TenancyError('invalid_tenant_id');
}

@Injectable()
export class TenantScope {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(RequestTransaction) private readonly request: RequestTransaction,
  ) {}

  /**
   * Runs `work` as one transaction that sees and writes only `tenantId`'s rows: inside an HTTP
   * mutation, a savepoint of the request's transaction (so it commits with the request's
   * idempotency outcome); elsewhere a transaction of its own.
   */
  run<T>(tenantId: string, work: (tx: SqlTx) => Promise<T>): Promise<T> {
    assertTenantId(tenantId);
    const inTenant = async (tx: SqlTx): Promise<T> => {
      await this.enter(tx, tenantId);
      return work(tx);
    };
    return this.request.join(inTenant) ?? this.db.transaction(inTenant);
  }

  /** Sets (or switches) the tenant inside an existing transaction, until it ends. */
  async enter(tx: SqlTx, tenantId: string): Promise<void> {
    assertTenantId(tenantId);
    const [row] = await tx.query<{ tenant: string }>(`SELECT set_config('${TENANT_SETTING}', $1, true) AS tenant`, [tenantId]);
    assert(row?.tenant === tenantId, 'tenant set on the transaction');
    this.audit.enteredTenant(tx, tenantId);
  }

  /** The tenant of each known account reference (unknown references are absent from the map). */
  async tenantOfAccounts(tx: SqlTx, accountRefs: readonly string[]): Promise<Map<string, string>> {
    assert(accountRefs.length <= ACCOUNTS_PER_LOOKUP_MAX, 'account lookup within limit');
    if (accountRefs.length === 0) return new Map();
    const rows = await tx.query<{ account_ref: string; tenant_id: string }>(
      'SELECT account_ref, tenant_id FROM account_directory WHERE account_ref = ANY($1::uuid[])',
      [[...new Set(accountRefs)]],
    );
    return new Map(rows.map((row) => [row.account_ref, row.tenant_id]));
  }

  /**
   * The platform-admin bypass: `work` may read every tenant's rows (SELECT only; writes still
   * need `enter`). Opening it appends a `tenancy.admin_bypass.entered` entry to the audit chain
   * in the same transaction, and the database grants the bypass only because of that entry
   * (a trigger on audit_entry), so there is no unaudited way across tenants.
   */
  async runAsPlatformAdmin<T>(who: AuditActor, reason: string, work: (tx: SqlTx) => Promise<T>): Promise<T> {
    const trimmed = typeof reason === 'string' ? reason.trim() : '';
    if (trimmed.length < 3 || trimmed.length > BYPASS_REASON_LENGTH_MAX) throw new TenancyError('bypass_reason_required');
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ txid: string }>('SELECT txid_current()::text AS txid');
      assert(row !== undefined, 'transaction id read');
      await this.audit.recordNow(tx, {
        tenantId: null,
        ...who,
        action: 'tenancy.admin_bypass.entered',
        resource: `transaction:${row.txid}`,
        diff: { reason: trimmed },
      });
      return work(tx);
    });
  }
}
