// One entry of a sanctions or PEP list, whatever file it came from, and the helpers the parsers
// share: partial dates of birth, country names to ISO codes, and a content fingerprint that
// tells a daily re-screen which entries a new list version added or changed.
import { createHash } from 'node:crypto';
import { canonicalJson } from '@bulwark/shared-contracts';
import type { ListKind, ListSchema, ListSource } from './screening.views.js';

export const ALIASES_PER_ENTRY_MAX = 64;
export const DATES_PER_ENTRY_MAX = 16;

export interface ListEntry {
  /** Unique across sources: `opensanctions:<id>` or `ofac-sdn:<ent_num>`. */
  readonly id: string;
  readonly source: ListSource;
  readonly kind: ListKind;
  readonly schema: ListSchema;
  readonly name: string;
  readonly aliases: readonly string[];
  /** ISO 8601, possibly partial: `1954`, `1954-11`, `1954-11-26`. */
  readonly birthDates: readonly string[];
  /** ISO 3166-1 alpha-2, lower case. */
  readonly countries: readonly string[];
  readonly programs: readonly string[];
}

/** A stable hash of what screening uses of an entry: equal fingerprints, equal screening outcome. */
export function entryFingerprint(entry: ListEntry): string {
  const { id, source, kind, schema, name, aliases, birthDates, countries, programs } = entry;
  const canonical = canonicalJson({
    id, source, kind, schema, name,
    aliases: [...aliases].sort(), birthDates: [...birthDates].sort(), countries: [...countries].sort(), programs: [...programs].sort(),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** Keeps `YYYY`, `YYYY-MM` or `YYYY-MM-DD` when it is a real calendar date; undefined otherwise. */
export function partialDate(text: string): string | undefined {
  const m = PARTIAL_DATE.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  if (year < 1850 || year > 2100) return undefined;
  if (m[2] === undefined) return m[1];
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  if (m[3] === undefined) return `${m[1]}-${m[2]}`;
  const day = Number(m[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Country names as lists spell them -> ISO alpha-2, from ICU's English region names plus the lists' own spellings. */
const COUNTRY_BY_NAME: ReadonlyMap<string, string> = (() => {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const map = new Map<string, string>();
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      const name = names.of(code);
      if (!name || name === code) continue;
      map.set(countryText(name), code.toLowerCase());
      const plain = name.replace(/\s*\(.*\)$/, '');
      if (plain !== name) map.set(countryText(plain), code.toLowerCase());
    }
  }
  const extra: Record<string, string> = {
    burma: 'mm', 'korea north': 'kp', 'north korea': 'kp', 'korea south': 'kr', 'south korea': 'kr', 'korea republic of': 'kr',
    'korea democratic peoples republic of': 'kp', iran: 'ir', 'iran islamic republic of': 'ir', russia: 'ru', 'russian federation': 'ru',
    syria: 'sy', 'syrian arab republic': 'sy', 'congo democratic republic of the': 'cd', 'democratic republic of the congo': 'cd',
    'congo republic of the': 'cg', 'cote divoire': 'ci', 'ivory coast': 'ci', 'west bank': 'ps', gaza: 'ps', palestinian: 'ps', palestine: 'ps',
    'united states': 'us', usa: 'us', 'united kingdom': 'gb', uk: 'gb', 'the bahamas': 'bs', 'the gambia': 'gm', laos: 'la', vietnam: 'vn',
    'viet nam': 'vn', 'czech republic': 'cz', macedonia: 'mk', turkey: 'tr', 'turkiye': 'tr', 'sri lanka': 'lk', ceylon: 'lk', 'uae': 'ae',
  };
  for (const [name, code] of Object.entries(extra)) map.set(name, code);
  return map;
})();

function countryText(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’'.]/g, '')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** ISO alpha-2 (lower case) of a country as a list writes it, or undefined when unknown. */
export function countryCode(name: string): string | undefined {
  const text = countryText(name);
  if (/^[a-z]{2}$/.test(text) && name.trim().length === 2) return text;
  return COUNTRY_BY_NAME.get(text);
}

/** Splits a multi-valued OpenSanctions cell; trims and drops empties and duplicates. */
export function splitMulti(cell: string | undefined, separator = ';'): string[] {
  if (!cell) return [];
  return [...new Set(cell.split(separator).map((v) => v.trim()).filter((v) => v.length > 0))];
}
