import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, type Position, SimulatedClock } from '@quant/core';
import { type Account, analyzeRun, EquityStats, type PositionReader } from '@quant/services';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import type { EquityPoint } from './equity-curve.js';
import { EQUITY_STREAM_NAME, MAX_REGIME_MARKERS, RunRecorder } from './recorder.js';
import { MINUTE, WALK_START, walk } from './walk.test-support.js';
import { ReportWriteError } from './write-report.js';

const START = WALK_START;
const BARS = 50_000;

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
    const performance = analyzeRun({ trades: [], equity: stats, initialEquity: 100_000 });
    expect(performance).toMatchObject(fromWholeCurve(points, 100_000));
    expect(stats.marks).toBe(BARS);
    expect(stats.days).toBe(35);
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
    expect(recorder.regimes('BTCUSDT')).toHaveLength(atEnd.regime_markers as number);
    expect(recorder.regimes('BTCUSDC')).toEqual([]);
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
    expect(analyzeRun({ trades: [], equity: recorder.stats, initialEquity: 100_000 })).toMatchObject(
      fromWholeCurve(points, 100_000),
    );
    const lines = readFileSync(join(dir, 'equity.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(BARS + 1);
    expect(lines[0]).toBe('time,equity,cash,unrealized_pnl,open_positions');
    expect(lines[BARS]).toBe(
      `${new Date(START + BARS * MINUTE).toISOString()},${current.equity},${current.cash},0,${current.openPositions}`,
    );
    // Byte for byte the rows csv-stringify writes for these points.
    expect(readFileSync(join(dir, 'equity.csv'), 'utf8')).toBe(
      stringify(
        points.map((point, i) => [
          new Date(START + (i + 1) * MINUTE).toISOString(),
          point.equity,
          point.cash,
          point.unrealizedPnl,
          point.openPositions > 0 ? 1 : 0,
        ]),
        { header: true, columns: ['time', 'equity', 'cash', 'unrealized_pnl', 'open_positions'] },
      ),
    );
    expect([recorder.count('NewCandle'), recorder.count('RegimeChanged'), recorder.count('OrderFilled')]).toEqual([
      BARS,
      Math.floor(BARS / 15),
      0,
    ]);
    expect([...recorder.counts]).toEqual([
      ['NewCandle', BARS],
      ['RegimeChanged', Math.floor(BARS / 15)],
    ]);
    // Regime markers kept are evenly spread: every 2^k-th change.
    const times = recorder.regimes('BTCUSDT').map((marker) => marker.time);
    const gaps = new Set(times.slice(1).map((time, i) => time - (times[i] as number)));
    expect(gaps.size).toBe(1);
  });
});

/** A device on which every write fails with ENOSPC, as on a full disk (Linux). */
const DEV_FULL = '/dev/full';
const hasDevFull = existsSync(DEV_FULL);

/** A ledger whose account never changes. */
const flat: PositionReader = {
  position: () => undefined,
  positions: () => [],
  account: (): Account => ({
    currency: 'USDT',
    cash: 100_000,
    equity: 100_000,
    unrealizedPnl: 0,
    realizedPnl: 0,
    fees: 0,
  }),
};

/** Emits `bars` 1-minute candles, yielding to the event loop every 1 000 so the files are written meanwhile. */
async function runBars(bus: EventBus, bars: number): Promise<void> {
  const bar = { open: 1, high: 1, low: 1, close: 1, volume: 1 };
  for (let i = 0; i < bars; i++) {
    bus.emit('NewCandle', { symbol: 'BTCUSDT', timeframe: '1m', bar: { openTime: START + i * MINUTE, ...bar } });
    if (i % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Runs `body`, collecting what reached `process` as an uncaught exception meanwhile. */
async function catchingUncaught(body: () => Promise<void>): Promise<unknown[]> {
  const uncaught: unknown[] = [];
  const listener = (error: unknown): void => {
    uncaught.push(error);
  };
  process.on('uncaughtException', listener);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('uncaughtException', listener);
  }
  return uncaught;
}

describe('RunRecorder when a file cannot be written', () => {
  it.skipIf(!hasDevFull)(
    'keeps the first failure of events.jsonl.partial (disk full mid-run), stops writing, and close() throws OUTPUT_WRITE_FAILED and removes both temporary files',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'quant-recorder-full-'));
      const events = join(dir, 'events.jsonl.partial');
      symlinkSync(DEV_FULL, events); // every write to it fails with ENOSPC
      const bus = new EventBus({ clock: new SimulatedClock(START) });
      const recorder = new RunRecorder(bus, flat, '1m', '15m', events, { initialEquity: 100_000, events: 'all' });
      expect(recorder.equityPath).toBe(join(dir, EQUITY_STREAM_NAME));
      let failure: unknown;
      const uncaught = await catchingUncaught(async () => {
        await runBars(bus, 20_000);
        failure = await recorder.close().then(
          () => undefined,
          (error: unknown) => error,
        );
      });
      expect(uncaught).toEqual([]);
      expect(ReportWriteError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({
        code: 'OUTPUT_WRITE_FAILED',
        message: `cannot write ${events}: no space left on the device`,
        cause: expect.objectContaining({ code: 'ENOSPC' }),
      });
      // Writing stopped at the failure, long before the run's end.
      expect(recorder.eventsWritten).toBeLessThan(20_000);
      expect(readdirSync(dir)).toEqual([]);
      expect(statSync(DEV_FULL).isCharacterDevice()).toBe(true);
      // The run's figures are still whole.
      expect(recorder.stats.marks).toBe(20_000);
    },
  );

  it.skipIf(!hasDevFull)('a failing equity stream is reported by close() naming that file, and removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-recorder-equity-full-'));
    const equityPath = join(dir, EQUITY_STREAM_NAME);
    symlinkSync(DEV_FULL, equityPath);
    const bus = new EventBus({ clock: new SimulatedClock(START) });
    const recorder = new RunRecorder(bus, flat, '1m', '15m', undefined, { initialEquity: 100_000, equityPath });
    const uncaught = await catchingUncaught(async () => {
      await runBars(bus, 5_000);
      await expect(recorder.close()).rejects.toMatchObject({
        code: 'OUTPUT_WRITE_FAILED',
        message: `cannot write ${equityPath}: no space left on the device`,
      });
    });
    expect(uncaught).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a folder that no longer exists is reported by close(), not thrown as an uncaught error event', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'quant-recorder-gone-')), 'removed');
    const events = join(dir, 'events.jsonl.partial');
    const bus = new EventBus({ clock: new SimulatedClock(START) });
    const recorder = new RunRecorder(bus, flat, '1m', '15m', events, { initialEquity: 100_000 });
    const uncaught = await catchingUncaught(async () => {
      await runBars(bus, 3_000);
      const error = await recorder.close().catch((thrown: unknown) => thrown);
      expect(ReportWriteError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'OUTPUT_WRITE_FAILED' });
      // Either file may fail first; both are named with why.
      expect((error as Error).message).toMatch(
        new RegExp(
          `^cannot write ${dir}/(events\\.jsonl\\.partial|equity\\.csv\\.stream): its folder no longer exists$`,
        ),
      );
    });
    expect(uncaught).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});
