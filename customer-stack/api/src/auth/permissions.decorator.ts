// What a route declares about access: @Public() or @Permissions(...). The global AuthGuard
// refuses a route that declares neither, and a test walks every route to prove none does.
import { SetMetadata, createParamDecorator, type CustomDecorator, type ExecutionContext } from '@nestjs/common';
import { Public } from '@bulwark/shared-contracts/platform';
import type { Permission } from './permissions.js';
import type { Principal } from './principal.js';

export { Public };
export type { Permission, Role } from './permissions.js';
export type { Principal } from './principal.js';

export const REQUIRED_PERMISSIONS = 'bulwark:permissions';

/** The caller must be signed in and hold every listed permission. */
export function Permissions(...permissions: [Permission, ...Permission[]]): CustomDecorator<string> {
  return SetMetadata(REQUIRED_PERMISSIONS, permissions);
}

/** The request's principal, set by the AuthGuard (only on routes with @Permissions). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const request = context.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('@CurrentPrincipal() used on a route without @Permissions');
  return request.principal;
});
