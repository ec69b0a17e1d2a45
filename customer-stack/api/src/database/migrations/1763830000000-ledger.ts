import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantRlsSql, revokeFromGranteesSql, tenantRlsSql } from '../../tenancy/rls.js';

const LEDGER_TABLES = ['ledger_account', 'ledger_transaction', 'ledger_entry', 'ledger_reservation'] as const;

/** Adds to a transaction-local counter (rolled back with the transaction or savepoint that set it). */
const bump = (name: string, by: string) =>
  `PERFORM set_config('${name}', (coalesce(nullif(current_setting('${name}', true), ''), '0')::bigint + ${by})::text, true)`;

/**
 * What the entities cannot say.
 * - The journal is append-only: no UPDATE, DELETE or TRUNCATE grant, and triggers refusing them
 *   for every role, the owner included. Accounts are never deleted either.
 * - After every entry statement (set-based, one pass): each entry's transaction was created in this
 *   database transaction and its account exists with the entry's unit and tenant; every transaction
 *   touched balances per unit; its entries all came in this one statement.
 * - At commit (deferred constraint trigger): no transaction of this database transaction is left
 *   without entries. Counters kept by the statement triggers make that one comparison, whatever
 *   the number of rows: the first firing at commit checks, the others see it was checked.
 * - Every ledger table is tenant-isolated (RLS).
 */
const LEDGER_SQL: readonly string[] = [
  `CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'the ledger journal is append-only: % on % refused; correct with a reversing transaction', TG_OP, TG_TABLE_NAME
       USING ERRCODE = 'insufficient_privilege';
   END $$`,
  `CREATE TRIGGER ledger_transaction_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_transaction FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`,
  `CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_entry FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`,
  `CREATE TRIGGER ledger_account_kept BEFORE DELETE OR TRUNCATE ON ledger_account FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`,
  revokeFromGranteesSql('ledger_transaction', ['UPDATE', 'DELETE', 'TRUNCATE']),
  revokeFromGranteesSql('ledger_entry', ['UPDATE', 'DELETE', 'TRUNCATE']),
  revokeFromGranteesSql('ledger_account', ['DELETE', 'TRUNCATE']),
  `CREATE FUNCTION ledger_count_transactions() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     ${bump('bulwark.ledger_transactions', '(SELECT count(*) FROM new_transactions)')};
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER ledger_transaction_counted AFTER INSERT ON ledger_transaction REFERENCING NEW TABLE AS new_transactions FOR EACH STATEMENT EXECUTE FUNCTION ledger_count_transactions()`,
  `CREATE FUNCTION ledger_check_entries() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     touched uuid[];
     accounts uuid[];
     entries bigint;
     found bigint;
     mismatched boolean;
     off uuid;
     stored bigint;
   BEGIN
     -- Arrays, so each lookup below is an index scan however large the journal grows.
     SELECT array_agg(DISTINCT transaction_id), array_agg(DISTINCT account_id), count(*) INTO touched, accounts, entries FROM new_entries;
     SELECT count(*) INTO found FROM ledger_transaction WHERE id = ANY(touched) AND created_at = now();
     IF found <> cardinality(touched) THEN
       RAISE EXCEPTION 'ledger entries must belong to a transaction created in the same database transaction' USING ERRCODE = 'foreign_key_violation';
     END IF;
     SELECT count(DISTINCT a.id), coalesce(bool_or(a.unit <> n.unit OR a.tenant_id <> n.tenant_id), false) INTO found, mismatched
       FROM new_entries n LEFT JOIN (SELECT id, unit, tenant_id FROM ledger_account WHERE id = ANY(accounts)) a ON a.id = n.account_id;
     IF found <> cardinality(accounts) OR mismatched THEN
       RAISE EXCEPTION 'ledger entries must name an existing account of their unit and tenant' USING ERRCODE = 'foreign_key_violation';
     END IF;
     SELECT sum(n), min(transaction_id::text) FILTER (WHERE net <> 0)::uuid INTO stored, off
       FROM (SELECT transaction_id, unit, count(*) AS n, sum(amount) AS net FROM ledger_entry WHERE transaction_id = ANY(touched) GROUP BY transaction_id, unit) per_unit;
     IF off IS NOT NULL THEN
       RAISE EXCEPTION 'ledger transaction % does not balance after this insert', off USING ERRCODE = 'check_violation';
     END IF;
     IF stored <> entries THEN
       RAISE EXCEPTION 'a ledger transaction''s entries are written by one statement' USING ERRCODE = 'check_violation';
     END IF;
     ${bump('bulwark.ledger_transactions_with_entries', 'cardinality(touched)')};
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER ledger_entry_checked AFTER INSERT ON ledger_entry REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_entries()`,
  `CREATE FUNCTION ledger_assert_transactions_have_entries() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     marker text := pg_current_xact_id()::text || '@' || statement_timestamp()::text;
     headers bigint;
     with_entries bigint;
   BEGIN
     IF current_setting('bulwark.ledger_checked', true) = marker THEN
       RETURN NULL;
     END IF;
     headers := coalesce(nullif(current_setting('bulwark.ledger_transactions', true), ''), '0')::bigint;
     with_entries := coalesce(nullif(current_setting('bulwark.ledger_transactions_with_entries', true), ''), '0')::bigint;
     IF headers <> with_entries THEN
       RAISE EXCEPTION '% of % ledger transactions of this database transaction have no entries; a double entry needs at least two',
         headers - with_entries, headers USING ERRCODE = 'check_violation';
     END IF;
     PERFORM set_config('bulwark.ledger_checked', marker, true);
     RETURN NULL;
   END $$`,
  `CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_transaction DEFERRABLE INITIALLY DEFERRED
     FOR EACH ROW EXECUTE FUNCTION ledger_assert_transactions_have_entries()`,
  ...LEDGER_TABLES.flatMap(tenantRlsSql),
  // Balances are updated in place once per batch: leave room on each page for HOT updates.
  `ALTER TABLE ledger_account SET (fillfactor = 70)`,
];

const LEDGER_SQL_DOWN: readonly string[] = [
  ...LEDGER_TABLES.flatMap(dropTenantRlsSql),
  `DROP TRIGGER ledger_transaction_balanced ON ledger_transaction`,
  `DROP FUNCTION ledger_assert_transactions_have_entries()`,
  `DROP TRIGGER ledger_entry_checked ON ledger_entry`,
  `DROP FUNCTION ledger_check_entries()`,
  `DROP TRIGGER ledger_transaction_counted ON ledger_transaction`,
  `DROP FUNCTION ledger_count_transactions()`,
  `DROP TRIGGER ledger_account_kept ON ledger_account`,
  `DROP TRIGGER ledger_entry_append_only ON ledger_entry`,
  `DROP TRIGGER ledger_transaction_append_only ON ledger_transaction`,
  `DROP FUNCTION ledger_refuse_change()`,
];

/** The double-entry ledger (tables generated from the entities by TypeORM's schema builder, then hand-written SQL). */
export class Ledger1763830000000 implements MigrationInterface {
  name = 'Ledger1763830000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "ledger_account" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "kind" text NOT NULL, "owner_ref" uuid, "unit" text NOT NULL, "normal_side" text NOT NULL, "allow_negative" boolean NOT NULL, "balance" numeric(38,18) NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ledger_account_identity" UNIQUE ("tenant_id", "kind", "owner_ref", "unit"), CONSTRAINT "ledger_account_no_overdraft" CHECK ("allow_negative" OR "balance" >= 0), CONSTRAINT "ledger_account_normal_side" CHECK ("normal_side" IN ('debit', 'credit')), CONSTRAINT "ledger_account_kind" CHECK ("kind" IN ('customer_cash', 'customer_reserved', 'customer_position', 'omnibus', 'fees', 'fx_conversion', 'bank_clearing', 'payouts')), CONSTRAINT "PK_34640393ff83dad2b4627d7ae5f" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "ledger_transaction" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "idempotency_key" text NOT NULL, "body_hash" character(64) NOT NULL, "kind" text NOT NULL, "reference" text, "reverses" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ledger_transaction_idempotency" UNIQUE ("tenant_id", "idempotency_key"), CONSTRAINT "ledger_transaction_reversal" CHECK (("kind" = 'reversal') = ("reverses" IS NOT NULL)), CONSTRAINT "ledger_transaction_kind" CHECK ("kind" IN ('deposit', 'withdrawal', 'fx_conversion', 'reservation', 'reservation_post', 'reservation_release', 'trade', 'fee', 'payout', 'transfer', 'reversal')), CONSTRAINT "PK_9d8a5faa905eacebcbfdad574f2" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE UNIQUE INDEX "ledger_transaction_reversed_once" ON "ledger_transaction"  ("reverses") WHERE "reverses" IS NOT NULL`);
    await runner.query(`CREATE TABLE "ledger_entry" ("transaction_id" uuid NOT NULL, "leg" smallint NOT NULL, "tenant_id" uuid NOT NULL, "account_id" uuid NOT NULL, "unit" text NOT NULL, "amount" numeric(38,18) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ledger_entry_nonzero" CHECK ("amount" <> 0), CONSTRAINT "PK_44a8c2764dbf0feb56c635040a6" PRIMARY KEY ("transaction_id", "leg"))`);
    await runner.query(`CREATE INDEX "ledger_entry_account_time" ON "ledger_entry"  ("account_id", "created_at") `);
    await runner.query(`CREATE TABLE "ledger_reservation" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "owner_ref" uuid NOT NULL, "unit" text NOT NULL, "amount" numeric(38,18) NOT NULL, "posted" numeric(38,18) NOT NULL DEFAULT '0', "released" numeric(38,18) NOT NULL DEFAULT '0', "status" text NOT NULL, "reference" text, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ledger_reservation_closed" CHECK (("status" = 'pending') = ("posted" + "released" < "amount")), CONSTRAINT "ledger_reservation_amounts" CHECK ("amount" > 0 AND "posted" >= 0 AND "released" >= 0 AND "posted" + "released" <= "amount"), CONSTRAINT "ledger_reservation_status" CHECK ("status" IN ('pending', 'posted', 'voided', 'expired')), CONSTRAINT "PK_423759e8a89a4fbd37cff53d0e0" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "ledger_reservation_pending_expiry" ON "ledger_reservation"  ("expires_at") WHERE "status" = 'pending'`);
    await runner.query(`ALTER TABLE "ledger_transaction" ADD CONSTRAINT "ledger_transaction_reverses_fk" FOREIGN KEY ("reverses") REFERENCES "ledger_transaction"("id") ON DELETE RESTRICT ON UPDATE RESTRICT`);
    for (const statement of LEDGER_SQL) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of LEDGER_SQL_DOWN) await runner.query(statement);
    await runner.query(`ALTER TABLE "ledger_transaction" DROP CONSTRAINT "ledger_transaction_reverses_fk"`);
    await runner.query(`DROP INDEX "public"."ledger_reservation_pending_expiry"`);
    await runner.query(`DROP TABLE "ledger_reservation"`);
    await runner.query(`DROP INDEX "public"."ledger_entry_account_time"`);
    await runner.query(`DROP TABLE "ledger_entry"`);
    await runner.query(`DROP INDEX "public"."ledger_transaction_reversed_once"`);
    await runner.query(`DROP TABLE "ledger_transaction"`);
    await runner.query(`DROP TABLE "ledger_account"`);
  }
}
