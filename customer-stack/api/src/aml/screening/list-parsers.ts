// Parsers for the published list files, streaming so a full download never sits in memory:
//   - OpenSanctions `targets.simple.csv`: a header row, then one target per row; multi-valued
//     cells separated by ';' (https://www.opensanctions.org/docs/bulk/csv/).
//   - OFAC SDN legacy CSV: `sdn.csv` (12 columns) and `alt.csv` (5 columns), no header row,
//     fields quoted, null written as `-0-`, a trailing Ctrl-Z line; dates of birth, places of
//     birth and nationalities live in free-text Remarks (`DOB 26 Nov 1954; POB Jaffna, Sri Lanka`).
// A malformed file (wrong header, wrong column count) is refused with its line number; a row
// without a name is skipped and counted, never silently lost.
import { Readable } from 'node:stream';
import { parse, type Options } from 'csv-parse';
import {
  ALIASES_PER_ENTRY_MAX, DATES_PER_ENTRY_MAX, countryCode, partialDate, splitMulti,
  type ListEntry,
} from './list-entry.js';
import type { ListSchema } from './screening.views.js';

export const LIST_ROWS_MAX = 5_000_000;
const RECORD_BYTES_MAX = 1_000_000;

export class ListFormatError extends Error {
  override readonly name = 'ListFormatError';
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file} line ${line}: ${detail}`);
  }
}

export interface ParseStats {
  rows: number;
  entries: number;
  skipped: number;
}

type Input = Readable | string;

function records<T>(input: Input, options: Options): AsyncIterable<T> {
  const source = typeof input === 'string' ? Readable.from([input]) : input;
  return source.pipe(parse({ bom: true, max_record_size: RECORD_BYTES_MAX, info: true, ...options })) as AsyncIterable<T>;
}

interface Info {
  lines: number;
}

// ---------------------------------------------------------------- OpenSanctions

const OPENSANCTIONS_REQUIRED = ['id', 'schema', 'name', 'aliases', 'birth_date', 'countries', 'sanctions', 'dataset'] as const;

const OPENSANCTIONS_SCHEMA: Readonly<Record<string, ListSchema>> = {
  Person: 'person', Organization: 'organization', Company: 'organization', LegalEntity: 'organization', PublicBody: 'organization',
  Vessel: 'vessel', Airplane: 'aircraft',
};

/** Streams the entries of an OpenSanctions `targets.simple.csv` (with or without its `program_ids` column). */
export async function* readOpenSanctions(input: Input, stats: ParseStats = { rows: 0, entries: 0, skipped: 0 }): AsyncGenerator<ListEntry> {
  let header: string[] | undefined;
  for await (const { record, info } of records<{ record: string[]; info: Info }>(input, { relax_column_count: true })) {
    if (!header) {
      header = record.map((h) => h.trim());
      const missing = OPENSANCTIONS_REQUIRED.filter((c) => !header?.includes(c));
      if (missing.length > 0) throw new ListFormatError('targets.simple.csv', info.lines, `missing column(s) ${missing.join(', ')}`);
      continue;
    }
    if (record.length !== header.length) {
      throw new ListFormatError('targets.simple.csv', info.lines, `expected ${header.length} fields, found ${record.length}`);
    }
    stats.rows++;
    if (stats.rows > LIST_ROWS_MAX) throw new ListFormatError('targets.simple.csv', info.lines, `more than ${LIST_ROWS_MAX} rows`);
    const row = Object.fromEntries(header.map((h, i) => [h, record[i] ?? '']));
    const id = (row.id ?? '').trim();
    const name = (row.name ?? '').trim();
    if (!id || !name) {
      stats.skipped++;
      continue;
    }
    const programs = splitMulti(row.program_ids);
    stats.entries++;
    yield {
      id: `opensanctions:${id}`,
      source: 'opensanctions',
      kind: splitMulti(row.sanctions).length > 0 ? 'sanction' : 'pep',
      schema: OPENSANCTIONS_SCHEMA[(row.schema ?? '').trim()] ?? 'other',
      name,
      aliases: splitMulti(row.aliases).filter((a) => a !== name).slice(0, ALIASES_PER_ENTRY_MAX),
      birthDates: splitMulti(row.birth_date).flatMap((d) => partialDate(d) ?? []).slice(0, DATES_PER_ENTRY_MAX),
      countries: splitMulti(row.countries).filter((c) => /^[a-z]{2}$/.test(c)),
      programs: programs.length > 0 ? programs : splitMulti(row.dataset),
    };
  }
  if (!header) throw new ListFormatError('targets.simple.csv', 0, 'empty file');
}

// ---------------------------------------------------------------- OFAC SDN

const SDN_COLUMNS = 12;
const ALT_COLUMNS = 5;
const CTRL_Z = '\u001a';

function ofacValue(field: string | undefined): string {
  const value = (field ?? '').trim();
  return value === '-0-' ? '' : value;
}

function isTrailer(record: readonly string[]): boolean {
  return record.length === 1 && (record[0] ?? '').trim().replaceAll(CTRL_Z, '') === '';
}

export interface OfacAlias {
  readonly type: string;
  readonly name: string;
}

/** Reads `alt.csv` into aliases by entity number. */
export async function readOfacAliases(input: Input): Promise<Map<string, OfacAlias[]>> {
  const aliases = new Map<string, OfacAlias[]>();
  for await (const { record, info } of records<{ record: string[]; info: Info }>(input, { relax_column_count: true })) {
    if (isTrailer(record)) continue;
    if (record.length !== ALT_COLUMNS) throw new ListFormatError('alt.csv', info.lines, `expected ${ALT_COLUMNS} fields, found ${record.length}`);
    const entNum = ofacValue(record[0]);
    const name = ofacValue(record[3]);
    if (!/^\d+$/.test(entNum)) throw new ListFormatError('alt.csv', info.lines, 'ent_num is not a number');
    if (!name) continue;
    const list = aliases.get(entNum) ?? [];
    if (list.length < ALIASES_PER_ENTRY_MAX) list.push({ type: ofacValue(record[2]), name });
    aliases.set(entNum, list);
  }
  return aliases;
}

const SDN_SCHEMA: Readonly<Record<string, ListSchema>> = { individual: 'person', vessel: 'vessel', aircraft: 'aircraft', '': 'organization' };

/** Streams the entries of `sdn.csv`, joined with the aliases read from `alt.csv`. */
export async function* readOfacSdn(
  input: Input,
  aliases: ReadonlyMap<string, readonly OfacAlias[]>,
  stats: ParseStats = { rows: 0, entries: 0, skipped: 0 },
): AsyncGenerator<ListEntry> {
  for await (const { record, info } of records<{ record: string[]; info: Info }>(input, { relax_column_count: true })) {
    if (isTrailer(record)) continue;
    if (record.length !== SDN_COLUMNS) throw new ListFormatError('sdn.csv', info.lines, `expected ${SDN_COLUMNS} fields, found ${record.length}`);
    stats.rows++;
    if (stats.rows > LIST_ROWS_MAX) throw new ListFormatError('sdn.csv', info.lines, `more than ${LIST_ROWS_MAX} rows`);
    const entNum = ofacValue(record[0]);
    if (!/^\d+$/.test(entNum)) throw new ListFormatError('sdn.csv', info.lines, 'ent_num is not a number');
    const name = ofacValue(record[1]);
    if (!name) {
      stats.skipped++;
      continue;
    }
    const type = ofacValue(record[2]).toLowerCase();
    const remarks = ofacValue(record[11]);
    const vesselFlag = countryCode(ofacValue(record[9]));
    const countries = new Set(remarkCountries(remarks));
    if (vesselFlag) countries.add(vesselFlag);
    stats.entries++;
    yield {
      id: `ofac-sdn:${entNum}`,
      source: 'ofac-sdn',
      kind: 'sanction',
      schema: SDN_SCHEMA[type] ?? 'other',
      name,
      aliases: (aliases.get(entNum) ?? []).map((a) => a.name).filter((a) => a !== name),
      birthDates: remarkBirthDates(remarks).slice(0, DATES_PER_ENTRY_MAX),
      countries: [...countries],
      programs: ofacValue(record[3]).split(/\]\s*\[/).map((p) => p.replace(/[[\]]/g, '').trim()).filter((p) => p.length > 0),
    };
  }
}

const MONTHS: Readonly<Record<string, string>> = {
  jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06', jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12',
};
const YEAR_RANGE_MAX = 10;

/** Dates of birth in OFAC remarks: `DOB 26 Nov 1954`, `DOB Nov 1954`, `DOB 1954`, `DOB circa 1954`, `DOB 1960 to 1962`. */
export function remarkBirthDates(remarks: string): string[] {
  const out: string[] = [];
  for (const m of remarks.matchAll(/\bDOB\s+([^;]+)/g)) {
    const text = (m[1] ?? '').replace(/\bcirca\b/i, '').trim();
    const range = /^(\d{4})\s+to\s+(\d{4})$/.exec(text);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      for (let y = from; y <= to && y - from < YEAR_RANGE_MAX; y++) out.push(String(y));
      continue;
    }
    const full = /^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})/.exec(text);
    const monthYear = /^([A-Za-z]{3})[a-z]*\s+(\d{4})/.exec(text);
    const year = /^(\d{4})\b/.exec(text);
    let iso: string | undefined;
    if (full) iso = partialDate(`${full[3]}-${MONTHS[(full[2] ?? '').toLowerCase()] ?? '00'}-${(full[1] ?? '').padStart(2, '0')}`);
    else if (monthYear) iso = partialDate(`${monthYear[2]}-${MONTHS[(monthYear[1] ?? '').toLowerCase()] ?? '00'}`);
    else if (year) iso = partialDate(year[1] ?? '');
    if (iso && !out.includes(iso)) out.push(iso);
  }
  return out;
}

/** Countries in OFAC remarks: nationality, citizenship and the country of a place of birth. */
export function remarkCountries(remarks: string): string[] {
  const out = new Set<string>();
  for (const m of remarks.matchAll(/\b(?:nationality|citizen)\s+([^;(]+)/gi)) {
    const code = countryCode((m[1] ?? '').trim());
    if (code) out.add(code);
  }
  for (const m of remarks.matchAll(/\bPOB\s+([^;(]+)/g)) {
    const parts = (m[1] ?? '').split(',');
    const code = countryCode((parts[parts.length - 1] ?? '').trim());
    if (code) out.add(code);
  }
  return [...out];
}
