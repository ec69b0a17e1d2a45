import { createReadStream } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { countryCode, entryFingerprint, partialDate, type ListEntry } from './list-entry.js';
import { SANCTIONS_FIXTURES as FIXTURES } from '../../../test/support/sanctions-fixtures.js';
import { ListFormatError, readOfacAliases, readOfacSdn, readOpenSanctions, remarkBirthDates, remarkCountries, type ParseStats } from './list-parsers.js';


async function collect(source: AsyncIterable<ListEntry>): Promise<ListEntry[]> {
  const out: ListEntry[] = [];
  for await (const entry of source) out.push(entry);
  return out;
}

describe('OpenSanctions targets.simple.csv', () => {
  it('reads every fixture row with its aliases, dates, countries and kind', async () => {
    const stats: ParseStats = { rows: 0, entries: 0, skipped: 0 };
    const entries = await collect(readOpenSanctions(createReadStream(`${FIXTURES}targets.simple.csv`), stats));
    expect(stats).toEqual({ rows: 14, entries: 14, skipped: 0 });
    expect(entries.find((e) => e.id === 'opensanctions:NK-fxD4tUe9VwXz6Ha2')).toEqual({
      id: 'opensanctions:NK-fxD4tUe9VwXz6Ha2',
      source: 'opensanctions',
      kind: 'sanction',
      schema: 'person',
      name: 'Muhammad Abd al-Rahman al-Qasimi',
      aliases: ['Mohammed Abdulrahman Al Qasimi', 'Mohamed Abdel Rahman El-Kassimi', 'Muḥammad ʿAbd al-Raḥmān al-Qāsimī', 'محمد عبد الرحمن القاسمي'],
      birthDates: ['1972', '1973'],
      countries: ['ye', 'sa'],
      programs: ['UN-YEMEN'],
    });
    expect(entries.find((e) => e.name === 'Kanagaratnam Sivakumar')).toMatchObject({ kind: 'pep', programs: ['Every Politician'] });
    expect(entries.find((e) => e.name === 'OCEAN PEARL TRADER')).toMatchObject({ schema: 'vessel', kind: 'sanction' });
    expect(entries.find((e) => e.name.startsWith('Ceylon Marine'))).toMatchObject({ schema: 'organization' });
  });

  it('reads the older layout without program_ids', async () => {
    const csv = '"id","schema","name","aliases","birth_date","countries","addresses","identifiers","sanctions","phones","emails","dataset","first_seen","last_seen","last_change"\n'
      + '"NK-1","Person","Nimal Perera","","1970-02-30;1970","lk","","","Some regime","","","Some list","","",""\n';
    const [entry] = await collect(readOpenSanctions(csv));
    expect(entry).toMatchObject({ name: 'Nimal Perera', birthDates: ['1970'], programs: ['Some list'], kind: 'sanction' });
  });

  it.each([
    ['a missing column', '"id","schema","name"\n"x","Person","A"\n', /missing column\(s\) aliases/],
    ['a short row', '"id","schema","name","aliases","birth_date","countries","sanctions","dataset"\n"x","Person"\n', /line 2: expected 8 fields, found 2/],
    ['an empty file', '', /empty file/],
  ])('refuses %s with the line', async (_what, csv, message) => {
    await expect(collect(readOpenSanctions(csv))).rejects.toThrow(message);
    await expect(collect(readOpenSanctions(csv))).rejects.toBeInstanceOf(ListFormatError);
  });

  it('skips and counts a row without a name', async () => {
    const stats: ParseStats = { rows: 0, entries: 0, skipped: 0 };
    const csv = '"id","schema","name","aliases","birth_date","countries","sanctions","dataset"\n"x","Person","","","","","",""\n"y","Person","Li Wei","","","","s","d"\n';
    expect(await collect(readOpenSanctions(csv, stats))).toHaveLength(1);
    expect(stats).toEqual({ rows: 2, entries: 1, skipped: 1 });
  });
});

describe('OFAC SDN legacy CSV (sdn.csv + alt.csv, no header, -0- for null, Ctrl-Z trailer)', () => {
  it('joins aliases and reads dates of birth and countries from the remarks', async () => {
    const aliases = await readOfacAliases(createReadStream(`${FIXTURES}alt.csv`));
    const entries = await collect(readOfacSdn(createReadStream(`${FIXTURES}sdn.csv`), aliases));
    expect(entries).toHaveLength(10);
    expect(entries[0]).toEqual({
      id: 'ofac-sdn:90101',
      source: 'ofac-sdn',
      kind: 'sanction',
      schema: 'person',
      name: 'PIRAPAKARAN, Thiruchelvam',
      aliases: ['PRABHAKARAN, Thiruchelvam', 'PIRABAHARAN, T.'],
      birthDates: ['1961-03-14'],
      countries: ['lk'],
      programs: ['SDGT'],
    });
    expect(entries.find((e) => e.id === 'ofac-sdn:90102')).toMatchObject({ programs: ['SDGT', 'YEMEN'], birthDates: ['1972', '1973'], countries: ['ye'] });
    expect(entries.find((e) => e.id === 'ofac-sdn:90103')).toMatchObject({ schema: 'organization', aliases: ['CML SHIPPING LANKA'] });
    expect(entries.find((e) => e.id === 'ofac-sdn:90104')).toMatchObject({ schema: 'vessel', countries: ['ir'] });
    expect(entries.find((e) => e.id === 'ofac-sdn:90110')).toMatchObject({ birthDates: ['1966', '1967', '1968'] });
  });

  it.each([
    ['DOB 26 Nov 1954; POB Jaffna, Sri Lanka', ['1954-11-26'], ['lk']],
    ['DOB circa 1958; nationality Bangladesh', ['1958'], ['bd']],
    ['DOB Nov 1954; alt. DOB 1955; citizen Syria', ['1954-11', '1955'], ['sy']],
    ['DOB 1960 to 1962; nationality Korea, North', ['1960', '1961', '1962'], ['kp']],
    ['DOB 31 Feb 1970; POB Atlantis', [], []],
    ['Website www.example.invalid.', [], []],
  ])('remarks %j', (remarks, dates, countries) => {
    expect(remarkBirthDates(remarks)).toEqual(dates);
    expect(remarkCountries(remarks)).toEqual(countries);
  });

  it('refuses a row with the wrong number of columns, naming the file and line', async () => {
    await expect(collect(readOfacSdn('1,"A","individual"\r\n', new Map()))).rejects.toThrow('sdn.csv line 1: expected 12 fields, found 3');
    await expect(readOfacAliases('1,2,"aka"\r\n')).rejects.toThrow('alt.csv line 1: expected 5 fields, found 3');
  });
});

describe('list entry helpers', () => {
  it.each([
    ['1954', '1954'], ['1954-11', '1954-11'], ['1954-11-26', '1954-11-26'], ['1954-02-30', undefined], ['1954-13', undefined], ['54', undefined], ['1700', undefined],
  ])('partialDate(%s) = %s', (text, expected) => {
    expect(partialDate(text)).toBe(expected);
  });

  it.each([
    ['Sri Lanka', 'lk'], ['Iran', 'ir'], ['Korea, North', 'kp'], ['Burma', 'mm'], ["Cote d'Ivoire", 'ci'], ['Russia', 'ru'], ['LK', 'lk'], ['Atlantis', undefined],
  ])('countryCode(%s) = %s', (name, code) => {
    expect(countryCode(name)).toBe(code);
  });

  it('fingerprints content, not order of aliases', () => {
    const entry: ListEntry = {
      id: 'x', source: 'ofac-sdn', kind: 'sanction', schema: 'person', name: 'A B', aliases: ['C D', 'E F'], birthDates: [], countries: ['lk'], programs: [],
    };
    expect(entryFingerprint({ ...entry, aliases: ['E F', 'C D'] })).toBe(entryFingerprint(entry));
    expect(entryFingerprint({ ...entry, birthDates: ['1960'] })).not.toBe(entryFingerprint(entry));
  });
});
