import { type EventBus, type Subscription, type Timeframe, timeframeToMs } from '@quant/core';
import type { PositionReader } from '../execution/position-ledger.js';
import type { Account } from '../ports/account.js';
import { analyzeRun, type Benchmark, type RunAnalysis } from './analyze-run.js';
import { type ClosedTrade, closedTradeFrom } from './closed-trade.js';
import { EquityStats } from './equity-stats.js';

/** Options of a {@link PerformanceTracker}. */
export interface PerformanceTrackerOptions {
  /** Equity before the first bar, quote currency (> 0): the broker's initial cash. */
  readonly initialEquity: number;
  /** The timeframe whose bars mark equity (the execution timeframe, e.g. `1m`). */
  readonly timeframe: Timeframe;
  /** Called after each mark, e.g. to keep an equity curve or stream it to a file. */
  readonly onMark?: (mark: EquityMark) => void;
}

/** The account after one bar, as {@link PerformanceTracker} marked it. */
export interface EquityMark {
  /** The bar's close time, ms since epoch, UTC. */
  readonly time: number;
  /** The account then (equity, cash, unrealized P&L, quote currency). */
  readonly account: Account;
  /** Open positions then. */
  readonly openPositions: number;
}

/**
 * Collects what {@link analyzeRun} needs while a run goes, from the bus:
 * every `PositionClosed` event as a {@link ClosedTrade}, and the account
 * after every bar of one timeframe (at the bar's close time, ms UTC: open
 * time plus the timeframe) into {@link EquityStats}, in constant memory over
 * the bars. It listens as a `'*'` subscriber, which the bus calls after the
 * event's own subscribers, so the account is read after the services have
 * handled the bar (the ledger marks positions on `NewCandle`), whenever the
 * tracker was created. Create it before the run starts; call
 * {@link PerformanceTracker.analyze} when it is over.
 *
 * @example
 * A library backtest and its report figures, the same as the reference bot's:
 * ```ts
 * import { buildConfig } from '@quant/config';
 * import { LogManager, SimulatedClock } from '@quant/core';
 * import {
 *   CsvBarSource,
 *   createTradingSystem,
 *   indicatorsFromFile,
 *   loadIndicators,
 *   loadStrategies,
 *   PerformanceTracker,
 *   runSimulation,
 *   SimulatedExchange,
 * } from '@quant/services';
 *
 * const config = buildConfig({ trading: { symbol: 'BTCUSDT', timeframes: ['1m', '5m', '15m'] } });
 * const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
 * const csv = await CsvBarSource.load({ path: 'data/BTCUSDT_1m.csv', symbol: 'BTCUSDT', clock });
 * const exchange = new SimulatedExchange({ clock, initialCash: 100_000, feeBps: 10, slippageBps: 1 });
 * const indicators = indicatorsFromFile(loadIndicators('conf/indicators.yaml'));
 * const strategies = loadStrategies('conf/strategies.yaml', {
 *   outputsFor: (timeframe) => indicators.processor.outputNames(timeframe),
 * });
 * const system = createTradingSystem(config, {
 *   clock,
 *   source: exchange.feedFrom(csv),
 *   broker: exchange,
 *   strategies,
 *   ...indicators,
 *   logs: new LogManager({ clock, level: 'warn' }),
 * });
 * // Before the run: it keeps the closed trades and the account after every 1-minute bar.
 * const tracker = new PerformanceTracker(system.bus, system.positions, { initialEquity: 100_000, timeframe: '1m' });
 * await system.orchestrator.start();
 * await runSimulation(system.orchestrator, clock, {
 *   start: Date.UTC(2023, 2, 1, 0, 1),
 *   end: Date.UTC(2023, 2, 8),
 *   stepMs: 60_000,
 * });
 * await system.orchestrator.stop();
 * const report = tracker.analyze(); // buy and hold from the first and last bar the tracker saw
 * console.log(report.totalReturnPct, report.maxDrawdownPct, report.sharpeRatio, report.byStrategy);
 * ```
 */
export class PerformanceTracker {
  /** Closed trades, in order of closing. */
  readonly trades: ClosedTrade[] = [];
  /** The equity figures, over every bar of the timeframe. */
  readonly equity: EquityStats;
  readonly #subscription: Subscription;
  /** First and last close of each symbol's bars of the timeframe, for buy and hold. */
  readonly #closes = new Map<string, { firstClose: number; lastClose: number }>();

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
    this.#subscription = bus.subscribe(
      '*',
      (event) => {
        if (event.type === 'PositionClosed') this.trades.push(closedTradeFrom(event));
        else if (event.type === 'NewCandle' && event.timeframe === options.timeframe) {
          const closes = this.#closes.get(event.symbol);
          if (closes) closes.lastClose = event.bar.close;
          else this.#closes.set(event.symbol, { firstClose: event.bar.close, lastClose: event.bar.close });
          this.#mark(event.bar.openTime + barMs);
        }
      },
      { name: 'PerformanceTracker' },
    );
  }

  #mark(time: number): void {
    const account = this.positions.account();
    const openPositions = this.positions.positions().length;
    this.equity.mark(time, account.equity, openPositions);
    this.options.onMark?.({ time, account, openPositions });
  }

  #benchmarks(): Benchmark[] {
    return [...this.#closes].map(([symbol, closes]) => ({ symbol, ...closes }));
  }

  /** Stops listening to the bus; the trades and figures kept stay. */
  stop(): void {
    this.#subscription.unsubscribe();
  }

  /**
   * The report of the run so far (see {@link analyzeRun}).
   * @param benchmarks - first and last close of each symbol, for buy and hold; by default those of
   *   the bars the tracker saw (the timeframe's first and last `NewCandle` of each symbol).
   * @param periodsPerYear - annualization of the ratios; 365 by default.
   * @throws {@link ServicesError} `INVALID_ANALYSIS_INPUT` as {@link analyzeRun}.
   */
  analyze(benchmarks: readonly Benchmark[] = this.#benchmarks(), periodsPerYear?: number): RunAnalysis {
    return analyzeRun({
      trades: this.trades,
      equity: this.equity,
      initialEquity: this.options.initialEquity,
      benchmarks,
      ...(periodsPerYear === undefined ? {} : { periodsPerYear }),
    });
  }
}
