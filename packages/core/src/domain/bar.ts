import type { Timeframe } from './timeframe.js';

/**
 * One OHLCV bar (candle) of a symbol on a timeframe.
 *
 * Prices are in the quote currency (USDT for BTCUSDT), volume in base units
 * (BTC for BTCUSDT). A consistent bar has `low <= min(open, close)` and
 * `max(open, close) <= high`, and `volume >= 0`.
 */
export interface Bar {
  /** Bar open time, ms since epoch, UTC. The bar covers `[openTime, openTime + timeframe)`. */
  readonly openTime: number;
  /** First traded price of the bar, quote currency. */
  readonly open: number;
  /** Highest traded price, quote currency. */
  readonly high: number;
  /** Lowest traded price, quote currency. */
  readonly low: number;
  /** Last traded price, quote currency. */
  readonly close: number;
  /** Traded volume, base units. */
  readonly volume: number;
}

/** A symbol and timeframe pair: the key of one bar series. */
export interface SeriesKey {
  /** The instrument, e.g. `'BTCUSDT'`. */
  readonly symbol: string;
  /** The bar duration. */
  readonly timeframe: Timeframe;
}
