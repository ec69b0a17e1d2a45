// Refusals of the AML module, as coded problem+json errors.
import { HttpException, HttpStatus } from '@nestjs/common';

export const AML_ERROR_CODES = [
  'alert_not_found',
  'alert_closed',
  'decision_not_allowed',
  'mlro_only',
  'freeze_not_found',
  'four_eyes_required',
  'freeze_exists',
  'sar_not_found',
  'sar_already_filed',
  'invalid_request',
  'no_list_loaded',
] as const;
export type AmlErrorCode = (typeof AML_ERROR_CODES)[number];

export const AML_ERROR_MESSAGES: Readonly<Record<AmlErrorCode, string>> = {
  alert_not_found: 'no such alert',
  alert_closed: 'the alert is already decided',
  decision_not_allowed: 'this decision is not allowed in the alert\'s state',
  mlro_only: 'only the MLRO may take this decision',
  freeze_not_found: 'no freeze waiting for approval',
  four_eyes_required: 'a freeze needs a second, different officer to approve it',
  freeze_exists: 'a freeze is already requested or in force for this customer',
  sar_not_found: 'no such SAR',
  sar_already_filed: 'the SAR is already filed',
  invalid_request: 'the request is invalid',
  no_list_loaded: 'no sanctions list is loaded: screening cannot clear anyone',
};

const STATUS: Readonly<Record<AmlErrorCode, HttpStatus>> = {
  alert_not_found: HttpStatus.NOT_FOUND,
  alert_closed: HttpStatus.CONFLICT,
  decision_not_allowed: HttpStatus.CONFLICT,
  mlro_only: HttpStatus.FORBIDDEN,
  freeze_not_found: HttpStatus.NOT_FOUND,
  four_eyes_required: HttpStatus.FORBIDDEN,
  freeze_exists: HttpStatus.CONFLICT,
  sar_not_found: HttpStatus.NOT_FOUND,
  sar_already_filed: HttpStatus.CONFLICT,
  invalid_request: HttpStatus.BAD_REQUEST,
  no_list_loaded: HttpStatus.SERVICE_UNAVAILABLE,
};

export class AmlError extends HttpException {
  constructor(
    readonly code: AmlErrorCode,
    detail?: string,
  ) {
    super({ code, message: detail ? `${AML_ERROR_MESSAGES[code]}: ${detail}` : AML_ERROR_MESSAGES[code] }, STATUS[code]);
  }
}
