import { afterEach, describe, expect, it } from '@jest/globals';
import { GuardedKycProvider } from './kyc-provider.breaker.js';
import { SandboxKycProvider, type KycProviderRequest } from './kyc-provider.js';

const request = (documentNumber: string, livenessToken: string | null = null): KycProviderRequest => ({
  reference: 'ref-1', givenNames: 'Nimal', familyName: 'Perera', dateOfBirth: '1985-12-05',
  documentType: 'lk_nic', documentNumber, documentCountry: 'LK', livenessToken,
});

const guards: GuardedKycProvider[] = [];
const guarded = (timeoutMs = 100, resetMs = 60_000) => {
  const g = new GuardedKycProvider(new SandboxKycProvider(5_000), { timeoutMs, resetMs });
  guards.push(g);
  return g;
};
afterEach(() => guards.splice(0).forEach((g) => g.shutdown()));

describe('sandbox provider: outcomes chosen by test data', () => {
  it.each([
    ['853400937V', 'approve', []],
    ['853400991V', 'reject', ['document_not_authentic']],
    ['198534000992', 'review', ['document_unclear']],
  ])('%s -> %s', async (number, outcome, reasons) => {
    const result = await guarded().verify(request(number));
    expect(result).toMatchObject({ kind: 'answered', result: { outcome, reasons } });
  });

  it.each([
    [null, null],
    ['selfie-123', 0.97],
    ['spoof-mask', 0.12],
  ])('liveness token %s scores %s', async (token, score) => {
    expect(await guarded().verify(request('853400937V', token))).toMatchObject({ result: { livenessScore: score } });
  });
});

describe('the breaker fails closed', () => {
  it('a slow provider is a timeout, an unreachable one an error: never an answer', async () => {
    const g = guarded(50);
    const started = Date.now();
    expect(await g.verify(request('853400993V'))).toEqual({ kind: 'unavailable', cause: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await g.verify(request('853400994V'))).toEqual({ kind: 'unavailable', cause: 'error' });
  });

  it('opens after repeated failures, refuses at once while open, and reports its state', async () => {
    const g = guarded(50, 60_000);
    expect(g.state).toBe('closed');
    for (let i = 0; i < 3; i++) await g.verify(request('853400994V'));
    expect(g.state).toBe('open');
    expect(await g.verify(request('853400937V'))).toEqual({ kind: 'unavailable', cause: 'breaker_open' });
  });

  it('half-opens after the reset time and closes on a success', async () => {
    const g = guarded(50, 200);
    for (let i = 0; i < 3; i++) await g.verify(request('853400994V'));
    expect(g.state).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(g.state).toBe('half_open');
    expect(await g.verify(request('853400937V'))).toMatchObject({ kind: 'answered' });
    expect(g.state).toBe('closed');
  });
});
