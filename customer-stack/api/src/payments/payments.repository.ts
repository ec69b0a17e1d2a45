// SQL for deposits, withdrawals and received webhook events. Every method runs inside the
// caller's transaction with its tenant set (row-level security).
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import type { DepositStatus, WithdrawalStatus } from './payments.views.js';

export interface DepositRow {
  id: string;
  tenant_id: string;
  user_id: string;
  account_ref: string;
  provider: string;
  provider_ref: string | null;
  rail: string;
  quote_id: string;
  amount: string;
  currency: string;
  credit_amount: string;
  credit_currency: string;
  price: string;
  quote_expires_at: Date;
  status: DepositStatus;
  failure_code: string | null;
  transaction_id: string | null;
  return_ref: string | null;
  instructions: { payInReference: string; payTo: { bank: string; account: string } } | null;
  created_at: Date;
  updated_at: Date;
}

export interface WithdrawalRow {
  id: string;
  tenant_id: string;
  user_id: string;
  account_ref: string;
  provider: string;
  provider_ref: string | null;
  rail: string;
  urgency: string;
  amount: string;
  currency: string;
  payout_amount: string | null;
  payout_currency: string;
  quote_id: string | null;
  reservation_id: string;
  hold_expires_at: Date;
  conversion_transaction_id: string | null;
  settle_transaction_id: string | null;
  status: WithdrawalStatus;
  approvals_required: number;
  approved_by: string[];
  beneficiary_sealed: Buffer;
  beneficiary_country: string;
  screening_decision: string;
  failure_code: string | null;
  created_at: Date;
  updated_at: Date;
}

const DEPOSIT_COLUMNS = `id, tenant_id, user_id, account_ref, provider, provider_ref, rail, quote_id, amount::text AS amount, currency,
  credit_amount::text AS credit_amount, credit_currency, price::text AS price, quote_expires_at, status, failure_code, transaction_id, return_ref, instructions,
    created_at, updated_at`;
const WITHDRAWAL_COLUMNS = `id, tenant_id, user_id, account_ref, provider, provider_ref, rail, urgency, amount::text AS amount, currency,
  payout_amount::text AS payout_amount, payout_currency, quote_id, reservation_id, hold_expires_at, conversion_transaction_id, settle_transaction_id, status,
  approvals_required, approved_by::text[] AS approved_by, beneficiary_sealed, beneficiary_country, screening_decision, failure_code, created_at, updated_at`;

export class PaymentsRepository {
  // ------------------------------------------------------------------ deposits

  async insertDeposit(tx: SqlTx, d: Omit<DepositRow,
    'provider_ref' | 'status' | 'failure_code' | 'transaction_id' | 'return_ref' | 'instructions' | 'updated_at'>): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO payment_deposit (id, tenant_id, user_id, account_ref, provider, rail, quote_id, amount, currency, credit_amount, credit_currency, price,
                                    quote_expires_at, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'initiated', $14, $14)
       ON CONFLICT (quote_id) DO NOTHING RETURNING id`,
      [d.id, d.tenant_id, d.user_id, d.account_ref, d.provider, d.rail, d.quote_id, d.amount, d.currency, d.credit_amount, d.credit_currency, d.price,
        d.quote_expires_at.toISOString(), d.created_at.toISOString()],
    );
    return rows.length === 1;
  }

  async deposit(tx: SqlTx, id: string, lock = false): Promise<DepositRow | undefined> {
    const [row] = await tx.query<DepositRow>(`SELECT ${DEPOSIT_COLUMNS} FROM payment_deposit WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row;
  }

  async depositsOf(tx: SqlTx, accountRef: string, limit: number, before: Date | null): Promise<DepositRow[]> {
    return tx.query<DepositRow>(
      `SELECT ${DEPOSIT_COLUMNS} FROM payment_deposit WHERE account_ref = $1 AND ($2::timestamptz IS NULL OR created_at < $2) ORDER BY created_at DESC, id LIMIT $3`,
      [accountRef, before?.toISOString() ?? null, limit],
    );
  }

  /** A person's deposits and withdrawals, oldest first (their subject-access export). */
  async paymentsOfUser(tx: SqlTx, userId: string, limit: number): Promise<{ deposits: DepositRow[]; withdrawals: WithdrawalRow[] }> {
    const deposits = await tx.query<DepositRow>(`SELECT ${DEPOSIT_COLUMNS} FROM payment_deposit WHERE user_id = $1 ORDER BY created_at, id LIMIT $2`, [userId, limit]);
    const withdrawals = await tx.query<WithdrawalRow>(`SELECT ${WITHDRAWAL_COLUMNS} FROM payment_withdrawal WHERE user_id = $1 ORDER BY created_at, id LIMIT $2`, [userId, limit]);
    return { deposits, withdrawals };
  }

  /** Moves a deposit from one state to the next; false when it was not in `from`. */
  async moveDeposit(
    tx: SqlTx, id: string, from: readonly DepositStatus[], to: DepositStatus, now: Date,
    set: { providerRef?: string; failureCode?: string; transactionId?: string; returnRef?: string } = {},
  ): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE payment_deposit SET status = $3, updated_at = $4, provider_ref = COALESCE($5, provider_ref), failure_code = COALESCE($6, failure_code),
              transaction_id = COALESCE($7, transaction_id), return_ref = COALESCE($8, return_ref)
        WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
      [id, from, to, now.toISOString(), set.providerRef ?? null, set.failureCode ?? null, set.transactionId ?? null, set.returnRef ?? null],
    );
    return rows.length === 1;
  }

  async setInstructions(tx: SqlTx, id: string, providerRef: string, instructions: NonNullable<DepositRow['instructions']>): Promise<void> {
    await tx.query(`UPDATE payment_deposit SET provider_ref = COALESCE(provider_ref, $2), instructions = $3 WHERE id = $1`, [id, providerRef, JSON.stringify(instructions)]);
  }

  async setDepositReturn(tx: SqlTx, id: string, returnRef: string, now: Date): Promise<void> {
    await tx.query(`UPDATE payment_deposit SET return_ref = $2, updated_at = $3 WHERE id = $1 AND status = 'failed'`, [id, returnRef, now.toISOString()]);
  }

  // ------------------------------------------------------------------ withdrawals

  async insertWithdrawal(
    tx: SqlTx,
    w: Pick<WithdrawalRow,
      'id' | 'tenant_id' | 'user_id' | 'account_ref' | 'provider' | 'rail' | 'urgency' | 'amount' | 'currency' | 'payout_currency' | 'payout_amount' | 'quote_id'
      | 'reservation_id' | 'hold_expires_at' | 'status' | 'approvals_required' | 'beneficiary_sealed' | 'beneficiary_country' | 'screening_decision' | 'created_at'>,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO payment_withdrawal (id, tenant_id, user_id, account_ref, provider, rail, urgency, amount, currency, payout_currency, reservation_id, status,
                                       approvals_required, approved_by, beneficiary_sealed, beneficiary_country, screening_decision, created_at, updated_at,
                                       payout_amount, quote_id, hold_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '{}', $14, $15, $16, $17, $17, $18, $19, $20)`,
      [w.id, w.tenant_id, w.user_id, w.account_ref, w.provider, w.rail, w.urgency, w.amount, w.currency, w.payout_currency, w.reservation_id, w.status,
        w.approvals_required, w.beneficiary_sealed, w.beneficiary_country, w.screening_decision, w.created_at.toISOString(), w.payout_amount, w.quote_id,
        w.hold_expires_at.toISOString()],
    );
  }

  async withdrawal(tx: SqlTx, id: string, lock = false): Promise<WithdrawalRow | undefined> {
    const [row] = await tx.query<WithdrawalRow>(`SELECT ${WITHDRAWAL_COLUMNS} FROM payment_withdrawal WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row;
  }

  async withdrawalsOf(tx: SqlTx, accountRef: string, limit: number, before: Date | null): Promise<WithdrawalRow[]> {
    return tx.query<WithdrawalRow>(
      `SELECT ${WITHDRAWAL_COLUMNS} FROM payment_withdrawal WHERE account_ref = $1 AND ($2::timestamptz IS NULL OR created_at < $2) ORDER BY created_at DESC, id LIMIT $3`,
      [accountRef, before?.toISOString() ?? null, limit],
    );
  }

  async withdrawalsIn(tx: SqlTx, statuses: readonly WithdrawalStatus[], limit: number): Promise<WithdrawalRow[]> {
    return tx.query<WithdrawalRow>(`SELECT ${WITHDRAWAL_COLUMNS} FROM payment_withdrawal WHERE status = ANY($1::text[]) ORDER BY created_at, id LIMIT $2`, [statuses, limit]);
  }

  /** Open withdrawals whose hold is due, locked (a concurrent send or webhook waits, or is waited for). */
  async dueHolds(tx: SqlTx, now: Date, limit: number): Promise<WithdrawalRow[]> {
    return tx.query<WithdrawalRow>(
      `SELECT ${WITHDRAWAL_COLUMNS} FROM payment_withdrawal
        WHERE status IN ('held', 'pending_approval', 'approved', 'sending', 'sent') AND hold_expires_at <= $1
        ORDER BY hold_expires_at, id LIMIT $2 FOR UPDATE`,
      [now.toISOString(), limit],
    );
  }

  /** A withdrawal with the provider keeps its money held: the renewed reservation replaces the expired one. */
  async renewHold(tx: SqlTx, id: string, reservationId: string, holdExpiresAt: Date, now: Date): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE payment_withdrawal SET reservation_id = $2, hold_expires_at = $3, updated_at = $4 WHERE id = $1 AND status IN ('sending', 'sent') RETURNING id`,
      [id, reservationId, holdExpiresAt.toISOString(), now.toISOString()],
    );
    return rows.length === 1;
  }

  /** USD the account has withdrawn or is withdrawing since `since` (refused and failed ones do not count). */
  async withdrawnSince(tx: SqlTx, accountRef: string, since: Date): Promise<string> {
    const [row] = await tx.query<{ total: string }>(
      `SELECT COALESCE(sum(amount), 0)::text AS total FROM payment_withdrawal WHERE account_ref = $1 AND created_at >= $2 AND status NOT IN ('failed', 'rejected')`,
      [accountRef, since.toISOString()],
    );
    return row?.total ?? '0';
  }

  /** Serialises an account's withdrawal requests (limit check and reservation) for the rest of the transaction. */
  async lockAccount(tx: SqlTx, accountRef: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('payments:' || $1, 0))`, [accountRef]);
  }

  async moveWithdrawal(
    tx: SqlTx, id: string, from: readonly WithdrawalStatus[], to: WithdrawalStatus, now: Date,
    set: {
      providerRef?: string; failureCode?: string; quoteId?: string; payoutAmount?: string; conversionTransactionId?: string; settleTransactionId?: string;
      approvedBy?: string; rail?: string;
    } = {},
  ): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE payment_withdrawal SET status = $3, updated_at = $4, provider_ref = COALESCE($5, provider_ref), failure_code = COALESCE($6, failure_code),
              quote_id = COALESCE($7, quote_id), payout_amount = COALESCE($8, payout_amount), conversion_transaction_id = COALESCE($9, conversion_transaction_id),
              settle_transaction_id = COALESCE($10, settle_transaction_id),
              approved_by = CASE WHEN $11::uuid IS NULL THEN approved_by ELSE array_append(approved_by, $11::uuid) END, rail = COALESCE($12, rail)
        WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
      [id, from, to, now.toISOString(), set.providerRef ?? null, set.failureCode ?? null, set.quoteId ?? null, set.payoutAmount ?? null,
        set.conversionTransactionId ?? null, set.settleTransactionId ?? null, set.approvedBy ?? null, set.rail ?? null],
    );
    return rows.length === 1;
  }

  // ------------------------------------------------------------------ webhook events

  /** Records a verified event; false when its id or its signature was seen before (a replay). */
  async recordEvent(
    tx: SqlTx,
    e: { provider: string; eventId: string; tenantId: string; signatureSha256: string; type: string; paymentId: string; signedAt: Date; receivedAt: Date },
  ): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO payment_webhook_event (provider, event_id, tenant_id, signature_sha256, type, payment_id, signed_at, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING event_id`,
      [e.provider, e.eventId, e.tenantId, e.signatureSha256, e.type, e.paymentId, e.signedAt.toISOString(), e.receivedAt.toISOString()],
    );
    return rows.length === 1;
  }
}
