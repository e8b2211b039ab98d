import { describe, expect, it } from 'vitest';
import { EquityStats } from './equity-stats.js';

const T0 = Date.UTC(2023, 2, 1);
const MIN = 60_000;
const HOUR = 3_600_000;

function statsOf(equities: readonly number[], initial = 100, step = MIN): EquityStats {
  const stats = new EquityStats(initial);
  equities.forEach((equity, i) => {
    stats.mark(T0 + (i + 1) * step, equity, i % 2);
  });
  return stats;
}

describe('EquityStats', () => {
  it('keeps the final equity, the largest drawdown in quote and percent, and exposure', () => {
    // Peaks 100 → 110; falls to 99 (−11, −10 %); a later fall 105 → 80 from a peak 120 is larger.
    const stats = statsOf([110, 99, 120, 100, 90, 125]);
    expect(stats.finalEquity).toBe(125);
    expect(stats.maxDrawdown).toBe(30);
    expect(stats.maxDrawdownPct).toBeCloseTo(25, 12);
    expect(stats.exposurePct).toBeCloseTo(50, 12);
    expect(stats.marks).toBe(6);
    expect(stats.firstTime).toBe(T0 + MIN);
    expect(stats.lastTime).toBe(T0 + 6 * MIN);
  });

  it('times the largest drawdown from its peak to the first mark back at the peak', () => {
    // Peak 120 at mark 3; back above it at mark 6.
    const stats = statsOf([110, 99, 120, 100, 90, 125]);
    expect(stats.maxDrawdownDurationMs).toBe(3 * MIN);
    expect(stats.maxDrawdownRecovered).toBe(true);
    // Equity exactly at the peak again is a recovery.
    expect(statsOf([100, 95, 100, 101]).maxDrawdownDurationMs).toBe(2 * MIN);
  });

  it('times an unrecovered drawdown to the last mark, and one from the initial equity from the first mark', () => {
    const stats = statsOf([98, 97, 99, 96, 99.5]);
    expect(stats.maxDrawdown).toBe(4);
    expect(stats.maxDrawdownDurationMs).toBe(4 * MIN);
    expect(stats.maxDrawdownRecovered).toBe(false);
  });

  it('keeps the first episode of equal drawdowns, and a deeper fall of the same episode keeps its peak', () => {
    const stats = statsOf([90, 100, 90, 100]);
    expect(stats.maxDrawdown).toBe(10);
    expect(stats.maxDrawdownDurationMs).toBe(MIN);
    const deeper = statsOf([110, 105, 100, 111]);
    expect(deeper.maxDrawdownDurationMs).toBe(3 * MIN);
  });

  it('has no drawdown and no duration on a rising curve', () => {
    const stats = statsOf([101, 102, 103]);
    expect(stats.maxDrawdown).toBe(0);
    expect(stats.maxDrawdownDurationMs).toBe(0);
    expect(stats.maxDrawdownRecovered).toBe(true);
  });

  it('keeps one close per UTC day (a mark at midnight closes the previous day) and returns day over day', () => {
    const stats = new EquityStats(100);
    stats.mark(T0 + 12 * HOUR, 101, 0);
    stats.mark(T0 + 24 * HOUR, 110, 0); // midnight: still 1 March
    stats.mark(T0 + 25 * HOUR, 99, 0);
    stats.mark(T0 + 47 * HOUR, 121, 0);
    expect(stats.days).toBe(2);
    const [first, second] = stats.dailyReturns();
    expect(first).toBeCloseTo(0.1, 12);
    expect(second).toBeCloseTo(0.1, 12);
    expect(stats.dailyReturns(55)).toHaveLength(2);
  });

  it('takes the initial equity once, given later with start()', () => {
    const stats = new EquityStats();
    expect(stats.initialEquity).toBeUndefined();
    stats.start(100);
    stats.start(200);
    expect(stats.initialEquity).toBe(100);
    stats.mark(T0 + MIN, 90, 0);
    expect(stats.maxDrawdown).toBe(10);
    expect(stats.maxDrawdownPct).toBeCloseTo(10, 12);
  });

  it('keeps constant memory over the bars: one number per day', () => {
    const stats = new EquityStats(100_000);
    for (let i = 0; i < 200_000; i++) stats.mark(T0 + (i + 1) * MIN, 100_000 + Math.sin(i / 500) * 1_000, i % 3);
    expect(stats.marks).toBe(200_000);
    expect(stats.days).toBe(Math.ceil(200_000 / 1_440));
  });
});
