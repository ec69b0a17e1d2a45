// Name normalisation for sanctions screening: pure, deterministic, no I/O.
//
// A name becomes a list of tokens, each with
//   - `norm`: ASCII, lower case, diacritics removed ("Muḥammad" -> "muhammad"), and
//   - `key`:  a transliteration key that folds the spelling variants Arabic, Sinhala and Tamil
//             names acquire in Latin script (Mohammed/Muhammad/Mohamed -> "mahamat",
//             Wickremesinghe/Wickramasinghe/Vickramasinghe -> "vakramasanka",
//             Prabhakaran/Pirapakaran -> "parapakaran" / "prapakaran" within one edit).
// Before keying, name particles (al-, bin, ibn, ...), honorifics and legal forms are dropped,
// "Abd al-X" / "Abdul X" / "Abdelx" become "abdul" + "x", "-uddin" / "ad-Din" suffixes split
// off, and common abbreviations (Mohd, Md) expand. Token order is kept (it carries no weight
// in matching, but explanations show the tokens as written).
import { assert } from '@bulwark/shared-contracts';

export const NAME_LENGTH_MAX = 512;
export const NAME_TOKENS_MAX = 16;

export interface NameToken {
  /** The token as normalised text (ASCII, lower case). */
  readonly norm: string;
  /** The transliteration key (see the file comment); '' for an initial. */
  readonly key: string;
  /** A single letter: matches any token with that first letter, weakly. */
  readonly initial: boolean;
}

/** Articles and kinship particles that carry no identity of their own. */
const PARTICLES = new Set([
  'al', 'el', 'ul', 'il', 'ad', 'ud', 'ed', 'as', 'us', 'es', 'ash', 'at', 'ut', 'az', 'ar', 'ur', 'an', 'un', 'ag', 'ak',
  'bin', 'ibn', 'ben', 'bint', 'binti', 'binte', 'ould', 'walad',
  'van', 'von', 'der', 'den', 'de', 'del', 'della', 'da', 'di', 'du', 'dos', 'das', 'la', 'le', 'y',
]);

/** Honorifics and titles: not part of who someone is. */
const HONORIFICS = new Set([
  'mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'sir', 'rev', 'hon', 'sheikh', 'shaikh', 'shaykh', 'sheik', 'haji', 'hajji', 'hadji', 'alhaj', 'alhaji',
]);

/** Legal forms of organisations. */
const LEGAL_FORMS = new Set([
  'ltd', 'limited', 'llc', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'pvt', 'private', 'plc', 'sa', 'gmbh', 'ag',
  'jsc', 'ojsc', 'pjsc', 'cjsc', 'llp', 'lp', 'fze', 'fzco', 'sarl', 'bv', 'nv', 'spa', 'srl', 'oao', 'ooo', 'zao',
]);

/** Abbreviations written in place of a full name element. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  mohd: 'mohammed', muhd: 'mohammed', mhd: 'mohammed', md: 'mohammed', mohamad: 'mohammed',
  abd: 'abdul', abdu: 'abdul', abdel: 'abdul', abdal: 'abdul', abdol: 'abdul', abdur: 'abdul', abdus: 'abdul', abdulla: 'abdullah',
  abdallah: 'abdullah', abdalla: 'abdullah', abdollah: 'abdullah',
};

const ABD_ALLAH = /^abd[aeiou]?l{1,2}ah?$/;
const ABD_PREFIXED = /^abd(?:u|e|a|o)?(?:l|r|s|n|z|t|d)?(?:-)?([a-z]{3,})$/;
const DIN_SUFFIXED = /^([a-z]{3,}?)(?:ud|ad|ed|od|ul|al|el|uz|az)?d?din+e?$/;

/** Letters with no Unicode decomposition to ASCII that still appear in romanised names. */
const FOLD: Readonly<Record<string, string>> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i', ħ: 'h', ŧ: 't', ŋ: 'ng',
  ʿ: '', ʾ: '', ʼ: '', '‘': '', '’': '', "'": '', '`': '', '´': '',
};

const ASCII = /^\p{ASCII}*$/u;

/** ASCII lower case with diacritics removed; anything but letters and digits becomes a space. */
export function foldText(text: string): string {
  assert(text.length <= NAME_LENGTH_MAX * 4, 'name text within limit');
  // Most names are ASCII already: nothing to decompose, and of FOLD only the apostrophes apply.
  if (ASCII.test(text)) return text.toLowerCase().replace(/['`]/g, '').replace(/[^a-z0-9]/g, ' ');
  const lowered = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  let out = '';
  for (const ch of lowered) {
    const folded = FOLD[ch];
    if (folded !== undefined) out += folded;
    else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) out += ch;
    else out += ' ';
  }
  return out;
}

/** Splits a name into normalised tokens (particles, titles and legal forms removed). */
export function tokenizeName(name: string): string[] {
  const words = foldText(name.slice(0, NAME_LENGTH_MAX)).split(' ').filter((w) => w.length > 0 && !/^\d+$/.test(w));
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    let word = words[i] ?? '';
    if (HONORIFICS.has(word) || LEGAL_FORMS.has(word)) continue;
    word = ABBREVIATIONS[word] ?? word;
    if (word === 'abdul') {
      // "Abd al-Rahman", "Abd Allah": the article belongs to the compound.
      let next = words[i + 1];
      if (next !== undefined && PARTICLES.has(next)) {
        i++;
        next = words[i + 1];
      }
      if (next !== undefined && /^[au]?ll?ah?$/.test(next)) {
        i++;
        out.push('abdullah');
      } else {
        out.push('abdul');
      }
      continue;
    }
    if (PARTICLES.has(word) && words.length > 1) continue;
    if (ABD_ALLAH.test(word)) {
      out.push('abdullah');
      continue;
    }
    const abd = word.length >= 7 ? ABD_PREFIXED.exec(word) : null;
    if (abd?.[1]) {
      out.push('abdul', stripLeadingDouble(abd[1]));
      continue;
    }
    const din = word.length >= 7 ? DIN_SUFFIXED.exec(word) : null;
    if (din?.[1]) {
      out.push(din[1], 'din');
      continue;
    }
    out.push(word);
  }
  return out.slice(0, NAME_TOKENS_MAX);
}

function stripLeadingDouble(word: string): string {
  return word.length > 3 && word[0] === word[1] ? word.slice(1) : word;
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/**
 * The transliteration key of one normalised token:
 *   digraphs    ph->f, bh dh th kh gh jh -> b d t k g j, sh->s, zh->l (Tamil ழ), ck->k, q->k, x->ks
 *   soft c      c before e/i/y -> s, other c -> k
 *   merges      w->v; voicing pairs b/p, d/t, g/k fold to p, t, k (Tamil script does not write voicing)
 *   vowels      every run of vowels (y included, except a leading y) becomes one 'a'
 *   h           dropped after a vowel when not followed by one ("Abdullah" = "Abdulla")
 *   doubles     repeated letters collapse
 */
export function transliterationKey(norm: string): string {
  assert(norm.length > 0, 'a token has letters');
  let s = norm
    .replace(/ph/g, 'f')
    .replace(/([bdtkgj])h/g, '$1')
    .replace(/sh/g, 's')
    .replace(/zh/g, 'l')
    .replace(/ck/g, 'k')
    .replace(/q/g, 'k')
    .replace(/x/g, 'ks')
    .replace(/c(?=[eiy])/g, 's')
    .replace(/ch/g, 'C')
    .replace(/c/g, 'k')
    .replace(/C/g, 'c')
    .replace(/w/g, 'v')
    .replace(/b/g, 'p')
    .replace(/d/g, 't')
    .replace(/g/g, 'k');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    const vowel = VOWELS.has(ch) && !(ch === 'y' && i === 0);
    if (vowel) {
      if (!out.endsWith('a')) out += 'a';
      continue;
    }
    if (ch === 'h') {
      const prevVowel = out.endsWith('a');
      const next = s[i + 1];
      const nextVowel = next !== undefined && VOWELS.has(next);
      if (prevVowel && !nextVowel) continue;
    }
    if (out.endsWith(ch)) continue;
    out += ch;
  }
  s = out;
  assert(s.length > 0, 'a key has letters');
  return s;
}

/** Tokens whose keys normalizeName() remembers (names repeat the same tokens; the cache empties when full). */
const KEYS_CACHED = 65_536;
const keyCache = new Map<string, string>();

function cachedTransliterationKey(norm: string): string {
  let key = keyCache.get(norm);
  if (key === undefined) {
    if (keyCache.size >= KEYS_CACHED) keyCache.clear();
    key = transliterationKey(norm);
    keyCache.set(norm, key);
  }
  return key;
}

/** A name as screening compares it. */
export function normalizeName(name: string): NameToken[] {
  return tokenizeName(name).map((norm) =>
    norm.length === 1 ? { norm, key: '', initial: true } : { norm, key: cachedTransliterationKey(norm), initial: false },
  );
}
