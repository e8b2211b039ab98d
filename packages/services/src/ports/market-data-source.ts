import type { Bar, Timeframe } from '@quant/core';

/** What {@link MarketDataSource.fetchBars} is asked for. */
export interface BarRequest {
  /** The instrument, e.g. `'BTCUSDT'`. */
  readonly symbol: string;
  /** The bar duration. */
  readonly timeframe: Timeframe;
  /** How many of the most recent bars to return, >= 1. */
  readonly limit: number;
}

/**
 * Where bars come from: an exchange API, a database, a CSV file. Implement it
 * for your venue; {@link CsvBarSource} is the one shipped.
 *
 * `fetchBars` returns up to `limit` bars, oldest first, as of the source's
 * clock: every bar whose open time is at or before now. The last one may
 * still be forming (its close time, `openTime + timeframe`, is after now),
 * as with a live exchange API; {@link DataFetchingService} only publishes
 * closed bars. Prices in the quote currency, volume in base units, times in
 * ms since epoch, UTC.
 */
export interface MarketDataSource {
  /**
   * Fetches the most recent bars.
   * @param request - symbol, timeframe, limit.
   * @returns the bars, oldest first: a promise of them (a venue's API), or
   *   the bars themselves when the source has them at hand (a file, a
   *   simulated venue), which spares the data service a promise per fetch.
   *   `await` takes either.
   * @throws whatever the transport throws (or the promise rejects with it); the data service retries.
   */
  fetchBars(request: BarRequest): Promise<readonly Bar[]> | readonly Bar[];
}
