// Every message that crosses the wall: a realistic sample of each parses, passes the PII guard
// and survives a signed round trip; unknown keys are refused; and no schema has a field that
// could carry personal data — proved by walking the generated JSON Schemas.
import { describe, expect, it } from '@jest/globals';

import { openEnvelope, signEnvelope } from '../envelope/envelope.js';
import { createKeyring } from '../envelope/keyring.js';
import { detectPii } from '../pii/pii-guard.js';
import {
  MESSAGE_CATALOG, MESSAGE_TYPES, jsonSchemaOf, numericPathsOf, subjectOf, wallContracts, type MessageBody, type MessageType,
} from './catalog.js';

const NOW_MS = Date.parse('2026-01-01T00:00:05.000Z');

const SAMPLES: { readonly [T in MessageType]: MessageBody<T> } = {
  'intent.submitted.v1': {
    intentId: '0f8a3c1e-3c55-4f0e-9e7a-2b1d4c6e8a90', accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e',
    tenantRef: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', instrumentId: 'c0ffee00-1234-4abc-9def-0123456789ab',
    side: 'buy', quantity: '125', limitPrice: '0.615', timeInForce: 'GTC', submittedAt: '2026-01-01T00:00:00.000Z',
  },
  'intent.cancel.v1': {
    intentId: '0f8a3c1e-3c55-4f0e-9e7a-2b1d4c6e8a90', accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e',
    reason: 'customer_request', requestedAt: '2026-01-01T00:00:01.250Z',
  },
  'audit.anchor-request.v1': {
    batchId: 17, merkleRoot: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', entryCount: 4_096,
    firstSeq: 65_536, lastSeq: 69_631, requestedAt: '2026-01-01T00:00:02.000Z',
  },
  'intent.accepted.v1': {
    intentId: '0f8a3c1e-3c55-4f0e-9e7a-2b1d4c6e8a90', accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e',
    acceptedAt: '2026-01-01T00:00:00.120Z',
  },
  'intent.rejected.v1': {
    intentId: '0f8a3c1e-3c55-4f0e-9e7a-2b1d4c6e8a90', accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e',
    code: 'price_out_of_band', rejectedAt: '2026-01-01T00:00:00.130Z',
  },
  'intent.closed.v1': {
    intentId: '0f8a3c1e-3c55-4f0e-9e7a-2b1d4c6e8a90', accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e',
    filledQuantity: '6', reason: 'unfilled_remainder', closedAt: '2026-01-01T00:00:03.100Z',
  },
  'allocation.v1': {
    allocationId: '3e1f0b7a-9c2d-4e8f-a1b3-5c7d9e0f1a2b', intentId: '0f8a3c1e-3c55-4f0e-9e7a-2b1d4c6e8a90',
    accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e', instrumentId: 'c0ffee00-1234-4abc-9def-0123456789ab',
    omnibusOrderRef: 'b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e', side: 'buy', quantity: '125', averagePrice: '0.612',
    notional: '76.5', fee: '0.0765', currency: 'USD', remainingQuantity: '0',
    fillRefs: ['11111111-2222-4333-8444-555555555555', '66666666-7777-4888-9999-aaaaaaaaaaaa'],
    inputsHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', allocatedAt: '2026-01-01T00:00:03.000Z',
  },
  'payout.v1': {
    payoutId: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d', accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e',
    instrumentId: 'c0ffee00-1234-4abc-9def-0123456789ab', eventRef: 'd1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a',
    kind: 'resolution', quantity: '125', amountPerUnit: '1', amount: '125.00', currency: 'USD', paidAt: '2026-01-01T00:00:04.000Z',
  },
  'statement.v1': {
    statementId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9', tenantRef: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
    periodStart: '2025-12-31T00:00:00.000Z', periodEnd: '2026-01-01T00:00:00.000Z',
    positions: [
      { accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e', instrumentId: 'c0ffee00-1234-4abc-9def-0123456789ab', quantity: '125' },
      { accountRef: '8e3f0c55-2b70-4d4c-9f6e-0a1b2c3d4e5f', instrumentId: 'c0ffee00-1234-4abc-9def-0123456789ab', quantity: '-40' },
    ],
    cash: [{ accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e', currency: 'USD', amount: '-76.5765' }],
    contentHash: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
  },
  'audit.anchored.v1': {
    batchId: 17, merkleRoot: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', chainId: 31_337,
    contractAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    txHash: '0x8a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b', blockNumber: 1_024,
    anchoredAt: '2026-01-01T00:00:04.500Z',
  },
};

const keyring = createKeyring([
  { direction: 'c2e', current: { kid: 'c2e-test', secret: Buffer.alloc(32, 1) } },
  { direction: 'e2c', current: { kid: 'e2c-test', secret: Buffer.alloc(32, 2) } },
]);

/** Property names that could hold personal data, normalised (lower case, no `_` or `-`). */
const PERSONAL_DATA_NAMES = new Set([
  'name', 'fullname', 'firstname', 'lastname', 'surname', 'givenname', 'middlename', 'legalname', 'displayname', 'nickname',
  'customername', 'holdername', 'accountholder', 'accountname', 'email', 'emailaddress', 'mail', 'phone', 'phonenumber',
  'mobile', 'mobilenumber', 'telephone', 'msisdn', 'address', 'postaladdress', 'homeaddress', 'street', 'streetaddress',
  'addressline1', 'addressline2', 'city', 'town', 'postcode', 'postalcode', 'zip', 'zipcode', 'dob', 'dateofbirth',
  'birthdate', 'birthday', 'age', 'gender', 'nationality', 'nic', 'nicnumber', 'ssn', 'nino', 'passport', 'passportnumber',
  'nationalid', 'idnumber', 'taxid', 'tin', 'iban', 'bankaccount', 'bankaccountnumber', 'accountnumber', 'cardnumber', 'pan',
  'creditcard', 'ip', 'ipaddress', 'username', 'login', 'note', 'notes', 'memo', 'comment', 'description', 'reference', 'text',
]);

interface SchemaNode {
  type?: string | string[];
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
}

interface Leaf {
  readonly path: string;
  readonly node: SchemaNode;
}

/** Every property (with its path) and every object node of a JSON Schema. */
function walk(node: SchemaNode, path: string, visit: { property: (name: string, path: string) => void; node: (leaf: Leaf) => void }): void {
  visit.node({ path, node });
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    visit.property(name, `${path}.${name}`);
    walk(child, `${path}.${name}`, visit);
  }
  if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walk(branch, path, visit);
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

const types = MESSAGE_TYPES.map((type) => [type] as const);

describe('the catalog', () => {
  it('has a sample for every message and a message for every sample', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  it('names every message with a version and derives its subject from its direction', () => {
    for (const type of MESSAGE_TYPES) {
      expect(type).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)*\.v[0-9]+$/);
      expect(subjectOf(type)).toBe(`bulwark.${MESSAGE_CATALOG[type].direction}.${type}`);
    }
  });

  it('carries at least the messages issue 2 names', () => {
    expect(MESSAGE_TYPES).toEqual(expect.arrayContaining([
      'intent.submitted.v1', 'intent.cancel.v1', 'intent.accepted.v1', 'intent.rejected.v1', 'allocation.v1', 'payout.v1',
      'statement.v1', 'audit.anchor-request.v1', 'audit.anchored.v1',
    ]));
  });
});

describe('intent.closed.v1', () => {
  const schema = MESSAGE_CATALOG['intent.closed.v1'].schema;
  const sample = SAMPLES['intent.closed.v1'];
  it.each([
    ['a negative filled quantity', { filledQuantity: '-1' }],
    ['a filled quantity that is not a decimal string', { filledQuantity: 6 }],
    ['an unknown reason', { reason: 'customer_request' }],
    ['an intent id that is not a reference', { intentId: 'intent-1' }],
  ])('refuses %s', (_name, change) => {
    expect(schema.safeParse({ ...sample, ...change }).success).toBe(false);
  });

  it('accepts nothing filled (the whole order ended unfilled) and every reason', () => {
    for (const reason of ['unfilled_remainder', 'venue_ended', 'cancelled', 'expired'] as const) {
      expect(schema.safeParse({ ...sample, filledQuantity: '0', reason }).success).toBe(true);
    }
  });

  it('still parses a body written before the cancelled reason existed, unchanged (the addition is compatible)', () => {
    const earlier = { ...sample, reason: 'venue_ended' };
    expect(schema.parse(earlier)).toEqual(earlier);
  });
});

describe('intent.submitted.v1 with a time in force GTD', () => {
  const schema = MESSAGE_CATALOG['intent.submitted.v1'].schema;
  const sample = SAMPLES['intent.submitted.v1'];
  const gtd = { ...sample, timeInForce: 'GTD', expiresAt: '2026-01-02T00:00:00.000Z' } as const;

  it('carries its expiry on the wire, and it passes the PII guard and the envelope', () => {
    expect(schema.parse(gtd)).toEqual(gtd);
    expect(detectPii(gtd, { numericPaths: numericPathsOf(jsonSchemaOf('intent.submitted.v1')) })).toEqual([]);
    const subject = subjectOf('intent.submitted.v1');
    const { wire } = signEnvelope({ key: keyring.signingKey('c2e'), subject, id: '5b0c2a0e-8f53-4c55-9a43-3f6b2f0f7e11', body: gtd, nowMs: NOW_MS });
    expect(openEnvelope(wire, { deliveredSubject: subject, keyring, contracts: wallContracts, nowMs: NOW_MS })).toMatchObject({ ok: true, body: gtd });
  });

  it.each([
    ['a GTD intent without expiresAt', { ...gtd, expiresAt: undefined }, 'a GTD intent needs expiresAt'],
    ['a GTC intent with expiresAt', { ...gtd, timeInForce: 'GTC' }, 'only a GTD intent carries expiresAt'],
    ['an expiry not after the submission', { ...gtd, expiresAt: sample.submittedAt }, 'expiresAt must be after submittedAt'],
    ['an expiry that is not a UTC timestamp', { ...gtd, expiresAt: '2026-01-02' }, undefined],
  ])('refuses %s', (_name, body, message) => {
    const result = schema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['expiresAt']);
    if (message) expect(result.error?.issues[0]?.message).toBe(message);
  });

  it('still parses a body written before expiresAt existed, unchanged (the addition is compatible)', () => {
    expect(schema.parse(sample)).toEqual(sample);
    expect('expiresAt' in schema.parse(sample)).toBe(false);
  });

  it('declares expiresAt optional in its JSON Schema, every earlier field still required', () => {
    const json = jsonSchemaOf('intent.submitted.v1') as { required: string[]; properties: Record<string, unknown> };
    expect(json.properties).toHaveProperty('expiresAt');
    expect(json.required).not.toContain('expiresAt');
    expect(json.required).toEqual(expect.arrayContaining(Object.keys(sample)));
  });
});

describe.each(types)('%s', (type) => {
  const sample: unknown = SAMPLES[type];
  const schema = MESSAGE_CATALOG[type].schema;
  const numericPaths = numericPathsOf(jsonSchemaOf(type));

  it('a realistic sample parses unchanged', () => {
    expect(schema.parse(sample)).toEqual(sample);
  });

  it('the sample passes the PII guard with the schema-declared numeric paths', () => {
    expect(detectPii(sample, { numericPaths })).toEqual([]);
  });

  it('the sample signs and opens through the wall contracts', () => {
    const subject = subjectOf(type);
    const { wire } = signEnvelope({
      key: keyring.signingKey(MESSAGE_CATALOG[type].direction), subject, id: '5b0c2a0e-8f53-4c55-9a43-3f6b2f0f7e11', body: sample, nowMs: NOW_MS,
    });
    const opened = openEnvelope(wire, { deliveredSubject: subject, keyring, contracts: wallContracts, nowMs: NOW_MS });
    expect(opened).toMatchObject({ ok: true, type, body: sample });
  });

  it('an unknown extra key is rejected', () => {
    const result = schema.safeParse({ ...(sample as object), customerEmail: 'x' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('every field is required: dropping any one is rejected', () => {
    for (const key of Object.keys(sample as object)) {
      const { [key]: _dropped, ...rest } = sample as Record<string, unknown>;
      expect(schema.safeParse(rest).success).toBe(false);
    }
  });

  it('has no property named like personal data', () => {
    const offending: string[] = [];
    walk(jsonSchemaOf(type), '$', {
      property: (name, path) => { if (PERSONAL_DATA_NAMES.has(normalise(name))) offending.push(path); },
      node: () => undefined,
    });
    expect(offending).toEqual([]);
  });

  it('has no free-text string: every string is a pattern, format, enum or const', () => {
    const free: string[] = [];
    walk(jsonSchemaOf(type), '$', {
      property: () => undefined,
      node: ({ path, node }) => {
        const isString = node.type === 'string' || (Array.isArray(node.type) && node.type.includes('string'));
        if (isString && node.pattern === undefined && node.format === undefined && node.enum === undefined && node.const === undefined) free.push(path);
      },
    });
    expect(free).toEqual([]);
  });

  it('every object is closed: additionalProperties is false, so no free-form map exists', () => {
    const open: string[] = [];
    walk(jsonSchemaOf(type), '$', {
      property: () => undefined,
      node: ({ path, node }) => { if (node.type === 'object' && node.additionalProperties !== false) open.push(path); },
    });
    expect(open).toEqual([]);
  });
});

describe('the walk itself catches what it is meant to catch', () => {
  it.each([
    ['a name-like property', { type: 'object', properties: { First_Name: { type: 'string', pattern: '^.+$' } }, additionalProperties: false }, ['$.First_Name'], []],
    ['a free-text string nested in an array', { type: 'object', properties: { lines: { type: 'array', items: { type: 'string' } } } }, [], ['$.lines[]']],
    ['a free-text string inside anyOf', { anyOf: [{ type: 'string' }, { type: 'integer' }] }, [], ['$']],
  ] as const)('%s', (_name, schema, names, freeStrings) => {
    const offending: string[] = [];
    const free: string[] = [];
    walk(schema as SchemaNode, '$', {
      property: (name, path) => { if (PERSONAL_DATA_NAMES.has(normalise(name))) offending.push(path); },
      node: ({ path, node }) => { if (node.type === 'string' && !node.pattern && !node.format && !node.enum && node.const === undefined) free.push(path); },
    });
    expect(offending).toEqual(names);
    expect(free).toEqual(freeStrings);
  });
});

describe('numericPathsOf', () => {
  it.each([
    ['allocation.v1', ['$.quantity', '$.averagePrice', '$.notional', '$.fee', '$.remainingQuantity']],
    ['statement.v1', ['$.positions[].quantity', '$.cash[].amount']],
    ['intent.submitted.v1', ['$.quantity', '$.limitPrice']],
    ['audit.anchor-request.v1', ['$.batchId', '$.entryCount', '$.firstSeq', '$.lastSeq']],
  ] as const)('gives the decimal and integer fields of %s', (type, paths) => {
    expect([...numericPathsOf(jsonSchemaOf(type))]).toEqual(paths);
  });

  it('the wall contracts carry the same numeric paths the schemas declare', () => {
    for (const type of MESSAGE_TYPES) {
      expect([...(wallContracts(subjectOf(type))?.numericPaths ?? [])]).toEqual([...numericPathsOf(jsonSchemaOf(type))]);
    }
  });
});
