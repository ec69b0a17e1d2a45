// The signed envelope: every message across the wall is one of these.
//
// Wire form (UTF-8 text): one header line, then the body's exact JSON bytes.
//   BWE1 <kid> <id> <nonce> <ts> <mac>\n<body>
//   BWE1    magic and envelope version (1)
//   kid     key id; direction-scoped
//   id      message id (UUID); also the JetStream Nats-Msg-Id and the idempotency key
//   nonce   128 random bits, base64url; unique per (kid, nonce) at the receiver
//   ts      epoch milliseconds when signed; accepted within ±ENVELOPE_WINDOW_MS
//   mac     base64url HMAC-SHA256 over the canonical bytes (see canonicalText)
//   body    the body's JSON exactly as signed: verification runs over the very bytes that were
//           signed, nothing is escaped or re-serialised, and the subject is bound through the MAC.
// The header grammar admits no spaces or newlines inside a field, so the split is unambiguous.
import { createHash, randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { ZodType } from 'zod';
import { PiiGuardError, detectPii } from '../pii/pii-guard.js';
import { assert } from '../assert.js';
import type { Direction, EnvelopeKey, Keyring } from './keyring.js';
import { HmacSha256, constantTimeEqual } from './hmac.js';

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_WINDOW_MS = 300_000;
export const ENVELOPE_BYTES_MAX = 256 * 1024;
const WIRE_MAGIC = 'BWE1';
const HEADER_FIELDS = 6;
const HEADER_CHARS_MAX = 256;
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
const DOMAIN_TAG = 'bulwark-envelope/1';
const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const TS_PATTERN = /^[1-9][0-9]{0,15}$/;
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

/** The fields on the wire (the subject travels as the NATS subject and is bound by the MAC). */
export interface WireEnvelope {
  readonly v: number;
  readonly kid: string;
  readonly id: string;
  readonly nonce: string;
  readonly ts: number;
  readonly mac: string;
  readonly body: string;
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

// Every message asks for its subject's direction twice (sign and open); the wall has a few dozen
// subjects, so the answers are remembered, up to a limit that arbitrary input cannot exceed.
const SUBJECT_CACHE_ENTRIES_MAX = 1_024;
const subjectDirections = new Map<string, Direction | null>();

export function subjectDirection(subject: string): Direction | undefined {
  const known = subjectDirections.get(subject);
  if (known !== undefined) return known ?? undefined;
  const match = SUBJECT_PATTERN.exec(subject);
  const direction = match ? (match[1] as Direction) : null;
  if (subjectDirections.size < SUBJECT_CACHE_ENTRIES_MAX) subjectDirections.set(subject, direction);
  return direction ?? undefined;
}

/**
 * Canonical MAC input: the domain tag (which carries the version), the subject, the header
 * fields and the body, separated by newlines. No field may contain a space or a newline (each
 * is checked against its pattern before it is signed or verified), so no two different field
 * sets share canonical bytes.
 */
function canonicalText(subject: string, kid: string, id: string, nonce: string, ts: string, body: string): string {
  return `${DOMAIN_TAG}\n${subject}\n${kid} ${id} ${nonce} ${ts}\n${body}`;
}

// One HMAC state per secret: the padded keys are computed once, not per message.
const hmacs = new WeakMap<Buffer, HmacSha256>();
function macOf(secret: Buffer, canonical: string): string {
  let hmac = hmacs.get(secret);
  if (hmac === undefined) {
    hmac = new HmacSha256(secret);
    hmacs.set(secret, hmac);
  }
  return hmac.base64url(canonical);
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
  assert(KID_PATTERN.test(args.key.kid), 'key id has the wire form');
  const nonce = args.nonce ?? newNonce();
  assert(NONCE_PATTERN.test(nonce), 'nonce has the wire form');
  const meta: EnvelopeMeta = { v: ENVELOPE_VERSION, kid: args.key.kid, subject: args.subject, id: args.id, nonce, ts: args.nowMs };
  const ts = String(args.nowMs);
  const mac = macOf(args.key.secret, canonicalText(args.subject, meta.kid, args.id, nonce, ts, body));
  const wire = encodeWire({ v: ENVELOPE_VERSION, kid: meta.kid, id: args.id, nonce, ts: args.nowMs, mac, body });
  // A UTF-16 unit is at most 3 UTF-8 bytes: count the bytes only when the bound does not settle it.
  assert(wire.length * 3 <= ENVELOPE_BYTES_MAX || Buffer.byteLength(wire) <= ENVELOPE_BYTES_MAX, 'envelope within ENVELOPE_BYTES_MAX');
  return { wire, meta };
}

/** Spells envelope fields on the wire. Exported for tools and for tests that play the attacker. */
export function encodeWire(w: WireEnvelope): string {
  return `${w.v === ENVELOPE_VERSION ? WIRE_MAGIC : `BWE${w.v}`} ${w.kid} ${w.id} ${w.nonce} ${w.ts} ${w.mac}\n${w.body}`;
}

function refuse(reason: RejectReason, meta: Partial<EnvelopeMeta>, detail: string): Refused {
  return { ok: false, reason, meta, detail };
}

/** Reads the wire fields, or says why they cannot be read. Exported alongside encodeWire. */
export function decodeWire(raw: string | Uint8Array): WireEnvelope | string {
  let text: string;
  if (typeof raw === 'string') {
    if (raw.length > ENVELOPE_BYTES_MAX) return 'envelope too large';
    text = raw;
  } else {
    if (raw.byteLength > ENVELOPE_BYTES_MAX) return 'envelope too large';
    // Invalid UTF-8 would decode to replacement characters that other bytes also decode to.
    if (!isUtf8(raw)) return 'envelope is not UTF-8';
    text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  }
  const newline = text.indexOf('\n');
  if (newline < 0 || newline > HEADER_CHARS_MAX) return 'no envelope header';
  const fields = text.slice(0, newline).split(' ');
  if (fields.length !== HEADER_FIELDS) return 'envelope header has missing or unknown fields';
  const [magic, kid, id, nonce, ts, mac] = fields as [string, string, string, string, string, string];
  if (magic !== WIRE_MAGIC) return 'unsupported envelope version';
  if (!KID_PATTERN.test(kid)) return 'bad kid';
  if (!UUID_PATTERN.test(id)) return 'bad message id';
  if (!NONCE_PATTERN.test(nonce)) return 'bad nonce';
  if (!TS_PATTERN.test(ts) || !Number.isSafeInteger(Number(ts))) return 'bad timestamp';
  if (mac.length === 0 || mac.length > 128) return 'bad mac field';
  return { v: ENVELOPE_VERSION, kid, id, nonce, ts: Number(ts), mac, body: text.slice(newline + 1) };
}

/**
 * Checks everything that needs no storage: form, key, direction, MAC, time window, schema and
 * the PII guard. The caller then claims the nonce in the same transaction as its handler.
 */
export function openEnvelope<TBody = unknown>(raw: string | Uint8Array, ctx: OpenContext): OpenResult<TBody> {
  const wire = decodeWire(raw);
  if (typeof wire === 'string') return refuse('malformed', {}, wire);
  const meta: EnvelopeMeta = { v: wire.v, kid: wire.kid, subject: ctx.deliveredSubject, id: wire.id, nonce: wire.nonce, ts: wire.ts };

  const key = ctx.keyring.byKid.get(wire.kid);
  if (!key) return refuse('unknown_key', meta, 'key id not held by this receiver');

  const deliveredDirection = subjectDirection(ctx.deliveredSubject);
  if (deliveredDirection === undefined || key.direction !== deliveredDirection) {
    return refuse('wrong_direction', meta, `key is scoped to ${key.direction}`);
  }

  // The MAC is computed over the subject the message was delivered on, so a valid envelope
  // replayed onto another subject can never verify.
  const expected = macOf(key.secret, canonicalText(ctx.deliveredSubject, wire.kid, wire.id, wire.nonce, String(wire.ts), wire.body));
  if (!MAC_TEXT_PATTERN.test(wire.mac) || !constantTimeEqual(wire.mac, expected)) {
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
