import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One mutation's outcome per (scope, key): the principal's scope, so one caller's key never
 * answers another's request. Not tenant-scoped by RLS on purpose: the scope already contains the
 * tenant and user, and the interceptor must claim a key before any tenant transaction starts.
 */
@Entity({ name: 'idempotency_record' })
@Index('idempotency_record_created', ['createdAt'])
@Check('idempotency_record_state', `"state" IN ('pending', 'done')`)
@Check('idempotency_record_done', `("state" = 'done') = ("response_status" IS NOT NULL)`)
export class IdempotencyRecordEntity {
  @PrimaryColumn({ type: 'text' })
  scope!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash!: string;

  @Column({ type: 'text' })
  state!: 'pending' | 'done';

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
