// Every member and operator route passes this guard: the signed-request check, then the kind
// of principal the route is for. The principal rides on the request for the handler.
import { Inject, Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { memberError, MemberErrorCode } from './member.errors.js';
import { MembersService, type Principal } from './members.service.js';
import { KEY_HEADER, SIGNATURE_HEADER } from './request-signature.js';

const PRINCIPAL_KIND = 'bulwark:principal-kind';
/** The kind of principal a controller or route accepts. */
export const PrincipalKind = (kind: Principal['kind']) => SetMetadata(PRINCIPAL_KIND, kind);

type SignedRequest = Request & { rawBody?: Buffer; principal?: Principal };

@Injectable()
export class SignedRequestGuard implements CanActivate {
  constructor(
    @Inject(MembersService) private readonly members: MembersService,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SignedRequest>();
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const principal = await this.members.authenticate({
      method: request.method,
      path: request.originalUrl,
      rawBody: request.rawBody ?? new Uint8Array(),
      keyId: header(KEY_HEADER),
      signature: header(SIGNATURE_HEADER),
    });
    const kind = this.reflector.getAllAndOverride<Principal['kind'] | undefined>(PRINCIPAL_KIND, [context.getHandler(), context.getClass()]);
    if (kind !== principal.kind) throw memberError(MemberErrorCode.WrongPrincipal);
    request.principal = principal;
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<SignedRequest>().principal;
  if (!principal) throw memberError(MemberErrorCode.MissingSignature);
  return principal;
});
