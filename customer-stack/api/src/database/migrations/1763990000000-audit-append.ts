import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_BATCH_MAX } from '../../audit/audit-limits.js';

/**
 * Appends to the audit chain in one statement: the head locked, each entry's hash computed onto
 * the one before it, the entries inserted and the head moved, all in the database. Every
 * transaction that audits holds the head from this statement to its commit, so a lock taken in
 * one round trip and the hashes computed in place (instead of reading the head, hashing in the
 * process and sending the rows back) keep it held for one statement and the commit. The service
 * sends each entry's canonical text around its seq (audit-fields.ts spells it, and its spec pins
 * the result to the verifier's reference hash); invoker's rights, so row-level security checks
 * the entries as it checks a plain INSERT, and the admin-bypass trigger fires as before.
 */
export class AuditAppend1763990000000 implements MigrationInterface {
  name = 'AuditAppend1763990000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE FUNCTION audit_append(entry_time timestamptz, tenant_ids uuid[], actors text[], roles text[], on_behalf_ofs text[],
        actions text[], resources text[], diffs text[], hashed_before text[], hashed_after text[])
      RETURNS TABLE (first_seq bigint, last_seq bigint, last_hash text)
      LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
      DECLARE
        n integer := cardinality(actors);
        head_seq bigint;
        s bigint;
        prev text;
        seqs bigint[] := '{}';
        prevs text[] := '{}';
        hashes text[] := '{}';
      BEGIN
        IF n IS NULL OR n < 1 OR n > ${AUDIT_BATCH_MAX} OR cardinality(tenant_ids) <> n OR cardinality(roles) <> n OR cardinality(on_behalf_ofs) <> n
            OR cardinality(actions) <> n OR cardinality(resources) <> n OR cardinality(diffs) <> n OR cardinality(hashed_before) <> n
            OR cardinality(hashed_after) <> n OR entry_time IS NULL THEN
          RAISE EXCEPTION 'audit_append: 1 to ${AUDIT_BATCH_MAX} entries, every array of the same length, and a time' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT h.seq, h.hash INTO head_seq, prev FROM audit_chain_head h WHERE h.id = 1 FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'audit_chain_head row is missing: the audit migration did not run';
        END IF;
        s := head_seq;
        FOR i IN 1..n LOOP
          s := s + 1;
          seqs[i] := s;
          prevs[i] := prev;
          prev := encode(sha256(convert_to(prev || E'\\n' || hashed_before[i] || s::text || hashed_after[i], 'UTF8')), 'hex');
          hashes[i] := prev;
        END LOOP;
        INSERT INTO audit_entry (seq, time, tenant_id, actor, role, on_behalf_of, action, resource, diff, prev_hash, hash)
          SELECT e.seq, entry_time, e.tenant_id, e.actor, e.role, e.on_behalf_of, e.action, e.resource, e.diff::jsonb, e.prev_hash, e.hash
            FROM unnest(seqs, tenant_ids, actors, roles, on_behalf_ofs, actions, resources, diffs, prevs, hashes)
              AS e(seq, tenant_id, actor, role, on_behalf_of, action, resource, diff, prev_hash, hash);
        UPDATE audit_chain_head SET seq = s, hash = prev WHERE id = 1;
        RETURN QUERY SELECT head_seq + 1, s, prev;
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION audit_append(timestamptz, uuid[], text[], text[], text[], text[], text[], text[], text[], text[])`);
  }
}
