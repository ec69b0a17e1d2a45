// The exactly-once assertions every fault test ends with, as jest expectations (one per
// property, so a failure names what broke).
import { expect } from '@jest/globals';
import type { WallAccounting } from './wall-accounting.js';

/** The exactly-once assertions every fault test ends with (`expected` intents at least). */
export function expectExactlyOnce(accounting: WallAccounting, expected: { intentsMin: number }): void {
  expect(accounting.intents).toBeGreaterThanOrEqual(expected.intentsMin);
  expect(accounting.unanswered).toBe(0);
  expect(accounting.missingOnExecution).toEqual([]);
  expect(accounting.unknownOnCustomer).toEqual([]);
  expect(accounting.disagreeing).toEqual([]);
  expect(accounting.answersNotOnce).toEqual([]);
  expect(accounting.auditNotOnce).toEqual([]);
  expect(accounting.unhandled).toEqual({ c2e: [], e2c: [] });
  expect(accounting.invented).toEqual({ c2e: [], e2c: [] });
  expect(accounting.unpublished).toEqual({ customer: 0, execution: 0 });
  expect(accounting.rejections).toEqual({ customer: [], execution: [] });
  expect(accounting.deadLetters).toEqual({ customer: 0, execution: 0 });
  // Republished messages (an acknowledgement lost in the fault) were deduplicated by JetStream.
  expect(accounting.streams).toEqual({ c2e: accounting.outboxes.c2e, e2c: accounting.outboxes.e2c, dlq: 0 });
}
