import { describe, expect, it } from '@jest/globals';
import { REFERENCE_TENANT_ID, resolveTenantId } from './tenant';

const A = '11111111-2222-4333-8444-555555555555';
const B = '66666666-7777-4888-9999-aaaaaaaaaaaa';

describe('which tenant the UI serves', () => {
  it.each([
    ['a valid ?tenant= wins', `?tenant=${A}`, B, undefined, A],
    ['upper-case ids are accepted', `?tenant=${A.toUpperCase()}`, null, undefined, A],
    ['a malformed ?tenant= is ignored', '?tenant=../../etc', B, undefined, B],
    ['then what this device remembers', '', B, A, B],
    ['then the build\'s tenant', '', null, A, A],
    ['then the reference tenant', '', 'junk', 'junk', REFERENCE_TENANT_ID],
  ])('%s', (_why, search, stored, built, expected) => {
    expect(resolveTenantId(search, stored, built)).toBe(expected);
  });
});
