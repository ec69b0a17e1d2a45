import { describe, expect, it } from '@jest/globals';
import { statusTone } from './instruments.page';

describe('instrument status at a glance', () => {
  it.each([
    ['open', 'success'],
    ['halted', 'warning'],
    ['closed', 'neutral'],
    ['something new', 'error'], // an unknown state is flagged, never shown as fine
  ])('%s is %s', (status, tone) => {
    expect(statusTone(status)).toBe(tone);
  });
});
