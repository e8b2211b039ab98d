import type { Bar, IndicatorRow, Regime, SeriesKey, Timeframe } from '@quant/core';

/**
 * Computes indicator values bar by bar, for any number of series (symbol and
 * timeframe). {@link TradingSignalsProcessor} is the one shipped.
 */
export interface IndicatorProcessor {
  /**
   * Feeds a closed bar of a series and returns its indicator row. A value is
   * `null` while its indicator is not yet stable.
   * @param series - symbol and timeframe.
   * @param bar - the closed bar, after every bar already fed for the series.
   */
  update(series: SeriesKey, bar: Bar): IndicatorRow;

  /**
   * Closed bars needed before every output on `timeframe` is stable: after
   * this many bars fed, the row of the last one has no `null`. 0 when no
   * indicator is computed on `timeframe`. The data service fetches this much
   * history at a fresh start (see `HistoryLoaded`); a processor without this
   * method is taken to need none.
   * @param timeframe - a timeframe name.
   */
  warmupBars?(timeframe: Timeframe): number;
}

/**
 * Classifies the regime of a series bar by bar (the raw view of each bar; the
 * indicator service confirms a change only after it held for a number of bars).
 * {@link AdxAtrRegimeDetector} is the one shipped.
 */
export interface RegimeDetector {
  /**
   * Feeds a closed bar and returns its regime, or `null` while warming up.
   * @param series - symbol and timeframe.
   * @param bar - the closed bar.
   */
  update(series: SeriesKey, bar: Bar): Regime | null;

  /**
   * Closed bars needed before {@link RegimeDetector.update} stops answering
   * `null` on `timeframe` (the confirmation of a regime takes
   * `confirmBars` more). A detector without this method is taken to need
   * none.
   * @param timeframe - a timeframe name.
   */
  warmupBars?(timeframe: Timeframe): number;
}
