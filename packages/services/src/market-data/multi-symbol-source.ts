import type { Bar } from '@quant/core';
import { ServicesError } from '../errors.js';
import type { BarRequest, MarketDataSource } from '../ports/market-data-source.js';

/**
 * One {@link MarketDataSource} over several, one per symbol: each request
 * goes to the source of its symbol. Use it to trade several symbols whose
 * bars come from different places, e.g. one {@link CsvBarSource} per file.
 *
 * @example
 * ```ts
 * import { SimulatedClock } from '@quant/core';
 * import { CsvBarSource, MultiSymbolSource } from '@quant/services';
 *
 * const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
 * const source = new MultiSymbolSource({
 *   BTCUSDT: await CsvBarSource.load({ path: 'data/BTCUSDT_1m.csv', symbol: 'BTCUSDT', clock }),
 *   BTCUSDC: await CsvBarSource.load({ path: 'data/BTCUSDC_1m.csv', symbol: 'BTCUSDC', clock }),
 * });
 * const bars = await source.fetchBars({ symbol: 'BTCUSDC', timeframe: '5m', limit: 3 });
 * ```
 */
export class MultiSymbolSource implements MarketDataSource {
  readonly #sources: ReadonlyMap<string, MarketDataSource>;

  /**
   * @param sources - the source of each symbol, by symbol.
   * @throws {@link ServicesError} `UNKNOWN_SYMBOL` when no source is given.
   */
  constructor(sources: Readonly<Record<string, MarketDataSource>> | ReadonlyMap<string, MarketDataSource>) {
    this.#sources = sources instanceof Map ? new Map(sources) : new Map(Object.entries(sources));
    if (this.#sources.size === 0)
      throw new ServicesError('UNKNOWN_SYMBOL', 'a MultiSymbolSource needs at least one source');
  }

  /** The symbols served, in the order given. */
  get symbols(): readonly string[] {
    return [...this.#sources.keys()];
  }

  /**
   * Fetches from the source of `request.symbol`.
   * @param request - symbol, timeframe, limit.
   * @returns that source's bars.
   * @throws {@link ServicesError} `UNKNOWN_SYMBOL` for a symbol without a source; whatever that source throws.
   */
  fetchBars(request: BarRequest): Promise<readonly Bar[]> | readonly Bar[] {
    const source = this.#sources.get(request.symbol);
    if (!source) {
      return Promise.reject(
        new ServicesError(
          'UNKNOWN_SYMBOL',
          `no source serves ${request.symbol}: this source serves ${this.symbols.join(', ')}`,
        ),
      );
    }
    return source.fetchBars(request);
  }
}
