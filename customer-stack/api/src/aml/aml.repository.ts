// SQL for screenings, alerts, notes, freezes, SARs, monitored events and risk scores. Every
// method runs inside the caller's transaction with its tenant set (row-level security).
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import type { MonitoredTransaction } from './monitoring-rules.js';
import type { AlertStatus } from './review-queue.js';

export const AML_PAGE_MAX = 200;

export interface AlertRow {
  id: string;
  tenant_id: string;
  user_id: string;
  kind: 'screening' | 'monitoring';
  rule: string;
  severity: 'low' | 'medium' | 'high';
  status: AlertStatus;
  assigned_to: string | null;
  details: Record<string, unknown>;
  screening_id: string | null;
  decision: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface ScreeningRow {
  id: string;
  user_id: string;
  subject: 'customer' | 'beneficiary';
  context: 'onboarding' | 'withdrawal' | 'rescreen';
  list_version: number;
  model: string;
  decision: 'clear' | 'review' | 'blocked';
  hit_summary: { entryId: string; kind: string; score: number; decision: string }[];
  hits_sealed: Buffer | null;
  created_at: Date;
}

export interface FreezeRow {
  id: string;
  user_id: string;
  alert_id: string | null;
  status: 'requested' | 'active' | 'lifted' | 'withdrawn';
  requested_by: string;
  requested_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
}

export interface SarRow {
  id: string;
  subject_hash: string;
  alert_id: string | null;
  status: 'draft' | 'filed';
  narrative_sealed: Buffer;
  decided_by: string;
  created_at: Date;
  due_at: Date;
  filed_at: Date | null;
  filed_by: string | null;
  reference: string | null;
}

export interface AlertFilter {
  readonly status?: AlertStatus | undefined;
  readonly rule?: string | undefined;
  readonly kind?: 'screening' | 'monitoring' | undefined;
  readonly assignedTo?: string | undefined;
  readonly userId?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

export class AmlRepository {
  async insertScreening(tx: SqlTx, s: { id: string; tenantId: string; userId: string; subject: string; context: string; listVersion: number; model: string; decision: string;
    hitSummary: unknown[]; hitsSealed: Buffer | null; now: Date }): Promise<void> {
    await tx.query(
      `INSERT INTO aml_screening (id, tenant_id, user_id, subject, context, list_version, model, decision, hit_summary, hits_sealed, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [s.id, s.tenantId, s.userId, s.subject, s.context, s.listVersion, s.model, s.decision, JSON.stringify(s.hitSummary), s.hitsSealed, s.now],
    );
  }

  async screening(tx: SqlTx, id: string): Promise<ScreeningRow | undefined> {
    const [row] = await tx.query<ScreeningRow>('SELECT * FROM aml_screening WHERE id = $1', [id]);
    return row;
  }

  async screeningsOf(tx: SqlTx, userId: string, limit: number): Promise<ScreeningRow[]> {
    return tx.query<ScreeningRow>('SELECT * FROM aml_screening WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2', [userId, limit]);
  }

  async insertAlert(tx: SqlTx, a: { id: string; tenantId: string; userId: string; kind: string; rule: string; severity: string; details: Record<string,
    unknown>; screeningId: string | null; now: Date }): Promise<void> {
    await tx.query(
      `INSERT INTO aml_alert (id, tenant_id, user_id, kind, rule, severity, status, details, screening_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9)`,
      [a.id, a.tenantId, a.userId, a.kind, a.rule, a.severity, JSON.stringify(a.details), a.screeningId, a.now],
    );
  }

  async alert(tx: SqlTx, id: string, lock = false): Promise<AlertRow | undefined> {
    const [row] = await tx.query<AlertRow>(`SELECT * FROM aml_alert WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row;
  }

  async alerts(tx: SqlTx, f: AlertFilter): Promise<AlertRow[]> {
    return tx.query<AlertRow>(
      `SELECT * FROM aml_alert
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR rule = $2) AND ($3::text IS NULL OR kind = $3)
          AND ($4::uuid IS NULL OR assigned_to = $4) AND ($5::uuid IS NULL OR user_id = $5)
        ORDER BY created_at, id LIMIT $6 OFFSET $7`,
      [f.status ?? null, f.rule ?? null, f.kind ?? null, f.assignedTo ?? null, f.userId ?? null, f.limit, f.offset],
    );
  }

  async countOpenAlerts(tx: SqlTx, userId: string, kind?: 'screening' | 'monitoring'): Promise<number> {
    const [row] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM aml_alert WHERE user_id = $1 AND status NOT IN ('cleared', 'sar_filed', 'frozen') AND ($2::text IS NULL OR kind = $2)`,
      [userId, kind ?? null],
    );
    return row?.n ?? 0;
  }

  async countAlertsSince(tx: SqlTx, userId: string, kind: 'screening' | 'monitoring', since: Date): Promise<number> {
    const [row] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM aml_alert WHERE user_id = $1 AND kind = $2 AND created_at >= $3', [userId, kind, since]);
    return row?.n ?? 0;
  }

  async hasEscalation(tx: SqlTx, userId: string): Promise<boolean> {
    const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM aml_alert WHERE user_id = $1 AND status IN ('escalated', 'sar_filed', 'frozen')`, [userId]);
    return (row?.n ?? 0) > 0;
  }

  async openScreeningAlertFor(tx: SqlTx, userId: string, entryId: string): Promise<boolean> {
    const [row] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM aml_alert WHERE user_id = $1 AND kind = 'screening' AND status NOT IN ('cleared', 'sar_filed', 'frozen') AND details->'entryIds' ? $2`,
      [userId, entryId],
    );
    return (row?.n ?? 0) > 0;
  }

  async updateAlert(tx: SqlTx, id: string, u: { status: AlertStatus; assignedTo?: string | null; decision?: string; decidedBy?: string; now: Date }): Promise<void> {
    await tx.query(
      `UPDATE aml_alert SET status = $2, assigned_to = CASE WHEN $3::boolean THEN $4::uuid ELSE assigned_to END,
              decision = COALESCE($5, decision), decided_by = COALESCE($6::uuid, decided_by),
              decided_at = CASE WHEN $5::text IS NULL THEN decided_at ELSE $7 END, updated_at = $7
        WHERE id = $1`,
      [id, u.status, u.assignedTo !== undefined, u.assignedTo ?? null, u.decision ?? null, u.decidedBy ?? null, u.now],
    );
  }

  async insertNote(tx: SqlTx, n: { id: string; tenantId: string; alertId: string; author: string; bodySealed: Buffer; now: Date }): Promise<void> {
    await tx.query('INSERT INTO aml_alert_note (id, tenant_id, alert_id, author, body_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      n.id, n.tenantId, n.alertId, n.author, n.bodySealed, n.now,
    ]);
  }

  async notes(tx: SqlTx, alertId: string): Promise<{ id: string; author: string; body_sealed: Buffer; created_at: Date }[]> {
    return tx.query(`SELECT id, author, body_sealed, created_at FROM aml_alert_note WHERE alert_id = $1 ORDER BY created_at, id LIMIT ${AML_PAGE_MAX}`, [alertId]);
  }

  async openFreeze(tx: SqlTx, userId: string, lock = false): Promise<FreezeRow | undefined> {
    const [row] = await tx.query<FreezeRow>(`SELECT * FROM aml_freeze WHERE user_id = $1 AND status IN ('requested', 'active')${lock ? ' FOR UPDATE' : ''}`, [userId]);
    return row;
  }

  async freezesOf(tx: SqlTx, userId: string): Promise<FreezeRow[]> {
    return tx.query<FreezeRow>(`SELECT * FROM aml_freeze WHERE user_id = $1 ORDER BY requested_at DESC LIMIT ${AML_PAGE_MAX}`, [userId]);
  }

  async insertFreeze(tx: SqlTx, f: { id: string; tenantId: string; userId: string; alertId: string | null; requestedBy: string; now: Date }): Promise<void> {
    await tx.query(
      `INSERT INTO aml_freeze (id, tenant_id, user_id, alert_id, status, requested_by, requested_at) VALUES ($1, $2, $3, $4, 'requested', $5, $6)`,
      [f.id, f.tenantId, f.userId, f.alertId, f.requestedBy, f.now],
    );
  }

  async approveFreeze(tx: SqlTx, id: string, approvedBy: string, now: Date): Promise<void> {
    await tx.query(`UPDATE aml_freeze SET status = 'active', approved_by = $2, approved_at = $3 WHERE id = $1 AND status = 'requested'`, [id, approvedBy, now]);
  }

  async isFrozen(tx: SqlTx, userId: string): Promise<boolean> {
    const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM aml_freeze WHERE user_id = $1 AND status = 'active'`, [userId]);
    return (row?.n ?? 0) > 0;
  }

  async insertSar(tx: SqlTx, s: { id: string; tenantId: string; subjectHash: string; alertId: string | null; narrativeSealed: Buffer; decidedBy: string; now: Date;
    dueAt: Date }): Promise<void> {
    await tx.query(
      `INSERT INTO aml_sar (id, tenant_id, subject_hash, alert_id, status, narrative_sealed, decided_by, created_at, due_at) VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8)`,
      [s.id, s.tenantId, s.subjectHash, s.alertId, s.narrativeSealed, s.decidedBy, s.now, s.dueAt],
    );
  }

  async sar(tx: SqlTx, id: string, lock = false): Promise<SarRow | undefined> {
    const [row] = await tx.query<SarRow>(`SELECT * FROM aml_sar WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row;
  }

  async sars(tx: SqlTx, status: 'draft' | 'filed' | undefined, limit: number, offset: number): Promise<SarRow[]> {
    return tx.query<SarRow>('SELECT * FROM aml_sar WHERE ($1::text IS NULL OR status = $1) ORDER BY due_at, id LIMIT $2 OFFSET $3', [status ?? null, limit, offset]);
  }

  async fileSar(tx: SqlTx, id: string, filedBy: string, reference: string, now: Date): Promise<void> {
    await tx.query(`UPDATE aml_sar SET status = 'filed', filed_by = $2, reference = $3, filed_at = $4 WHERE id = $1 AND status = 'draft'`, [id, filedBy, reference, now]);
  }

  /** Inserts the events in order (their seqs follow it). */
  async insertEvents(tx: SqlTx, events: readonly MonitoredTransaction[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO aml_monitored_event (tenant_id, user_id, kind, amount_usd, currency, amount, source_ref, country, at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::numeric[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::timestamptz[])`,
      [events.map((e) => e.tenantId), events.map((e) => e.userId), events.map((e) => e.kind), events.map((e) => e.amountUsd), events.map((e) => e.currency),
        events.map((e) => e.amount), events.map((e) => e.sourceRef ?? null), events.map((e) => e.country ?? null), events.map((e) => e.at.toISOString())],
    );
  }

  /**
   * Each customer's events in their window (since, until], newest first, at most `limit` each:
   * what `history` reads, for several customers in one statement.
   */
  async histories(tx: SqlTx, windows: readonly { tenantId: string; userId: string; since: Date; until: Date }[], limit: number): Promise<Map<string, MonitoredTransaction[]>> {
    const rows = await tx.query<{ user_id: string; kind: MonitoredTransaction['kind']; amount_usd: string; currency: string; amount: string; source_ref: string | null;
      country: string | null; at: Date }>(
      `SELECT w.user_id, h.* FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS w(user_id, since, until)
         CROSS JOIN LATERAL (
           SELECT kind, amount_usd::text AS amount_usd, currency, amount::text AS amount, source_ref, country, at FROM aml_monitored_event
            WHERE user_id = w.user_id AND at > w.since AND at <= w.until ORDER BY at DESC, seq DESC LIMIT $4) h`,
      [windows.map((w) => w.userId), windows.map((w) => w.since.toISOString()), windows.map((w) => w.until.toISOString()), limit],
    );
    const tenantOf = new Map(windows.map((w) => [w.userId, w.tenantId]));
    const byUser = new Map<string, MonitoredTransaction[]>(windows.map((w) => [w.userId, []]));
    for (const r of rows) {
      byUser.get(r.user_id)?.push({
        tenantId: tenantOf.get(r.user_id) as string, userId: r.user_id, kind: r.kind, amountUsd: r.amount_usd, currency: r.currency, amount: r.amount, at: r.at,
        ...(r.source_ref ? { sourceRef: r.source_ref } : {}), ...(r.country ? { country: r.country } : {}),
      });
    }
    return byUser;
  }

  async history(tx: SqlTx, tenantId: string, userId: string, since: Date, until: Date, limit: number): Promise<MonitoredTransaction[]> {
    const rows = await tx.query<{ kind: MonitoredTransaction['kind']; amount_usd: string; currency: string; amount: string; source_ref: string | null; country: string | null;
      at: Date }>(
      `SELECT kind, amount_usd::text AS amount_usd, currency, amount::text AS amount, source_ref, country, at FROM aml_monitored_event
        WHERE user_id = $1 AND at > $2 AND at <= $3 ORDER BY at DESC, seq DESC LIMIT $4`,
      [userId, since, until, limit],
    );
    return rows.map((r) => ({
      tenantId, userId, kind: r.kind, amountUsd: r.amount_usd, currency: r.currency, amount: r.amount, at: r.at,
      ...(r.source_ref ? { sourceRef: r.source_ref } : {}), ...(r.country ? { country: r.country } : {}),
    }));
  }

  async upsertRisk(tx: SqlTx, r: { tenantId: string; userId: string; score: number; band: string; version: string; factors: Record<string, number>; now: Date }): Promise<void> {
    await tx.query(
      `INSERT INTO aml_risk_score (user_id, tenant_id, score, band, version, factors, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band, version = EXCLUDED.version, factors = EXCLUDED.factors,
         computed_at = EXCLUDED.computed_at`,
      [r.userId, r.tenantId, r.score, r.band, r.version, JSON.stringify(r.factors), r.now],
    );
  }

  async risk(tx: SqlTx, userId: string): Promise<{ score: number; band: string; version: string; factors: Record<string, number>; computed_at: Date } | undefined> {
    const [row] = await tx.query<{ score: number; band: string; version: string; factors: Record<string, number>; computed_at: Date }>(
      'SELECT score, band, version, factors, computed_at FROM aml_risk_score WHERE user_id = $1',
      [userId],
    );
    return row;
  }

  async lastRescreenVersion(tx: SqlTx): Promise<number | null> {
    const [row] = await tx.query<{ v: number | null }>('SELECT max(to_version) AS v FROM aml_rescreen_run');
    return row?.v ?? null;
  }

  async insertRescreenRun(tx: SqlTx, r: { id: string; tenantId: string; fromVersion: number; toVersion: number; changedEntries: number; screened: number; hits: number;
    now: Date }): Promise<void> {
    await tx.query(
      `INSERT INTO aml_rescreen_run (id, tenant_id, from_version, to_version, changed_entries, screened, hits, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.id, r.tenantId, r.fromVersion, r.toVersion, r.changedEntries, r.screened, r.hits, r.now],
    );
  }
}
