import { describe, expect, it } from '@jest/globals';
import { customerOf } from './audit-trail.page';
import { consoleNav } from './console-app';

describe('the console lists only what a role may use', () => {
  it('gives every staff role the overview and its security, those who may read the audit its trail and reconciliation its breaks, and auditors the audit chain', () => {
    expect(consoleNav(['compliance_officer']).map((item) => item.to)).toEqual(['/', '/alerts', '/kyc', '/reconciliation', '/audit-trail', '/security']);
    expect(consoleNav(['mlro']).map((item) => item.to)).toEqual(['/', '/alerts', '/kyc', '/sars', '/reconciliation', '/audit-trail', '/security']);
    expect(consoleNav(['auditor']).map((item) => item.to)).toEqual(['/', '/reconciliation', '/audit-trail', '/audit', '/security']);
    expect(consoleNav(['admin']).map((item) => item.to)).toEqual(['/', '/audit-trail', '/security']);
    expect(consoleNav(['finance_ops']).map((item) => item.to)).toEqual(['/', '/reconciliation', '/security']);
  });

  it.each([
    ['customer:0b8f5a2e-4c1d-4f7a-9b3e-2d6c8e1f0a9b', '0b8f5a2e-4c1d-4f7a-9b3e-2d6c8e1f0a9b'],
    ['user:0b8f5a2e-4c1d-4f7a-9b3e-2d6c8e1f0a9b', '0b8f5a2e-4c1d-4f7a-9b3e-2d6c8e1f0a9b'],
    ['aml_alert:0b8f5a2e-4c1d-4f7a-9b3e-2d6c8e1f0a9b', undefined],
    ['customer:not-an-id', undefined],
  ])('an audit entry about %s opens customer %s', (resource, customer) => {
    expect(customerOf(resource)).toBe(customer);
  });

  it('gives a non-staff principal nothing beyond the overview', () => {
    expect(consoleNav(['investor']).map((item) => item.to)).toEqual(['/']);
  });
});
