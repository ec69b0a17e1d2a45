// /auth: registration, sign-in (password, then the second factor when enrolled), token refresh,
// sign-out, the caller's sessions and second factor, and staff accounts created by an admin.
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Req, Res, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { NoIdempotencyKey } from '../idempotency/no-idempotency-key.decorator.js';
import { AuthError } from './auth.errors.js';
import { AuthService, type ClientContext, type IssuedSession, type LoginResult, type SessionView } from './auth.service.js';
import { CreateStaffBody, LoginBody, MfaVerifyBody, RefreshBody, RegisterBody, RolesBody, TotpCodeBody, parseBody } from './auth.dto.js';
import { clearSessionCookies, DEVICE_COOKIE, REFRESH_COOKIE, setDeviceCookie, setSessionCookies } from './cookies.js';
import { CurrentPrincipal, Permissions, Public } from './permissions.decorator.js';
import type { Principal } from './principal.js';
import { RateLimitFilter } from './rate-limit.filter.js';

type CookieRequest = Request & { cookies?: Record<string, string | undefined> };

export type SessionResponse =
  | { tokenType: 'cookie'; expiresIn: number; principal: Principal }
  | { tokenType: 'Bearer'; accessToken: string; expiresIn: number; refreshToken: string; principal: Principal };

const SESSION_CREDENTIALS = 'the response carries fresh credentials; replaying it would hand them out twice';

@ApiTags('auth')
@UseFilters(RateLimitFilter)
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
  ) {}

  @Public()
  @Post('register')
  async register(@Body() body: unknown, @Req() request: CookieRequest): Promise<{ userId: string; accountRef: string }> {
    const { tenantId, email, password } = parseBody(RegisterBody, body);
    return this.auth.register(tenantId, email, password, this.client(request));
  }

  @Public()
  @NoIdempotencyKey(SESSION_CREDENTIALS)
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: unknown,
    @Req() request: CookieRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionResponse | { mfaRequired: true; mfaToken: string }> {
    const { tenantId, email, password, transport } = parseBody(LoginBody, body);
    const result: LoginResult = await this.auth.login(tenantId, email, password, this.client(request));
    if (result.kind === 'mfa') {
      if (transport === 'cookie') setDeviceCookie(response, result.deviceId, this.secure);
      return { mfaRequired: true, mfaToken: result.mfaToken };
    }
    return this.respond(result.session, transport, response);
  }

  @Public()
  @NoIdempotencyKey(SESSION_CREDENTIALS)
  @Post('2fa/verify')
  @HttpCode(200)
  async verifyMfa(@Body() body: unknown, @Req() request: CookieRequest, @Res({ passthrough: true }) response: Response): Promise<SessionResponse> {
    const { mfaToken, code, transport } = parseBody(MfaVerifyBody, body);
    return this.respond(await this.auth.completeMfa(mfaToken, code, this.client(request)), transport, response);
  }

  @Public()
  @NoIdempotencyKey(SESSION_CREDENTIALS)
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body() body: unknown, @Req() request: CookieRequest, @Res({ passthrough: true }) response: Response): Promise<SessionResponse> {
    const parsed = parseBody(RefreshBody, body);
    const fromCookie = request.cookies?.[REFRESH_COOKIE(this.secure)];
    const token = parsed.refreshToken ?? fromCookie;
    if (!token) throw new AuthError('refresh_invalid');
    const transport = parsed.transport ?? (parsed.refreshToken ? 'token' : 'cookie');
    try {
      return this.respond(await this.auth.refresh(token, this.client(request)), transport, response);
    } catch (error) {
      if (transport === 'cookie') clearSessionCookies(response, this.secure);
      throw error;
    }
  }

  @Permissions('session:self')
  @NoIdempotencyKey('ending a session is naturally idempotent and must work without a stored response')
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.auth.logout(principal);
    clearSessionCookies(response, this.secure);
  }

  @Permissions('session:self')
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Permissions('session:self')
  @Get('sessions')
  async sessions(@CurrentPrincipal() principal: Principal): Promise<SessionView[]> {
    return this.auth.listSessions(principal);
  }

  @Permissions('session:self')
  @Delete('sessions/:id')
  @HttpCode(204)
  async revokeSession(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) sessionId: string): Promise<void> {
    await this.auth.revokeSession(principal, sessionId);
  }

  @Permissions('mfa:self')
  @NoIdempotencyKey('the response carries the new TOTP secret, which must not be stored for replay')
  @Post('2fa/setup')
  @HttpCode(200)
  async setupTotp(@CurrentPrincipal() principal: Principal): Promise<{ secret: string; otpauthUri: string }> {
    return this.auth.beginTotp(principal);
  }

  @Permissions('mfa:self')
  @Post('2fa/enable')
  @HttpCode(204)
  async enableTotp(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<void> {
    await this.auth.enableTotp(principal, parseBody(TotpCodeBody, body).code);
  }

  @Permissions('mfa:self')
  @Post('2fa/disable')
  @HttpCode(204)
  async disableTotp(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<void> {
    await this.auth.disableTotp(principal, parseBody(TotpCodeBody, body).code);
  }

  @Permissions('staff:manage')
  @Post('staff')
  async createStaff(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<{ userId: string }> {
    const { email, password, roles } = parseBody(CreateStaffBody, body);
    return this.auth.createStaff(principal, email, password, roles);
  }

  @Permissions('staff:manage')
  @Put('users/:id/roles')
  async changeRoles(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) userId: string, @Body() body: unknown): Promise<{ roles: string[] }> {
    return this.auth.changeRoles(principal, userId, parseBody(RolesBody, body).roles);
  }

  @Permissions('sessions:manage')
  @Delete('users/:id/sessions')
  async revokeSessionsOf(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) userId: string): Promise<{ revoked: number }> {
    return this.auth.revokeSessionsOf(principal, userId);
  }

  private get secure(): boolean {
    return this.config.auth.cookieSecure;
  }

  private client(request: CookieRequest): ClientContext {
    return {
      ip: request.ip ?? request.socket.remoteAddress ?? 'unknown',
      userAgent: request.headers['user-agent'] ?? 'unknown',
      deviceId: request.cookies?.[DEVICE_COOKIE(this.secure)],
    };
  }

  private respond(session: IssuedSession, transport: 'cookie' | 'token', response: Response): SessionResponse {
    if (transport === 'token') {
      return { tokenType: 'Bearer', accessToken: session.accessToken, expiresIn: session.accessExpiresInS, refreshToken: session.refreshToken, principal: session.principal };
    }
    setSessionCookies(response, session, this.secure, new Date());
    return { tokenType: 'cookie', expiresIn: session.accessExpiresInS, principal: session.principal };
  }
}
