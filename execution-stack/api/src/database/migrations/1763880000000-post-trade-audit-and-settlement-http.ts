import type { MigrationInterface, QueryRunner } from 'typeorm';
import { auditEntryHash, type CanonicalValue } from '@bulwark/shared-contracts';

/** A principal the execution audit accepts, from what the post-trade chain recorded. */
function principalOf(actor: string): string {
  if (/^(operator|member|system):[a-z0-9-]{1,64}$/.test(actor)) return actor;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(actor)) return `operator:${actor}`;
  const venue = /^venue:([a-z0-9-]{1,57})$/.exec(actor);
  return venue ? `system:venue-${venue[1]}` : 'system:post-trade';
}

/**
 * Post-trade audit joins the execution audit chain (so anchoring covers it): every entry of the
 * separate posttrade_audit table is appended to execution_audit in its order, hashed exactly as
 * ExecutionAuditService hashes, its original seq, time and hash kept in the diff; then the table
 * goes. Settlement over HTTP: approvals verify against the approver's own operator keys (the
 * separate approver key goes), a rejection records its reason, a batch counts the token legs it
 * handed to the chain module. `down` recreates an empty posttrade_audit: what moved stays in the
 * execution chain, which is append-only.
 */
export class PostTradeAuditAndSettlementHttp1763880000000 implements MigrationInterface {
  name = 'PostTradeAuditAndSettlementHttp1763880000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "settlement_approver" DROP COLUMN "public_jwk"`);
    await runner.query(`ALTER TABLE "settlement_batch" ADD "rejection_reason" text`);
    await runner.query(`ALTER TABLE "settlement_batch" ADD "token_legs_queued" integer NOT NULL DEFAULT '0'`);
    await runner.query(`UPDATE settlement_batch SET rejection_reason = 'rejected before reasons were recorded' WHERE status = 'rejected'`);
    await runner.query(`ALTER TABLE "settlement_batch" ADD CONSTRAINT "settlement_batch_rejected" CHECK (("status" = 'rejected') = ("rejection_reason" IS NOT NULL))`);
    await this.moveAuditIntoExecutionChain(runner);
  }

  private async moveAuditIntoExecutionChain(runner: QueryRunner): Promise<void> {
    const [head] = (await runner.query(`SELECT seq::text AS seq, hash FROM execution_audit_head WHERE id = 1 FOR UPDATE`)) as { seq: string; hash: string }[];
    if (!head) throw new Error('the execution audit head row exists');
    let seq = BigInt(head.seq);
    let prevHash = head.hash;
    const rows = (await runner.query(
      `SELECT seq::text AS seq, hash, actor, action, resource, diff, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM posttrade_audit ORDER BY seq`,
    )) as { seq: string; hash: string; actor: string; action: string; resource: string; diff: Record<string, CanonicalValue>; at: string }[];
    const recordedAt = new Date().toISOString();
    for (const row of rows) {
      seq += 1n;
      const diff = { ...row.diff, postTrade: { seq: row.seq, recordedAt: row.at, hash: row.hash } };
      const fields = { seq: seq.toString(), recordedAt, actor: principalOf(row.actor), action: row.action, resource: row.resource, diff };
      const hash = auditEntryHash(prevHash, fields);
      await runner.query(
        `INSERT INTO execution_audit (seq, recorded_at, actor, action, resource, diff, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [fields.seq, recordedAt, fields.actor, fields.action, fields.resource, JSON.stringify(diff), prevHash, hash],
      );
      prevHash = hash;
    }
    await runner.query(`UPDATE execution_audit_head SET seq = $1, hash = $2 WHERE id = 1`, [seq.toString(), prevHash]);
    await runner.query(`DROP TRIGGER posttrade_audit_no_truncate ON posttrade_audit`);
    await runner.query(`DROP TRIGGER posttrade_audit_append_only ON posttrade_audit`);
    await runner.query(`DROP TABLE "posttrade_audit"`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "posttrade_audit" ("seq" BIGSERIAL NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, "actor" text NOT NULL, "action" text NOT NULL, "resource" text NOT NULL, "diff" jsonb NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_80e67d3223d891c88910ab29049" PRIMARY KEY ("seq"))`);
    await runner.query(`CREATE TRIGGER posttrade_audit_append_only BEFORE UPDATE OR DELETE ON posttrade_audit FOR EACH ROW EXECUTE FUNCTION settlement_append_only()`);
    await runner.query(`CREATE TRIGGER posttrade_audit_no_truncate BEFORE TRUNCATE ON posttrade_audit FOR EACH STATEMENT EXECUTE FUNCTION settlement_append_only()`);
    await runner.query(`ALTER TABLE "settlement_batch" DROP CONSTRAINT "settlement_batch_rejected"`);
    await runner.query(`ALTER TABLE "settlement_batch" DROP COLUMN "token_legs_queued"`);
    await runner.query(`ALTER TABLE "settlement_batch" DROP COLUMN "rejection_reason"`);
    // The separate approver keys are gone: approvers must be registered again with keys.
    await runner.query(`DELETE FROM settlement_approver`);
    await runner.query(`ALTER TABLE "settlement_approver" ADD "public_jwk" jsonb NOT NULL`);
  }
}
