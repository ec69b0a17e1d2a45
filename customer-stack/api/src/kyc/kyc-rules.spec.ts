import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ageOn, checkDocument, checkLiveness, checkSubmission, nicDayOfYear, parseNic } from './kyc-rules.js';

describe('Sri Lanka NIC', () => {
  it.each([
    // number, parsed
    ['853400937V', { format: 'old', birthYear: 1985, dayOfYear: 340, sex: 'male' }],
    ['858400937v', { format: 'old', birthYear: 1985, dayOfYear: 340, sex: 'female' }],
    ['680184512X', { format: 'old', birthYear: 1968, dayOfYear: 18, sex: 'male' }],
    ['198534000937', { format: 'new', birthYear: 1985, dayOfYear: 340, sex: 'male' }],
    ['200256700123', { format: 'new', birthYear: 2002, dayOfYear: 67, sex: 'female' }],
    ['85 340 0937 V', { format: 'old', birthYear: 1985, dayOfYear: 340, sex: 'male' }],
  ])('%s parses', (number, parsed) => {
    expect(parseNic(number)).toEqual(parsed);
  });

  it.each([
    ['853400937', 'no letter'],
    ['853400937Z', 'wrong letter'],
    ['85340093V', 'eight digits'],
    ['850000937V', 'day 000'],
    ['853670937V', 'day 367'],
    ['854500937V', 'day 450 (between the male and female ranges)'],
    ['858670937V', 'day 867'],
    ['19853400093', 'eleven digits'],
    ['1985340009371', 'thirteen digits'],
    ['18993400093A', 'letters in a new NIC'],
  ])('%s is malformed (%s)', (number) => {
    expect(parseNic(number)).toBeUndefined();
  });

  it.each([
    ['1985-12-05', 340],
    ['1984-12-05', 340],
    ['1985-03-01', 61],
    ['1984-03-01', 61],
    ['1968-01-18', 18],
    ['2000-02-29', 60],
    ['1999-12-31', 366],
  ])('counts %s as day %i (every year as a leap year)', (dob, day) => {
    expect(nicDayOfYear(dob)).toBe(day);
  });

  it.each([
    ['lk_nic', '853400937V', '1985-12-05', undefined],
    ['lk_nic', '858400937V', '1985-12-05', undefined],
    ['lk_nic', '198534000937', '1985-12-05', undefined],
    ['lk_nic', '853400937V', '1985-12-06', 'document_date_of_birth_mismatch'],
    ['lk_nic', '863400937V', '1985-12-05', 'document_date_of_birth_mismatch'],
    ['lk_nic', '853400937', '1985-12-05', 'document_number_invalid'],
    ['passport', 'N1234567', '1985-12-05', undefined],
    ['passport', 'n12345', '1985-12-05', undefined],
    ['passport', 'N12-34567', '1985-12-05', 'document_number_invalid'],
    ['passport', 'N1234567890', '1985-12-05', 'document_number_invalid'],
  ] as const)('%s %s born %s -> %s', (type, number, dob, result) => {
    expect(checkDocument(type, number, dob)).toBe(result);
  });

  it('accepts the NIC any valid date of birth encodes, old and new alike', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1901-01-01'), max: new Date('1999-12-31'), noInvalidDate: true }), fc.boolean(), fc.integer({ min: 0, max: 9999 }), (date, female,
        serial) => {
        const dob = date.toISOString().slice(0, 10);
        const code = String(nicDayOfYear(dob) + (female ? 500 : 0)).padStart(3, '0');
        const oldNic = `${dob.slice(2, 4)}${code}${String(serial).padStart(4, '0')}V`;
        const newNic = `${dob.slice(0, 4)}${code}0${String(serial).padStart(4, '0')}`;
        expect(checkDocument('lk_nic', oldNic, dob)).toBeUndefined();
        expect(checkDocument('lk_nic', newNic, dob)).toBeUndefined();
      }),
    );
  });
});

describe('age', () => {
  it.each([
    ['2008-11-21', '2026-11-21', 18],
    ['2008-11-22', '2026-11-21', 17],
    ['2008-02-29', '2026-02-28', 17],
    ['2008-02-29', '2026-03-01', 18],
    ['1950-01-01', '2026-11-21', 76],
  ])('born %s, on %s: %i', (dob, today, age) => {
    expect(ageOn(dob, today)).toBe(age);
  });
});

describe('checkSubmission', () => {
  const tenant = { minimumAge: 18, residencyCountries: ['LK'] };
  const ok = { dateOfBirth: '1985-12-05', residenceCountry: 'LK', documentType: 'lk_nic' as const, documentNumber: '853400937V', documentCountry: 'LK' };

  it.each([
    ['a valid Sri Lankan adult', ok, []],
    ['a 17-year-old', { ...ok, dateOfBirth: '2009-06-01', documentNumber: '200915300123' }, ['underage']],
    ['a resident of India', { ...ok, residenceCountry: 'IN' }, ['residency_not_allowed']],
    ['a NIC issued elsewhere', { ...ok, documentCountry: 'IN' }, ['document_type_not_accepted']],
    ['a NIC for another birthday', { ...ok, documentNumber: '853410937V' }, ['document_date_of_birth_mismatch']],
    ['everything wrong at once', { ...ok, dateOfBirth: '2010-01-01', residenceCountry: 'GB', documentNumber: 'x' }, ['underage', 'residency_not_allowed',
      'document_number_invalid']],
  ])('%s', (_what, facts, failures) => {
    expect(checkSubmission(facts, tenant, '2026-11-21')).toEqual(failures);
  });

  it('takes the minimum age from the tenant', () => {
    expect(checkSubmission({ ...ok, dateOfBirth: '2006-01-01', documentNumber: '200600100123' }, { ...tenant, minimumAge: 21 }, '2026-11-21')).toEqual(['underage']);
  });
});

describe('liveness', () => {
  it.each([
    [1, null, undefined],
    [2, null, 'liveness_missing'],
    [2, 0.79, 'liveness_failed'],
    [2, 0.8, undefined],
    [3, 0.97, undefined],
  ] as const)('tier %i with score %s -> %s', (tier, score, result) => {
    expect(checkLiveness(tier, score)).toBe(result);
  });
});
