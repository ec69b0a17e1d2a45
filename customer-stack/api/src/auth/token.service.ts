// Access tokens: short-lived JWTs signed with Ed25519 (EdDSA) through jose. Verification pins the
// algorithm, the issuer, the audience and the token type, so `alg: none`, a token signed with an
// HMAC over the public key (key confusion), a token from another issuer or audience, and a token
// of another type (the second-factor ticket) are all refused the same way.
import { randomUUID, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, calculateJwkThumbprint, exportJWK, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { ROLES } from './permissions.js';
import type { Principal } from './principal.js';
import { AuthError } from './auth.errors.js';

export const JWT_ALGORITHMS = ['EdDSA'] as const;
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const MFA_TICKET_TYPE = 'mfa+jwt';
export const MFA_TICKET_TTL_S = 300;
const CLOCK_TOLERANCE_S = 5;
const TOKEN_LENGTH_MAX = 4_096;

const AccessClaims = z.object({
  sub: z.uuid(),
  tid: z.uuid(),
  sid: z.uuid(),
  acct: z.uuid().nullable(),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
});

const MfaClaims = z.object({ sub: z.uuid(), tid: z.uuid(), did: z.string().min(1).max(100) });
export type MfaTicket = { userId: string; tenantId: string; deviceId: string };

@Injectable()
export class TokenService {
  private readonly currentKid: Promise<string>;
  private readonly keys: JWTVerifyGetKey;

  constructor(@Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig) {
    const { publicKey, previousPublicKey } = config.auth.jwt;
    const kidOf = async (key: KeyObject) => calculateJwkThumbprint(await exportJWK(key));
    this.currentKid = kidOf(publicKey.reveal());
    const verificationKeys = [publicKey, previousPublicKey].flatMap((handle) => (handle ? [handle.reveal()] : []));
    const byKid = Promise.all(verificationKeys.map(async (key) => [await kidOf(key), key] as const));
    this.keys = async (header) => {
      const key = new Map(await byKid).get(header.kid ?? '');
      if (!key) throw new AuthError('token_invalid', 'unknown signing key');
      return key;
    };
  }

  get accessTtlS(): number {
    return this.config.auth.accessTtlS;
  }

  async issueAccess(principal: Principal, now: Date): Promise<string> {
    const claims = { tid: principal.tenantId, sid: principal.sessionId, acct: principal.accountRef, roles: principal.roles };
    return this.sign(claims, principal.userId, ACCESS_TOKEN_TYPE, this.config.auth.accessTtlS, now);
  }

  async verifyAccess(token: string): Promise<Principal> {
    const claims = AccessClaims.safeParse(await this.verify(token, ACCESS_TOKEN_TYPE));
    if (!claims.success) throw new AuthError('token_invalid', 'malformed claims');
    const { sub, tid, sid, acct, roles } = claims.data;
    return { userId: sub, tenantId: tid, sessionId: sid, accountRef: acct, roles };
  }

  /** A short ticket between the password step and the second factor (never an access token). */
  async issueMfaTicket(ticket: MfaTicket, now: Date): Promise<string> {
    return this.sign({ tid: ticket.tenantId, did: ticket.deviceId }, ticket.userId, MFA_TICKET_TYPE, MFA_TICKET_TTL_S, now);
  }

  async verifyMfaTicket(token: string): Promise<MfaTicket> {
    const claims = MfaClaims.safeParse(await this.verify(token, MFA_TICKET_TYPE));
    if (!claims.success) throw new AuthError('mfa_invalid', 'malformed ticket');
    return { userId: claims.data.sub, tenantId: claims.data.tid, deviceId: claims.data.did };
  }

  private async sign(claims: JWTPayload, subject: string, typ: string, ttlS: number, now: Date): Promise<string> {
    const issuedAtS = Math.floor(now.getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ, kid: await this.currentKid })
      .setIssuer(this.config.auth.jwt.issuer)
      .setAudience(this.config.auth.jwt.audience)
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuedAt(issuedAtS)
      .setExpirationTime(issuedAtS + ttlS)
      .sign(this.config.auth.jwt.privateKey.reveal());
  }

  private async verify(token: string, typ: string): Promise<JWTPayload> {
    if (token.length > TOKEN_LENGTH_MAX) throw new AuthError('token_invalid', 'token too long');
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: [...JWT_ALGORITHMS],
        issuer: this.config.auth.jwt.issuer,
        audience: this.config.auth.jwt.audience,
        typ,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti'],
      });
      return payload;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new AuthError(typ === MFA_TICKET_TYPE ? 'mfa_invalid' : 'token_invalid');
    }
  }
}
