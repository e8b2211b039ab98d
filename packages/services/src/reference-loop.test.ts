import { describe, expect, it } from 'vitest';
import { loadReferenceBars, type ReferenceTrade, runReferenceLoop } from '../bench/reference-loop.js';
import { loadIndicators } from './indicators/load-indicators.js';
import { BTCUSDT, btcConfig, conf, realPipeline } from './test-support/real-data.js';

/**
 * The benchmark's reference loop (bench/reference-loop.ts) is the floor the
 * pipeline is measured against: it must do the same work and reach the same
 * result, trade for trade, on the real file with the example configuration.
 */
describe('the reference loop of the benchmark', () => {
  it('makes exactly the trades of the pipeline on the real BTCUSDT file', async () => {
    const pipeline = await realPipeline();
    const expected: ReferenceTrade[] = [];
    pipeline.system.bus.subscribe(
      'PositionClosed',
      ({ position, quantity, exitPrice, realizedPnl, fees, reason, closedAt }) => {
        expected.push({
          strategy: position.strategyName ?? '',
          symbol: position.symbol,
          direction: position.direction,
          quantity,
          entryTime: position.openedAt,
          entryPrice: position.entryPrice,
          exitTime: closedAt,
          exitPrice,
          pnl: realizedPnl,
          fees,
          reason,
        });
      },
    );
    const { firstOpenTime, lastOpenTime } = pipeline.source.stats;
    await pipeline.run(firstOpenTime as number, lastOpenTime as number);
    await pipeline.system.orchestrator.stop();
    const account = pipeline.system.positions.account();

    const { bars } = await loadReferenceBars(BTCUSDT, 'BTCUSDT');
    const reference = runReferenceLoop(bars, {
      config: btcConfig(),
      indicators: loadIndicators(conf('indicators.yaml')),
      strategiesPath: conf('strategies.yaml'),
      initialCash: 100_000,
      feeBps: 10,
      slippageBps: 1,
    });

    // The example backtest's result (`quant-bot backtest`): 80 trades, final equity 97 383.38.
    expect(expected).toHaveLength(80);
    expect(account.equity.toFixed(2)).toBe('97383.38');
    expect(reference.bars).toBe(30_240);
    expect(reference.trades).toHaveLength(expected.length);
    reference.trades.forEach((trade, index) => {
      const want = expected[index] as ReferenceTrade;
      const where = `trade ${index + 1}`;
      expect({ ...trade, pnl: 0, fees: 0 }, where).toEqual({ ...want, pnl: 0, fees: 0 });
      expect(Math.abs(trade.pnl - want.pnl), `${where} P&L`).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(trade.fees - want.fees), `${where} fees`).toBeLessThanOrEqual(1e-9);
    });
    expect(Math.abs(reference.account.equity - account.equity)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(reference.account.fees - account.fees)).toBeLessThanOrEqual(1e-9);
    expect(reference.account.equity.toFixed(2)).toBe('97383.38');
  }, 120_000);
});
