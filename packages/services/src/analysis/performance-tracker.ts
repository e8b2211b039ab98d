import { type EventBus, type Subscription, type Timeframe, timeframeToMs } from '@quant/core';
import type { PositionReader } from '../execution/position-ledger.js';
import { analyzeRun, type Benchmark, type RunAnalysis } from './analyze-run.js';
import { type ClosedTrade, closedTradeFrom } from './closed-trade.js';
import { EquityStats } from './equity-stats.js';

/** Options of a {@link PerformanceTracker}. */
export interface PerformanceTrackerOptions {
  /** Equity before the first bar, quote currency (> 0): the broker's initial cash. */
  readonly initialEquity: number;
  /** The timeframe whose bars mark equity (the execution timeframe, e.g. `1m`). */
  readonly timeframe: Timeframe;
}

/**
 * Collects what {@link analyzeRun} needs while a run goes, from the bus:
 * every `PositionClosed` event as a {@link ClosedTrade}, and the account
 * after every bar of one timeframe (at the bar's close time, ms UTC: open
 * time plus the timeframe) into {@link EquityStats}, in constant memory over
 * the bars. Create it before the run starts; call {@link PerformanceTracker.analyze}
 * when it is over.
 *
 * @example
 * ```ts
 * const tracker = new PerformanceTracker(system.bus, system.positions, { initialEquity: 100_000, timeframe: '1m' });
 * await system.orchestrator.start();
 * await runSimulation(system.orchestrator, clock, { start, end, stepMs: 60_000 });
 * const report = tracker.analyze([{ symbol: 'BTCUSDT', firstClose, lastClose }]);
 * ```
 */
export class PerformanceTracker {
  /** Closed trades, in order of closing. */
  readonly trades: ClosedTrade[] = [];
  /** The equity figures, over every bar of the timeframe. */
  readonly equity: EquityStats;
  readonly #subscriptions: Subscription[];

  /**
   * @param bus - the run's bus.
   * @param positions - the run's position ledger, read for equity after each bar.
   * @param options - the initial equity and the timeframe that marks equity.
   */
  constructor(
    bus: EventBus,
    private readonly positions: PositionReader,
    private readonly options: PerformanceTrackerOptions,
  ) {
    this.equity = new EquityStats(options.initialEquity);
    const barMs = timeframeToMs(options.timeframe);
    this.#subscriptions = [
      bus.subscribe('PositionClosed', (event) => void this.trades.push(closedTradeFrom(event)), {
        name: 'PerformanceTracker',
      }),
      bus.subscribe(
        'NewCandle',
        (event) => {
          if (event.timeframe !== options.timeframe) return;
          this.equity.mark(
            event.bar.openTime + barMs,
            this.positions.account().equity,
            this.positions.positions().length,
          );
        },
        { name: 'PerformanceTracker' },
      ),
    ];
  }

  /** Stops listening to the bus; the trades and figures kept stay. */
  stop(): void {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
  }

  /**
   * The report of the run so far (see {@link analyzeRun}).
   * @param benchmarks - first and last close of each symbol over the run's span, for buy and hold.
   * @param periodsPerYear - annualization of the ratios; 365 by default.
   * @throws {@link ServicesError} `INVALID_ANALYSIS_INPUT` as {@link analyzeRun}.
   */
  analyze(benchmarks: readonly Benchmark[] = [], periodsPerYear?: number): RunAnalysis {
    return analyzeRun({
      trades: this.trades,
      equity: this.equity,
      initialEquity: this.options.initialEquity,
      benchmarks,
      ...(periodsPerYear === undefined ? {} : { periodsPerYear }),
    });
  }
}
