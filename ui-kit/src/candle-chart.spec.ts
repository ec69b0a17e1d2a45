import { describe, expect, it } from '@jest/globals';
import { candleGeometry, type Candle } from './candle-chart';

const candle = (open: string, high: string, low: string, close: string): Candle => ({ start: `${open}${close}`, open, high, low, close, volume: '1' });

describe('candlestick geometry', () => {
  it('maps the highest high to the top and the lowest low to the bottom', () => {
    const [a, b] = candleGeometry([candle('0.40', '0.50', '0.30', '0.45'), candle('0.45', '0.46', '0.35', '0.36')], 200, 100);
    expect(a).toMatchObject({ x: 50, wickTop: 0, wickBottom: 100, rising: true, bodyTop: 25, bodyHeight: 25 });
    expect(b).toMatchObject({ x: 150, rising: false, bodyTop: 25, bodyHeight: 45 });
  });

  it('keeps a flat market in the middle with a visible body', () => {
    const [only] = candleGeometry([candle('1', '1', '1', '1')], 100, 80);
    expect(only).toMatchObject({ wickTop: 40, wickBottom: 40, bodyHeight: 1 });
  });

  it('draws nothing for no candles and at most the limit', () => {
    expect(candleGeometry([], 100, 100)).toEqual([]);
    expect(candleGeometry(Array.from({ length: 500 }, () => candle('1', '2', '0.5', '1.5')), 100, 100)).toHaveLength(240);
  });
});
