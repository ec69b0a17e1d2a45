// A sliding-window log: an attempt is allowed when fewer than `hitsMax` attempts were allowed in
// the `windowMs` before it. Unlike fixed windows, no burst straddling a window boundary can reach
// twice the limit: in every interval of `windowMs`, at most `hitsMax` attempts are allowed. The
// log holds at most `hitsMax` timestamps per subject. Refused attempts are not logged, so a
// client that keeps trying is let in again as soon as its oldest allowed attempt ages out.
import { assert } from '@bulwark/shared-contracts';

export interface SlidingWindowLimit {
  readonly hitsMax: number;
  readonly windowMs: number;
}

export type SlidingWindowDecision =
  | { readonly allowed: true; readonly log: number[] }
  | { readonly allowed: false; readonly log: number[]; readonly retryAfterMs: number };

/** Decides one attempt at `nowMs` against the log of earlier allowed attempts (epoch ms). */
export function slidingWindow(logMs: readonly number[], nowMs: number, limit: SlidingWindowLimit): SlidingWindowDecision {
  assert(Number.isInteger(limit.hitsMax) && limit.hitsMax >= 1 && limit.windowMs >= 1, 'a sane limit');
  // Entries from a clock that went backwards count as now: never forgotten early.
  const recent = logMs.map((t) => Math.min(t, nowMs)).filter((t) => t > nowMs - limit.windowMs).sort((a, b) => a - b);
  if (recent.length < limit.hitsMax) {
    const log = [...recent, nowMs];
    assert(log.length <= limit.hitsMax, 'the log never exceeds the limit');
    return { allowed: true, log };
  }
  const kept = recent.slice(-limit.hitsMax);
  const oldest = kept[0] as number;
  const retryAfterMs = oldest + limit.windowMs - nowMs;
  assert(retryAfterMs > 0 && retryAfterMs <= limit.windowMs, 'a refusal ends within one window');
  return { allowed: false, log: kept, retryAfterMs };
}
