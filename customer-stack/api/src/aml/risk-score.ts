// The customer risk score, versioned: its factors and weights are here and in docs/compliance.md.
// A change to any of them is a new version; every stored score names the version it came from.
import { assert } from '@bulwark/shared-contracts';
import { MONITORING } from './monitoring-rules.js';

export const RISK_SCORE_VERSION = 'risk.v1';
export const RISK_SCORE_MAX = 100;

export const RISK_WEIGHTS = {
  /** Residence in a high-risk jurisdiction (the monitoring list). */
  highRiskResidence: 35,
  /** Nationality (or document country) differs from residence. */
  foreignDocument: 5,
  /** An open or confirmed PEP hit. */
  pep: 25,
  /** A sanctions hit under review (confirmed hits block onboarding instead). */
  sanctionsReview: 30,
  /** Per monitoring alert in the last 90 days, capped. */
  monitoringAlert: 8,
  monitoringAlertCap: 24,
  /** Tier 3 (higher limits) carries more exposure. */
  tier3: 10,
  /** An escalation or SAR on record. */
  escalated: 20,
} as const;

export const RISK_BANDS = [
  { band: 'low', below: 25 },
  { band: 'medium', below: 50 },
  { band: 'high', below: RISK_SCORE_MAX + 1 },
] as const;
export type RiskBand = (typeof RISK_BANDS)[number]['band'];

export interface RiskInputs {
  readonly residenceCountry: string | null;
  readonly documentCountry: string | null;
  readonly pepHit: boolean;
  readonly sanctionsReview: boolean;
  readonly monitoringAlerts90d: number;
  readonly tier: 0 | 1 | 2 | 3;
  readonly escalated: boolean;
}

export interface RiskScore {
  readonly version: string;
  readonly score: number;
  readonly band: RiskBand;
  /** Each factor that contributed, with its points. */
  readonly factors: Readonly<Record<string, number>>;
}

export function riskScore(inputs: RiskInputs): RiskScore {
  assert(Number.isInteger(inputs.monitoringAlerts90d) && inputs.monitoringAlerts90d >= 0, 'alert count is a count');
  const w = RISK_WEIGHTS;
  const factors: Record<string, number> = {};
  const residence = inputs.residenceCountry?.toUpperCase() ?? null;
  if (residence && MONITORING.highRiskCountries.includes(residence)) factors.highRiskResidence = w.highRiskResidence;
  if (residence && inputs.documentCountry && inputs.documentCountry.toUpperCase() !== residence) factors.foreignDocument = w.foreignDocument;
  if (inputs.pepHit) factors.pep = w.pep;
  if (inputs.sanctionsReview) factors.sanctionsReview = w.sanctionsReview;
  if (inputs.monitoringAlerts90d > 0) factors.monitoringAlerts = Math.min(w.monitoringAlertCap, inputs.monitoringAlerts90d * w.monitoringAlert);
  if (inputs.tier === 3) factors.tier3 = w.tier3;
  if (inputs.escalated) factors.escalated = w.escalated;
  const score = Math.min(RISK_SCORE_MAX, Object.values(factors).reduce((a, b) => a + b, 0));
  const band = RISK_BANDS.find((b) => score < b.below)?.band;
  assert(band !== undefined, 'every score has a band');
  return { version: RISK_SCORE_VERSION, score, band, factors };
}
