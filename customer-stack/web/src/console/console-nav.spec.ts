import { describe, expect, it } from '@jest/globals';
import { consoleNav } from './console-app';

describe('the console lists only what a role may use', () => {
  it('gives every staff role the overview and its security, and auditors the audit chain', () => {
    expect(consoleNav(['compliance_officer']).map((item) => item.to)).toEqual(['/', '/alerts', '/kyc', '/security']);
    expect(consoleNav(['mlro']).map((item) => item.to)).toEqual(['/', '/alerts', '/kyc', '/sars', '/security']);
    expect(consoleNav(['auditor']).map((item) => item.to)).toEqual(['/', '/audit', '/security']);
  });

  it('gives a non-staff principal nothing beyond the overview', () => {
    expect(consoleNav(['investor']).map((item) => item.to)).toEqual(['/']);
  });
});
