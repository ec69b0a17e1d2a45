import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AUDIT_GENESIS_HASH, canonicalJson, type CanonicalValue } from '@bulwark/shared-contracts';
import { hashAuditEntry, hashAuditEntryFast } from './audit-fields.js';

const json: fc.Arbitrary<CanonicalValue> = fc.letrec<{ value: CanonicalValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const entry = fc.record({
  seq: fc.bigInt({ min: 1n, max: 2n ** 62n }),
  time: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
  tenantId: fc.option(fc.uuid(), { nil: null }),
  actor: fc.string({ minLength: 1 }),
  role: fc.string({ minLength: 1 }),
  onBehalfOf: fc.option(fc.string({ minLength: 1 }), { nil: null }),
  action: fc.string({ minLength: 1 }),
  resource: fc.string({ minLength: 1 }),
  diff: fc.dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 6 }),
});

describe('audit entry hashing', () => {
  it('spells the append path\'s hash exactly as the reference canonical hash the verifier uses', () => {
    fc.assert(
      fc.property(entry, fc.uint8Array({ minLength: 32, maxLength: 32 }), (e, prev) => {
        const prevHash = Buffer.from(prev).toString('hex');
        expect(hashAuditEntryFast(prevHash, { ...e, diffJson: canonicalJson(e.diff) })).toBe(hashAuditEntry(prevHash, e));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['seq', { seq: 8n }],
    ['time', { time: new Date('2030-01-01T00:00:00.001Z') }],
    ['tenant', { tenantId: null }],
    ['actor', { actor: 'user:someone-else' }],
    ['role', { role: 'auditor' }],
    ['on-behalf-of', { onBehalfOf: 'user:x' }],
    ['action', { action: 'test.thing.deleted' }],
    ['resource', { resource: 'thing:2' }],
    ['diff', { diff: { n: 2 } }],
  ])('changes when the %s changes', (_field, change) => {
    const base = {
      seq: 7n, time: new Date('2030-01-01T00:00:00.000Z'), tenantId: '8f0c6d3e-4b2a-4e71-9c5d-2a7b1e9f4c30', actor: 'user:a', role: 'admin',
      onBehalfOf: null, action: 'test.thing.changed', resource: 'thing:1', diff: { n: 1 },
    };
    expect(hashAuditEntry(AUDIT_GENESIS_HASH, { ...base, ...change })).not.toBe(hashAuditEntry(AUDIT_GENESIS_HASH, base));
  });
});
