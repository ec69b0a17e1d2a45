import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Adds to a transaction-local counter (as 1763830000000-ledger.ts does). */
const bump = (name: string, by: string) =>
  `PERFORM set_config('${name}', (coalesce(nullif(current_setting('${name}', true), ''), '0')::bigint + ${by})::text, true)`;

/**
 * The per-statement entry check without re-reading the journal. It proved "all of a transaction's
 * entries come in one statement, and they balance per unit" by reading every touched
 * transaction's entries back from ledger_entry. Now each touched transaction's legs in the
 * statement must be exactly 0..n-1: with the (transaction_id, leg) primary key, entries of the same
 * transaction in any other statement would repeat leg 0, so the statement holds all of them and
 * their sums per unit are the transaction's. Same guarantees, same errors; about a third of the
 * trigger's cost (one pass over the statement's rows instead of an index scan per transaction).
 */
const CHECK_ENTRIES_SQL = `CREATE OR REPLACE FUNCTION ledger_check_entries() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     touched uuid[];
     accounts uuid[];
     found bigint;
     mismatched boolean;
     unbalanced uuid;
     scattered uuid;
   BEGIN
     SELECT array_agg(transaction_id), min(transaction_id::text) FILTER (WHERE min_leg <> 0 OR max_leg <> legs - 1)::uuid INTO touched, scattered
       FROM (SELECT transaction_id, count(*) AS legs, min(leg) AS min_leg, max(leg) AS max_leg FROM new_entries GROUP BY transaction_id) per_transaction;
     -- Arrays, so each lookup below is an index scan however large the journal grows.
     SELECT count(*) INTO found FROM ledger_transaction WHERE id = ANY(touched) AND created_at = now();
     IF found <> cardinality(touched) THEN
       RAISE EXCEPTION 'ledger entries must belong to a transaction created in the same database transaction' USING ERRCODE = 'foreign_key_violation';
     END IF;
     SELECT array_agg(DISTINCT account_id) INTO accounts FROM new_entries;
     SELECT count(DISTINCT a.id), coalesce(bool_or(a.unit <> n.unit OR a.tenant_id <> n.tenant_id), false) INTO found, mismatched
       FROM new_entries n LEFT JOIN (SELECT id, unit, tenant_id FROM ledger_account WHERE id = ANY(accounts)) a ON a.id = n.account_id;
     IF found <> cardinality(accounts) OR mismatched THEN
       RAISE EXCEPTION 'ledger entries must name an existing account of their unit and tenant' USING ERRCODE = 'foreign_key_violation';
     END IF;
     SELECT min(transaction_id::text)::uuid INTO unbalanced
       FROM (SELECT transaction_id FROM new_entries GROUP BY transaction_id, unit HAVING sum(amount) <> 0) per_unit;
     IF unbalanced IS NOT NULL THEN
       RAISE EXCEPTION 'ledger transaction % does not balance after this insert', unbalanced USING ERRCODE = 'check_violation';
     END IF;
     IF scattered IS NOT NULL THEN
       RAISE EXCEPTION 'a ledger transaction''s entries are written by one statement (legs 0..n-1; %)', scattered USING ERRCODE = 'check_violation';
     END IF;
     ${bump('bulwark.ledger_transactions_with_entries', 'cardinality(touched)')};
     RETURN NULL;
   END $$`;

/** The function as 1763830000000-ledger.ts created it (for down). */
const PREVIOUS_CHECK_ENTRIES_SQL = `CREATE OR REPLACE FUNCTION ledger_check_entries() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     touched uuid[];
     accounts uuid[];
     entries bigint;
     found bigint;
     mismatched boolean;
     off uuid;
     stored bigint;
   BEGIN
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
   END $$`;

export class LedgerEntryCheck1763895000000 implements MigrationInterface {
  name = 'LedgerEntryCheck1763895000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CHECK_ENTRIES_SQL);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(PREVIOUS_CHECK_ENTRIES_SQL);
  }
}
