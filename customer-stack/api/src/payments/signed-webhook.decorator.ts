// A route that providers call without credentials: public to the AuthGuard, but every request
// must carry a valid signature over its exact bytes (the handler refuses it otherwise). Replays
// are refused by the durable event store, so no Idempotency-Key is asked of the provider. The
// route-coverage test accepts a public POST only when it is marked this way.
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { Public } from '../auth/permissions.decorator.js';
import { NoIdempotencyKey } from '../idempotency/no-idempotency-key.decorator.js';

export const SIGNED_WEBHOOK = 'bulwark:signed-webhook';

export function SignedWebhook(scheme: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    Public(),
    NoIdempotencyKey('a provider webhook: replays are refused by its signed event id, kept durably'),
    SetMetadata(SIGNED_WEBHOOK, scheme),
  );
}
