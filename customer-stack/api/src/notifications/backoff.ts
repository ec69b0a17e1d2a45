// Retry timing for deliveries: exponential from a base, capped, so a receiver that is down for
// a while is not hammered and one that recovers is reached again within the cap.
import { assert } from '@bulwark/shared-contracts';

export const BACKOFF_MS_MAX = 60 * 60_000;

/** Delay before the next attempt after `attempts` failed ones (1 -> base, 2 -> 2*base, ...). */
export function backoffMs(attempts: number, baseMs: number): number {
  assert(Number.isInteger(attempts) && attempts >= 1, 'backoff after at least one attempt');
  assert(baseMs >= 1, 'backoff base is positive');
  return Math.min(baseMs * 2 ** Math.min(attempts - 1, 30), BACKOFF_MS_MAX);
}
