// Which payment rail carries a transfer, from its currency, the two countries and (for Sri Lanka)
// its amount and urgency. A pure function: the table in rails.spec.ts is the documentation.
//
// - LKR, LK → LK: CEFTS (the LankaClear real-time switch) up to its per-transfer cap of
//   LKR 5,000,000; above the cap, or when the payer asks for a bulk (non-urgent) transfer, SLIPS
//   (the next-day batch system, no cap).
// - GBP, GB → GB: Faster Payments (FPS).
// - EUR, both in the SEPA area: SEPA credit transfer.
// - USD, US → US: ACH.
// - Anything else (another currency on a domestic pair, or a cross-border pair): SWIFT.
import { assert, decimal, hasCurrencyScale, type CurrencyCode } from '@bulwark/shared-contracts';

export const RAILS = ['CEFTS', 'SLIPS', 'FPS', 'SEPA', 'ACH', 'SWIFT'] as const;
export type Rail = (typeof RAILS)[number];

export const URGENCIES = ['standard', 'bulk'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** CEFTS's per-transfer cap (LKR); a larger LKR transfer goes by SLIPS. */
export const CEFTS_LIMIT_LKR = '5000000.00';

/** The SEPA scheme's countries: the EU, the EEA, and the non-EEA members (CH, GB, MC, SM, AD, VA). */
export const SEPA_COUNTRIES: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO',
  'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO', 'CH', 'GB', 'MC', 'SM', 'AD', 'VA',
]);

export interface RailInput {
  readonly currency: CurrencyCode;
  /** ISO 3166-1 alpha-2 of the payer's bank. */
  readonly fromCountry: string;
  /** ISO 3166-1 alpha-2 of the payee's bank. */
  readonly toCountry: string;
  /** In `currency`, a decimal string at the currency's scale. */
  readonly amount: string;
  readonly urgency: Urgency;
}

const COUNTRY = /^[A-Z]{2}$/;

export function detectRail(input: RailInput): Rail {
  assert(COUNTRY.test(input.fromCountry) && COUNTRY.test(input.toCountry), 'countries are ISO alpha-2 codes');
  assert(decimal(input.amount).gt(decimal('0')) && hasCurrencyScale(input.amount, input.currency), 'a positive amount at the currency scale');
  const domestic = input.fromCountry === input.toCountry;
  if (input.currency === 'LKR' && domestic && input.fromCountry === 'LK') {
    return input.urgency === 'bulk' || decimal(input.amount).gt(decimal(CEFTS_LIMIT_LKR)) ? 'SLIPS' : 'CEFTS';
  }
  if (input.currency === 'GBP' && domestic && input.fromCountry === 'GB') return 'FPS';
  if (input.currency === 'EUR' && SEPA_COUNTRIES.has(input.fromCountry) && SEPA_COUNTRIES.has(input.toCountry)) return 'SEPA';
  if (input.currency === 'USD' && domestic && input.fromCountry === 'US') return 'ACH';
  return 'SWIFT';
}
