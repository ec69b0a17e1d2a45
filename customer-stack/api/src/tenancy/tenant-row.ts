// The two columns every customer-data row with its own id starts with: the id, and the tenant
// that row-level security reads (see rls.ts). Entities extend it instead of repeating them; the
// table still needs tenantRlsSql in its migration (tenancy-rls.test.ts fails without it).
import { Column, PrimaryColumn } from 'typeorm';

export abstract class TenantRow {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;
}
