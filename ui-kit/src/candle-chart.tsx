// A candlestick chart in plain SVG. Prices stay decimal strings until the last step: big.js
// scales them to pixels, and only the pixel coordinates become JS numbers. The chart is an
// image with a text summary for screen readers; the exact figures live in the tables beside it.
import { big } from './money';

export interface Candle {
  readonly start: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

export interface CandleShape {
  readonly x: number;
  readonly width: number;
  readonly wickTop: number;
  readonly wickBottom: number;
  readonly bodyTop: number;
  readonly bodyHeight: number;
  readonly rising: boolean;
}

export const CANDLES_DRAWN_MAX = 240;
const BODY_HEIGHT_MIN_PX = 1;
/** A lone candle stays a candle, not a block across the whole chart. */
const BODY_WIDTH_MAX_PX = 16;

/** Pixel geometry of each candle in a `width` x `height` box (y grows downwards). */
export function candleGeometry(candles: readonly Candle[], width: number, height: number): CandleShape[] {
  const shown = candles.slice(-CANDLES_DRAWN_MAX);
  if (shown.length === 0) return [];
  const high = shown.reduce((max, c) => (big(c.high).gt(max) ? big(c.high) : max), big(shown[0]?.high ?? '0'));
  const low = shown.reduce((min, c) => (big(c.low).lt(min) ? big(c.low) : min), big(shown[0]?.low ?? '0'));
  const range = high.minus(low);
  const y = (price: string) => (range.eq(0) ? height / 2 : high.minus(big(price)).div(range).times(height).toNumber());
  const slot = width / shown.length;
  return shown.map((c, i) => {
    const rising = big(c.close).gte(big(c.open));
    const top = y(rising ? c.close : c.open);
    const bottom = y(rising ? c.open : c.close);
    return {
      x: i * slot + slot / 2,
      width: Math.max(1, Math.min(BODY_WIDTH_MAX_PX, slot * 0.6)),
      wickTop: y(c.high),
      wickBottom: y(c.low),
      bodyTop: top,
      bodyHeight: Math.max(BODY_HEIGHT_MIN_PX, bottom - top),
      rising,
    };
  });
}

export function CandleChart({ candles, label, width = 640, height = 200 }: {
  readonly candles: readonly Candle[];
  readonly label: string;
  readonly width?: number;
  readonly height?: number;
}) {
  const shapes = candleGeometry(candles, width, height);
  const last = candles.at(-1);
  const summary = last ? `${label}: ${candles.length} candles, last close ${last.close}, high ${last.high}, low ${last.low}.` : `${label}: no trades yet.`;
  return (
    <svg className="candle-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="none">
      {shapes.map((s, i) => (
        <g key={candles[i]?.start ?? i} className={s.rising ? 'candle-up' : 'candle-down'}>
          <line x1={s.x} x2={s.x} y1={s.wickTop} y2={s.wickBottom} />
          <rect x={s.x - s.width / 2} y={s.bodyTop} width={s.width} height={s.bodyHeight} />
        </g>
      ))}
    </svg>
  );
}
