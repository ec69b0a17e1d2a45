// Route access metadata both stacks' guards read. A route is either public (no credentials) or
// names the permissions it needs; a stack's guard refuses any route that says neither. The
// platform's own controllers (health, metrics) are public so load balancers and scrapers reach them.
import { SetMetadata, type CustomDecorator } from '@nestjs/common';

export const PUBLIC_ROUTE = 'bulwark:public';

/** Marks a route (or a whole controller) as reachable without credentials. */
export function Public(): CustomDecorator<string> {
  return SetMetadata(PUBLIC_ROUTE, true);
}
