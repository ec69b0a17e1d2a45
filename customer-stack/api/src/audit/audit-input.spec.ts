import { describe, expect, it } from '@jest/globals';
import { checkAuditInput, type AuditInput, type CheckedDiff } from './audit-input.js';

const entry = (diff: Record<string, unknown>, resource = 'ledger_transaction:1'): AuditInput => ({
  tenantId: null, actor: 'system:ledger', role: 'system', action: 'ledger.posting.created', resource, diff,
});

describe('checkAuditInput', () => {
  it('checks a diff object shared by the entries of one batch once, and gives each entry the same checked diff', () => {
    let reads = 0;
    const shared = {
      get kind() {
        reads += 1;
        return 'transfer';
      },
      reference: null,
    };
    const checkedDiffs = new Map<object, CheckedDiff>();
    const [first, second] = [entry(shared, 'a:1'), entry(shared, 'a:2')].map((input) => checkAuditInput(input, checkedDiffs));
    expect(reads).toBe(1);
    expect(first?.diffJson).toBe('{"kind":"transfer","reference":null}');
    expect(second?.diffJson).toBe(first?.diffJson);
    expect(second?.resource).toBe('a:2');
    checkAuditInput(entry(shared));
    expect(reads).toBe(2); // without the batch's map, every entry is checked on its own
  });

  it('refuses a shared diff holding personal data at its first entry, and never remembers it as checked', () => {
    const shared = { email: 'someone@example.com' };
    const checkedDiffs = new Map<object, CheckedDiff>();
    expect(() => checkAuditInput(entry(shared), checkedDiffs)).toThrow();
    expect(checkedDiffs.size).toBe(0);
    expect(() => checkAuditInput(entry(shared), checkedDiffs)).toThrow();
  });
});
