// Refusals of the data-protection module, as coded problem+json errors.
import { HttpException, HttpStatus } from '@nestjs/common';

export const PRIVACY_ERROR_CODES = [
  'subject_erased',
  'subject_not_in_tenant',
  'invalid_request',
  'contains_personal_data',
  'breach_not_found',
  'unknown_retention_category',
  'exporter_taken',
] as const;
export type PrivacyErrorCode = (typeof PRIVACY_ERROR_CODES)[number];

export const PRIVACY_ERROR_MESSAGES: Readonly<Record<PrivacyErrorCode, string>> = {
  subject_erased: 'this person has been erased: their personal data can no longer be stored or read',
  subject_not_in_tenant: 'this person does not belong to the current tenant',
  invalid_request: 'the request is invalid',
  contains_personal_data: 'this field must not contain personal data',
  breach_not_found: 'no such breach incident',
  unknown_retention_category: 'no purge is registered for this retention category',
  exporter_taken: 'a subject-data exporter with this name is already registered',
};

const STATUS: Readonly<Record<PrivacyErrorCode, HttpStatus>> = {
  subject_erased: HttpStatus.GONE,
  subject_not_in_tenant: HttpStatus.NOT_FOUND,
  invalid_request: HttpStatus.BAD_REQUEST,
  contains_personal_data: HttpStatus.UNPROCESSABLE_ENTITY,
  breach_not_found: HttpStatus.NOT_FOUND,
  unknown_retention_category: HttpStatus.BAD_REQUEST,
  exporter_taken: HttpStatus.INTERNAL_SERVER_ERROR,
};

export class PrivacyError extends HttpException {
  constructor(
    readonly code: PrivacyErrorCode,
    detail?: string,
  ) {
    super({ code, message: detail ? `${PRIVACY_ERROR_MESSAGES[code]}: ${detail}` : PRIVACY_ERROR_MESSAGES[code] }, STATUS[code]);
  }
}
