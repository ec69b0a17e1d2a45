// Micro benchmark of the wall's crypto and guard on one core (no NATS, no database):
//   sign_verify_per_s       signEnvelope (of the stored body text, as the relay does) + openEnvelope up to and including the MAC and the time
//                           window (a contract lookup that knows no subject stops it right after)
//   sign_verify_full_per_s  signEnvelope + openEnvelope with the real contracts: MAC, window, strict
//                           schema and PII guard, on a realistic intent.submitted.v1
//   pii_payloads_per_s      detectPii on realistic ~1 KB parsed wall payloads (allocations, statements)
//   per_cpu_s, cpu_share_min the same rates per CPU second, and the share of a core the process got
//                           (below ~0.95 the machine was busy and the per-second rates understate)
// Targets (issue 2): sign+verify >= 150,000/s on one core; PII guard >= 50,000 payloads/s.
// Run: cd shared-contracts && npm run bench
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { openEnvelope, signEnvelope, type ContractLookup, type OpenContext } from '../src/envelope/envelope.js';
import { createKeyring } from '../src/envelope/keyring.js';
import { MESSAGE_CATALOG, jsonSchemaOf, numericPathsOf, subjectOf, wallContracts, type MessageBody } from '../src/messages/catalog.js';
import { detectPii } from '../src/pii/pii-guard.js';

const WARMUP_MS = 500;
const MEASURE_MS = 2_000;
const SAMPLES = 1_024;
const PII_PAYLOADS = 2_000;
const PAYLOAD_BYTES_TARGET = 1_024;

let seed = 7;
function random(): number {
  // Park–Miller: the same payloads from run to run.
  seed = (seed * 48_271) % 2_147_483_647;
  return seed / 2_147_483_647;
}
function digits(count: number): string {
  let s = String(1 + Math.floor(random() * 9));
  for (let i = 1; i < count; i++) s += String(Math.floor(random() * 10));
  return s;
}
function decimalText(integerDigits: number, scale: number): string {
  return scale === 0 ? digits(integerDigits) : `${digits(integerDigits)}.${digits(scale)}`;
}
function sha256(): string {
  return createHash('sha256').update(String(random())).digest('hex');
}
function iso(offsetMs: number): string {
  return new Date(1_767_225_600_000 + Math.floor(offsetMs)).toISOString();
}

function intent(): MessageBody<'intent.submitted.v1'> {
  return {
    intentId: randomUUID(), accountRef: randomUUID(), tenantRef: randomUUID(), instrumentId: randomUUID(),
    side: random() < 0.5 ? 'buy' : 'sell', quantity: decimalText(3, 0), limitPrice: `0.${digits(4)}`,
    timeInForce: 'GTC', submittedAt: iso(random() * 1e9),
  };
}
function allocation(): MessageBody<'allocation.v1'> {
  return {
    allocationId: randomUUID(), intentId: randomUUID(), accountRef: randomUUID(), instrumentId: randomUUID(),
    omnibusOrderRef: randomUUID(), side: 'buy', quantity: decimalText(3, 0), averagePrice: `0.${digits(6)}`,
    notional: decimalText(3, 6), fee: `0.${digits(6)}`, currency: 'USD', remainingQuantity: '0',
    fillRefs: Array.from({ length: 12 }, () => randomUUID()), inputsHash: sha256(), allocatedAt: iso(random() * 1e9),
  };
}
function statement(): MessageBody<'statement.v1'> {
  return {
    statementId: randomUUID(), tenantRef: randomUUID(), periodStart: iso(0), periodEnd: iso(86_400_000),
    positions: Array.from({ length: 4 }, () => ({ accountRef: randomUUID(), instrumentId: randomUUID(), quantity: decimalText(4, 0) })),
    cash: Array.from({ length: 3 }, () => ({ accountRef: randomUUID(), currency: 'USD' as const, amount: `-${decimalText(5, 2)}` })),
    contentHash: sha256(),
  };
}

const now = 1_767_225_600_000;
const secret = randomBytes(32);
const keyring = createKeyring([{ direction: 'c2e', current: { kid: 'c2e-bench', secret } }]);
const key = keyring.signingKey('c2e');
const subject = subjectOf('intent.submitted.v1');
const intents = Array.from({ length: SAMPLES }, intent);
const noContracts: ContractLookup = () => undefined;
const macContext: OpenContext = { deliveredSubject: subject, keyring, contracts: noContracts, nowMs: now };
const fullContext: OpenContext = { deliveredSubject: subject, keyring, contracts: wallContracts, nowMs: now };

// The relay signs the body text it stored in the outbox row, so the body is serialised once,
// when the intent is recorded, not on the signing path.
const intentTexts = intents.map((body) => JSON.stringify(body));

function signAndOpen(bodyJson: string, ctx: OpenContext): boolean {
  const { wire } = signEnvelope({ key, subject, id: randomUUID(), bodyJson, nowMs: now });
  const result = openEnvelope(wire, ctx);
  // The MAC-only path stops at the contract lookup: 'schema' means form, key, MAC and window passed.
  return ctx === macContext ? !result.ok && result.reason === 'schema' && result.detail === 'no schema for this subject' : result.ok;
}

interface Rate {
  readonly perWallS: number;
  readonly perCpuS: number;
  /** CPU time of this process / wall time: below ~0.95 the core was shared with other work. */
  readonly cpuShare: number;
}

function measure(durationMs: number, batch: () => number): Rate {
  let done = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < durationMs) done += batch();
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return { perWallS: done / elapsedS, perCpuS: done / cpuS, cpuShare: cpuS / elapsedS };
}

function envelopeBatch(ctx: OpenContext): () => number {
  return () => {
    for (const bodyJson of intentTexts) {
      if (!signAndOpen(bodyJson, ctx)) throw new Error('a valid envelope did not verify');
    }
    return intents.length;
  };
}

// The ~1 KB messages of the wall: allocations with a dozen fills and statements with a few lines.
const builders = [allocation, statement] as const;
const types = ['allocation.v1', 'statement.v1'] as const;
const numericPaths = types.map((type) => numericPathsOf(jsonSchemaOf(type)));
const payloads = Array.from({ length: PII_PAYLOADS }, (_, i) => {
  const kind = i % builders.length;
  const build = builders[kind];
  const type = types[kind];
  const paths = numericPaths[kind];
  if (build === undefined || type === undefined || paths === undefined) throw new Error('no builder');
  const body = build();
  if (!MESSAGE_CATALOG[type].schema.safeParse(body).success) throw new Error(`sample ${type} does not parse`);
  if (detectPii(body, { numericPaths: paths }).length > 0) throw new Error(`clean ${type} flagged`);
  return { body, paths };
});
const payloadBytesAvg = Math.round(payloads.reduce((sum, p) => sum + Buffer.byteLength(JSON.stringify(p.body)), 0) / payloads.length);
if (Math.abs(payloadBytesAvg - PAYLOAD_BYTES_TARGET) > PAYLOAD_BYTES_TARGET / 2) throw new Error(`payloads average ${payloadBytesAvg} bytes, not ~1 KB`);

function piiBatch(): number {
  for (const p of payloads) detectPii(p.body, { numericPaths: p.paths });
  return payloads.length;
}

const macBatch = envelopeBatch(macContext);
const fullBatch = envelopeBatch(fullContext);
measure(WARMUP_MS, macBatch);
const signVerify = measure(MEASURE_MS, macBatch);
measure(WARMUP_MS, fullBatch);
const signVerifyFull = measure(MEASURE_MS, fullBatch);
measure(WARMUP_MS, piiBatch);
const pii = measure(MEASURE_MS, piiBatch);

console.log(JSON.stringify({
  sign_verify_per_s: Math.round(signVerify.perWallS),
  sign_verify_full_per_s: Math.round(signVerifyFull.perWallS),
  pii_payloads_per_s: Math.round(pii.perWallS),
  payload_bytes_avg: payloadBytesAvg,
  // The same rates per CPU second of this process, and the share of a core it actually got.
  per_cpu_s: { sign_verify: Math.round(signVerify.perCpuS), sign_verify_full: Math.round(signVerifyFull.perCpuS), pii_payloads: Math.round(pii.perCpuS) },
  cpu_share_min: Math.round(Math.min(signVerify.cpuShare, signVerifyFull.cpuShare, pii.cpuShare) * 100) / 100,
}));
