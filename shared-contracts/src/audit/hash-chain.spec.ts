import { describe, expect, it } from '@jest/globals';
import { AUDIT_GENESIS_HASH, auditEntryHash, canonicalJson, findFirstBreak, type ChainedEntry } from './hash-chain.js';

function chain(count: number): ChainedEntry[] {
  const entries: ChainedEntry[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let i = 1; i <= count; i++) {
    const fields = { seq: String(i), action: 'ledger.posting.created', resource: `tx:${i}`, diff: { amount: `${i}.50` } };
    const hash = auditEntryHash(prevHash, fields);
    entries.push({ seq: BigInt(i), prevHash, hash, fields });
    prevHash = hash;
  }
  return entries;
}

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    [{ z: { y: '2', x: '1' } }, '{"z":{"x":"1","y":"2"}}'],
    [{ a: undefined, b: 'é"' }, '{"b":"é\\""}'],
    [[], '[]'],
  ])('spells %j one way', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('refuses floats, which have more than one spelling', () => {
    expect(() => canonicalJson({ amount: 1.5 })).toThrow('safe integers');
  });

  it('does not depend on key insertion order', () => {
    expect(auditEntryHash(AUDIT_GENESIS_HASH, { a: '1', b: '2' })).toBe(auditEntryHash(AUDIT_GENESIS_HASH, { b: '2', a: '1' }));
  });
});

describe('findFirstBreak', () => {
  it('accepts an intact chain and an empty one', () => {
    expect(findFirstBreak(chain(50))).toBeNull();
    expect(findFirstBreak([])).toBeNull();
  });

  it('names an edited entry', () => {
    const entries = chain(10);
    entries[6] = { ...entries[6]!, fields: { ...entries[6]!.fields, diff: { amount: '999.00' } } };
    expect(findFirstBreak(entries)).toEqual({ seq: 7n, kind: 'hash_mismatch' });
  });

  it('names the entry after a deletion', () => {
    const entries = chain(10);
    entries.splice(3, 1);
    expect(findFirstBreak(entries)).toEqual({ seq: 5n, kind: 'sequence_gap', expectedSeq: 4n });
  });

  it('names a swapped pair', () => {
    const entries = chain(10);
    [entries[2], entries[3]] = [entries[3]!, entries[2]!];
    expect(findFirstBreak(entries)).toEqual({ seq: 4n, kind: 'sequence_gap', expectedSeq: 3n });
  });

  it('names an entry re-hashed after an edit, at the next link', () => {
    const entries = chain(10);
    const edited = { ...entries[4]!.fields, resource: 'tx:forged' };
    entries[4] = { ...entries[4]!, fields: edited, hash: auditEntryHash(entries[4]!.prevHash, edited) };
    expect(findFirstBreak(entries)).toEqual({ seq: 6n, kind: 'prev_hash_mismatch' });
  });

  it('continues from a verified checkpoint', () => {
    const entries = chain(10);
    expect(findFirstBreak(entries.slice(5), { seq: 5n, hash: entries[4]!.hash })).toBeNull();
  });
});
