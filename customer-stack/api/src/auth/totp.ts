// TOTP per RFC 6238 (SHA-1, 6 digits, 30-second steps, the parameters every authenticator app
// accepts) through otpauth. matchStep returns the time step a code belongs to, allowing one
// step of clock drift either way; the caller then accepts only steps later than the last one it
// accepted, so no code (and no older code) is ever accepted twice.
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
export const TOTP_DRIFT_STEPS = 1;
const TOTP_SECRET_BYTES = 20;

export function newTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32;
}

function totpOf(secretBase32: string, label = 'bulwark', issuer = 'Bulwark'): TOTP {
  return new TOTP({ issuer, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_S });
}

export function totpUri(secretBase32: string, label: string, issuer: string): string {
  return totpOf(secretBase32, label, issuer).toString();
}

export function stepAt(timestampMs: number): number {
  return Math.floor(timestampMs / 1000 / TOTP_PERIOD_S);
}

/** The time step the code was generated for (within the drift), or null. */
export function matchStep(secretBase32: string, code: string, timestampMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secretBase32).validate({ token: code, timestamp: timestampMs, window: TOTP_DRIFT_STEPS });
  return delta === null ? null : stepAt(timestampMs) + delta;
}

/** The code for a moment (tests and the demo seed use it; the server never needs to). */
export function totpCode(secretBase32: string, timestampMs: number): string {
  return totpOf(secretBase32).generate({ timestamp: timestampMs });
}
