import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Post-trade: pooled intents, omnibus orders and fills, allocations, resolution events and
 * payouts, settlement batches with their approvals, reconciliation breaks, statements, and the
 * post-trade audit chain (generated from the entities), then the database's own guarantees:
 * a settlement batch's content never changes, its states move one way only, approvals and
 * instructions are append-only, and no trade, allocation or payout inside a batch that has left
 * draft can be added, changed or removed, so nothing can re-net an approved batch.
 */
export class PostTrade1763820000000 implements MigrationInterface {
  name = 'PostTrade1763820000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "pooled_intent" ("intent_id" uuid NOT NULL, "seq" bigint NOT NULL, "tenant_ref" uuid NOT NULL, "account_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "side" text NOT NULL, "limit_price" numeric(38,18) NOT NULL, "time_in_force" text NOT NULL, "quantity" numeric(38,18) NOT NULL, "open_quantity" numeric(38,18) NOT NULL, "status" text NOT NULL, "order_ref" uuid, "accepted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pooled_intent_seq" UNIQUE ("seq"), CONSTRAINT "pooled_intent_pooled" CHECK (("status" = 'waiting') = ("order_ref" IS NULL)), CONSTRAINT "pooled_intent_open" CHECK ("open_quantity" >= 0 AND "open_quantity" <= "quantity" AND "quantity" > 0), CONSTRAINT "pooled_intent_status" CHECK ("status" IN ('waiting', 'pooled', 'done')), CONSTRAINT "PK_78a72e0af6f098c2de8d2edcaf8" PRIMARY KEY ("intent_id"))`);
    await runner.query(`CREATE INDEX "pooled_intent_order" ON "pooled_intent"  ("order_ref", "seq") `);
    await runner.query(`CREATE INDEX "pooled_intent_window" ON "pooled_intent"  ("status", "tenant_ref", "instrument_id", "side", "limit_price", "time_in_force") `);
    await runner.query(`CREATE TABLE "omnibus_order" ("order_ref" uuid NOT NULL, "tenant_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "side" text NOT NULL, "limit_price" numeric(38,18) NOT NULL, "time_in_force" text NOT NULL, "quantity" numeric(38,18) NOT NULL, "filled_quantity" numeric(38,18) NOT NULL DEFAULT '0', "venue" text NOT NULL, "status" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "omnibus_order_filled" CHECK ("filled_quantity" >= 0 AND "filled_quantity" <= "quantity"), CONSTRAINT "omnibus_order_status" CHECK ("status" IN ('new', 'working', 'done')), CONSTRAINT "PK_31d47d77ed63c2b1372db02407a" PRIMARY KEY ("order_ref"))`);
    await runner.query(`CREATE INDEX "omnibus_order_open" ON "omnibus_order"  ("status", "venue") `);
    await runner.query(`CREATE TABLE "omnibus_fill" ("fill_ref" uuid NOT NULL, "order_ref" uuid NOT NULL, "tenant_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "side" text NOT NULL, "venue" text NOT NULL, "price" numeric(38,18) NOT NULL, "quantity" numeric(38,18) NOT NULL, "round_ref" uuid, "traded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "omnibus_fill_positive" CHECK ("price" > 0 AND "quantity" > 0), CONSTRAINT "PK_b078510e710f2bd17c7d6ec5735" PRIMARY KEY ("fill_ref"))`);
    await runner.query(`CREATE INDEX "omnibus_fill_period" ON "omnibus_fill"  ("traded_at") `);
    await runner.query(`CREATE INDEX "omnibus_fill_order" ON "omnibus_fill"  ("order_ref") `);
    await runner.query(`CREATE TABLE "allocation" ("allocation_id" uuid NOT NULL, "round_ref" uuid NOT NULL, "order_ref" uuid NOT NULL, "intent_id" uuid NOT NULL, "account_ref" uuid NOT NULL, "tenant_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "side" text NOT NULL, "quantity" numeric(38,18) NOT NULL, "notional" numeric(48,18) NOT NULL, "average_price" numeric(38,18) NOT NULL, "fee" numeric(48,18) NOT NULL, "remaining_quantity" numeric(38,18) NOT NULL, "fill_refs" uuid array NOT NULL, "inputs_hash" character(64) NOT NULL, "allocated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "allocation_positive" CHECK ("quantity" > 0 AND "notional" > 0 AND "fee" >= 0 AND "remaining_quantity" >= 0), CONSTRAINT "PK_9e2c6e70216e37d3b28326daae3" PRIMARY KEY ("allocation_id"))`);
    await runner.query(`CREATE INDEX "allocation_period" ON "allocation"  ("allocated_at") `);
    await runner.query(`CREATE INDEX "allocation_round" ON "allocation"  ("round_ref") `);
    await runner.query(`CREATE INDEX "allocation_intent" ON "allocation"  ("intent_id") `);
    await runner.query(`CREATE TABLE "instrument_event" ("event_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "kind" text NOT NULL, "outcome" text, "amount_per_unit" numeric(38,18) NOT NULL, "record_at" TIMESTAMP WITH TIME ZONE NOT NULL, "declared_by" uuid NOT NULL, "declared_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "instrument_event_amount" CHECK ("amount_per_unit" >= 0), CONSTRAINT "instrument_event_outcome" CHECK (("kind" = 'resolution') = ("outcome" IS NOT NULL) AND ("outcome" IS NULL OR "outcome" IN ('yes', 'no', 'void'))), CONSTRAINT "instrument_event_kind" CHECK ("kind" IN ('resolution', 'distribution')), CONSTRAINT "PK_d68c784be8ff1380af817165775" PRIMARY KEY ("event_ref"))`);
    await runner.query(`CREATE INDEX "instrument_event_instrument" ON "instrument_event"  ("instrument_id") `);
    await runner.query(`CREATE TABLE "payout" ("payout_id" uuid NOT NULL, "event_ref" uuid NOT NULL, "tenant_ref" uuid NOT NULL, "account_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "kind" text NOT NULL, "quantity" numeric(38,18) NOT NULL, "amount_per_unit" numeric(38,18) NOT NULL, "amount" numeric(48,18) NOT NULL, "paid_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "payout_once" UNIQUE ("event_ref", "account_ref"), CONSTRAINT "payout_amounts" CHECK ("quantity" >= 0 AND "amount" >= 0), CONSTRAINT "PK_90ad4af34cf2bf00c2fbf84406b" PRIMARY KEY ("payout_id"))`);
    await runner.query(`CREATE INDEX "payout_period" ON "payout"  ("paid_at") `);
    await runner.query(`CREATE TABLE "settlement_batch" ("batch_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL, "content_hash" character(64) NOT NULL, "export_json" text NOT NULL, "export_csv" text NOT NULL, "pain001_xml" text NOT NULL, "trade_count" bigint NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "bank_reference" text, "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "settlement_batch_released" CHECK (("status" = 'released') = ("bank_reference" IS NOT NULL)), CONSTRAINT "settlement_batch_period" CHECK ("period_end" > "period_start"), CONSTRAINT "settlement_batch_status" CHECK ("status" IN ('draft', 'pending_approval', 'approved', 'released', 'rejected')), CONSTRAINT "PK_2c4ab7cd0763d9d7851fc5b4040" PRIMARY KEY ("batch_id"))`);
    await runner.query(`CREATE UNIQUE INDEX "settlement_batch_period_live" ON "settlement_batch"  ("period_start", "period_end") WHERE "status" <> 'rejected'`);
    await runner.query(`CREATE TABLE "settlement_instruction" ("batch_id" uuid NOT NULL, "counterparty" text NOT NULL, "currency" text NOT NULL, "bought" numeric(48,18) NOT NULL, "sold" numeric(48,18) NOT NULL, "fees" numeric(48,18) NOT NULL, "payouts" numeric(48,18) NOT NULL, "net_amount" numeric(48,18) NOT NULL, CONSTRAINT "PK_626a5c6201bb4bfdff64897fc61" PRIMARY KEY ("batch_id", "counterparty", "currency"))`);
    await runner.query(`CREATE TABLE "settlement_approval" ("batch_id" uuid NOT NULL, "operator_ref" uuid NOT NULL, "signature" text NOT NULL, "approved_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6f75fecfff2a5b72072e1fba065" PRIMARY KEY ("batch_id", "operator_ref"))`);
    await runner.query(`CREATE TABLE "settlement_approver" ("operator_ref" uuid NOT NULL, "public_jwk" jsonb NOT NULL, "active" boolean NOT NULL, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0a57153162d6b31354cc4b2a702" PRIMARY KEY ("operator_ref"))`);
    await runner.query(`CREATE TABLE "posttrade_audit" ("seq" BIGSERIAL NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, "actor" text NOT NULL, "action" text NOT NULL, "resource" text NOT NULL, "diff" jsonb NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_80e67d3223d891c88910ab29049" PRIMARY KEY ("seq"))`);
    await runner.query(`CREATE TABLE "reconciliation_break" ("break_id" uuid NOT NULL, "kind" text NOT NULL, "subject" text NOT NULL, "expected" numeric(48,18) NOT NULL, "actual" numeric(48,18) NOT NULL, "status" text NOT NULL, "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "reconciliation_break_status" CHECK ("status" IN ('open', 'acknowledged', 'resolved')), CONSTRAINT "reconciliation_break_kind" CHECK ("kind" IN ('fill_without_order', 'order_fill_mismatch', 'allocation_fill_mismatch', 'chain_balance_mismatch')), CONSTRAINT "PK_e4aa687b77cf2cb67b0f7d3b0b8" PRIMARY KEY ("break_id"))`);
    await runner.query(`CREATE UNIQUE INDEX "reconciliation_break_open" ON "reconciliation_break"  ("kind", "subject") WHERE "status" <> 'resolved'`);
    await runner.query(`CREATE TABLE "statement_sent" ("statement_id" uuid NOT NULL, "tenant_ref" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "content_hash" character(64) NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_dd4ddf714288b38757ac9587152" PRIMARY KEY ("statement_id"))`);
    await runner.query(`CREATE UNIQUE INDEX "statement_sent_period" ON "statement_sent"  ("tenant_ref", "period_start", "period_end") `);
    await runner.query(`CREATE SEQUENCE pooled_intent_seq_gen OWNED BY pooled_intent.seq -- the acceptance order, taken by the aggregator`);
    await runner.query(`CREATE FUNCTION posttrade_refuse(message text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = message; END $$`);
    // A batch: content fixed at creation; states move draft → pending_approval → approved → released, or → rejected.
    await runner.query(`CREATE FUNCTION settlement_batch_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN PERFORM posttrade_refuse('settlement batches are never deleted'); END IF;
        IF NEW.batch_id <> OLD.batch_id OR NEW.period_start <> OLD.period_start OR NEW.period_end <> OLD.period_end
           OR NEW.content_hash <> OLD.content_hash OR NEW.export_json <> OLD.export_json OR NEW.export_csv <> OLD.export_csv
           OR NEW.pain001_xml <> OLD.pain001_xml OR NEW.trade_count <> OLD.trade_count OR NEW.created_by <> OLD.created_by
           OR NEW.created_at <> OLD.created_at THEN
          PERFORM posttrade_refuse('settlement batch content is immutable: net a new batch instead');
        END IF;
        IF NOT ((OLD.status = NEW.status AND OLD.bank_reference IS NOT DISTINCT FROM NEW.bank_reference)
             OR (OLD.status = 'draft' AND NEW.status IN ('pending_approval', 'rejected'))
             OR (OLD.status = 'pending_approval' AND NEW.status IN ('approved', 'rejected'))
             OR (OLD.status = 'approved' AND NEW.status = 'released')) THEN
          PERFORM posttrade_refuse(format('settlement batch cannot move from %s to %s', OLD.status, NEW.status));
        END IF;
        IF NEW.status = 'approved' AND (SELECT count(*) FROM settlement_approval a WHERE a.batch_id = NEW.batch_id) < 2 THEN
          PERFORM posttrade_refuse('a batch is approved by two different operators');
        END IF;
        RETURN NEW;
      END $$`);
    await runner.query(`CREATE TRIGGER settlement_batch_guard BEFORE UPDATE OR DELETE ON settlement_batch FOR EACH ROW EXECUTE FUNCTION settlement_batch_guard()`);
    await runner.query(`CREATE FUNCTION settlement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM posttrade_refuse(format('%s is append-only', TG_TABLE_NAME)); RETURN NULL; END $$`);
    for (const table of ['settlement_instruction', 'settlement_approval', 'posttrade_audit']) {
      await runner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION settlement_append_only()`);
      await runner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION settlement_append_only()`);
    }
    await runner.query(`CREATE TRIGGER settlement_batch_no_truncate BEFORE TRUNCATE ON settlement_batch FOR EACH STATEMENT EXECUTE FUNCTION settlement_append_only()`);
    // Instructions are written with their draft batch; approvals only while the batch waits for them.
    await runner.query(`CREATE FUNCTION settlement_child_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE batch_status text;
      BEGIN
        SELECT status INTO batch_status FROM settlement_batch WHERE batch_id = NEW.batch_id FOR SHARE;
        IF TG_TABLE_NAME = 'settlement_instruction' AND batch_status IS DISTINCT FROM 'draft' THEN
          PERFORM posttrade_refuse('instructions are written only into a draft batch');
        END IF;
        IF TG_TABLE_NAME = 'settlement_approval' AND batch_status IS DISTINCT FROM 'pending_approval' THEN
          PERFORM posttrade_refuse('approvals are given only to a batch pending approval');
        END IF;
        RETURN NEW;
      END $$`);
    await runner.query(`CREATE TRIGGER settlement_instruction_draft BEFORE INSERT ON settlement_instruction FOR EACH ROW EXECUTE FUNCTION settlement_child_guard()`);
    await runner.query(`CREATE TRIGGER settlement_approval_pending BEFORE INSERT ON settlement_approval FOR EACH ROW EXECUTE FUNCTION settlement_child_guard()`);
    // What a batch netted is frozen once it leaves draft: checked once per statement over its rows.
    for (const [table, at] of [['omnibus_fill', 'traded_at'], ['allocation', 'allocated_at'], ['payout', 'paid_at']] as const) {
      await runner.query(`CREATE FUNCTION ${table}_settled_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM changed c JOIN settlement_batch b ON c.${at} >= b.period_start AND c.${at} < b.period_end
                      WHERE b.status IN ('pending_approval', 'approved', 'released')) THEN
            PERFORM posttrade_refuse('${table} rows inside a batch past draft are frozen: that period cannot be re-netted');
          END IF;
          RETURN NULL;
        END $$`);
      await runner.query(`CREATE TRIGGER ${table}_settled_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${table}_settled_guard()`);
      await runner.query(`CREATE TRIGGER ${table}_settled_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${table}_settled_guard()`);
      await runner.query(`CREATE TRIGGER ${table}_settled_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${table}_settled_guard()`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['omnibus_fill', 'allocation', 'payout']) {
      for (const event of ['insert', 'update', 'delete']) await runner.query(`DROP TRIGGER ${table}_settled_${event} ON ${table}`);
      await runner.query(`DROP FUNCTION ${table}_settled_guard()`);
    }
    await runner.query(`DROP TRIGGER settlement_approval_pending ON settlement_approval`);
    await runner.query(`DROP TRIGGER settlement_instruction_draft ON settlement_instruction`);
    await runner.query(`DROP FUNCTION settlement_child_guard()`);
    await runner.query(`DROP TRIGGER settlement_batch_no_truncate ON settlement_batch`);
    for (const table of ['settlement_instruction', 'settlement_approval', 'posttrade_audit']) {
      await runner.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
      await runner.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
    }
    await runner.query(`DROP FUNCTION settlement_append_only()`);
    await runner.query(`DROP TRIGGER settlement_batch_guard ON settlement_batch`);
    await runner.query(`DROP FUNCTION settlement_batch_guard()`);
    await runner.query(`DROP FUNCTION posttrade_refuse(text)`);
    await runner.query(`DROP SEQUENCE pooled_intent_seq_gen`);
    await runner.query(`DROP INDEX "public"."statement_sent_period"`);
    await runner.query(`DROP TABLE "statement_sent"`);
    await runner.query(`DROP INDEX "public"."reconciliation_break_open"`);
    await runner.query(`DROP TABLE "reconciliation_break"`);
    await runner.query(`DROP TABLE "posttrade_audit"`);
    await runner.query(`DROP TABLE "settlement_approver"`);
    await runner.query(`DROP TABLE "settlement_approval"`);
    await runner.query(`DROP TABLE "settlement_instruction"`);
    await runner.query(`DROP INDEX "public"."settlement_batch_period_live"`);
    await runner.query(`DROP TABLE "settlement_batch"`);
    await runner.query(`DROP INDEX "public"."payout_period"`);
    await runner.query(`DROP TABLE "payout"`);
    await runner.query(`DROP INDEX "public"."instrument_event_instrument"`);
    await runner.query(`DROP TABLE "instrument_event"`);
    await runner.query(`DROP INDEX "public"."allocation_intent"`);
    await runner.query(`DROP INDEX "public"."allocation_round"`);
    await runner.query(`DROP INDEX "public"."allocation_period"`);
    await runner.query(`DROP TABLE "allocation"`);
    await runner.query(`DROP INDEX "public"."omnibus_fill_order"`);
    await runner.query(`DROP INDEX "public"."omnibus_fill_period"`);
    await runner.query(`DROP TABLE "omnibus_fill"`);
    await runner.query(`DROP INDEX "public"."omnibus_order_open"`);
    await runner.query(`DROP TABLE "omnibus_order"`);
    await runner.query(`DROP INDEX "public"."pooled_intent_window"`);
    await runner.query(`DROP INDEX "public"."pooled_intent_order"`);
    await runner.query(`DROP TABLE "pooled_intent"`);
  }
}
