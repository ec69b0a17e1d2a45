// Refusals of the tenancy module, as coded problem+json errors.
import { HttpException, HttpStatus } from '@nestjs/common';

export const TENANCY_ERROR_CODES = [
  'tenant_not_found',
  'tenant_slug_taken',
  'invalid_tenant_settings',
  'invalid_tenant_id',
  'account_already_registered',
  'account_not_in_tenant',
  'bypass_reason_required',
] as const;
export type TenancyErrorCode = (typeof TENANCY_ERROR_CODES)[number];

export const TENANCY_ERROR_MESSAGES: Readonly<Record<TenancyErrorCode, string>> = {
  tenant_not_found: 'no such tenant',
  tenant_slug_taken: 'another tenant already uses this slug',
  invalid_tenant_settings: 'the tenant settings are invalid',
  invalid_tenant_id: 'a tenant id must be a lowercase UUID',
  account_already_registered: 'this account reference is already registered',
  account_not_in_tenant: 'the account reference does not belong to this tenant',
  bypass_reason_required: 'crossing tenants needs a stated reason (3 to 500 characters)',
};

const STATUS: Readonly<Record<TenancyErrorCode, HttpStatus>> = {
  tenant_not_found: HttpStatus.NOT_FOUND,
  tenant_slug_taken: HttpStatus.CONFLICT,
  invalid_tenant_settings: HttpStatus.BAD_REQUEST,
  invalid_tenant_id: HttpStatus.BAD_REQUEST,
  account_already_registered: HttpStatus.CONFLICT,
  account_not_in_tenant: HttpStatus.FORBIDDEN,
  bypass_reason_required: HttpStatus.BAD_REQUEST,
};

export class TenancyError extends HttpException {
  constructor(
    readonly code: TenancyErrorCode,
    detail?: string,
  ) {
    super({ code, message: detail ? `${TENANCY_ERROR_MESSAGES[code]}: ${detail}` : TENANCY_ERROR_MESSAGES[code] }, STATUS[code]);
  }
}
