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
