// A transaction with the tenant set for row-level security (`bulwark.tenant_id`, local to the
// transaction). The tenancy module's TenantScope.run does the same; auth keeps this one place
// so switching to it is a one-line change.
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';

export async function inTenant<T>(db: SqlDatabase, tenantId: string, work: (tx: SqlTx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('bulwark.tenant_id', $1, true)`, [tenantId]);
    return work(tx);
  });
}
