import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Which tenant an opaque account reference belongs to. Deliberately outside row-level security:
 * inbound wall messages carry only `accountRef`, and this is how they find their tenant. It holds
 * opaque references only; the application may insert and read, never change or delete a row.
 */
@Entity({ name: 'account_directory' })
export class AccountDirectoryEntity {
  @PrimaryColumn({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;
}
