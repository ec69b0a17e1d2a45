import { SetMetadata, type CustomDecorator } from '@nestjs/common';

export const NO_IDEMPOTENCY_KEY = 'bulwark:no-idempotency-key';

/** Exempts a mutation from the Idempotency-Key requirement; the reason says why replaying it would be wrong. */
export function NoIdempotencyKey(reason: string): CustomDecorator<string> {
  return SetMetadata(NO_IDEMPOTENCY_KEY, reason);
}
