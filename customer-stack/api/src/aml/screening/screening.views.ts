// What screening answers, as plain types: the hits the service seals with a screening and the
// compliance console shows on an alert's case. No imports, so the browser build can take it
// (`import type`) without pulling in any server code.

export const LIST_SOURCES = ['opensanctions', 'ofac-sdn'] as const;
export type ListSource = (typeof LIST_SOURCES)[number];

/** `sanction`: a designated target (a hit can block); `pep`: a politically exposed or otherwise watched person (a hit is reviewed, never blocked). */
export type ListKind = 'sanction' | 'pep';
export type ListSchema = 'person' | 'organization' | 'vessel' | 'aircraft' | 'other';

export type TokenMatchKind = 'exact' | 'transliteration' | 'fuzzy' | 'initial';
export type DateOfBirthEvidence = 'match' | 'year' | 'near' | 'mismatch' | 'unknown';
export type CountryEvidence = 'match' | 'mismatch' | 'unknown';

export interface TokenMatch {
  readonly query: string;
  readonly listed: string;
  readonly how: TokenMatchKind;
  readonly score: number;
}

/** One listed entry a name matched, with why. */
export interface ScreeningHit {
  readonly entryId: string;
  readonly source: ListSource;
  readonly kind: ListKind;
  readonly schema: ListSchema;
  readonly listedName: string;
  /** The name or alias of the entry that matched best. */
  readonly matchedName: string;
  readonly matchedField: 'name' | 'alias';
  /** Final score in [0, 1], three decimals. */
  readonly score: number;
  readonly nameScore: number;
  readonly tokens: readonly TokenMatch[];
  readonly unmatchedQueryTokens: readonly string[];
  readonly unmatchedListedTokens: readonly string[];
  readonly dateOfBirth: DateOfBirthEvidence;
  readonly country: CountryEvidence;
  readonly programs: readonly string[];
  readonly decision: 'review' | 'blocked';
}

export interface ScreeningResult {
  readonly decision: 'clear' | 'review' | 'blocked';
  readonly hits: readonly ScreeningHit[];
  readonly model: string;
}
