import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, type Position, SimulatedClock } from '@quant/core';
import type { Account, PositionReader } from '@quant/services';
import { describe, expect, it } from 'vitest';
import { computePerformance, EquityStats } from './performance.js';
import { EquityCurve, type EquityPoint, MAX_REGIME_MARKERS, RunRecorder } from './recorder.js';

const MINUTE = 60_000;
const START = Date.UTC(2023, 2, 1);
const BARS = 50_000;

/** A deterministic random walk of equity, with a position open now and then. */
function walk(bars: number): EquityPoint[] {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const points: EquityPoint[] = [];
  let equity = 100_000;
  for (let i = 0; i < bars; i++) {
    equity += (random() - 0.5) * 40;
    const open = Math.floor(i / 500) % 3 === 0 ? 1 : 0;
    points.push({ time: START + (i + 1) * MINUTE, equity, cash: equity, unrealizedPnl: 0, openPositions: open });
  }
  return points;
}

/** The figures the report computed from the whole curve before the curve was bounded. */
function fromWholeCurve(points: readonly EquityPoint[], initial: number) {
  let peak = initial;
  let maxDrawdown = 0;
  let maxDrawdownPct = 0;
  for (const point of points) {
    peak = Math.max(peak, point.equity);
    const drawdown = peak - point.equity;
    if (drawdown > maxDrawdown) maxDrawdown = drawdown;
    if (peak > 0 && (drawdown / peak) * 100 > maxDrawdownPct) maxDrawdownPct = (drawdown / peak) * 100;
  }
  const closes = new Map<number, number>();
  for (const point of points) closes.set(Math.floor((point.time - 1) / 86_400_000), point.equity);
  const returns: number[] = [];
  let previous = initial;
  for (const close of closes.values()) {
    returns.push(close / previous - 1);
    previous = close;
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (returns.length - 1);
  return {
    maxDrawdown,
    maxDrawdownPct,
    sharpeRatio: (mean / Math.sqrt(variance)) * Math.sqrt(365),
    exposurePct: (points.filter((p) => p.openPositions > 0).length / points.length) * 100,
    finalEquity: points[points.length - 1]?.equity,
  };
}

describe('EquityStats', () => {
  it('gives exactly the figures of the whole curve, kept over every bar', () => {
    const points = walk(BARS);
    const stats = new EquityStats(100_000);
    for (const point of points) stats.mark(point.time, point.equity, point.openPositions);
    const performance = computePerformance([], stats, 100_000);
    expect(performance).toMatchObject(fromWholeCurve(points, 100_000));
    expect(stats.marks).toBe(BARS);
    expect(stats.days).toBe(35);
  });
});

describe('EquityCurve', () => {
  it('keeps every bar while it has room', () => {
    const curve = new EquityCurve(100);
    const points = walk(100);
    for (const point of points) curve.add(point);
    expect(curve.points()).toEqual(points);
    expect(curve.resolution()).toMatchObject({ bars: 100, barsPerBucket: 1, points: 100, description: 'every bar' });
  });

  it('stays bounded and keeps the lowest, highest and last points', () => {
    const curve = new EquityCurve(100);
    const points = walk(BARS);
    for (const point of points) curve.add(point);
    const kept = curve.points();
    expect(kept.length).toBeLessThanOrEqual(300);
    expect(kept.length).toBeGreaterThan(50);
    const resolution = curve.resolution();
    expect(resolution.barsPerBucket).toBe(512);
    expect(resolution.description).toBe('lowest, highest and last equity of every 512 bars');
    expect(resolution.points).toBe(kept.length);
    const equities = points.map((p) => p.equity);
    expect(Math.min(...kept.map((p) => p.equity))).toBe(Math.min(...equities));
    expect(Math.max(...kept.map((p) => p.equity))).toBe(Math.max(...equities));
    expect(kept[kept.length - 1]).toBe(points[points.length - 1]);
    for (let i = 1; i < kept.length; i++)
      expect((kept[i] as EquityPoint).time).toBeGreaterThan((kept[i - 1] as EquityPoint).time);
  });
});

describe('RunRecorder', () => {
  it(`keeps structures that do not grow with the bars (${BARS} bars), and streams every bar to the equity file`, async () => {
    const clock = new SimulatedClock(START);
    const bus = new EventBus({ clock });
    const points = walk(BARS);
    let current = points[0] as EquityPoint;
    const positions: PositionReader = {
      position: () => undefined,
      positions: () => (current.openPositions > 0 ? [{} as Position] : []),
      account: (): Account => ({
        currency: 'USDT',
        cash: current.cash,
        equity: current.equity,
        unrealizedPnl: current.unrealizedPnl,
        realizedPnl: 0,
        fees: 0,
      }),
    };
    const dir = mkdtempSync(join(tmpdir(), 'quant-recorder-'));
    const recorder = new RunRecorder(bus, positions, '1m', '15m', undefined, {
      initialEquity: 100_000,
      equityPath: join(dir, 'equity.csv'),
    });
    const bar = { open: 1, high: 1, low: 1, close: 1, volume: 1 };
    const regimes = ['trend_up', 'range'] as const;
    const sizes: ReturnType<RunRecorder['retained']>[] = [];
    for (let i = 0; i < BARS; i++) {
      current = points[i] as EquityPoint;
      const openTime = START + i * MINUTE;
      bus.emit('NewCandle', { symbol: 'BTCUSDT', timeframe: '1m', bar: { openTime, ...bar } });
      if (i % 15 === 14) {
        // A regime change on every 15-minute bar: far more than the chart keeps.
        bus.emit('RegimeChanged', {
          symbol: 'BTCUSDT',
          timeframe: '15m',
          oldRegime: null,
          newRegime: { trend: regimes[(i / 15) % 2 === 0 ? 0 : 1] as 'trend_up', volatility: 'normal' },
          barOpenTime: openTime - 14 * MINUTE,
        });
      }
      if (i === 10_000 - 1 || i === BARS - 1) sizes.push(recorder.retained());
    }
    await recorder.close();

    const [at10k, atEnd] = sizes as [ReturnType<RunRecorder['retained']>, ReturnType<RunRecorder['retained']>];
    expect(atEnd.equity_points).toBeLessThanOrEqual(6_000);
    expect(atEnd.regime_markers).toBeLessThanOrEqual(MAX_REGIME_MARKERS);
    expect(atEnd.regime_markers).toBeGreaterThanOrEqual(MAX_REGIME_MARKERS / 2);
    expect(atEnd.markers).toBe(atEnd.regime_markers);
    expect(atEnd.pending_events).toBe(0);
    expect(atEnd.pending_equity_rows).toBeLessThan(512);
    // Five times the bars, the same bounds (the daily closes grow with the days: one number a day).
    for (const size of [at10k, atEnd]) {
      expect(size.equity_points).toBeLessThanOrEqual(6_000);
      expect(size.regime_markers).toBeLessThanOrEqual(MAX_REGIME_MARKERS);
    }
    expect(atEnd.daily_closes).toBe(35);
    expect(recorder.equity.length).toBe(atEnd.equity_points);
    expect(recorder.candles.get('1m')).toBe(BARS);

    // The figures are those of every bar; the file has every bar.
    expect(computePerformance([], recorder.stats, 100_000)).toMatchObject(fromWholeCurve(points, 100_000));
    const lines = readFileSync(join(dir, 'equity.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(BARS + 1);
    expect(lines[0]).toBe('time,equity,cash,unrealized_pnl,open_positions');
    expect(lines[BARS]).toBe(
      `${new Date(START + BARS * MINUTE).toISOString()},${current.equity},${current.cash},0,${current.openPositions}`,
    );
    // Regime markers kept are evenly spread: every 2^k-th change.
    const times = recorder.markers.map((marker) => marker.time);
    const gaps = new Set(times.slice(1).map((time, i) => time - (times[i] as number)));
    expect(gaps.size).toBe(1);
  });
});
