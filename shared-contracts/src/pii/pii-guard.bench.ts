/* eslint-disable no-console -- benchmark CLI prints its figures */
// Micro benchmark of the PII guard on realistic, clean ~1 KB wall messages (already parsed):
// intents, allocations with fills, statements with lines, audit anchors.
// Run: cd shared-contracts && npx tsx src/pii/pii-guard.bench.ts

import { createHash, randomUUID } from 'node:crypto';

import { detectPii } from './pii-guard.js';

const PAYLOAD_KINDS = 4;
const PAYLOADS = 2_000;
const WARMUP_MS = 500;
const MEASURE_MS = 2_000;

let seed = 42;
function random(): number {
  // Park–Miller: deterministic payloads from run to run.
  seed = (seed * 48_271) % 2_147_483_647;
  return seed / 2_147_483_647;
}
function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
function decimal(integerDigits: number, scale: number): string {
  let s = String(1 + Math.floor(random() * 9));
  for (let i = 1; i < integerDigits; i++) s += String(Math.floor(random() * 10));
  if (scale === 0) return s;
  let fraction = '';
  for (let i = 0; i < scale; i++) fraction += String(Math.floor(random() * 10));
  return `${s}.${fraction}`;
}
function sha256(): string {
  return createHash('sha256').update(String(random())).digest('hex');
}
function iso(offsetMs: number): string {
  return new Date(1_767_225_600_000 + offsetMs).toISOString();
}
const instruments = ['US-ELECTION-2028-YES', 'US-ELECTION-2028-NO', 'Colombo Port City Bond 2030', 'LK-CPI-2026-Q3-ABOVE-5PCT'];

function intent(): unknown {
  return {
    type: 'intent.submitted.v1',
    intentId: randomUUID(), accountRef: randomUUID(), tenantId: randomUUID(), instrumentId: randomUUID(),
    instrumentName: pick(instruments), side: pick(['buy', 'sell']), quantity: decimal(4, 0), limitPrice: decimal(1, 4),
    timeInForce: pick(['GTC', 'IOC', 'FOK']), postOnly: random() < 0.5, submittedAt: iso(random() * 1e9),
    reservation: { reservationId: randomUUID(), amount: decimal(6, 2), currency: 'USD', expiresAt: iso(random() * 1e9) },
    limits: { tier: pick(['basic', 'standard', 'premium']), dailyRemaining: decimal(6, 2), velocityWindowMs: 3_600_000 },
    correlationId: randomUUID(), nonce: randomUUID().replace(/-/g, ''),
    provenance: { channel: 'investor-spa', clientVersion: '1.4.2', requestHash: sha256(), receivedAtEpochMs: 1_767_225_600_123 },
  };
}
function allocation(): unknown {
  const fills = Array.from({ length: 4 }, () => ({
    fillId: randomUUID(), quantity: decimal(3, 0), price: decimal(1, 4), tradedAt: iso(random() * 1e9), venueSeq: Math.floor(random() * 1e9),
  }));
  return {
    type: 'allocation.v1', allocationId: randomUUID(), intentId: randomUUID(), accountRef: randomUUID(),
    instrumentId: randomUUID(), omnibusOrderId: randomUUID(), fills, allocatedQuantity: decimal(4, 0),
    averagePrice: decimal(1, 6), feeUsd: decimal(2, 6), settlementTxHash: `0x${sha256()}`,
  };
}
function statement(): unknown {
  const lines = Array.from({ length: 5 }, () => ({
    accountRef: randomUUID(), instrumentId: randomUUID(), position: decimal(5, 0), realisedPnlUsd: `-${decimal(3, 6)}`,
    balanceWei: decimal(24, 0),
  }));
  return {
    type: 'statement.v1', statementId: randomUUID(), tenantId: randomUUID(), periodStart: iso(0), periodEnd: iso(86_400_000),
    lines, contentSha256: sha256(), generatedAtEpochS: 1_767_225_600,
  };
}
function anchor(): unknown {
  return {
    type: 'audit.anchor-request.v1', batchId: randomUUID(), tenantId: randomUUID(), merkleRoot: `0x${sha256()}`,
    firstSeq: Math.floor(random() * 1e6), lastSeq: Math.floor(random() * 1e6) + 1e6, entries: 4096,
    previousRoot: `0x${sha256()}`, chainId: 31_337, anchorContract: `0x${sha256().slice(0, 40)}`,
    signature: Buffer.from(sha256() + sha256() + sha256(), 'hex').toString('base64url'),
    jws: `eyJhbGciOiJQUzI1NiIsImtpZCI6ImV4ZWMtMjAyNiJ9.${Buffer.from(sha256()).toString('base64url')}.${Buffer.from(sha256() + sha256()).toString('base64url')}`,
    requestedAt: iso(random() * 1e9), subject: 'bulwark.customer.audit.anchor-request.v1', nonce: Buffer.from(sha256(), 'hex').toString('base64'),
  };
}

const builders = [intent, allocation, statement, anchor];
const payloads = Array.from({ length: PAYLOADS }, (_, i) => {
  const build = builders[i % PAYLOAD_KINDS];
  if (build === undefined) throw new Error('no builder');
  return build();
});
const numericPaths = new Set(['$.quantity', '$.limitPrice', '$.fills[].quantity', '$.fills[].price', '$.lines[].position', '$.lines[].balanceWei']);
const payloadBytesAvg = Math.round(payloads.reduce<number>((sum, p) => sum + Buffer.byteLength(JSON.stringify(p)), 0) / payloads.length);

for (const payload of payloads) {
  const findings = detectPii(payload, { numericPaths });
  if (findings.length > 0) throw new Error(`clean payload flagged: ${JSON.stringify(findings)}`);
}

function run(durationMs: number): number {
  let scanned = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    for (const payload of payloads) detectPii(payload, { numericPaths });
    scanned += payloads.length;
  }
  return scanned / ((performance.now() - start) / 1000);
}

run(WARMUP_MS);
const payloadsPerS = Math.round(run(MEASURE_MS));
console.log(JSON.stringify({ payloads_per_s: payloadsPerS, payload_bytes_avg: payloadBytesAvg }));
