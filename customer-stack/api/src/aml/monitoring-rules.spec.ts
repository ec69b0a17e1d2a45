import { describe, expect, it } from '@jest/globals';
import { evaluateRules, type MonitoredTransaction } from './monitoring-rules.js';

const T0 = new Date('2026-11-21T12:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);
const tx = (kind: MonitoredTransaction['kind'], amountUsd: string, at: Date, extra: Partial<MonitoredTransaction> = {}): MonitoredTransaction => ({
  tenantId: 't', userId: 'u', kind, amountUsd, currency: 'USD', amount: amountUsd, at, ...extra,
});
const rules = (event: MonitoredTransaction, history: MonitoredTransaction[] = []) => evaluateRules(event, history).map((h) => h.rule);

describe('large single transaction', () => {
  it.each([
    ['9999.99', []],
    ['10000', ['large_single_transaction']],
    ['250000.00', ['large_single_transaction']],
  ])('a trade of %s USD -> %j', (amount, expected) => {
    expect(rules(tx('trade', amount, T0))).toEqual(expected);
  });
});

describe('rapid deposit -> withdrawal', () => {
  it.each([
    ['deposit 5,000 then withdraw 5,000 an hour later', [tx('deposit', '5000', hours(-1))], '5000', ['rapid_deposit_withdrawal']],
    ['deposits covering exactly half', [tx('deposit', '1000', hours(-10)), tx('deposit', '1500', hours(-20))], '5000', ['rapid_deposit_withdrawal']],
    ['deposits covering less than half', [tx('deposit', '2499.99', hours(-10))], '5000', []],
    ['the deposit older than 48 hours', [tx('deposit', '5000', hours(-49))], '5000', []],
    ['a withdrawal under 1,000 USD', [tx('deposit', '900', hours(-1))], '900', []],
    ['earlier trades do not count as deposits', [tx('trade', '5000', hours(-1))], '5000', []],
  ])('%s', (_what, history, amount, expected) => {
    expect(rules(tx('withdrawal', amount, T0), history)).toEqual(expected);
  });

  it('reports what it saw', () => {
    const [hit] = evaluateRules(tx('withdrawal', '4000', T0), [tx('deposit', '1000.50', hours(-2)), tx('deposit', '1000.25', hours(-3))]);
    expect(hit).toEqual({ rule: 'rapid_deposit_withdrawal', details: { withdrawalUsd: '4000', depositedUsd: '2000.75', deposits: 2, windowHours: 48 } });
  });
});

describe('structuring just under the threshold', () => {
  const under = (h: number, usd = '9500') => tx('deposit', usd, hours(h));
  it.each([
    ['the third deposit just under 10,000 in a week', [under(-24), under(-48)], '9900', ['structuring']],
    ['only two', [under(-24)], '9900', []],
    ['one of them older than a week', [under(-24), under(-24 * 8)], '9900', []],
    ['one of them well under', [under(-24), under(-48, '5000')], '9900', []],
    ['this one at the threshold (large, not structuring)', [under(-24), under(-48)], '10000', ['large_single_transaction']],
    ['this one just under 90 %', [under(-24), under(-48)], '8999.99', []],
  ])('%s', (_what, history, amount, expected) => {
    expect(rules(tx('deposit', amount, T0), history)).toEqual(expected);
  });
});

describe('many deposit sources', () => {
  const from = (source: string, h: number) => tx('deposit', '100', hours(h), { sourceRef: source });
  it.each([
    ['a fourth distinct source within 30 days', [from('a', -1), from('b', -2), from('c', -3)], 'd', ['many_deposit_sources']],
    ['the same three sources again', [from('a', -1), from('b', -2), from('c', -3)], 'a', []],
    ['a source older than 30 days does not count', [from('a', -1), from('b', -2), from('c', -24 * 31)], 'd', []],
  ])('%s', (_what, history, source, expected) => {
    expect(rules(from(source, 0), history)).toEqual(expected);
  });
});

describe('high-risk countries', () => {
  it.each([
    ['KP', ['high_risk_country']],
    ['ir', ['high_risk_country']],
    ['LK', []],
    [undefined, []],
  ])('a withdrawal to %s -> %j', (country, expected) => {
    expect(rules(tx('withdrawal', '100', T0, country ? { country } : {}))).toEqual(expected);
  });

  it('several rules can fire on one event', () => {
    expect(rules(tx('withdrawal', '20000', T0, { country: 'IR' }), [tx('deposit', '20000', hours(-1))])).toEqual([
      'large_single_transaction', 'rapid_deposit_withdrawal', 'high_risk_country',
    ]);
  });
});
