// Refusals of the audit chain. A caller that hands the chain a malformed entry, a secret or
// personal data has a bug: the error aborts its transaction (the state change and its entry go
// together or not at all) and surfaces as a 500 with a correlation id.
export const AUDIT_ERROR_CODES = [
  'invalid_entry',
  'diff_not_plain_json',
  'diff_too_large',
  'diff_contains_secret',
  'diff_contains_personal_data',
  'batch_too_large',
  'range_invalid',
] as const;
export type AuditErrorCode = (typeof AUDIT_ERROR_CODES)[number];

export const AUDIT_ERROR_MESSAGES: Readonly<Record<AuditErrorCode, string>> = {
  invalid_entry: 'an audit entry field is missing, malformed or too long',
  diff_not_plain_json: 'an audit diff must be plain JSON: objects, arrays, strings, booleans, null and safe integers',
  diff_too_large: 'an audit diff is larger than the limit',
  diff_contains_secret: 'an audit diff must never carry a secret (password, token, key, one-time code)',
  diff_contains_personal_data: 'an audit diff must never carry raw personal data: record a reference instead',
  batch_too_large: 'too many audit entries in one call',
  range_invalid: 'an audit range must satisfy 1 <= from <= to and stay within the page limit',
};

export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    /** Where the problem is (field or JSON path), never the offending value. */
    readonly where?: string,
  ) {
    super(`${AUDIT_ERROR_MESSAGES[code]}${where ? ` (at ${where})` : ''}`);
  }
}
