import { describe, expect, it } from '@jest/globals';
import { riskScore, type RiskInputs } from './risk-score.js';

const base: RiskInputs = { residenceCountry: 'LK', documentCountry: 'LK', pepHit: false, sanctionsReview: false, monitoringAlerts90d: 0, tier: 1, escalated: false };

describe('risk score v1', () => {
  it.each([
    ['a Sri Lankan resident with a Sri Lankan NIC', {}, 0, 'low', {}],
    ['a PEP', { pepHit: true }, 25, 'medium', { pep: 25 }],
    ['a PEP with a foreign document', { pepHit: true, documentCountry: 'IN' }, 30, 'medium', { pep: 25, foreignDocument: 5 }],
    ['two monitoring alerts', { monitoringAlerts90d: 2 }, 16, 'low', { monitoringAlerts: 16 }],
    ['ten monitoring alerts (capped)', { monitoringAlerts90d: 10 }, 24, 'low', { monitoringAlerts: 24 }],
    ['a resident of Iran at tier 3', { residenceCountry: 'IR', documentCountry: 'IR', tier: 3 as const }, 45, 'medium', { highRiskResidence: 35, tier3: 10 }],
    ['a sanctions review hit and an escalation', { sanctionsReview: true, escalated: true }, 50, 'high', { sanctionsReview: 30, escalated: 20 }],
    ['everything at once (capped at 100)', { residenceCountry: 'KP', documentCountry: 'LK', pepHit: true, sanctionsReview: true, monitoringAlerts90d: 5, tier: 3 as const,
      escalated: true }, 100, 'high',
      { highRiskResidence: 35, foreignDocument: 5, pep: 25, sanctionsReview: 30, monitoringAlerts: 24, tier3: 10, escalated: 20 }],
  ])('%s', (_what, overrides, score, band, factors) => {
    expect(riskScore({ ...base, ...overrides })).toEqual({ version: 'risk.v1', score, band, factors });
  });
});
