import type { Bar, IndicatorRow, Regime, SeriesKey } from '@quant/core';

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
}
