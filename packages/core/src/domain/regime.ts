/** Trend classification of a bar series: rising, falling, or moving sideways. */
export type TrendRegime = 'trend_up' | 'trend_down' | 'range';

/** Volatility classification of a bar series relative to its own recent history. */
export type VolatilityRegime = 'high' | 'normal' | 'low';

/** The market regime of one symbol and timeframe: its trend and its volatility. */
export interface Regime {
  /** `trend_up`, `trend_down` or `range`. */
  readonly trend: TrendRegime;
  /** `high`, `normal` or `low`. */
  readonly volatility: VolatilityRegime;
}

/** The indicator values computed for one closed bar. */
export interface IndicatorRow {
  /** Open time of the bar the values belong to, ms since epoch, UTC. */
  readonly openTime: number;
  /** The bar's close, quote currency. */
  readonly close: number;
  /**
   * Indicator outputs by name (e.g. `ema_fast`, `adx.pdi`). A value is `null`
   * while its indicator is still warming up: it is never a number before it is stable.
   */
  readonly values: Readonly<Record<string, number | null>>;
}

/**
 * The last indicator rows of one symbol and timeframe as of one bar, oldest
 * first: what `IndicatorsCalculated` carries as `recentRows`. Immutable: it
 * always shows the same rows, however many bars come after it, so a handler
 * may keep it. A `readonly IndicatorRow[]` is one (an event rebuilt from JSON
 * carries an array); the indicator service hands out windows over the rows it
 * keeps, so that no event copies them. `Array.from(rows)` makes an array.
 */
export interface RecentRows extends Iterable<IndicatorRow> {
  /** How many rows: at most `recent_rows_limit`. */
  readonly length: number;
  /**
   * The row at `index`, like `Array.prototype.at`: 0 the oldest, -1 the newest (`bar`'s row).
   * @param index - from the start when >= 0, from the end when < 0.
   * @returns the row, or `undefined` outside the window.
   */
  at(index: number): IndicatorRow | undefined;
}
