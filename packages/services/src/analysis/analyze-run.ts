import { ServicesError } from '../errors.js';
import type { ClosedTrade } from './closed-trade.js';
import type { EquityStats } from './equity-stats.js';
import { CRYPTO_PERIODS_PER_YEAR, mean, median, sharpeRatio, sortinoRatio } from './statistics.js';

/** The price of one symbol at the start and the end of a run: the input of a buy-and-hold comparison. */
export interface Benchmark {
  readonly symbol: string;
  /** Close of the first bar of the run's span, quote currency (> 0). */
  readonly firstClose: number;
  /** Close of the last bar of the run's span, quote currency (> 0). */
  readonly lastClose: number;
}

/** What buying a symbol at the start of the run and holding it to the end would have returned (no fees). */
export interface BuyAndHold extends Benchmark {
  /** `(lastClose / firstClose − 1) × 100`, percent. */
  readonly returnPct: number;
}

/** Figures of a group of closed trades (one strategy, one symbol or one exit reason). */
export interface TradeGroup {
  /** The strategy, symbol or exit reason. */
  readonly key: string;
  readonly trades: number;
  /** Trades with a P&L after fees above 0. */
  readonly wins: number;
  /** `trades − wins` (a trade at exactly 0 counts as a loss). */
  readonly losses: number;
  /** `wins / trades`, a fraction 0..1. */
  readonly winRate: number;
  /** Sum of the P&L after fees, quote currency. */
  readonly totalPnl: number;
  /** `totalPnl / trades`, quote currency. */
  readonly averagePnl: number;
  /** Sum of the fees, quote currency. */
  readonly fees: number;
}

/** What {@link analyzeRun} analyzes. */
export interface RunInput {
  /** The run's closed trades, in any order (see {@link closedTradeFrom}). */
  readonly trades: readonly ClosedTrade[];
  /** The equity figures kept over every bar of the run. */
  readonly equity: EquityStats;
  /** Equity before the first bar, quote currency (> 0); the stats' own by default. */
  readonly initialEquity?: number;
  /** First and last close of each symbol over the run's span, for {@link RunAnalysis.buyAndHold}. */
  readonly benchmarks?: readonly Benchmark[];
  /** Annualization of the Sharpe and Sortino ratios of daily returns; {@link CRYPTO_PERIODS_PER_YEAR} (365) by default. */
  readonly periodsPerYear?: number;
}

/**
 * The report of a finished run. Amounts are in the account's quote currency,
 * percents are 0..100, rates are fractions 0..1, durations are ms. A figure
 * that cannot be computed (no trade, fewer than two days, …) is `null`.
 */
export interface RunAnalysis {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** `wins / trades`, 0..1; `null` without trades. */
  readonly winRate: number | null;
  readonly initialEquity: number;
  /** Equity after the last bar (the initial equity when no bar was marked). */
  readonly finalEquity: number;
  /** `finalEquity − initialEquity`. */
  readonly totalReturn: number;
  /** `totalReturn / initialEquity × 100`. */
  readonly totalReturnPct: number;
  /** Sum of the closed trades' P&L after fees. */
  readonly realizedPnl: number;
  /** Largest peak-to-trough fall of equity over every bar (>= 0), see {@link EquityStats.maxDrawdown}. */
  readonly maxDrawdown: number;
  /** Largest fall as a percent of the peak it fell from, see {@link EquityStats.maxDrawdownPct}. */
  readonly maxDrawdownPct: number;
  /** Peak to recovery (or to the last bar) of the largest drawdown, ms; see {@link EquityStats.maxDrawdownDurationMs}. */
  readonly maxDrawdownDurationMs: number;
  /** Whether equity got back to the peak of the largest drawdown. */
  readonly maxDrawdownRecovered: boolean;
  /** Daily (UTC) returns the ratios are computed from: one per day with a mark. */
  readonly days: number;
  /** The annualization of the ratios. */
  readonly periodsPerYear: number;
  /** Annualized Sharpe ratio of daily (UTC) equity returns, risk-free rate 0 (see {@link sharpeRatio}). */
  readonly sharpeRatio: number | null;
  /** Annualized Sortino ratio of daily (UTC) equity returns, target 0 (see {@link sortinoRatio}). */
  readonly sortinoRatio: number | null;
  /** Sum of the winning trades' P&L (> 0). */
  readonly grossProfit: number;
  /** Minus the sum of the losing trades' P&L (>= 0). */
  readonly grossLoss: number;
  /**
   * `grossProfit / grossLoss`; `null` without a losing trade. Source: the standard definition, as backtesting.py
   * (`backtesting/_stats.py`, `Profit Factor`) and Freqtrade's backtest report compute it.
   */
  readonly profitFactor: number | null;
  /**
   * Mean P&L after fees per trade, quote currency; `null` without trades. Equal to `winRate × average win −
   * lossRate × average loss`, Freqtrade's `Expectancy` (its backtesting documentation).
   */
  readonly expectancy: number | null;
  /**
   * Mean return per trade, percent: the mean of `pnl / (entryPrice × quantity) × 100`
   * (P&L after fees over the entry notional); `null` without trades. Source: backtesting.py's `Expectancy [%]`
   * (`backtesting/_stats.py`: the mean of the trades' returns), here after fees.
   */
  readonly expectancyPct: number | null;
  /**
   * Share of marked bars with at least one open position, percent. Source: backtesting.py's `Exposure Time [%]`
   * (`backtesting/_stats.py`: bars with a position open over all bars).
   */
  readonly exposurePct: number;
  /** Mean of `exitTime − entryTime` over the trades, ms; `null` without trades. */
  readonly averageTradeDurationMs: number | null;
  /** Median of `exitTime − entryTime`, ms; `null` without trades. */
  readonly medianTradeDurationMs: number | null;
  /** The trade with the highest P&L (the first of equals); `null` without trades. */
  readonly bestTrade: ClosedTrade | null;
  /** The trade with the lowest P&L (the first of equals); `null` without trades. */
  readonly worstTrade: ClosedTrade | null;
  /** Sum of the closed trades' fees (the entry fees of positions still open are not in it). */
  readonly fees: number;
  /** Buy and hold of each benchmark symbol, in the order given. */
  readonly buyAndHold: readonly BuyAndHold[];
  /** The trades by strategy, in key order. */
  readonly byStrategy: readonly TradeGroup[];
  /** The trades by symbol, in key order. */
  readonly bySymbol: readonly TradeGroup[];
  /** The trades by exit reason, in key order. */
  readonly byExitReason: readonly TradeGroup[];
}

/**
 * Computes the report of a finished run from its closed trades and the
 * equity figures kept over every bar: returns, drawdown and its duration,
 * Sharpe and Sortino ratios of daily UTC returns, profit factor, expectancy,
 * win rate, exposure, trade durations, best and worst trade, fees, buy and
 * hold of each benchmark symbol, and the trades by strategy, symbol and exit
 * reason. Each figure's formula and source is on its field of
 * {@link RunAnalysis}.
 *
 * @example
 * Over a run kept by hand (a {@link PerformanceTracker} does this for you):
 * ```ts
 * import { analyzeRun, type ClosedTrade, EquityStats } from '@quant/services';
 *
 * // The closed trades (closedTradeFrom of each PositionClosed event) and the account after every bar.
 * const trades: ClosedTrade[] = [
 *   {
 *     strategy: 'rsi_reversion',
 *     symbol: 'BTCUSDT',
 *     direction: 'long',
 *     quantity: 0.5,
 *     entryTime: Date.UTC(2023, 2, 1, 13, 35),
 *     entryPrice: 23_627.62,
 *     exitTime: Date.UTC(2023, 2, 1, 14, 5),
 *     exitPrice: 23_699.71,
 *     pnl: 12.38,
 *     fees: 23.66,
 *     reason: 'exit_signal',
 *   },
 * ];
 * const equity = new EquityStats(100_000);
 * equity.mark(Date.UTC(2023, 2, 1, 13, 36), 99_960.1, 1);
 * equity.mark(Date.UTC(2023, 2, 1, 14, 6), 100_012.38, 0);
 * const analysis = analyzeRun({
 *   trades,
 *   equity,
 *   benchmarks: [{ symbol: 'BTCUSDT', firstClose: 23_142.31, lastClose: 28_110.26 }],
 * });
 * console.log(analysis.totalReturnPct, analysis.maxDrawdown, analysis.winRate, analysis.buyAndHold[0]?.returnPct);
 * ```
 * @param input - the trades, the equity figures, the benchmarks.
 * @throws {@link ServicesError} `INVALID_ANALYSIS_INPUT` when the initial
 *   equity is missing (neither given nor known to the stats), not finite or
 *   not above 0, when `periodsPerYear` is not a finite number above 0, or
 *   when a benchmark close is not a finite number above 0.
 */
export function analyzeRun(input: RunInput): RunAnalysis {
  const initialEquity = input.initialEquity ?? input.equity.initialEquity;
  if (initialEquity === undefined || !Number.isFinite(initialEquity) || initialEquity <= 0) {
    throw new ServicesError(
      'INVALID_ANALYSIS_INPUT',
      `cannot analyze a run with initial equity ${String(initialEquity)}: expected a finite number above 0`,
    );
  }
  const periodsPerYear = input.periodsPerYear ?? CRYPTO_PERIODS_PER_YEAR;
  if (!Number.isFinite(periodsPerYear) || periodsPerYear <= 0) {
    throw new ServicesError(
      'INVALID_ANALYSIS_INPUT',
      `cannot annualize with ${String(periodsPerYear)} periods per year: expected a finite number above 0`,
    );
  }
  const buyAndHold = (input.benchmarks ?? []).map(buyAndHoldOf);
  const { trades, equity } = input;
  const pnls = trades.map((trade) => trade.pnl);
  const wins = pnls.filter((pnl) => pnl > 0).length;
  let grossProfit = 0;
  let grossLoss = 0;
  for (const pnl of pnls) {
    if (pnl > 0) grossProfit += pnl;
    else grossLoss -= pnl;
  }
  const durations = trades.map((trade) => trade.exitTime - trade.entryTime);
  const returns = equity.dailyReturns(initialEquity);
  const finalEquity = equity.finalEquity ?? initialEquity;
  const none = trades.length === 0;
  return {
    trades: trades.length,
    wins,
    losses: trades.length - wins,
    winRate: none ? null : wins / trades.length,
    initialEquity,
    finalEquity,
    totalReturn: finalEquity - initialEquity,
    totalReturnPct: ((finalEquity - initialEquity) / initialEquity) * 100,
    realizedPnl: sum(pnls),
    maxDrawdown: equity.maxDrawdown,
    maxDrawdownPct: equity.maxDrawdownPct,
    maxDrawdownDurationMs: equity.maxDrawdownDurationMs,
    maxDrawdownRecovered: equity.maxDrawdownRecovered,
    days: returns.length,
    periodsPerYear,
    sharpeRatio: sharpeRatio(returns, periodsPerYear),
    sortinoRatio: sortinoRatio(returns, periodsPerYear),
    grossProfit,
    grossLoss,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancy: none ? null : mean(pnls),
    expectancyPct: none ? null : mean(trades.map((t) => (t.pnl / (t.entryPrice * t.quantity)) * 100)),
    exposurePct: equity.exposurePct,
    averageTradeDurationMs: none ? null : mean(durations),
    medianTradeDurationMs: median(durations),
    bestTrade: extreme(trades, (a, b) => a > b),
    worstTrade: extreme(trades, (a, b) => a < b),
    fees: sum(trades.map((trade) => trade.fees)),
    buyAndHold,
    byStrategy: groupTrades(trades, (trade) => trade.strategy),
    bySymbol: groupTrades(trades, (trade) => trade.symbol),
    byExitReason: groupTrades(trades, (trade) => trade.reason),
  };
}

/**
 * Groups trades by a key and computes each group's figures.
 * @param trades - closed trades.
 * @param keyOf - the group of a trade (its strategy, symbol, exit reason, …).
 * @returns one {@link TradeGroup} per key, in key order (`localeCompare`-free code-point order).
 */
export function groupTrades(
  trades: readonly ClosedTrade[],
  keyOf: (trade: ClosedTrade) => string,
): readonly TradeGroup[] {
  const groups = new Map<string, { trades: number; wins: number; totalPnl: number; fees: number }>();
  for (const trade of trades) {
    const key = keyOf(trade);
    let group = groups.get(key);
    if (group === undefined) {
      group = { trades: 0, wins: 0, totalPnl: 0, fees: 0 };
      groups.set(key, group);
    }
    group.trades++;
    if (trade.pnl > 0) group.wins++;
    group.totalPnl += trade.pnl;
    group.fees += trade.fees;
  }
  return [...groups.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => {
      const group = groups.get(key) as { trades: number; wins: number; totalPnl: number; fees: number };
      return {
        key,
        trades: group.trades,
        wins: group.wins,
        losses: group.trades - group.wins,
        winRate: group.wins / group.trades,
        totalPnl: group.totalPnl,
        averagePnl: group.totalPnl / group.trades,
        fees: group.fees,
      };
    });
}

function buyAndHoldOf(benchmark: Benchmark): BuyAndHold {
  for (const [name, close] of [
    ['firstClose', benchmark.firstClose],
    ['lastClose', benchmark.lastClose],
  ] as const) {
    if (!Number.isFinite(close) || close <= 0) {
      throw new ServicesError(
        'INVALID_ANALYSIS_INPUT',
        `cannot compute buy and hold of ${benchmark.symbol}: ${name} is ${String(close)}, expected a finite price above 0`,
      );
    }
  }
  return {
    symbol: benchmark.symbol,
    firstClose: benchmark.firstClose,
    lastClose: benchmark.lastClose,
    returnPct: (benchmark.lastClose / benchmark.firstClose - 1) * 100,
  };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function extreme(trades: readonly ClosedTrade[], better: (a: number, b: number) => boolean): ClosedTrade | null {
  let found: ClosedTrade | null = null;
  for (const trade of trades) if (found === null || better(trade.pnl, found.pnl)) found = trade;
  return found;
}
