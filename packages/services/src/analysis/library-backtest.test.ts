import { describe, expect, it } from 'vitest';
import { march, realBars, realPipeline } from '../test-support/real-data.js';
import { PerformanceTracker } from './performance-tracker.js';

/**
 * A backtest with the library only (no CLI): the example's indicators,
 * strategies and paper broker on the real BTCUSDT file, every minute of
 * 1–21 March 2023, as `quant-bot backtest` runs it. The figures are those the
 * CLI prints and writes to report.json for the same inputs (asserted by
 * apps/reference-bot/src/backtest.e2e.test.ts).
 */
describe('analyzing a library backtest', () => {
  it('gets the figures of the CLI on the same inputs', async () => {
    const pipeline = await realPipeline();
    const tracker = new PerformanceTracker(pipeline.system.bus, pipeline.system.positions, {
      initialEquity: 100_000,
      timeframe: '1m',
    });
    // The execution service now subscribes after the tracker (as when a tracker is made before start):
    // the tracker must still read the account after the ledger has marked the bar.
    await pipeline.system.orchestrator.restartService('trade_execution');
    await pipeline.run(march(1), march(21, 23, 59));
    await pipeline.system.orchestrator.stop();
    tracker.stop();
    const bars = await realBars('1m');
    const first = bars[0];
    const last = bars[bars.length - 1];
    const analysis = tracker.analyze([
      { symbol: 'BTCUSDT', firstClose: first?.close as number, lastClose: last?.close as number },
    ]);

    expect(tracker.equity.marks).toBe(30_240);
    expect(analysis.trades).toBe(80);
    expect(analysis.wins).toBe(23);
    expect(analysis.finalEquity).toBeCloseTo(97_383.3765801184, 6);
    expect(analysis.maxDrawdown).toBeCloseTo(2_944.6213595924637, 9);
    expect(analysis.maxDrawdownPct).toBeCloseTo(2.941921611590298, 9);
    expect(analysis.sharpeRatio).toBeCloseTo(-13.720046711445027, 9);
    expect(analysis.periodsPerYear).toBe(365);
    expect(analysis.profitFactor).toBeCloseTo(0.41112676552458344, 9);
    expect(analysis.exposurePct).toBeCloseTo(12.24537037037037, 9);
    expect(analysis.fees).toBeCloseTo(1_940.4915166833127, 6);
    expect(analysis.byStrategy.map((g) => [g.key, g.trades, Number(g.totalPnl.toFixed(2))])).toEqual([
      ['ema_trend', 7, -484.69],
      ['rsi_reversion', 73, -2_131.94],
    ]);
    expect(analysis.byExitReason.find((g) => g.key === 'stop_loss')?.trades).toBe(49);
    expect(analysis.buyAndHold[0]?.returnPct).toBeCloseTo(21.47, 2);
    // After stop(), the tracker no longer listens.
    pipeline.system.bus.emit('PositionClosed', {
      position: { symbol: 'BTCUSDT' } as never,
      quantity: 1,
      exitPrice: 1,
      realizedPnl: 0,
      fees: 0,
      reason: 'manual',
      closedAt: 0,
    });
    expect(tracker.trades).toHaveLength(80);
  }, 60_000);
});
