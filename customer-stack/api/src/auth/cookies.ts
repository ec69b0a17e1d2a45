// The SPA's cookies: HttpOnly (no script reads them), Secure, SameSite=Strict (never sent on a
// cross-site request, which is what stops CSRF). The access cookie is __Host- prefixed (bound to
// this host, path /); the refresh and device cookies are sent only to /auth.
import type { CookieOptions, Response } from 'express';
import type { IssuedSession } from './auth.service.js';

export const ACCESS_COOKIE = (secure: boolean): string => (secure ? '__Host-bulwark_at' : 'bulwark_at');
export const REFRESH_COOKIE = (secure: boolean): string => (secure ? '__Secure-bulwark_rt' : 'bulwark_rt');
export const DEVICE_COOKIE = (secure: boolean): string => (secure ? '__Secure-bulwark_device' : 'bulwark_device');
export const AUTH_COOKIE_PATH = '/auth';
const DEVICE_COOKIE_MAX_AGE_MS = 400 * 24 * 3600 * 1000;

const base = (secure: boolean): CookieOptions => ({ httpOnly: true, secure, sameSite: 'strict' });

export function setSessionCookies(response: Response, session: IssuedSession, secure: boolean, now: Date): void {
  response.cookie(ACCESS_COOKIE(secure), session.accessToken, { ...base(secure), path: '/', maxAge: session.accessExpiresInS * 1000 });
  response.cookie(REFRESH_COOKIE(secure), session.refreshToken, { ...base(secure), path: AUTH_COOKIE_PATH, maxAge: session.refreshExpiresAt.getTime() - now.getTime() });
  setDeviceCookie(response, session.deviceId, secure);
}

export function setDeviceCookie(response: Response, deviceId: string, secure: boolean): void {
  response.cookie(DEVICE_COOKIE(secure), deviceId, { ...base(secure), path: AUTH_COOKIE_PATH, maxAge: DEVICE_COOKIE_MAX_AGE_MS });
}

export function clearSessionCookies(response: Response, secure: boolean): void {
  response.clearCookie(ACCESS_COOKIE(secure), { ...base(secure), path: '/' });
  response.clearCookie(REFRESH_COOKIE(secure), { ...base(secure), path: AUTH_COOKIE_PATH });
}
