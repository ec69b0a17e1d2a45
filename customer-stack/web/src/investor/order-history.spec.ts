import { describe, expect, it } from '@jest/globals';
import type { IntentStatus } from '../shared/orders-api';
import { STATUS_TEXT, averagePrice, filledText, isCancellable, rejectReason } from './order-history';

const INTENT_STATUSES_SHOWN = Object.keys(STATUS_TEXT) as IntentStatus[];

describe('an order in the history', () => {
  it('is cancellable only while the market may still fill it', () => {
    expect(INTENT_STATUSES_SHOWN.filter((status) => isCancellable({ status }))).toEqual(['submitted', 'accepted']);
  });

  it('averages what filled, exactly where it can and to 8 places where it cannot', () => {
    expect(averagePrice({ filledQuantity: '10', notional: '5.16' })).toBe('0.516');
    expect(averagePrice({ filledQuantity: '3', notional: '1' })).toBe('0.33333333');
    expect(averagePrice({ filledQuantity: '0', notional: '0' })).toBeNull();
    expect(filledText({ filledQuantity: '6.000000000000000000', quantity: '10' })).toBe('6 of 10');
  });

  it('explains the market\'s refusal codes, and never invents one', () => {
    expect(rejectReason('bad_tick')).toBe('The limit price was not on the instrument\'s price steps.');
    expect(rejectReason('something_new')).toBe('The market refused it.');
    expect(rejectReason(null)).toBe('No reason was given.');
  });
});
