// Taking intents out of a working omnibus order: the venue is asked to take what they still have
// open off what rests of the order. Pure: what the venue did is read from the fills it reports
// afterwards, because a venue reduces by min(quantity, what rests) and says no more than that.
import { assert, decimal } from '@bulwark/shared-contracts';

export interface ReductionReport {
  /** Fills the venue reported after the reduction that were not recorded before it (made before or after it). */
  readonly freshFilled: string;
  /** What the intents staying in the order still have open. */
  readonly stayingOpen: string;
  /** Whether the order still rests at the venue. */
  readonly working: boolean;
}

/**
 * `withdrawn`: the whole quantity came off, and every fill not yet recorded belongs to the intents
 * that stay (the withdrawal counts from the last recorded fills; the staying intents can absorb
 * those fills, because what rested, less the withdrawn quantity, was exactly their open
 * quantity). `order_ended`: less than the withdrawn quantity still rested, so the order ended at
 * the venue, and fills beyond what the staying intents can absorb were made while the leaving
 * ones were still in it: the round is shared among all of them, and the order closes.
 * Fills that fit the staying intents can only mean the whole quantity came off: had less rested,
 * the fills since the last record would exceed the staying intents' open quantity.
 */
export function reductionOutcome(report: ReductionReport): 'withdrawn' | 'order_ended' {
  const fresh = decimal(report.freshFilled);
  const staying = decimal(report.stayingOpen);
  assert(fresh.gte(decimal('0')) && staying.gte(decimal('0')), 'fills and open quantities are not negative');
  if (fresh.lte(staying)) return 'withdrawn';
  // A venue that could not take the whole reduction had nothing left: the order no longer rests.
  assert(!report.working, 'an order whose reduction exceeded what rested has ended at the venue');
  return 'order_ended';
}
