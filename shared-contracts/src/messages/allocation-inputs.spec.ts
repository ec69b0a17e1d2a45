// The allocation inputs hash: its hand-spelled canonical text is byte for byte what the generic
// canonicalJson writes, decimals hash by value, and every field moves the hash.
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/hash-chain.js';
import { canonicalDecimal } from '../money/money.js';
import { ALLOCATION_INPUTS_VERSION, allocationInputsHash, allocationInputsText, type AllocationInputs } from './allocation-inputs.js';

const inputs: AllocationInputs = {
  intentId: '0f8a3c1e-3c55-4f0e-9e7a-2b1d4c6e8a90', accountRef: '7d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e',
  instrumentId: 'c0ffee00-1234-4abc-9def-0123456789ab', side: 'buy', limitPrice: '0.620', openQuantity: '125',
  omnibusOrderRef: 'b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e',
  fillRefs: ['11111111-2222-4333-8444-555555555555', '66666666-7777-4888-9999-aaaaaaaaaaaa'],
  quantity: '125', notional: '76.50', fee: '0.0765', remainingQuantity: '0',
};

describe('allocationInputsHash', () => {
  it('spells exactly the canonical JSON of the inputs', () => {
    const amounts = ['limitPrice', 'openQuantity', 'quantity', 'notional', 'fee', 'remainingQuantity'] as const;
    const canonical = canonicalJson({
      ...inputs, fillRefs: [...inputs.fillRefs], v: ALLOCATION_INPUTS_VERSION,
      ...Object.fromEntries(amounts.map((key) => [key, canonicalDecimal(inputs[key])])),
    });
    expect(allocationInputsText(inputs)).toBe(canonical);
    expect(allocationInputsHash(inputs)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('compares decimals by value', () => {
    expect(allocationInputsHash({ ...inputs, notional: '76.5', limitPrice: '0.62' })).toBe(allocationInputsHash(inputs));
  });

  it.each([
    ['intentId', { intentId: '1f8a3c1e-3c55-4f0e-9e7a-2b1d4c6e8a90' }],
    ['accountRef', { accountRef: '8d2e9b44-1a6f-4c3b-8e5d-9f0a1b2c3d4e' }],
    ['instrumentId', { instrumentId: 'c0ffee00-1234-4abc-9def-0123456789ac' }],
    ['side', { side: 'sell' as const }],
    ['limitPrice', { limitPrice: '0.61' }],
    ['openQuantity', { openQuantity: '130' }],
    ['omnibusOrderRef', { omnibusOrderRef: 'c7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e' }],
    ['fillRefs order', { fillRefs: [...inputs.fillRefs].reverse() }],
    ['quantity', { quantity: '120' }],
    ['notional', { notional: '76.51' }],
    ['fee', { fee: '0.0766' }],
    ['remainingQuantity', { remainingQuantity: '5' }],
  ])('changes when %s changes', (_field, change) => {
    expect(allocationInputsHash({ ...inputs, ...change })).not.toBe(allocationInputsHash(inputs));
  });
});

describe('allocationInputsText decimals', () => {
  it.each(['1.50', '-0.0', '100', '0.000', '12.0340', '-3.10'])('spells %s as canonicalDecimal does', (value) => {
    expect(allocationInputsText({ ...inputs, fee: value })).toContain(`"fee":"${canonicalDecimal(value)}"`);
  });

  it('refuses a reference that would need escaping', () => {
    expect(() => allocationInputsText({ ...inputs, intentId: 'a"b' })).toThrow(/plain reference/);
  });
});
