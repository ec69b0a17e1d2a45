import { describe, expect, it } from '@jest/globals';
import { decide, type AlertDecision, type AlertStatus } from './review-queue.js';

const officer = { isMlro: false };
const mlro = { isMlro: true };

describe('review queue decisions', () => {
  it.each([
    // status, decision, who, result
    ['open', 'clear', officer, 'cleared'],
    ['assigned', 'clear', officer, 'cleared'],
    ['assigned', 'escalate', officer, 'escalated'],
    ['assigned', 'freeze', officer, 'freeze_requested'],
    ['assigned', 'file_sar', officer, 'mlro_only'],
    ['assigned', 'file_sar', mlro, 'sar_filed'],
    ['escalated', 'clear', officer, 'mlro_only'],
    ['escalated', 'clear', mlro, 'cleared'],
    ['escalated', 'file_sar', mlro, 'sar_filed'],
    ['escalated', 'freeze', mlro, 'freeze_requested'],
    ['escalated', 'escalate', mlro, 'decision_not_allowed'],
    ['freeze_requested', 'clear', mlro, 'decision_not_allowed'],
    ['cleared', 'escalate', mlro, 'alert_closed'],
    ['sar_filed', 'clear', mlro, 'alert_closed'],
    ['frozen', 'clear', mlro, 'alert_closed'],
  ] as const)('%s + %s by %j -> %s', (status, decision, who, expected) => {
    const result = decide(status as AlertStatus, decision as AlertDecision, who);
    expect(result.ok ? result.next : result.code).toBe(expected);
  });
});
