// The screening index: every name and alias of a list version, tokenised and keyed once, with
// an inverted index over transliteration keys (plus their one-letter deletions, so a key one
// edit away is still found) and each key's rarity. Screening a name:
//   1. blocking: for each query token, the listed names sharing its key or a key one edit away
//      accumulate the token's weight; only names holding at least CANDIDATE_WEIGHT_SHARE of the
//      query's weight are scored (a name sharing only "Mohammed" is never even looked at);
//   2. scoring: tokens are paired greedily by similarity (exact, transliteration key, edit
//      distance, initial) and the name score is a weighted Dice coefficient over the tokens of
//      both names, each token weighted by its rarity in the list (idf), so agreeing on common
//      tokens (Mohammed, Ali, Perera, Kumar) alone never reaches the threshold;
//   3. evidence: date of birth and country adjust the score (see SCREENING_MODEL);
//   4. decision: score >= matchThreshold is a hit; a sanction hit >= blockThreshold blocks.
// Pure and synchronous: no I/O, deterministic for a given list and query.
import { distance } from 'fastest-levenshtein';
import { assert } from '@bulwark/shared-contracts';
import type { ListEntry } from './list-entry.js';
import { normalizeName, tokenizeName, transliterationKey, NAME_LENGTH_MAX, NAME_TOKENS_MAX, type NameToken } from './name-normalizer.js';
import type { CountryEvidence, DateOfBirthEvidence, ScreeningHit, ScreeningResult, TokenMatchKind } from './screening.views.js';

/** The matching model. A change to any figure is a new version (screening results record it). */
export const SCREENING_MODEL = {
  version: 'name-match.v1',
  /** A listed name scoring at least this (after evidence) is a hit, reviewed by an officer. */
  matchThreshold: 0.82,
  /** A sanctions hit scoring at least this is blocked outright (pending review). */
  blockThreshold: 0.97,
  /**
   * Token pairs: `exact` text; `key` equal transliteration keys; `vowels` keys differing only
   * in vowels after the first letter (Prabhakaran / Pirapakaran); `keyFuzzyFactor` scales
   * 1 - 2 * editDistance / length of the keys (a consonant that differs is a real difference,
   * so an edit costs double); `textFuzzyFactor` scales the same measure on the texts (typos); `initial` a single letter against a name starting with it. Below `min`, no pair.
   */
  token: { exact: 1, key: 0.93, vowels: 0.9, initial: 0.7, keyFuzzyFactor: 0.9, textFuzzyFactor: 0.95, keyFuzzyMinLength: 6, shortKeyEditShareMax: 0.4, min: 0.7 },
  initialWeight: 1,
  unmatchedWeightFactor: 0.5,
  dateOfBirth: { match: 0.05, year: 0.02, mismatch: -0.15 },
  country: { match: 0.03, mismatch: -0.02 },
} as const;

export const ENTRIES_MAX = 2_000_000;
export const HITS_MAX = 25;
const DELETION_KEY_LENGTH_MIN = 6;
/** A variant's record in ScreeningIndex.variantRecords: four numbers, in this order. */
const VARIANT_RECORD = 4;
const RECORD_MATCHED = 0;
const RECORD_PAIRED = 1;
const RECORD_STAMP = 2;
const RECORD_WEIGHT = 3;
/** Query keys whose near keys are remembered between screenings (the cache empties when full). */
const NEAR_KEYS_CACHED = 65_536;
const STAMP_MAX = 2_000_000_000;

export interface ScreeningQuery {
  readonly name: string;
  /** YYYY-MM-DD */
  readonly dateOfBirth?: string | undefined;
  /** ISO alpha-2, any case. */
  readonly country?: string | undefined;
}

interface Pair {
  q: number;
  c: number;
  score: number;
  how: TokenMatchKind;
}

export class ScreeningIndex {
  readonly entries: readonly ListEntry[];
  /** Per name variant: its entry, whether it is the primary name, and its tokens. */
  private readonly variantEntry: Int32Array;
  private readonly variantIsAlias: Uint8Array;
  private readonly variantText: string[];
  private readonly variantTokenStart: Int32Array;
  private readonly tokenNorm: Int32Array;
  /** Per variant, its heaviest token's weight (blocking pairs a query initial with it). */
  private readonly variantWeightMax: Float64Array;
  /** Interned normalised tokens and their keys. */
  private readonly norms: string[] = [];
  private readonly normKey: number[] = [];
  private readonly normInitial: boolean[] = [];
  private readonly normIds = new Map<string, number>();
  /** Interned keys: their text, idf and the variants holding them. */
  private readonly keys: string[] = [];
  private readonly keyIds = new Map<string, number>();
  /** consonantSkeleton() of each key, computed once. */
  private readonly keySkeletons: string[];
  /** The last query key pairTokens() took the skeleton of (it pairs one query token with many listed ones in a row). */
  private skeletonOf = { key: '', skeleton: '' };
  private readonly keyIdf: Float64Array;
  private readonly postings: Int32Array[];
  /** One-letter deletions of keys -> keys. */
  private readonly deletions = new Map<string, number[]>();
  private readonly unknownIdf: number;
  /**
   * One record of VARIANT_RECORD numbers per variant: the matched and paired weight blocking
   * accumulates (scratch, zero between screenings), the stamp of the query token that last
   * touched it, and its total token weight (fixed). Blocking touches all four for each listed
   * name it walks past, so they sit side by side: as four arrays over 80,000 names each access
   * was a cache miss of its own, and those misses were most of a screening's time.
   */
  private readonly variantRecords: Float64Array;
  /** nearKeys() of recent query keys: customers' names repeat the same tokens, whose near keys cost string slices and lookups. */
  private readonly nearKeysCache = new Map<string, Int32Array>();
  private stampCounter = 0;
  private readonly pairScratch = new Float64Array(NAME_TOKENS_MAX * NAME_TOKENS_MAX);

  constructor(entries: readonly ListEntry[]) {
    assert(entries.length <= ENTRIES_MAX, 'list entries within limit');
    this.entries = entries;
    const variantEntry: number[] = [];
    const variantIsAlias: number[] = [];
    this.variantText = [];
    const tokenStart: number[] = [];
    const tokenNorm: number[] = [];
    const keyVariants: number[][] = [];
    entries.forEach((entry, entryIndex) => {
      const seen = new Set<string>();
      [entry.name, ...entry.aliases].forEach((text, i) => {
        const tokens = tokenizeName(text);
        const signature = tokens.join(' ');
        if (tokens.length === 0 || seen.has(signature)) return;
        seen.add(signature);
        const variant = variantEntry.length;
        variantEntry.push(entryIndex);
        variantIsAlias.push(i === 0 ? 0 : 1);
        this.variantText.push(text);
        tokenStart.push(tokenNorm.length);
        const keysOfVariant = new Set<number>();
        for (const norm of tokens) {
          const normId = this.internNorm(norm);
          tokenNorm.push(normId);
          const keyId = this.normKey[normId] ?? -1;
          if (keyId >= 0 && !keysOfVariant.has(keyId)) {
            keysOfVariant.add(keyId);
            (keyVariants[keyId] ??= []).push(variant);
          }
        }
      });
    });
    tokenStart.push(tokenNorm.length);
    this.variantEntry = Int32Array.from(variantEntry);
    this.variantIsAlias = Uint8Array.from(variantIsAlias);
    this.variantTokenStart = Int32Array.from(tokenStart);
    this.tokenNorm = Int32Array.from(tokenNorm);
    const variants = variantEntry.length;
    this.keySkeletons = this.keys.map(consonantSkeleton);
    this.postings = this.keys.map((_, keyId) => Int32Array.from(keyVariants[keyId] ?? []));
    this.keyIdf = Float64Array.from(this.postings, (p) => Math.log(1 + variants / (1 + p.length)));
    this.unknownIdf = Math.log(1 + variants);
    this.variantRecords = new Float64Array(VARIANT_RECORD * variants);
    this.variantWeightMax = new Float64Array(variants);
    for (let v = 0; v < variants; v++) {
      let total = 0;
      let heaviest = 0;
      for (let t = this.variantTokenStart[v] ?? 0; t < (this.variantTokenStart[v + 1] ?? 0); t++) {
        const weight = this.normWeight(this.tokenNorm[t] ?? 0);
        total += weight;
        heaviest = Math.max(heaviest, weight);
      }
      this.variantRecords[VARIANT_RECORD * v + RECORD_WEIGHT] = total;
      this.variantWeightMax[v] = heaviest;
    }
    this.keys.forEach((key, keyId) => {
      if (key.length < DELETION_KEY_LENGTH_MIN) return;
      for (const d of oneLetterDeletions(key)) (this.deletions.get(d) ?? this.deletions.set(d, []).get(d))?.push(keyId);
    });
  }

  get size(): { entries: number; names: number; keys: number } {
    return { entries: this.entries.length, names: this.variantEntry.length, keys: this.keys.length };
  }

  /** Screens one name against the list. */
  screen(query: ScreeningQuery): ScreeningResult {
    assert(query.name.length <= NAME_LENGTH_MAX, 'screened name within limit');
    const tokens = normalizeName(query.name);
    if (tokens.length === 0) return { decision: 'clear', hits: [], model: SCREENING_MODEL.version };
    const weights = tokens.map((t) => (t.initial ? SCREENING_MODEL.initialWeight : this.keyWeight(t.key)));
    const queryWeight = weights.reduce((a, b) => a + b, 0);
    const candidates = this.block(tokens, weights, queryWeight);
    assert(candidates.length <= this.variantEntry.length, 'candidates are listed names');
    const caches = tokens.map(() => new Map<number, number>());
    const best = new Map<number, { variant: number; score: number }>();
    for (const variant of candidates) {
      const score = this.scoreVariant(tokens, weights, queryWeight, variant, caches);
      if (score < NAME_SCORE_WORTH_EVIDENCE) continue;
      const entry = this.variantEntry[variant] ?? -1;
      const previous = best.get(entry);
      if (!previous || score > previous.score) best.set(entry, { variant, score });
    }
    const hits: ScreeningHit[] = [];
    for (const [entryIndex, { variant, score }] of best) {
      const entry = this.entries[entryIndex];
      assert(entry !== undefined, 'a variant belongs to an entry');
      const dateOfBirth = dateOfBirthEvidence(query.dateOfBirth, entry.birthDates);
      const country = countryEvidence(query.country, entry.countries);
      const adjusted = score + evidenceAdjustment(dateOfBirth, country);
      const final = round3(Math.min(1, Math.max(0, adjusted)));
      if (final < SCREENING_MODEL.matchThreshold) continue;
      const pairs: Pair[] = [];
      this.scoreVariant(tokens, weights, queryWeight, variant, caches, pairs);
      hits.push(this.explain(tokens, entry, variant, round3(score), final, pairs, dateOfBirth, country));
    }
    hits.sort((a, b) => b.score - a.score || a.entryId.localeCompare(b.entryId));
    const kept = hits.slice(0, HITS_MAX);
    const decision = kept.some((h) => h.decision === 'blocked') ? 'blocked' : kept.length > 0 ? 'review' : 'clear';
    return { decision, hits: kept, model: SCREENING_MODEL.version };
  }

  private internNorm(norm: string): number {
    const existing = this.normIds.get(norm);
    if (existing !== undefined) return existing;
    const id = this.norms.length;
    const initial = norm.length === 1;
    this.norms.push(norm);
    this.normInitial.push(initial);
    this.normIds.set(norm, id);
    if (initial) {
      this.normKey.push(-1);
    } else {
      const key = transliterationKey(norm);
      let keyId = this.keyIds.get(key);
      if (keyId === undefined) {
        keyId = this.keys.length;
        this.keys.push(key);
        this.keyIds.set(key, keyId);
      }
      this.normKey.push(keyId);
    }
    return id;
  }

  private normWeight(normId: number): number {
    const keyId = this.normKey[normId] ?? -1;
    return keyId < 0 ? SCREENING_MODEL.initialWeight : (this.keyIdf[keyId] ?? this.unknownIdf);
  }

  private keyWeight(key: string): number {
    const keyId = this.keyIds.get(key);
    return keyId === undefined ? this.unknownIdf : (this.keyIdf[keyId] ?? this.unknownIdf);
  }

  /** nearKeys(), remembered for the most recent NEAR_KEYS_CACHED query keys (ascending key ids). */
  private cachedNearKeys(key: string): Int32Array {
    const cached = this.nearKeysCache.get(key);
    if (cached) return cached;
    if (this.nearKeysCache.size >= NEAR_KEYS_CACHED) this.nearKeysCache.clear();
    const near = Int32Array.from(this.nearKeys(key));
    this.nearKeysCache.set(key, near);
    return near;
  }

  /** Keys within one edit of `key` (itself included when listed). */
  private nearKeys(key: string): Set<number> {
    const near = new Set<number>();
    const exact = this.keyIds.get(key);
    if (exact !== undefined) near.add(exact);
    if (key.length >= DELETION_KEY_LENGTH_MIN - 1) for (const k of this.deletions.get(key) ?? []) near.add(k);
    if (key.length >= DELETION_KEY_LENGTH_MIN) {
      for (const d of oneLetterDeletions(key)) {
        const shorter = this.keyIds.get(d);
        if (shorter !== undefined) near.add(shorter);
        for (const k of this.deletions.get(d) ?? []) near.add(k);
      }
    }
    return near;
  }

  /**
   * Blocking: the variants sharing a transliteration key (or one within one edit) with a query
   * token, kept only when the best score their shared tokens could give reaches
   * NAME_SCORE_WORTH_EVIDENCE. The bound treats every shared key as a perfect pair (a near key
   * as the best fuzzy pair), every query initial as pairing with the variant's heaviest token,
   * and everything else as unpaired, so it never prunes a name that scoring would keep — except
   * a token more than one edit from every listed key, which blocking cannot see.
   */
  private block(tokens: readonly NameToken[], weights: readonly number[], queryWeight: number): number[] {
    const touched: number[] = [];
    const m = SCREENING_MODEL;
    const { variantRecords: records, postings, keyIdf, variantWeightMax } = this;
    let initials = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as NameToken;
      if (token.initial) {
        initials++;
        continue;
      }
      const stampValue = ++this.stampCounter;
      const weight = weights[i] ?? 0;
      const exact = this.keyIds.get(token.key);
      const near = this.cachedNearKeys(token.key);
      // The near keys in the order nearKeys() found them: a variant holding two of them takes the first one's weight.
      for (let k = 0; k < near.length; k++) {
        const keyId = near[k] as number;
        const posting = postings[keyId];
        if (!posting) continue;
        const pairWeight = weight + (keyIdf[keyId] ?? 0);
        const matchedWeight = (keyId === exact ? m.token.exact : m.token.textFuzzyFactor) * pairWeight;
        for (let p = 0; p < posting.length; p++) {
          const v = posting[p] as number;
          const at = VARIANT_RECORD * v;
          if (records[at + RECORD_STAMP] === stampValue) continue;
          records[at + RECORD_STAMP] = stampValue;
          const paired = records[at + RECORD_PAIRED] as number;
          if (paired === 0) touched.push(v);
          records[at + RECORD_MATCHED] = (records[at + RECORD_MATCHED] as number) + matchedWeight;
          records[at + RECORD_PAIRED] = paired + pairWeight;
        }
      }
    }
    if (this.stampCounter > STAMP_MAX) {
      for (let at = RECORD_STAMP; at < records.length; at += VARIANT_RECORD) records[at] = 0;
      this.stampCounter = 0;
    }
    const candidates: number[] = [];
    for (let t = 0; t < touched.length; t++) {
      const v = touched[t] as number;
      const at = VARIANT_RECORD * v;
      // Query initials pair with the variant's heaviest token at best (read only when the query has initials).
      const initialWeight = initials === 0 ? 0 : initials * (m.initialWeight + (variantWeightMax[v] as number));
      const matched = (records[at + RECORD_MATCHED] as number) + m.token.initial * initialWeight;
      const paired = (records[at + RECORD_PAIRED] as number) + initialWeight;
      const unpaired = Math.max(0, queryWeight + (records[at + RECORD_WEIGHT] as number) - paired);
      if (matched / (paired + m.unmatchedWeightFactor * unpaired) >= NAME_SCORE_WORTH_EVIDENCE) candidates.push(v);
      records[at + RECORD_MATCHED] = 0;
      records[at + RECORD_PAIRED] = 0;
    }
    return candidates;
  }

  /**
   * The name score of one listed name variant. Tokens pair greedily, best pair first (ties by
   * position, so the result is deterministic); `chosen`, when given, receives the pairs.
   */
  private scoreVariant(
    tokens: readonly NameToken[],
    weights: readonly number[],
    queryWeight: number,
    variant: number,
    caches: readonly Map<number, number>[],
    chosen?: Pair[],
  ): number {
    const start = this.variantTokenStart[variant] ?? 0;
    const listedCount = (this.variantTokenStart[variant + 1] ?? 0) - start;
    const queryCount = tokens.length;
    const matrix = this.pairScratch;
    for (let q = 0; q < queryCount; q++) {
      const cache = caches[q] as Map<number, number>;
      for (let c = 0; c < listedCount; c++) {
        const normId = this.tokenNorm[start + c] ?? 0;
        let encoded = cache.get(normId);
        if (encoded === undefined) {
          encoded = this.pairTokens(tokens[q] as NameToken, normId);
          cache.set(normId, encoded);
        }
        matrix[q * NAME_TOKENS_MAX + c] = encoded;
      }
    }
    const total = queryWeight + (this.variantRecords[VARIANT_RECORD * variant + RECORD_WEIGHT] ?? 0);
    let matched = 0;
    let paired = 0;
    let usedQ = 0;
    let usedC = 0;
    for (let round = 0; round < Math.min(queryCount, listedCount); round++) {
      let bestScore = 0;
      let bestQ = -1;
      let bestC = -1;
      for (let q = 0; q < queryCount; q++) {
        if (usedQ & (1 << q)) continue;
        for (let c = 0; c < listedCount; c++) {
          if (usedC & (1 << c)) continue;
          const score = scoreOf(matrix[q * NAME_TOKENS_MAX + c] ?? -1);
          if (score > bestScore) {
            bestScore = score;
            bestQ = q;
            bestC = c;
          }
        }
      }
      if (bestQ < 0) break;
      usedQ |= 1 << bestQ;
      usedC |= 1 << bestC;
      const pairWeight = (weights[bestQ] ?? 0) + this.normWeight(this.tokenNorm[start + bestC] ?? 0);
      matched += bestScore * pairWeight;
      paired += pairWeight;
      chosen?.push({ q: bestQ, c: bestC, score: bestScore, how: kindOf(matrix[bestQ * NAME_TOKENS_MAX + bestC] ?? 0) });
    }
    // Weighted Dice over both names, where a token without a counterpart weighs only
    // `unmatchedWeightFactor`: a missing middle name lowers the score without sinking it.
    const score = matched / (paired + SCREENING_MODEL.unmatchedWeightFactor * (total - paired));
    assert(score >= 0 && score <= 1.000001, 'a name score lies in [0, 1]');
    return score;
  }

  /** Similarity of a query token and a listed token, encoded with its kind (see `encodePair`); -1 when they do not pair. */
  private pairTokens(token: NameToken, normId: number): number {
    const m = SCREENING_MODEL.token;
    const listed = this.norms[normId] ?? '';
    if (token.norm === listed) return encodePair(m.exact, 'exact');
    const listedInitial = this.normInitial[normId] ?? false;
    if (token.initial || listedInitial) return token.norm[0] === listed[0] ? encodePair(m.initial, 'initial') : -1;
    const listedKey = this.keys[this.normKey[normId] ?? -1] ?? '';
    const textEdits = distance(token.norm, listed);
    const textLength = Math.max(token.norm.length, listed.length);
    // A short key says little on its own ("Said" and "Saad" share one): the texts must agree too.
    const keyTrusted = listedKey.length >= m.keyFuzzyMinLength || textEdits / textLength <= m.shortKeyEditShareMax;
    if (token.key === listedKey && keyTrusted) return encodePair(m.key, 'transliteration');
    let best = Math.max(0, 1 - (2 * textEdits) / textLength) * m.textFuzzyFactor;
    if (token.key.length >= m.keyFuzzyMinLength && listedKey.length >= m.keyFuzzyMinLength) {
      if (this.skeletonOf.key !== token.key) this.skeletonOf = { key: token.key, skeleton: consonantSkeleton(token.key) };
      if (this.skeletonOf.skeleton === this.keySkeletons[this.normKey[normId] ?? -1]) return encodePair(m.vowels, 'fuzzy');
      best = Math.max(best, strictSimilarity(token.key, listedKey) * m.keyFuzzyFactor);
    }
    return best >= m.min ? encodePair(best, 'fuzzy') : -1;
  }

  private explain(
    tokens: readonly NameToken[],
    entry: ListEntry,
    variant: number,
    nameScore: number,
    score: number,
    pairs: readonly Pair[],
    dateOfBirth: DateOfBirthEvidence,
    country: CountryEvidence,
  ): ScreeningHit {
    const start = this.variantTokenStart[variant] ?? 0;
    const end = this.variantTokenStart[variant + 1] ?? 0;
    const listedTokens: string[] = [];
    for (let t = start; t < end; t++) listedTokens.push(this.norms[this.tokenNorm[t] ?? 0] ?? '');
    const usedQ = new Set(pairs.map((p) => p.q));
    const usedC = new Set(pairs.map((p) => p.c));
    const blocked = entry.kind === 'sanction' && score >= SCREENING_MODEL.blockThreshold;
    return {
      entryId: entry.id,
      source: entry.source,
      kind: entry.kind,
      schema: entry.schema,
      listedName: entry.name,
      matchedName: this.variantText[variant] ?? entry.name,
      matchedField: this.variantIsAlias[variant] === 1 ? 'alias' : 'name',
      score,
      nameScore,
      tokens: [...pairs]
        .sort((a, b) => a.q - b.q)
        .map((p) => ({ query: tokens[p.q]?.norm ?? '', listed: listedTokens[p.c] ?? '', how: p.how, score: round3(p.score) })),
      unmatchedQueryTokens: tokens.filter((_, i) => !usedQ.has(i)).map((t) => t.norm),
      unmatchedListedTokens: listedTokens.filter((_, i) => !usedC.has(i)),
      dateOfBirth,
      country,
      programs: entry.programs,
      decision: blocked ? 'blocked' : 'review',
    };
  }
}

/** Below this name score no evidence can lift a name to the match threshold. */
const NAME_SCORE_WORTH_EVIDENCE = SCREENING_MODEL.matchThreshold - SCREENING_MODEL.dateOfBirth.match - SCREENING_MODEL.country.match;

const PAIR_KINDS: readonly TokenMatchKind[] = ['exact', 'transliteration', 'fuzzy', 'initial'];

/** A pair's score in [0, 1] and its kind in one number: kind index * 2 + score. */
function encodePair(score: number, how: TokenMatchKind): number {
  return PAIR_KINDS.indexOf(how) * 2 + score;
}

function scoreOf(encoded: number): number {
  return encoded < 0 ? 0 : encoded - Math.floor(encoded / 2) * 2;
}

function kindOf(encoded: number): TokenMatchKind {
  return PAIR_KINDS[Math.floor(encoded / 2)] ?? 'fuzzy';
}

/** A key without its vowels after the first letter: what is left when only vowel placement differs. */
function consonantSkeleton(key: string): string {
  return key[0] + key.slice(1).replaceAll('a', '');
}

/** 1 - 2 * editDistance / length: one edit in a ten-letter name leaves 0.8, two leave 0.6. */
function strictSimilarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : Math.max(0, 1 - (2 * distance(a, b)) / longest);
}

function* oneLetterDeletions(key: string): Generator<string> {
  let previous = '';
  for (let i = 0; i < key.length; i++) {
    const d = key.slice(0, i) + key.slice(i + 1);
    if (d !== previous) yield d;
    previous = d;
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** How a date of birth compares with a list's (possibly partial) dates of birth. */
export function dateOfBirthEvidence(dateOfBirth: string | undefined, listed: readonly string[]): DateOfBirthEvidence {
  if (!dateOfBirth || listed.length === 0) return 'unknown';
  let best: DateOfBirthEvidence = 'mismatch';
  for (const date of listed) {
    if (dateOfBirth === date) return 'match';
    if (dateOfBirth.startsWith(date)) best = 'year';
    else if (best === 'mismatch' && Math.abs(Number(dateOfBirth.slice(0, 4)) - Number(date.slice(0, 4))) <= 1) best = 'near';
  }
  return best;
}

export function countryEvidence(country: string | undefined, listed: readonly string[]): CountryEvidence {
  if (!country || listed.length === 0) return 'unknown';
  return listed.includes(country.toLowerCase()) ? 'match' : 'mismatch';
}

function evidenceAdjustment(dateOfBirth: DateOfBirthEvidence, country: CountryEvidence): number {
  const d = SCREENING_MODEL.dateOfBirth;
  const c = SCREENING_MODEL.country;
  const dob = dateOfBirth === 'match' ? d.match : dateOfBirth === 'year' ? d.year : dateOfBirth === 'mismatch' ? d.mismatch : 0;
  const place = country === 'match' ? c.match : country === 'mismatch' ? c.mismatch : 0;
  return dob + place;
}
