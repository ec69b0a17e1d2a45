// The ledger's tables. The journal (ledger_transaction + ledger_entry) is append-only; balances
// live on ledger_account and move only with the journal; reservations track holds on cash.
// Triggers, RLS and grants that entities cannot express are in the migration.
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';

@Entity({ name: 'ledger_account' })
@Unique('ledger_account_identity', ['tenantId', 'kind', 'ownerRef', 'unit'])
@Check('ledger_account_kind', `"kind" IN ('customer_cash', 'customer_reserved', 'customer_position', 'omnibus', 'fees', 'fx_conversion', 'bank_clearing', 'payouts')`)
@Check('ledger_account_normal_side', `"normal_side" IN ('debit', 'credit')`)
@Check('ledger_account_no_overdraft', `"allow_negative" OR "balance" >= 0`)
export class LedgerAccountEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'owner_ref', type: 'uuid', nullable: true })
  ownerRef!: string | null;

  @Column({ type: 'text' })
  unit!: string;

  @Column({ name: 'normal_side', type: 'text' })
  normalSide!: 'debit' | 'credit';

  @Column({ name: 'allow_negative', type: 'boolean' })
  allowNegative!: boolean;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: '0' })
  balance!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

@Entity({ name: 'ledger_transaction' })
@Unique('ledger_transaction_idempotency', ['tenantId', 'idempotencyKey'])
@Index('ledger_transaction_reversed_once', ['reverses'], { unique: true, where: `"reverses" IS NOT NULL` })
@Check(
  'ledger_transaction_kind',
  `"kind" IN ('deposit', 'withdrawal', 'fx_conversion', 'reservation', 'reservation_post', 'reservation_release', 'trade', 'fee', 'payout', 'transfer', 'reversal')`,
)
@Check('ledger_transaction_reversal', `("kind" = 'reversal') = ("reverses" IS NOT NULL)`)
export class LedgerTransactionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'body_hash', type: 'char', length: 64 })
  bodyHash!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text', nullable: true })
  reference!: string | null;

  @Column({ type: 'uuid', nullable: true })
  reverses!: string | null;

  @ManyToOne(() => LedgerTransactionEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'reverses', foreignKeyConstraintName: 'ledger_transaction_reverses_fk' })
  reversed?: LedgerTransactionEntity;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

// Referential integrity of entries (their transaction, their account) is checked set-based once
// per statement by a trigger (see the migration) rather than by per-row foreign keys, whose
// row locks cost more than the rest of the write; accounts and transactions are never deleted.
@Entity({ name: 'ledger_entry' })
@Index('ledger_entry_account_time', ['accountId', 'createdAt'])
@Check('ledger_entry_nonzero', `"amount" <> 0`)
export class LedgerEntryEntity {
  @PrimaryColumn({ name: 'transaction_id', type: 'uuid' })
  transactionId!: string;

  /** The leg's position in its transaction, from 0. */
  @PrimaryColumn({ type: 'smallint' })
  leg!: number;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ type: 'text' })
  unit!: string;

  /** Signed: debit positive, credit negative. */
  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

@Entity({ name: 'ledger_reservation' })
@Index('ledger_reservation_pending_expiry', ['expiresAt'], { where: `"status" = 'pending'` })
@Check('ledger_reservation_status', `"status" IN ('pending', 'posted', 'voided', 'expired')`)
@Check('ledger_reservation_amounts', `"amount" > 0 AND "posted" >= 0 AND "released" >= 0 AND "posted" + "released" <= "amount"`)
@Check('ledger_reservation_closed', `("status" = 'pending') = ("posted" + "released" < "amount")`)
@Check('ledger_reservation_source', `"source_kind" IN ('customer_cash', 'customer_position')`)
export class LedgerReservationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'owner_ref', type: 'uuid' })
  ownerRef!: string;

  @Column({ type: 'text' })
  unit!: string;

  /** Where the held amount came from and returns to: cash for a buy or a withdrawal, a position for a sell. */
  @Column({ name: 'source_kind', type: 'text', default: 'customer_cash' })
  sourceKind!: 'customer_cash' | 'customer_position';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: '0' })
  posted!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: '0' })
  released!: string;

  @Column({ type: 'text' })
  status!: 'pending' | 'posted' | 'voided' | 'expired';

  @Column({ type: 'text', nullable: true })
  reference!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

export const LEDGER_ENTITIES = [LedgerAccountEntity, LedgerTransactionEntity, LedgerEntryEntity, LedgerReservationEntity];
