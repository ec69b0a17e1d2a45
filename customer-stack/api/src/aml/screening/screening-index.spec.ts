// True and false positives on realistic names. The index holds the fixture lists (OpenSanctions
// and OFAC files in their published formats) plus 5,000 synthetic listed people, so that token
// rarity is what a real list gives (many Mohammeds, Alis, Pereras, Kumars).
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fixtureEntries } from '../../../test/support/sanctions-fixtures.js';
import { SCREENING_MODEL, ScreeningIndex, dateOfBirthEvidence, type ScreeningQuery } from './screening-index.js';
import type { ScreeningResult } from './screening.views.js';
import { generateSyntheticList } from './synthetic-list.js';

let index: ScreeningIndex;

beforeAll(async () => {
  index = new ScreeningIndex([...(await fixtureEntries()), ...generateSyntheticList(5_000, 42)]);
});

/** Hits on the fixture entries only (a synthetic namesake is not what these rows are about). */
function fixtureHits(query: ScreeningQuery): ScreeningResult['hits'] {
  return index.screen(query).hits.filter((h) => !h.entryId.startsWith('synthetic:'));
}

const PIRAPAKARAN = 'ofac-sdn:90101';
const PIRAPAKARAN_OS = 'opensanctions:NK-fx7Qk2LmTa9WbVc3';
const QASIMI = 'ofac-sdn:90102';
const QASIMI_OS = 'opensanctions:NK-fxD4tUe9VwXz6Ha2';

describe('true positives: spelling, order, case, diacritics, initials', () => {
  it.each([
    // query, an entry it must hit, the decision
    ['Thiruchelvam Prabhakaran', PIRAPAKARAN, 'blocked'],
    ['PRABAKARAN Thiruchelvam', PIRAPAKARAN_OS, 'review'],
    ['Tiruchelvam Pirapakaran', PIRAPAKARAN, 'review'],
    ['T. Pirapaharan', PIRAPAKARAN, 'review'],
    ['Mohammed Abdul Rahman Al-Qasimi', QASIMI, 'blocked'],
    ['Muhammad Abdelrahman Kassimi', QASIMI_OS, 'blocked'],
    ['Muḥammad ʿAbd al-Raḥmān al-Qāsimī', QASIMI, 'blocked'],
    ['qasimi muhammad abd al rahman', QASIMI, 'blocked'],
    ['Abdalla Yousef Alnaqbi', 'ofac-sdn:90105', 'blocked'],
    ['Abd Allah Yusuf Naqbi', 'opensanctions:NK-fxV3yRf6AmNp8Tu8', 'blocked'],
    ['Sumith Wickremasinghe', 'opensanctions:NK-fxB8rYhN2cKd5Pq1', 'review'],
    ['Don Sumith Vickramasinghe', 'opensanctions:NK-fxB8rYhN2cKd5Pq1', 'blocked'],
    ['Kanakaratnam Shivakumar', 'opensanctions:Q-fxK2nGs8MrLt4Yb7', 'review'],
    ['Suppiramaniam Thirunavukarasu', 'opensanctions:NK-fxW7zTh1BnQr4Vw9', 'review'],
    ['Salah al-Din Mahmud Haddad', 'ofac-sdn:90107', 'blocked'],
    ['Dmitry Alexandrovich Volkov', 'ofac-sdn:90106', 'blocked'],
    ['Dmitry Volkov', 'ofac-sdn:90106', 'review'],
    ['Selvaraja Kumarasamy', 'ofac-sdn:90110', 'blocked'],
    ['Gamini Jayasooriya', 'opensanctions:Q-fxA4dYn7FsXy9Bc5', 'review'],
    ['H. M. Ranjith Bandara', 'opensanctions:Q-fxS5wNc9YhJk3Pr6', 'review'],
    ['ceylon marine logistics pvt ltd', 'ofac-sdn:90103', 'blocked'],
  ])('%s hits %s (%s)', (name, entryId, decision) => {
    const result = index.screen({ name });
    const hit = result.hits.find((h) => h.entryId === entryId);
    expect(hit).toBeDefined();
    expect(hit?.score).toBeGreaterThanOrEqual(SCREENING_MODEL.matchThreshold);
    expect(hit?.decision).toBe(decision);
    expect(['review', 'blocked']).toContain(result.decision);
  });
});

describe('false positives: common names sharing tokens with listed names do not match', () => {
  it.each([
    ['Mohamed Ali'],
    ['Hassan Ali Khan'],
    ['Muhammad Hassan'],
    ['Nimal Perera'],
    ['Kumar Sangakkara'],
    ['Ranjith Perera'],
    ['Sivakumar Rajendran'],
    ['Gamini Perera'],
    ['Thiruchelvam Sivakumar'],
    ['Li Na'],
    ['Dmitry Ivanov'],
    ['Sumith Fernando'],
    ['Abdullah Rahman'],
    ['Mahinda Rajapaksa'],
    ['Ceylon Tea Traders'],
  ])('%s', (name) => {
    expect(fixtureHits({ name })).toEqual([]);
  });
});

describe('secondary evidence: date of birth and country', () => {
  it('three of four names agreeing is a review, cleared by a different birth date', () => {
    expect(fixtureHits({ name: 'Mohammed Ali Hassan' })).toMatchObject([{ entryId: 'opensanctions:NK-fxR1vLb7TeGh2Nm5', unmatchedListedTokens: ['sharif'] }]);
    expect(fixtureHits({ name: 'Mohammed Ali Hassan', dateOfBirth: '1990-06-01' })).toEqual([]);
    expect(fixtureHits({ name: 'Mohammed Ali Hassan', dateOfBirth: '1965-04-22' })[0]).toMatchObject({ dateOfBirth: 'match' });
  });

  it('an exact common name is blocked without evidence, blocked with a matching birth date, only reviewed when the birth date differs', () => {
    expect(index.screen({ name: 'Li Wei' }).decision).toBe('blocked');
    const same = fixtureHits({ name: 'Wei Li', dateOfBirth: '1980-05-05', country: 'CN' });
    expect(same[0]).toMatchObject({ entryId: 'opensanctions:NK-fxY6bWk9DqUv2Za3', dateOfBirth: 'match', country: 'match', decision: 'blocked' });
    const other = fixtureHits({ name: 'Li Wei', dateOfBirth: '1992-01-17', country: 'LK' });
    expect(other[0]).toMatchObject({ dateOfBirth: 'mismatch', country: 'mismatch', decision: 'review', score: 0.83 });
  });

  it('a weak name match crosses the threshold only with a matching birth date', () => {
    const without = fixtureHits({ name: 'Dmitry Volkov' });
    const withDob = fixtureHits({ name: 'Dmitry Volkov', dateOfBirth: '1971-09-18' });
    expect(withDob[0]?.score).toBeGreaterThan(without[0]?.score ?? 0);
    expect(fixtureHits({ name: 'Dmitry Volkov', dateOfBirth: '1990-01-01' })).toEqual([]);
  });

  it.each([
    ['1961-03-14', ['1961-03-14'], 'match'],
    ['1961-03-14', ['1961'], 'year'],
    ['1961-03-14', ['1961-03'], 'year'],
    ['1961-03-14', ['1962'], 'near'],
    ['1961-03-14', ['1975', '1976'], 'mismatch'],
    ['1961-03-14', [], 'unknown'],
    [undefined, ['1961'], 'unknown'],
  ])('birth date %s against %j is %s', (dob, listed, evidence) => {
    expect(dateOfBirthEvidence(dob, listed)).toBe(evidence);
  });
});

describe('explanations', () => {
  it('names the alias that matched and how each token matched', () => {
    const hit = index.screen({ name: 'T. Pirapaharan' }).hits.find((h) => h.entryId === PIRAPAKARAN);
    expect(hit).toMatchObject({
      matchedName: 'PIRABAHARAN, T.',
      matchedField: 'alias',
      kind: 'sanction',
      programs: ['SDGT'],
      unmatchedQueryTokens: [],
      unmatchedListedTokens: [],
    });
    expect(hit?.tokens.map((t) => [t.query, t.listed, t.how])).toEqual([
      ['t', 't', 'exact'],
      ['pirapaharan', 'pirabaharan', 'transliteration'],
    ]);
  });

  it('lists the tokens left without a counterpart', () => {
    const hit = fixtureHits({ name: 'Dmitry Volkov' })[0];
    expect(hit).toMatchObject({ matchedName: 'VOLKOV, Dmitry Alexandrovich', matchedField: 'alias', unmatchedListedTokens: ['alexandrovich'] });
    expect(hit?.tokens.map((t) => t.how)).toEqual(['exact', 'exact']);
  });

  it('never blocks on a PEP list, however exact', () => {
    expect(index.screen({ name: 'Kanagaratnam Sivakumar', dateOfBirth: '1957-11-30', country: 'lk' })).toMatchObject({
      decision: 'review',
      hits: [expect.objectContaining({ kind: 'pep', score: 1, decision: 'review' })],
    });
  });
});

describe('properties', () => {
  const listed = ['Thiruchelvam Pirapakaran', 'Muhammad Abd al-Rahman al-Qasimi', 'Don Sumith Wickramasinghe', 'Subramaniam Thirunavukkarasu', 'Dmitriy Aleksandrovich Volkov'];

  it('token order and letter case do not change the result', () => {
    fc.assert(
      fc.property(fc.constantFrom(...listed), fc.func(fc.integer()), fc.boolean(), (name, order, upper) => {
        const tokens = name.split(' ');
        const shuffled = tokens.map((t, i) => [order(i), t] as const).sort((a, b) => a[0] - b[0]).map(([, t]) => t).join(' ');
        const query = upper ? shuffled.toUpperCase() : shuffled.toLowerCase();
        const top = (n: string) => index.screen({ name: n }).hits.map((h) => [h.entryId, h.score]);
        expect(top(query)).toEqual(top(name));
      }),
      { numRuns: 60 },
    );
  });

  it('is deterministic and bounded for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (name) => {
        const a = index.screen({ name });
        expect(index.screen({ name })).toEqual(a);
        for (const hit of a.hits) expect(hit.score).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });
});
