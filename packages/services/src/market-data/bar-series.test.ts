import { describe, expect, it } from 'vitest';
import { BarSeries } from './bar-series.js';

const MINUTE = 60_000;

function series(bars: number, options?: { recentBars?: number }): BarSeries {
  const out = new BarSeries(options);
  for (let i = 0; i < bars; i++) out.push(i * MINUTE, 100 + i, 101 + i, 99 + i, 100.5 + i, i);
  return out;
}

describe('BarSeries', () => {
  it('answers each bar as a frozen object with its fields', () => {
    const bars = series(3);
    const bar = bars.at(1);
    expect(bar).toEqual({ openTime: MINUTE, open: 101, high: 102, low: 100, close: 101.5, volume: 1 });
    expect(Object.isFrozen(bar)).toBe(true);
    expect(bars.length).toBe(3);
    expect(bars.lastIndexAtOrBefore(MINUTE + 1)).toBe(1);
    expect(bars.aggregate(0, 0, 2)).toEqual({ openTime: 0, open: 100, high: 103, low: 99, close: 102.5, volume: 3 });
  });

  it('reuses the object of a bar read again while it is in the ring', () => {
    const bars = series(10, { recentBars: 4 });
    const window = [6, 7, 8, 9].map((i) => bars.at(i));
    expect([6, 7, 8, 9].map((i) => bars.at(i))).toEqual(window);
    [6, 7, 8, 9].forEach((i, k) => {
      expect(bars.at(i)).toBe(window[k]);
    });
    // Bar 2 takes bar 6's slot: bar 6 is built anew, equal but not the same object.
    bars.at(2);
    expect(bars.at(6)).not.toBe(window[0]);
    expect(bars.at(6)).toEqual(window[0]);
  });

  it('keeps at most recentBars frozen bars, however many bars it holds and are read (50 000 bars)', () => {
    const bars = series(50_000);
    expect(bars.recentBars).toBe(BarSeries.DEFAULT_RECENT_BARS);
    // The pipeline's pattern: a warm-up read, then the last few bars every cycle; then a full read (the report).
    for (let i = 0; i < 121; i++) bars.at(i);
    for (let last = 121; last < 50_000; last++) for (let i = Math.max(0, last - 2); i <= last; i++) bars.at(i);
    expect(bars.cachedBars).toBe(BarSeries.DEFAULT_RECENT_BARS);
    for (let i = 0; i < bars.length; i++) bars.at(i);
    expect(bars.cachedBars).toBe(BarSeries.DEFAULT_RECENT_BARS);
    expect(bars.at(49_999)).toMatchObject({ openTime: 49_999 * MINUTE, close: 50_099.5 });
    expect(bars.at(0)).toMatchObject({ openTime: 0, close: 100.5 });
  });

  it('keeps at least one bar', () => {
    const bars = series(3, { recentBars: 0 });
    expect(bars.recentBars).toBe(1);
    expect(bars.at(2)).toBe(bars.at(2));
  });
});
