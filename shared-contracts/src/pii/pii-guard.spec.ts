import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import {
  BIT_DATE_OF_BIRTH, BIT_EMAIL, BIT_IBAN, BIT_NATIONAL_ID, BIT_PASSPORT, BIT_PAYMENT_CARD, BIT_PERSON_NAME, BIT_PHONE, BIT_POSTAL_ADDRESS, PII_ENTITIES,
} from './pii-entity.js';
import { containsPii, detectPii, PII_GUARD_LIMITS, PiiGuardError, type PiiEntity, type PiiFinding } from './pii-guard.js';

type Case = [name: string, payload: unknown, expected: [path: string, entity: PiiEntity][]];

const findings = (expected: [string, PiiEntity][]): PiiFinding[] => expected.map(([path, entity]) => ({ path, entity }));

// True positives: each line proves one detection rule and the exact path it reports.
const truePositives: Case[] = [
  ['bare "name" key is a person name', { name: 'Ann Perera' }, [['$.name', 'person_name']]],
  ['snake_case first_name is normalised', { first_name: 'Ann' }, [['$.first_name', 'person_name']]],
  ['camelCase lastName is normalised', { lastName: 'Perera' }, [['$.lastName', 'person_name']]],
  ['kebab UPPER FAMILY-NAME is normalised (bracket path)', { 'FAMILY-NAME': 'Perera' }, [['$["FAMILY-NAME"]', 'person_name']]],
  ['key with a space "first name" is normalised', { 'first name': 'Ann' }, [['$["first name"]', 'person_name']]],
  ['mothersMaidenName nested two levels', { kyc: { answers: { mothersMaidenName: 'Silva' } } }, [['$.kyc.answers.mothersMaidenName', 'person_name']]],
  ['accountHolderName inside an array item', { payees: [{ iban: '' }, { accountHolderName: 'A. Perera' }] }, [['$.payees[1].accountHolderName', 'person_name']]],
  ['array under a name key flags each item', { name: ['Ann', 'Perera'] }, [['$.name[0]', 'person_name'], ['$.name[1]', 'person_name']]],
  ['email inside free text under a neutral key', { memo: 'reach me at ann.perera+x@mail.example.lk please' }, [['$.memo', 'email']]],
  ['email under an email key (one finding, not two)', { contact: { emailAddress: 'ann@example.com' } }, [['$.contact.emailAddress', 'email']]],
  ['email at the spec path $.customer.contacts[2].email', { customer: { contacts: [{}, {}, { email: 'a@b.co' }] } }, [['$.customer.contacts[2].email', 'email']]],
  ['E.164 phone in free text', { note: 'call +94771234567 after 5' }, [['$.note', 'phone']]],
  ['international phone with spaces', { note: 'desk +44 20 7946 0958' }, [['$.note', 'phone']]],
  ['phone key with a local number', { mobile: '077 123 4567' }, [['$.mobile', 'phone']]],
  ['msisdn key with a JSON number', { msisdn: 94771234567 }, [['$.msisdn', 'phone']]],
  ['Visa card, compact', { ref: '4111111111111111' }, [['$.ref', 'payment_card']]],
  ['Visa card, spaced in a sentence', { memo: 'paid with 4111 1111 1111 1111 yesterday' }, [['$.memo', 'payment_card']]],
  ['Mastercard, dashed', { memo: '5555-5555-5555-4444' }, [['$.memo', 'payment_card']]],
  ['Amex in its 4-6-5 layout', { memo: '3782 822463 10005' }, [['$.memo', 'payment_card']]],
  ['card as a JSON number', { ref: 4111111111111111 }, [['$.ref', 'payment_card']]],
  ['IBAN, compact', { to: 'GB82WEST12345698765432' }, [['$.to', 'iban']]],
  ['IBAN, print form in groups of four', { to: 'DE89 3704 0044 0532 0130 00' }, [['$.to', 'iban']]],
  ['IBAN, lower case inside a sentence', { memo: 'send to nl91abna0417164300 today' }, [['$.memo', 'iban']]],
  ['Sri Lanka NIC old, male (day 340) with V', { ref: '853400937V' }, [['$.ref', 'national_id']]],
  ['Sri Lanka NIC old, female (day 560) with lower-case x', { ref: '925601234x' }, [['$.ref', 'national_id']]],
  ['Sri Lanka NIC new, 1985 day 340', { ref: '198534000937' }, [['$.ref', 'national_id']]],
  ['Sri Lanka NIC new, 2000 day 567 (female)', { ref: '200056701234' }, [['$.ref', 'national_id']]],
  ['UK NINO, compact', { ref: 'AB123456C' }, [['$.ref', 'national_id']]],
  ['UK NINO, spaced pairs', { memo: 'NI AB 12 34 56 C' }, [['$.memo', 'national_id']]],
  ['US SSN, dashed in free text', { memo: 'SSN 123-45-6789 on file' }, [['$.memo', 'national_id']]],
  ['US SSN, undashed under an ssn key', { ssn: '123456789' }, [['$.ssn', 'national_id']]],
  ['NIC key with any identifier', { nicNumber: 'pending-0042' }, [['$.nicNumber', 'national_id']]],
  ['passport key', { passport: 'N1234567' }, [['$.passport', 'passport']]],
  ['passport_number key', { documents: { passport_number: 'N1234567' } }, [['$.documents.passport_number', 'passport']]],
  ['dob with an ISO date', { dob: '1990-05-12' }, [['$.dob', 'date_of_birth']]],
  ['date_of_birth as an epoch number', { date_of_birth: 642470400 }, [['$.date_of_birth', 'date_of_birth']]],
  ['birthDate as a Date object', { birthDate: new Date(Date.UTC(1990, 4, 12)) }, [['$.birthDate', 'date_of_birth']]],
  ['dob object: each date part is flagged', { birthday: { y: 1990, m: 5 } }, [['$.birthday.y', 'date_of_birth'], ['$.birthday.m', 'date_of_birth']]],
  ['postal address string', { address: '12 Galle Road, Colombo 3' }, [['$.address', 'postal_address']]],
  ['address object: each line is flagged', { homeAddress: { line1: '12 Galle Road', line2: 'Kollupitiya' } },
    [['$.homeAddress.line1', 'postal_address'], ['$.homeAddress.line2', 'postal_address']]],
  ['addressLine1 key', { address_line_1: 'Flat 4' }, [['$.address_line_1', 'postal_address']]],
  ['postcode key', { postCode: 'SW1A 1AA' }, [['$.postCode', 'postal_address']]],
  ['zip key with a JSON number', { zip: 10115 }, [['$.zip', 'postal_address']]],
  ['city key', { city: 'Colombo' }, [['$.city', 'postal_address']]],
  ['deep arrays of arrays keep exact indices', { a: [{ b: [[], [{ phone: '+94771234567' }]] }] }, [['$.a[0].b[1][0].phone', 'phone']]],
  ['two entities in one string, in entity order', { memo: 'ann@example.com / +94771234567' }, [['$.memo', 'email'], ['$.memo', 'phone']]],
  ['an email used as a map key is found and redacted in the path', { balances: { 'ann@example.com': '10.00' } }, [['$.balances["<redacted>"]', 'email']]],
  ['several findings across one payload, in walk order', { name: 'A', meta: { card: '4111111111111111' }, dob: '1990-01-01' },
    [['$.name', 'person_name'], ['$.meta.card', 'payment_card'], ['$.dob', 'date_of_birth']]],
];

// False-positive traps: identifiers, amounts and hashes that must pass clean.
const wei78 = '115792089237316195423570985008687907853269984665640564039457584007913129639935';
const falsePositives: [name: string, payload: unknown][] = [
  ['UUID v4', { intentId: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f' }],
  ['UUID whose leading groups are all digits', { id: '41111111-1111-4111-8111-111111111111' }],
  ['all-digit UUID inside free text', { memo: 'order 41111111-1111-4111-8111-111111111111 filled' }],
  ['decimal amount', { amount: '1234.56' }],
  ['negative tiny decimal', { pnl: '-0.000001' }],
  ['decimal whose integer part is card-shaped', { amount: '4111111111111111.00' }],
  ['decimal whose integer part is NIC-shaped', { amount: '198534000937.5' }],
  ['78-digit wei value', { balanceWei: wei78 }],
  ['wei value with a Luhn-valid card inside a longer digit run', { wei: '124111111111111111134567890' }],
  ['sha-256 hex', { contentSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }],
  ['0x wallet address', { walletAddress: '0x52908400098527886E0F7030069857D2E4169EE7' }],
  ['0x transaction hash', { txHash: '0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b' }],
  ['contract and token addresses', { contractAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3', tokenAddress: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' }],
  ['"address" key holding a 0x address', { address: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }],
  ['"address" key holding a bech32 address', { address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' }],
  ['ipAddress is not a postal address key', { ipAddress: '10.0.0.1' }],
  ['ISIN (12 chars, US)', { isin: 'US0378331005' }],
  ['ISIN of an IBAN country, then a word', { memo: 'GB0002634946 ABCD EFGH IJ' }],
  ['LEI', { lei: '5493001KJTIIGC8Y1R12' }],
  ['base64 signature', { signature: 'MEUCIQDx9k0vW8q6Y1n3cJ7t+K2pZl1o7s9Qv4Xb3m2JZL0yUQIgb5V+2n/8k7c1Qe4W0t9s3R6p1a2B3c4D5e6F7g8H9i0=' }],
  ['JWS compact serialisation', { jws: 'eyJhbGciOiJQUzI1NiIsImtpZCI6ImV4ZWMtMjAyNiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLTQxMTExMTExMTExMTExMTE' }],
  ['ISO date under a non-DOB key', { tradeDate: '2024-01-15' }],
  ['ISO datetime with a +05:30 offset', { createdAt: '2024-01-15T10:00:00.000+05:30' }],
  ['epoch seconds and milliseconds as numbers', { ts: 1767225600, tsMs: 1767225600123 }],
  ['epoch milliseconds and microseconds as strings', { tsMs: '1767225600123', tsUs: '1767225600123453' }],
  ['instrument names', { instrumentName: 'US-ELECTION-2028-YES', title: 'Colombo Port City Bond 2030' }],
  ['names of things are not person names', { venueName: 'CLOB-1', brandName: 'Bulwark LK', tenantName: 'Lanka Invest', contractName: 'BulwarkToken' }],
  ['NATS subject', { subject: 'bulwark.customer.intent.submitted.v1' }],
  ['hex and base64 nonces', { nonce: '9f86d081884c7d659a2feaa0c55ad015', nonce64: 'n4bQgYhMfWWaL+qgxVrQFQ==' }],
  ['NIC-shaped with day 367 (no such day)', { ref: '853670937V' }],
  ['NIC-new-shaped with year 1850', { ref: '185034000937' }],
  ['card-shaped digits failing Luhn', { ref: '4111111111111112' }],
  ['Luhn-valid 16 digits with no issuer prefix', { ref: '1767225600123453' }],
  ['IBAN with a wrong check', { to: 'GB82WEST12345698765433' }],
  ['SSN-shaped with area 666 and 9xx', { a: '666-12-3456', b: '912-34-5678' }],
  ['undashed 9 digits under a neutral key', { reference: '123456789' }],
  ['NINO with a banned prefix or letter', { a: 'GB123456A', b: 'DA123456A' }],
  ['signed decimal after a plus sign', { delta: '+1500000.00' }],
  ['expanded-year date after a plus sign', { at: '+2024-01-15' }],
  ['email-like text without a dotted domain', { from: 'ops@localhost', handle: '@bulwark.lk' }],
  ['phone key with no digits', { phone: 'withheld' }],
  ['empty values under personal-data keys', { name: '', email: '   ', dob: null, passport: false }],
];

// Schema-declared numeric fields are skipped for free-text digit patterns, never for key rules.
const numericCases: [name: string, payload: unknown, numericPaths: ReadonlySet<string> | readonly string[], expected: [string, PiiEntity][]][] = [
  ['card-shaped quantity at a declared array path is skipped', { fills: [{ quantity: '4111111111111111' }] }, ['$.fills[].quantity'], []],
  ['the same value at an undeclared sibling is flagged', { fills: [{ price: '4111111111111111' }] }, ['$.fills[].quantity'], [['$.fills[0].price', 'payment_card']]],
  ['NIC-shaped amount at a declared path (Set form) is skipped', { amountMinor: '198534000937' }, new Set(['$.amountMinor']), []],
  ['card-shaped JSON number at a declared path is skipped', { lines: [{ legs: [{ qty: 4111111111111111 }] }] }, ['$.lines[].legs[].qty'], []],
  ['declared root string is skipped', '4111111111111111', ['$'], []],
  ['numeric value under a phone key is still flagged', { phone: '94771234567' }, ['$.phone'], [['$.phone', 'phone']]],
  ['numeric value under a DOB key is still flagged', { dob: 19900512 }, ['$.dob'], [['$.dob', 'date_of_birth']]],
  ['non-numeric text at a declared path is still scanned', { amount: 'ann@example.com' }, ['$.amount'], [['$.amount', 'email']]],
  ['a declared path does not cover other array depths', { fills: [[{ quantity: '4111111111111111' }]] }, ['$.fills[].quantity'], [['$.fills[0][0].quantity', 'payment_card']]],
];

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { child: value };
  return value;
}

function leafValues(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' || typeof value === 'number') out.push(String(value));
  else if (Array.isArray(value)) for (const item of value) leafValues(item, out);
  else if (value instanceof Date) out.push(value.toISOString());
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('@')) out.push(key);
      leafValues(item, out);
    }
  }
  return out;
}

describe('detectPii: true positives', () => {
  it.each(truePositives)('%s', (_name, payload, expected) => {
    expect(detectPii(payload)).toEqual(findings(expected));
    expect(containsPii(payload)).toBe(true);
  });
});

describe('detectPii: false-positive traps', () => {
  it.each(falsePositives)('%s', (_name, payload) => {
    expect(detectPii(payload)).toEqual([]);
    expect(containsPii(payload)).toBe(false);
  });
});

describe('detectPii: numericPaths', () => {
  it.each(numericCases)('%s', (_name, payload, numericPaths, expected) => {
    expect(detectPii(payload, { numericPaths })).toEqual(findings(expected));
    expect(containsPii(payload, { numericPaths })).toBe(expected.length > 0);
  });

  it.each([
    ['a path without the $ root', 'fills[].quantity'],
    ['a path with an empty key', '$..quantity'],
    ['a path with an index instead of []', '$.fills[0].quantity'],
  ])('rejects %s', (_name, path) => {
    expect(() => detectPii({}, { numericPaths: [path] })).toThrow(TypeError);
  });
});

describe('detectPii: limits fail closed', () => {
  const errorOf = (run: () => unknown): PiiGuardError => {
    try {
      run();
    } catch (error) {
      if (error instanceof PiiGuardError) return error;
      throw error;
    }
    throw new Error('expected a PiiGuardError');
  };

  it.each([
    ['32 nested containers are scanned', 32, null],
    ['33 nested containers exceed the depth limit', 33, 'depth_limit_exceeded'],
  ])('%s', (_name, levels, code) => {
    const payload = nested(levels);
    if (code === null) expect(detectPii(payload)).toEqual([]);
    else expect(errorOf(() => detectPii(payload)).code).toBe(code);
  });

  it.each([
    ['node count at the limit is scanned', PII_GUARD_LIMITS.nodesMax - 1, null],
    ['node count past the limit is refused', PII_GUARD_LIMITS.nodesMax, 'node_limit_exceeded'],
  ])('%s', (_name, items, code) => {
    const payload = new Array<number>(items).fill(1);
    if (code === null) expect(containsPii(payload)).toBe(false);
    else expect(errorOf(() => containsPii(payload)).code).toBe(code);
  });

  it('a cycle ends at the depth limit, with a path and no value', () => {
    const cyclic: Record<string, unknown> = { secret: 'ann@example.com' };
    cyclic['self'] = cyclic;
    const error = errorOf(() => detectPii(cyclic));
    expect(error.code).toBe('depth_limit_exceeded');
    expect(error.path).toBe(`$${'.self'.repeat(PII_GUARD_LIMITS.depthMax)}`);
    expect(error.message).not.toContain('ann@example.com');
  });

  it.each([
    ['a Map', new Map([['email', 'ann@example.com']])],
    ['a class instance', new (class Customer { email = 'ann@example.com'; })()],
  ])('refuses %s it cannot see into', (_name, value) => {
    expect(errorOf(() => detectPii({ nested: value })).code).toBe('unsupported_value');
  });
});

describe('detectPii: findings never carry the value', () => {
  it.each(truePositives)('%s', (_name, payload) => {
    const serialised = JSON.stringify(detectPii(payload));
    for (const value of leafValues(payload)) {
      if (value.length >= 3) expect(serialised).not.toContain(value);
    }
  });
});

describe('detectPii: internal consistency', () => {
  it('entity bits follow PII_ENTITIES order', () => {
    const bits = [BIT_PERSON_NAME, BIT_EMAIL, BIT_PHONE, BIT_PAYMENT_CARD, BIT_IBAN, BIT_NATIONAL_ID, BIT_PASSPORT, BIT_DATE_OF_BIRTH, BIT_POSTAL_ADDRESS];
    expect(bits).toEqual(PII_ENTITIES.map((_entity, i) => 1 << i));
  });

  it('returns a fresh empty array for clean input and accepts primitives at the root', () => {
    expect(detectPii(undefined)).toEqual([]);
    expect(detectPii('ann@example.com')).toEqual([{ path: '$', entity: 'email' }]);
  });
});

describe('detectPii: properties', () => {
  const hexChar = fc.constantFrom(...'0123456789abcdef');
  const digit = fc.constantFrom(...'0123456789');
  const nonZero = fc.constantFrom(...'123456789');
  const hex = (length: number) => fc.string({ unit: hexChar, minLength: length, maxLength: length });
  const digits = (min: number, max: number) => fc.tuple(nonZero, fc.string({ unit: digit, minLength: min - 1, maxLength: max - 1 })).map(([a, b]) => a + b);
  const decimalAmount = fc
    .tuple(fc.constantFrom('', '-'), digits(1, 30), fc.string({ unit: digit, minLength: 1, maxLength: 18 }))
    .map(([sign, int, fraction]) => `${sign}${int}.${fraction}`);
  const clean = fc.oneof(
    fc.uuid(),
    decimalAmount,
    hex(64),
    hex(64).map((h) => `0x${h}`),
    hex(40).map((h) => `0x${h}`),
    digits(20, 78),
  );

  it('UUIDs, decimal amounts, hex hashes, 0x addresses and wei strings never produce findings', () => {
    fc.assert(fc.property(fc.array(clean, { maxLength: 8 }), (values) => {
      const payload = { refs: values, nested: { value: values[0] ?? '' } };
      expect(detectPii(payload)).toEqual([]);
    }), { numRuns: 2_000 });
  });

  it('wei strings of any length never produce findings under a declared numeric path', () => {
    fc.assert(fc.property(fc.array(digits(1, 78), { maxLength: 8 }), (values) => {
      const payload = { lines: values.map((balanceWei) => ({ balanceWei })) };
      expect(detectPii(payload, { numericPaths: ['$.lines[].balanceWei'] })).toEqual([]);
    }), { numRuns: 2_000 });
  });
});
