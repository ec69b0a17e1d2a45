// One test per attack on the execution stack's inbound wall. Each crafted message is published
// to the real JetStream stream as the customer NATS user would, and each ends in its reason
// code, recorded without the offending value, with no side effect: no intent stored, no answer.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { decodeWire, encodeWire, signEnvelope, subjectOf, type RejectReason, type WireEnvelope } from '@bulwark/shared-contracts';
import { WALL_STREAMS } from '@bulwark/shared-contracts/wall';
import { eventually } from '@bulwark/testing';
import { InstrumentsService, type Instrument } from '../src/market/instruments.service.js';
import { startExecutionStack, type ExecutionStack } from './support/execution-stack.js';

const SUBMITTED = subjectOf('intent.submitted.v1');
let stack: ExecutionStack;
let instrument: Instrument;

beforeAll(async () => {
  stack = await startExecutionStack();
  instrument = await stack.app.get(InstrumentsService).list({ symbol: 'TEST-EVENT-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

function intent(overrides: Record<string, unknown> = {}) {
  return {
    intentId: randomUUID(),
    accountRef: randomUUID(),
    tenantRef: randomUUID(),
    instrumentId: instrument.id,
    side: 'buy',
    quantity: '10',
    limitPrice: '0.55',
    timeInForce: 'GTC',
    submittedAt: new Date().toISOString(),
    ...overrides,
  };
}

function sign(body: object, options: { subject?: string; nowMs?: number; nonce?: string; direction?: 'c2e' | 'e2c' } = {}) {
  const direction = options.direction ?? 'c2e';
  return signEnvelope({
    key: stack.keyring.signingKey(direction),
    subject: options.subject ?? SUBMITTED,
    id: randomUUID(),
    body,
    nowMs: options.nowMs ?? Date.now(),
    ...(options.nonce ? { nonce: options.nonce } : {}),
  });
}

const db = () => stack.db();

async function publish(wire: string, subject = SUBMITTED): Promise<number> {
  return (await stack.js.publish(subject, wire)).seq;
}

async function rejectionAt(streamSeq: number): Promise<{ reason: RejectReason; detail: string; kid: string | null; message_id: string | null; subject: string }> {
  return eventually(async () => {
    const [row] = await db().query('SELECT reason, detail, kid, message_id, subject FROM wall_rejection WHERE stream_seq = $1', [streamSeq]);
    return row;
  }, 15_000, `a rejection for stream seq ${streamSeq}`);
}

async function intentState(intentId: string): Promise<{ stored: number; answers: number }> {
  const [row] = await db().query(
    `SELECT (SELECT count(*) FROM omnibus_intent WHERE intent_id = $1)::int AS stored,
            (SELECT count(*) FROM wall_outbox WHERE body LIKE '%' || $1 || '%')::int AS answers`,
    [intentId],
  );
  return row;
}

async function accepted(intentId: string): Promise<void> {
  await eventually(async () => ((await intentState(intentId)).answers === 1 ? true : undefined), 15_000, `an answer to ${intentId}`);
}

describe('the inbound wall of the execution stack', () => {
  it('accepts a well-formed, signed intent and answers intent.accepted.v1 exactly once', async () => {
    const body = intent();
    await publish(sign(body).wire);
    await accepted(body.intentId);
    const [answer] = await db().query(`SELECT subject, body FROM wall_outbox WHERE body LIKE '%' || $1 || '%'`, [body.intentId]);
    expect(answer.subject).toBe('bulwark.e2c.intent.accepted.v1');
    expect(JSON.parse(answer.body)).toMatchObject({ intentId: body.intentId, accountRef: body.accountRef });
    await eventually(async () => {
      const [row] = await db().query(`SELECT published FROM wall_outbox_status WHERE body LIKE '%' || $1 || '%'`, [body.intentId]);
      return row.published || undefined;
    }, 10_000, 'the answer to be published');
  });

  it('answers an intent for an unknown instrument with intent.rejected.v1 (a business refusal, not a wall rejection)', async () => {
    const body = intent({ instrumentId: randomUUID() });
    await publish(sign(body).wire);
    await accepted(body.intentId);
    const [answer] = await db().query(`SELECT subject, body FROM wall_outbox WHERE body LIKE '%' || $1 || '%'`, [body.intentId]);
    expect(answer.subject).toBe('bulwark.e2c.intent.rejected.v1');
    expect(JSON.parse(answer.body).code).toBe('unknown_instrument');
  });

  /** Edits a signed envelope's fields on the wire, as an attacker between the stacks could. */
  function tamper(wire: string, change: (envelope: WireEnvelope) => WireEnvelope): string {
    const envelope = decodeWire(wire);
    if (typeof envelope === 'string') throw new Error(envelope);
    return encodeWire(change(envelope));
  }

  type Attack = { name: string; reason: RejectReason; craft: (body: ReturnType<typeof intent>) => { wire: string; subject?: string } };
  const attacks: Attack[] = [
    { name: 'body tampered after signing', reason: 'bad_mac', craft: (body) => ({
      wire: tamper(sign(body).wire, (envelope) => ({ ...envelope, body: envelope.body.replace('"quantity":"10"', '"quantity":"11"') })),
    }) },
    { name: 'body re-serialised (same JSON value, other bytes)', reason: 'bad_mac', craft: (body) => ({
      wire: tamper(sign(body).wire, (envelope) => ({ ...envelope, body: JSON.stringify(JSON.parse(envelope.body), null, 1) })),
    }) },
    { name: 'a valid MAC replayed on another subject', reason: 'bad_mac', craft: (body) => ({ wire: sign(body).wire, subject: subjectOf('intent.cancel.v1') }) },
    { name: 'a stale timestamp (301 s old)', reason: 'stale', craft: (body) => ({ wire: sign(body, { nowMs: Date.now() - 301_000 }).wire }) },
    { name: 'a future timestamp (301 s ahead)', reason: 'future', craft: (body) => ({ wire: sign(body, { nowMs: Date.now() + 301_000 }).wire }) },
    { name: 'an unknown key id', reason: 'unknown_key', craft: (body) => ({
      wire: tamper(sign(body).wire, (envelope) => ({ ...envelope, kid: 'c2e-not-a-key-we-hold' })),
    }) },
    { name: 'a key of the other direction (execution→customer key on a customer→execution subject)', reason: 'wrong_direction', craft: (body) => ({
      wire: sign({ intentId: body.intentId, accountRef: body.accountRef, acceptedAt: body.submittedAt }, { direction: 'e2c', subject: subjectOf('intent.accepted.v1') }).wire,
    }) },
    { name: 'personal data in the body', reason: 'pii', craft: (body) => ({ wire: sign({ ...body, email: 'jane.perera@example.com' }).wire }) },
    { name: 'a body that breaks its schema', reason: 'schema', craft: (body) => ({ wire: sign({ ...body, quantity: '-10' }).wire }) },
    { name: 'not an envelope at all', reason: 'malformed', craft: () => ({ wire: '{"hello":"world"}' }) },
  ];

  it.each(attacks)('rejects $name with $reason and no side effect', async ({ reason, craft }) => {
    const body = intent();
    const crafted = craft(body);
    const seq = await publish(crafted.wire, crafted.subject);
    const rejection = await rejectionAt(seq);
    expect(rejection.reason).toBe(reason);
    expect(JSON.stringify(rejection)).not.toContain('jane.perera@example.com');
    expect(await intentState(body.intentId)).toEqual({ stored: 0, answers: 0 });
  });

  it('sends a message outside the time window to the dead-letter stream', async () => {
    const provisioner = await connect({ servers: stack.nats.url, ...stack.nats.credentials('provisioner') });
    try {
      const admin = await jetstreamManager(provisioner);
      const seq = await publish(sign(intent(), { nowMs: Date.now() - 400_000 }).wire);
      await rejectionAt(seq);
      await eventually(async () => ((await admin.streams.info(WALL_STREAMS.dlq)).state.messages > 0 ? true : undefined), 10_000, 'a dead letter');
      const last = await admin.streams.getMessage(WALL_STREAMS.dlq, { last_by_subj: `bulwark.dlq.execution.${SUBMITTED}` });
      expect(last?.header.get('Bulwark-Original-Subject')).toBe(SUBMITTED);
    } finally {
      await provisioner.close();
    }
  });

  it('rejects a nonce reused with a different body as nonce_reuse (the first message stands)', async () => {
    const nonce = 'fixed-nonce-for-reuse-test-0001';
    const first = intent();
    const second = intent();
    await publish(sign(first, { nonce }).wire);
    await accepted(first.intentId);
    const seq = await publish(sign(second, { nonce }).wire);
    expect((await rejectionAt(seq)).reason).toBe('nonce_reuse');
    expect(await intentState(second.intentId)).toEqual({ stored: 0, answers: 0 });
    expect(await intentState(first.intentId)).toEqual({ stored: 1, answers: 1 });
  });

  it('rejects the same message replayed after the receiver restarts (durable nonce store)', async () => {
    const body = intent();
    const { wire } = sign(body);
    await publish(wire);
    await accepted(body.intentId);
    await stack.app.close();
    stack.app = await stack.startApp();
    const seq = await publish(wire);
    expect((await rejectionAt(seq)).reason).toBe('replay');
    expect(await intentState(body.intentId)).toEqual({ stored: 1, answers: 1 });
  });
});
