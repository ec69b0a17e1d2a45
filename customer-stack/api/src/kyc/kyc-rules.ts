// The checks KYC makes itself, before and after the provider: age against the tenant's minimum,
// residency in the tenant's allowed countries, the identity document's number format (Sri Lanka
// NIC old and new, passports), liveness, and which tier a verified customer may hold. Pure.
import { assert } from '@bulwark/shared-contracts';

export const KYC_TIERS = [0, 1, 2, 3] as const;
export type KycTier = (typeof KYC_TIERS)[number];
export type RequestedTier = 1 | 2 | 3;

/** A liveness score (0-1) from the provider at or above this passes. */
export const LIVENESS_SCORE_MIN = 0.8;

export const KYC_RULE_CODES = [
  'underage',
  'residency_not_allowed',
  'document_number_invalid',
  'document_date_of_birth_mismatch',
  'document_type_not_accepted',
  'liveness_missing',
  'liveness_failed',
] as const;
export type KycRuleCode = (typeof KYC_RULE_CODES)[number];

/** Full years between a date of birth and a day (both YYYY-MM-DD, UTC). */
export function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  assert(Number.isInteger(by) && Number.isInteger(ty), 'dates are YYYY-MM-DD');
  let age = ty - by;
  if (tm < bm || (tm === bm && td < bd)) age--;
  return age;
}

/**
 * The day number a Sri Lankan NIC gives a birth date: the day of the year counted as if every
 * year were a leap year (1 March is always day 61), plus 500 for women.
 */
export function nicDayOfYear(dateOfBirth: string): number {
  const [, month, day] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const LEAP_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  let total = day;
  for (let m = 1; m < month; m++) total += LEAP_MONTH_DAYS[m - 1] ?? 0;
  return total;
}

export interface ParsedNic {
  readonly format: 'old' | 'new';
  readonly birthYear: number;
  /** 1-366, the sex offset removed. */
  readonly dayOfYear: number;
  readonly sex: 'male' | 'female';
}

const OLD_NIC = /^(\d{2})(\d{3})(\d{4})[VX]$/;
const NEW_NIC = /^(\d{4})(\d{3})(\d{5})$/;

/** A Sri Lanka NIC, old (9 digits + V or X, born 19xx) or new (12 digits); undefined when malformed. */
export function parseNic(raw: string): ParsedNic | undefined {
  const text = raw.trim().toUpperCase().replaceAll(/[\s-]/g, '');
  const old = OLD_NIC.exec(text);
  const neu = old ? undefined : NEW_NIC.exec(text);
  const match = old ?? neu;
  if (!match) return undefined;
  const birthYear = old ? 1900 + Number(match[1]) : Number(match[1]);
  const code = Number(match[2]);
  const female = code > 500;
  const dayOfYear = female ? code - 500 : code;
  if (dayOfYear < 1 || dayOfYear > 366 || (code > 366 && code < 501)) return undefined;
  if (neu && (birthYear < 1900 || birthYear > 2100)) return undefined;
  return { format: old ? 'old' : 'new', birthYear, dayOfYear, sex: female ? 'female' : 'male' };
}

const PASSPORT = /^[A-Z0-9]{6,9}$/;

export type DocumentType = 'lk_nic' | 'passport';

/** Checks a document number's format and, for a NIC, that it encodes the stated date of birth. */
export function checkDocument(type: DocumentType, number: string, dateOfBirth: string): KycRuleCode | undefined {
  if (type === 'passport') return PASSPORT.test(number.trim().toUpperCase()) ? undefined : 'document_number_invalid';
  const nic = parseNic(number);
  if (!nic) return 'document_number_invalid';
  const [year] = dateOfBirth.split('-').map(Number);
  if (nic.birthYear !== year || nic.dayOfYear !== nicDayOfYear(dateOfBirth)) return 'document_date_of_birth_mismatch';
  return undefined;
}

export interface TenantRules {
  readonly minimumAge: number;
  /** ISO alpha-2, upper case. */
  readonly residencyCountries: readonly string[];
}

export interface SubmissionFacts {
  readonly dateOfBirth: string;
  readonly residenceCountry: string;
  readonly documentType: DocumentType;
  readonly documentNumber: string;
  readonly documentCountry: string;
}

/** The rules KYC checks before asking the provider: every failing rule, in a fixed order. */
export function checkSubmission(facts: SubmissionFacts, tenant: TenantRules, today: string): KycRuleCode[] {
  const failures: KycRuleCode[] = [];
  if (ageOn(facts.dateOfBirth, today) < tenant.minimumAge) failures.push('underage');
  if (!tenant.residencyCountries.includes(facts.residenceCountry.toUpperCase())) failures.push('residency_not_allowed');
  if (facts.documentType === 'lk_nic' && facts.documentCountry.toUpperCase() !== 'LK') failures.push('document_type_not_accepted');
  const document = checkDocument(facts.documentType, facts.documentNumber, facts.dateOfBirth);
  if (document) failures.push(document);
  return failures;
}

/** Liveness for the tier asked for: tier 1 needs none; tiers 2 and 3 need a passing score. */
export function checkLiveness(requestedTier: RequestedTier, livenessScore: number | null): KycRuleCode | undefined {
  if (requestedTier < 2) return undefined;
  if (livenessScore === null) return 'liveness_missing';
  return livenessScore >= LIVENESS_SCORE_MIN ? undefined : 'liveness_failed';
}
