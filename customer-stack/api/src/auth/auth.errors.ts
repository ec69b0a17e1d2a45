// Auth's refusals: one code each, an exhaustive message map, one HTTP status per code.
import { HttpException, HttpStatus } from '@nestjs/common';

export const AUTH_ERROR_CODES = [
  'unauthenticated',
  'token_invalid',
  'session_revoked',
  'forbidden',
  'route_unguarded',
  'credentials_invalid',
  'email_taken',
  'tenant_unknown',
  'refresh_invalid',
  'refresh_reused',
  'mfa_required',
  'mfa_invalid',
  'mfa_not_enrolled',
  'mfa_already_enabled',
  'rate_limited',
  'session_not_found',
  'user_not_found',
  'role_change_refused',
  'invalid_request',
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

export const AUTH_ERROR_MESSAGES: Readonly<Record<AuthErrorCode, string>> = {
  unauthenticated: 'Sign in first: no access token was presented.',
  token_invalid: 'The access token is not valid.',
  session_revoked: 'The session behind this token has ended; sign in again.',
  forbidden: 'Your role does not allow this.',
  route_unguarded: 'This route declares no access rule and is refused.',
  credentials_invalid: 'The email or password is wrong.',
  email_taken: 'An account with this email already exists.',
  tenant_unknown: 'There is no such tenant.',
  refresh_invalid: 'The refresh token is not valid; sign in again.',
  refresh_reused: 'The refresh token was already used; every session of that sign-in has been ended.',
  mfa_required: 'A second factor is required.',
  mfa_invalid: 'The one-time code is wrong, expired or already used.',
  mfa_not_enrolled: 'Two-factor authentication is not set up.',
  mfa_already_enabled: 'Two-factor authentication is already on.',
  rate_limited: 'Too many attempts; wait before trying again.',
  session_not_found: 'There is no such session.',
  user_not_found: 'There is no such user in your tenant.',
  role_change_refused: 'This change of roles is not allowed.',
  invalid_request: 'The request is not valid.',
};

const AUTH_ERROR_STATUS: Readonly<Record<AuthErrorCode, HttpStatus>> = {
  unauthenticated: HttpStatus.UNAUTHORIZED,
  token_invalid: HttpStatus.UNAUTHORIZED,
  session_revoked: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  route_unguarded: HttpStatus.FORBIDDEN,
  credentials_invalid: HttpStatus.UNAUTHORIZED,
  email_taken: HttpStatus.CONFLICT,
  tenant_unknown: HttpStatus.NOT_FOUND,
  refresh_invalid: HttpStatus.UNAUTHORIZED,
  refresh_reused: HttpStatus.UNAUTHORIZED,
  mfa_required: HttpStatus.UNAUTHORIZED,
  mfa_invalid: HttpStatus.UNAUTHORIZED,
  mfa_not_enrolled: HttpStatus.CONFLICT,
  mfa_already_enabled: HttpStatus.CONFLICT,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  session_not_found: HttpStatus.NOT_FOUND,
  user_not_found: HttpStatus.NOT_FOUND,
  role_change_refused: HttpStatus.CONFLICT,
  invalid_request: HttpStatus.BAD_REQUEST,
};

export class AuthError extends HttpException {
  constructor(
    readonly code: AuthErrorCode,
    detail?: string,
  ) {
    super({ code, message: detail ?? AUTH_ERROR_MESSAGES[code] }, AUTH_ERROR_STATUS[code]);
  }
}

/** A 429 that tells the client when to come back (the controller copies it into Retry-After). */
export class RateLimitedError extends AuthError {
  constructor(readonly retryAfterS: number) {
    super('rate_limited');
  }
}
