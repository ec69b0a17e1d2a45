// Exactly-once, read from both sides of the wall: every intent the customer stack committed is
// known once to the execution stack, answered once, booked once (state and audit entry), and
// every message one side committed to its outbox was published, stored once in JetStream and
// handled once by the other side — compared by message id, not only by count.
import { REDELIVERY_HORIZON_MS } from '@bulwark/shared-contracts/wall';
import type { TestSystem } from './system.js';

const ANSWER_SUBJECTS = ['bulwark.e2c.intent.accepted.v1', 'bulwark.e2c.intent.rejected.v1'];

export interface WallAccounting {
  /** Intents the customer stack committed. */
  readonly intents: number;
  /** Still waiting for their answer. */
  readonly unanswered: number;
  readonly byStatus: Record<string, number>;
  /** Committed on the customer side but unknown to the execution side, and the reverse. */
  readonly missingOnExecution: string[];
  readonly unknownOnCustomer: string[];
  /** Booked differently on the two sides (status or reject code). */
  readonly disagreeing: string[];
  /** Intents the execution stack answered other than exactly once. */
  readonly answersNotOnce: string[];
  /** Intents whose submitted / answered audit entries are not exactly one each. */
  readonly auditNotOnce: string[];
  /** Outbound messages of one side not handled by the other (by message id), per direction. */
  readonly unhandled: { c2e: string[]; e2c: string[] };
  /** Messages handled that the other side never committed (invented), per direction. */
  readonly invented: { c2e: string[]; e2c: string[] };
  readonly unpublished: { customer: number; execution: number };
  readonly rejections: { customer: string[]; execution: string[] };
  readonly deadLetters: { customer: number; execution: number };
  /** Messages in each stream (undefined while NATS is down), against rows in the sending outbox. */
  readonly streams: { c2e: number; e2c: number; dlq: number } | undefined;
  readonly outboxes: { c2e: number; e2c: number };
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
const difference = (a: readonly string[], b: readonly string[]) => {
  const other = new Set(b);
  return a.filter((x) => !other.has(x));
};

export async function wallAccounting(system: TestSystem): Promise<WallAccounting> {
  const c = (text: string, params: unknown[] = []) => system.customerSql.query(text, params).then((r) => r.rows);
  const e = (text: string, params: unknown[] = []) => system.executionSql.query(text, params).then((r) => r.rows);
  const customerIntents = await c(`SELECT id, status, reject_code FROM order_intent`);
  const executionIntents = await e(`SELECT intent_id AS id, status, reject_code FROM omnibus_intent`);
  const onExecution = new Map(executionIntents.map((r) => [r.id as string, r]));
  const answers = await e(
    `SELECT body::json->>'intentId' AS id, count(*)::int AS n FROM wall_outbox WHERE subject = ANY($1) GROUP BY 1`, [ANSWER_SUBJECTS],
  );
  const answered = new Map(answers.map((r) => [r.id as string, r.n as number]));
  const audit = await c(
    `SELECT substr(resource, length('order_intent:') + 1) AS id,
            count(*) FILTER (WHERE action = 'orders.intent.submitted')::int AS submitted,
            count(*) FILTER (WHERE action IN ('orders.intent.accepted', 'orders.intent.rejected'))::int AS answered
       FROM audit_entry WHERE resource LIKE 'order_intent:%' GROUP BY 1`,
  );
  const audited = new Map(audit.map((r) => [r.id as string, r]));
  const outboxIds = async (query: typeof c) => ids(await query(`SELECT message_id AS id FROM wall_outbox ORDER BY seq`));
  const inboundIds = async (query: typeof c) => ids(await query(`SELECT message_id AS id FROM wall_inbound`));
  const [c2eSent, c2eHandled, e2cSent, e2cHandled] = await Promise.all([outboxIds(c), inboundIds(e), outboxIds(e), inboundIds(c)]);
  const count = async (query: typeof c, text: string) => ((await query(text))[0]?.n as number | undefined) ?? 0;
  const unpublishedSql = `SELECT count(*)::int AS n FROM wall_outbox_status WHERE NOT published`;
  const deadSql = `SELECT count(*)::int AS n FROM wall_dead_letter`;
  const rejectionsSql = `SELECT reason || ' ' || subject AS id FROM wall_rejection`;

  const byStatus: Record<string, number> = {};
  for (const row of customerIntents) byStatus[row.status as string] = (byStatus[row.status as string] ?? 0) + 1;
  return {
    intents: customerIntents.length,
    unanswered: customerIntents.filter((r) => r.status === 'submitted').length,
    byStatus,
    missingOnExecution: difference(ids(customerIntents), [...onExecution.keys()]),
    unknownOnCustomer: difference([...onExecution.keys()], ids(customerIntents)),
    disagreeing: customerIntents
      .filter((r) => r.status !== 'submitted')
      // A filled intent was accepted: the execution side's answer stays 'accepted' while its allocations fill it.
      .filter((r) => onExecution.get(r.id)?.status !== (r.status === 'filled' ? 'accepted' : r.status) || onExecution.get(r.id)?.reject_code !== r.reject_code)
      .map((r) => r.id as string),
    answersNotOnce: executionIntents.filter((r) => answered.get(r.id) !== 1).map((r) => r.id as string),
    auditNotOnce: customerIntents
      .filter((r) => {
        const entry = audited.get(r.id);
        return entry?.submitted !== 1 || entry.answered !== (r.status === 'submitted' ? 0 : 1);
      })
      .map((r) => r.id as string),
    unhandled: { c2e: difference(c2eSent, c2eHandled), e2c: difference(e2cSent, e2cHandled) },
    invented: { c2e: difference(c2eHandled, c2eSent), e2c: difference(e2cHandled, e2cSent) },
    unpublished: { customer: await count(c, unpublishedSql), execution: await count(e, unpublishedSql) },
    rejections: { customer: ids(await c(rejectionsSql)), execution: ids(await e(rejectionsSql)) },
    deadLetters: { customer: await count(c, deadSql), execution: await count(e, deadSql) },
    streams: system.nats.running ? await system.streamMessages() : undefined,
    outboxes: { c2e: c2eSent.length, e2c: e2cSent.length },
  };
}

/**
 * A message that arrived before what it depends on is parked and redelivered with growing delays
 * (REDELIVERY_BACKOFF_MS): one whose dependency was late is handled, or dead-lettered, within the
 * redelivery horizon. A settling wall is waited for that long and a little more.
 */
const SETTLE_WAIT_MS = REDELIVERY_HORIZON_MS + 30_000;

/** Waits until every committed intent is answered and both outboxes are published and handled. */
export async function settledAccounting(system: TestSystem, timeoutMs = SETTLE_WAIT_MS): Promise<WallAccounting> {
  const deadline = performance.now() + timeoutMs; // monotonic: a wall-clock jump does not end the wait
  for (;;) {
    const accounting = await wallAccounting(system);
    const settled = accounting.unanswered === 0 && accounting.unpublished.customer === 0 && accounting.unpublished.execution === 0
      && accounting.unhandled.c2e.length === 0 && accounting.unhandled.e2c.length === 0;
    if (settled) return accounting;
    if (performance.now() > deadline) {
      const { unanswered, unpublished } = accounting;
      const unhandled = { c2e: accounting.unhandled.c2e.length, e2c: accounting.unhandled.e2c.length };
      const stuck = await unhandledMessages(system, accounting.unhandled);
      throw new Error(`the wall did not settle: ${JSON.stringify({ unanswered, unpublished, unhandled, stuck })}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What the receiving side knows of messages it has not handled: subject, and any rejection or dead letter. */
async function unhandledMessages(system: TestSystem, unhandled: WallAccounting['unhandled']): Promise<unknown[]> {
  const describe = async (sender: TestSystem['customerSql'], receiver: TestSystem['customerSql'], messageIds: string[]) => {
    if (messageIds.length === 0) return [];
    const sent = await sender.query(`SELECT message_id, subject, published FROM wall_outbox_status WHERE message_id = ANY($1) LIMIT 5`, [messageIds]);
    const rejected = await receiver.query(`SELECT message_id, reason FROM wall_rejection WHERE message_id = ANY($1)`, [messageIds]);
    const dead = await receiver.query(`SELECT count(*)::int AS n FROM wall_dead_letter`);
    return [{ sent: sent.rows, rejected: rejected.rows, deadLettersOnReceiver: dead.rows[0] }];
  };
  const logOf = (stack: TestSystem['customer']) => stack.recentLog(12).map((line) => line.slice(0, 400));
  return [
    ...(await describe(system.customerSql, system.executionSql, unhandled.c2e)),
    ...(await describe(system.executionSql, system.customerSql, unhandled.e2c)),
    { customerLog: logOf(system.customer), executionLog: logOf(system.execution) },
  ];
}

/** What breaks exactly-once in an accounting, as readable lines (empty: none); for benches. */
export function exactlyOnceProblems(a: WallAccounting): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string, value: unknown) => {
    if (!ok) problems.push(`${what}: ${JSON.stringify(value).slice(0, 300)}`);
  };
  check(a.unanswered === 0, 'unanswered intents', a.unanswered);
  for (const key of ['missingOnExecution', 'unknownOnCustomer', 'disagreeing', 'answersNotOnce', 'auditNotOnce'] as const) check(a[key].length === 0, key, a[key]);
  check(a.unhandled.c2e.length + a.unhandled.e2c.length === 0, 'unhandled messages', a.unhandled);
  check(a.invented.c2e.length + a.invented.e2c.length === 0, 'invented messages', a.invented);
  check(a.unpublished.customer + a.unpublished.execution === 0, 'unpublished', a.unpublished);
  check(a.rejections.customer.length + a.rejections.execution.length === 0, 'rejections', a.rejections);
  check(a.deadLetters.customer + a.deadLetters.execution === 0, 'dead letters', a.deadLetters);
  const streamsMatch = a.streams?.c2e === a.outboxes.c2e && a.streams?.e2c === a.outboxes.e2c && a.streams?.dlq === 0;
  check(streamsMatch, 'stream messages against outboxes', { streams: a.streams, outboxes: a.outboxes });
  return problems;
}
