// Refusals of the KYC module, as coded problem+json errors.
import { HttpException, HttpStatus } from '@nestjs/common';

export const KYC_ERROR_CODES = [
  'invalid_submission',
  'submission_in_progress',
  'already_verified',
  'profile_not_found',
  'not_in_manual_review',
  'invalid_decision',
] as const;
export type KycErrorCode = (typeof KYC_ERROR_CODES)[number];

export const KYC_ERROR_MESSAGES: Readonly<Record<KycErrorCode, string>> = {
  invalid_submission: 'the KYC submission is invalid',
  submission_in_progress: 'a KYC submission is already being checked',
  already_verified: 'the customer is already verified at this tier or higher',
  profile_not_found: 'no KYC profile for this customer',
  not_in_manual_review: 'the KYC profile is not waiting for a manual review',
  invalid_decision: 'the decision is invalid',
};

const STATUS: Readonly<Record<KycErrorCode, HttpStatus>> = {
  invalid_submission: HttpStatus.BAD_REQUEST,
  submission_in_progress: HttpStatus.CONFLICT,
  already_verified: HttpStatus.CONFLICT,
  profile_not_found: HttpStatus.NOT_FOUND,
  not_in_manual_review: HttpStatus.CONFLICT,
  invalid_decision: HttpStatus.BAD_REQUEST,
};

export class KycError extends HttpException {
  constructor(
    readonly code: KycErrorCode,
    detail?: string,
  ) {
    super({ code, message: detail ? `${KYC_ERROR_MESSAGES[code]}: ${detail}` : KYC_ERROR_MESSAGES[code] }, STATUS[code]);
  }
}
