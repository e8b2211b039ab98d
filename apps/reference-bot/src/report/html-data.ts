import type { Bar } from '@quant/core';
import type { Benchmark, ClosedTrade } from '@quant/services';
import type { SummaryTable } from './build-report.js';
import type { EquityPoint } from './equity-curve.js';

/** A regime change marked on a symbol's price chart. */
export interface RegimeMark {
  /** Open time of the bar that confirmed the regime, ms UTC. */
  readonly time: number;
  /** The regime in words, e.g. `15m uptrend/high`. */
  readonly text: string;
}

/** One symbol's price chart. */
export interface SymbolChart {
  readonly symbol: string;
  /** The timeframe of {@link SymbolChart.bars}, e.g. `5m`. */
  readonly timeframe: string;
  /** The run's span of this symbol, in time order. */
  readonly bars: readonly Bar[];
  /** Regime changes of the coarsest timeframe, in time order (bounded: see `MAX_REGIME_MARKERS`). */
  readonly regimes: readonly RegimeMark[];
}

/** What the HTML report shows. */
export interface HtmlReportData {
  readonly title: string;
  /** The account currency, e.g. `USDT`. */
  readonly currency: string;
  /** Equity before the first bar, quote currency: the base of the buy-and-hold curve. */
  readonly initialEquity: number;
  /** Summary lines shown first: label and value. */
  readonly summary: readonly (readonly [string, string])[];
  /** Tables under the summary: the trades by strategy, by symbol and by exit reason. */
  readonly tables: readonly SummaryTable[];
  /** The equity curve, in time order, already bounded (at most 6 000 points); drawn as given. */
  readonly equity: readonly EquityPoint[];
  /** The curve's resolution in words (e.g. `every bar`). */
  readonly equityResolution: string;
  /**
   * The buy-and-hold benchmark: the initial equity split equally between the
   * symbols, each bought at its first close (that of its first execution bar) and held.
   */
  readonly buyAndHold: readonly Benchmark[];
  /** One price chart per symbol, in the order the symbols were given. */
  readonly symbols: readonly SymbolChart[];
  /** Every closed trade, in the order they closed. */
  readonly trades: readonly ClosedTrade[];
}
