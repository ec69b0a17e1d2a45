// The signed envelope: every message across the wall is one of these.
//
// Wire form (JSON): { v, kid, subject, id, nonce, ts, body, mac }
//   v       envelope version (1)
//   kid     key id; direction-scoped
//   subject the NATS subject it is published on; bound into the MAC
//   id      message id (UUID); also the JetStream Nats-Msg-Id and the idempotency key
//   nonce   128 random bits, base64url; unique per (kid, nonce) at the receiver
//   ts      epoch milliseconds when signed; accepted within ±ENVELOPE_WINDOW_MS
//   body    the body's exact JSON text. It stays text on the wire, so verification runs over the
//           very bytes that were signed and nothing is ever re-serialised before the MAC check.
//   mac     base64url HMAC-SHA256 over the canonical bytes (see canonicalBytes)
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ZodType } from 'zod';
import { PiiGuardError, detectPii } from '../pii/pii-guard.js';
import { assert } from '../assert.js';
import type { Direction, EnvelopeKey, Keyring } from './keyring.js';

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_WINDOW_MS = 300_000;
export const ENVELOPE_BYTES_MAX = 256 * 1024;
const MAC_BYTES = 32;
// Canonical unpadded base64url of 32 bytes: the 43rd character carries 4 bits and 2 zero bits.
// Node's decoder also accepts '+' '/' '=' and non-zero trailing bits, which would let a MAC be
// re-spelled on the wire and still verify; only the one canonical spelling is accepted.
const MAC_TEXT_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const NONCE_BYTES = 16;
// Nonces are cut from a pooled CSPRNG draw: one randomBytes call per 256 nonces instead of one
// each (the per-call cost dominated signing). The bytes are as random; each is used once.
const NONCE_POOL_BYTES = NONCE_BYTES * 256;
let noncePool = Buffer.alloc(0);
let noncePoolOffset = 0;
const DOMAIN_TAG = 'bulwark-envelope';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const SUBJECT_PATTERN = /^bulwark\.(c2e|e2c)\.([a-z0-9-]+(?:\.[a-z0-9-]+)*\.v[0-9]+)$/;

/** Every way an envelope can be refused (checked in this order, except that a body failing its schema
 * is reported as `pii` when it also carries personal data). */
export const REJECT_REASONS = [
  'malformed', 'unknown_key', 'wrong_direction', 'bad_mac', 'stale', 'future', 'replay', 'nonce_reuse', 'schema', 'pii',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface EnvelopeMeta {
  readonly v: number;
  readonly kid: string;
  readonly subject: string;
  readonly id: string;
  readonly nonce: string;
  readonly ts: number;
}

export interface WireEnvelope extends EnvelopeMeta {
  readonly body: string;
  readonly mac: string;
}

/** What the receiver knows about a subject: its direction and the schema of its body. */
export interface MessageContract {
  readonly type: string;
  readonly direction: Direction;
  readonly schema: ZodType;
  /** JSON paths of schema-declared numeric fields, not scanned as free text by the PII guard. */
  readonly numericPaths: ReadonlySet<string>;
}

export type ContractLookup = (subject: string) => MessageContract | undefined;

export interface SignArgs {
  readonly key: EnvelopeKey;
  readonly subject: string;
  readonly id: string;
  /** The body as an object, or already serialised (`bodyJson`) when it comes from an outbox row. */
  readonly body?: unknown;
  readonly bodyJson?: string;
  readonly nowMs: number;
  /** Only tests pass a nonce; production always draws a fresh random one. */
  readonly nonce?: string;
}

export interface SignedEnvelope {
  readonly wire: string;
  readonly meta: EnvelopeMeta;
}

export interface Opened<TBody = unknown> {
  readonly ok: true;
  readonly meta: EnvelopeMeta;
  readonly type: string;
  readonly body: TBody;
  readonly bodySha256: string;
}

export interface Refused {
  readonly ok: false;
  readonly reason: RejectReason;
  /** What could be read of the envelope; never the body or any offending value. */
  readonly meta: Partial<EnvelopeMeta>;
  /** A short explanation without values (for example the failing schema path or PII entity). */
  readonly detail: string;
}

export type OpenResult<TBody = unknown> = Opened<TBody> | Refused;

export interface NonceClaim {
  readonly kid: string;
  readonly nonce: string;
  readonly messageId: string;
  readonly subject: string;
  readonly bodySha256: string;
  readonly sentAtMs: number;
  /** The JetStream stream sequence it arrived with: a redelivery of the same stored message is benign. */
  readonly streamSeq?: number;
}

/**
 * fresh: never seen; duplicate: this message id was already processed with this body (a
 * JetStream redelivery or a relay re-publish: ack, no effect); replay: this exact (kid, nonce)
 * with the same body was seen; nonce_reuse: this (kid, nonce) with a different body, or a
 * message id reused with a different body — a security event.
 */
export type NonceOutcome = 'fresh' | 'duplicate' | 'replay' | 'nonce_reuse';

/** Durable nonce store. Implementations must fail closed: throw when they cannot answer. */
export interface NonceStore {
  claim(claims: readonly NonceClaim[]): Promise<readonly NonceOutcome[]>;
}

export interface OpenContext {
  readonly deliveredSubject: string;
  readonly keyring: Keyring;
  readonly contracts: ContractLookup;
  readonly nowMs: number;
  readonly windowMs?: number;
}

export function subjectDirection(subject: string): Direction | undefined {
  const match = SUBJECT_PATTERN.exec(subject);
  return match ? (match[1] as Direction) : undefined;
}

/** Canonical MAC input: a domain tag, then each field as a netstring `<byte length>:<bytes>,`. */
// The string is assembled first and hashed in one update: the same bytes as one update per
// netstring piece, without 22 crossings into native code per MAC.
function macOf(secret: Buffer, meta: EnvelopeMeta, body: string): Buffer {
  let canonical = DOMAIN_TAG;
  for (const field of [String(meta.v), meta.kid, meta.subject, meta.id, meta.nonce, String(meta.ts), body]) {
    canonical += `${Buffer.byteLength(field, 'utf8')}:${field},`;
  }
  return createHmac('sha256', secret).update(canonical, 'utf8').digest();
}

export function newNonce(): string {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.toString('base64url', noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function signEnvelope(args: SignArgs): SignedEnvelope {
  const direction = subjectDirection(args.subject);
  assert(direction !== undefined, `subject '${args.subject}' is not a wall subject`);
  assert(direction === args.key.direction, `key ${args.key.kid} signs ${args.key.direction}, not ${direction}`);
  assert(UUID_PATTERN.test(args.id), 'message id is a lowercase UUID');
  assert(Number.isSafeInteger(args.nowMs) && args.nowMs > 0, 'signing time is epoch milliseconds');
  const body = args.bodyJson ?? JSON.stringify(args.body);
  assert(typeof body === 'string' && body.startsWith('{'), 'a body is a JSON object');
  const meta: EnvelopeMeta = {
    v: ENVELOPE_VERSION,
    kid: args.key.kid,
    subject: args.subject,
    id: args.id,
    nonce: args.nonce ?? newNonce(),
    ts: args.nowMs,
  };
  const mac = macOf(args.key.secret, meta, body).toString('base64url');
  const wire = JSON.stringify({ ...meta, body, mac } satisfies WireEnvelope);
  assert(Buffer.byteLength(wire) <= ENVELOPE_BYTES_MAX, `envelope exceeds ${ENVELOPE_BYTES_MAX} bytes`);
  return { wire, meta };
}

function refuse(reason: RejectReason, meta: Partial<EnvelopeMeta>, detail: string): Refused {
  return { ok: false, reason, meta, detail };
}

function parseWire(raw: string | Uint8Array): WireEnvelope | string {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > ENVELOPE_BYTES_MAX) return 'envelope too large';
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch {
    return 'envelope is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'envelope is not an object';
  const e = parsed as Record<string, unknown>;
  const keys = Object.keys(e);
  if (keys.length !== 8) return 'envelope has missing or unknown fields';
  if (e.v !== ENVELOPE_VERSION) return 'unsupported envelope version';
  if (typeof e.kid !== 'string' || e.kid.length === 0 || e.kid.length > 64) return 'bad kid';
  if (typeof e.subject !== 'string' || e.subject.length > 256) return 'bad subject';
  if (typeof e.id !== 'string' || !UUID_PATTERN.test(e.id)) return 'bad message id';
  if (typeof e.nonce !== 'string' || !NONCE_PATTERN.test(e.nonce)) return 'bad nonce';
  if (typeof e.ts !== 'number' || !Number.isSafeInteger(e.ts) || e.ts <= 0) return 'bad timestamp';
  if (typeof e.body !== 'string') return 'body is not text';
  if (typeof e.mac !== 'string') return 'mac is not text';
  return e as unknown as WireEnvelope;
}

/**
 * Checks everything that needs no storage: form, key, direction, MAC, time window, schema and
 * the PII guard. The caller then claims the nonce in the same transaction as its handler.
 */
export function openEnvelope<TBody = unknown>(raw: string | Uint8Array, ctx: OpenContext): OpenResult<TBody> {
  const wire = parseWire(raw);
  if (typeof wire === 'string') return refuse('malformed', {}, wire);
  const meta: EnvelopeMeta = { v: wire.v, kid: wire.kid, subject: wire.subject, id: wire.id, nonce: wire.nonce, ts: wire.ts };

  const key = ctx.keyring.byKid.get(wire.kid);
  if (!key) return refuse('unknown_key', meta, 'key id not held by this receiver');

  const deliveredDirection = subjectDirection(ctx.deliveredSubject);
  if (deliveredDirection === undefined || key.direction !== deliveredDirection) {
    return refuse('wrong_direction', meta, `key is scoped to ${key.direction}`);
  }

  // The MAC is computed over the subject the message was delivered on, so a valid envelope
  // replayed onto another subject can never verify.
  const expected = macOf(key.secret, { ...meta, subject: ctx.deliveredSubject }, wire.body);
  const presented = MAC_TEXT_PATTERN.test(wire.mac) ? Buffer.from(wire.mac, 'base64url') : undefined;
  if (presented?.length !== MAC_BYTES || !timingSafeEqual(presented, expected) || wire.subject !== ctx.deliveredSubject) {
    return refuse('bad_mac', meta, 'mac does not verify');
  }

  const windowMs = ctx.windowMs ?? ENVELOPE_WINDOW_MS;
  if (wire.ts < ctx.nowMs - windowMs) return refuse('stale', meta, `older than ${windowMs} ms`);
  if (wire.ts > ctx.nowMs + windowMs) return refuse('future', meta, `more than ${windowMs} ms ahead`);

  const contract = ctx.contracts(ctx.deliveredSubject);
  if (!contract) return refuse('schema', meta, 'no schema for this subject');
  let body: unknown;
  try {
    body = JSON.parse(wire.body);
  } catch {
    return refuse('malformed', meta, 'body is not JSON');
  }
  const parsed = contract.schema.safeParse(body);
  // The PII guard runs on every body that got this far, valid or not: a schema failure that
  // carries personal data is recorded as `pii`, the security event it is, not as a schema bug.
  let findings;
  try {
    findings = detectPii(body, { numericPaths: contract.numericPaths });
  } catch (error) {
    // A body the guard cannot scan completely is refused: the guard fails closed.
    if (error instanceof PiiGuardError) return refuse('pii', meta, `unscannable body: ${error.code} at ${error.path}`);
    throw error;
  }
  if (findings.length > 0) {
    return refuse('pii', meta, findings.map((f) => `${f.entity} at ${f.path}`).join('; '));
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('schema', meta, issue ? `${issue.code} at $.${issue.path.join('.')}` : 'invalid body');
  }
  return { ok: true, meta, type: contract.type, body: parsed.data as TBody, bodySha256: sha256Hex(wire.body) };
}

/** openEnvelope followed by the nonce claim: the whole verification of one message. */
export async function verifyEnvelope<TBody = unknown>(
  raw: string | Uint8Array,
  ctx: OpenContext & { readonly nonceStore: NonceStore },
): Promise<OpenResult<TBody> | { readonly ok: true; readonly duplicate: true; readonly meta: EnvelopeMeta }> {
  const opened = openEnvelope<TBody>(raw, ctx);
  if (!opened.ok) return opened;
  const [outcome] = await ctx.nonceStore.claim([nonceClaimOf(opened)]);
  assert(outcome !== undefined, 'nonce store answers every claim');
  if (outcome === 'replay') return refuse(outcome, opened.meta, 'nonce already used');
  if (outcome === 'nonce_reuse') return refuse(outcome, opened.meta, 'nonce or id reused with a different body');
  if (outcome === 'duplicate') return { ok: true, duplicate: true, meta: opened.meta };
  return opened;
}

export function nonceClaimOf(opened: Opened): NonceClaim {
  return {
    kid: opened.meta.kid,
    nonce: opened.meta.nonce,
    messageId: opened.meta.id,
    subject: opened.meta.subject,
    bodySha256: opened.bodySha256,
    sentAtMs: opened.meta.ts,
  };
}

/** A nonce store in memory, for pure tests and benchmarks of the crypto path only. */
export class MemoryNonceStore implements NonceStore {
  private readonly byNonce = new Map<string, string>();
  private readonly byId = new Map<string, string>();

  async claim(claims: readonly NonceClaim[]): Promise<readonly NonceOutcome[]> {
    return claims.map((c) => {
      const nonceKey = `${c.kid}\u0000${c.nonce}`;
      const seenBody = this.byNonce.get(nonceKey);
      if (seenBody !== undefined) return seenBody === c.bodySha256 ? 'replay' : 'nonce_reuse';
      const idBody = this.byId.get(c.messageId);
      if (idBody !== undefined) return idBody === c.bodySha256 ? 'duplicate' : 'nonce_reuse';
      this.byNonce.set(nonceKey, c.bodySha256);
      this.byId.set(c.messageId, c.bodySha256);
      return 'fresh';
    });
  }
}
