import { type Bar, type Clock, timeframeToMs } from '@quant/core';
import type { BarRequest, MarketDataSource } from '@quant/services';
import type { OHLCV } from 'ccxt';
import { toBrokerError } from './ccxt-errors.js';
import type { CcxtVenue } from './ccxt-venue.js';

/** Options of a {@link CcxtMarketData}. */
export interface CcxtMarketDataOptions {
  /** The bot's clock: which bars are closed is decided by it. */
  readonly clock: Clock;
  /** Bars asked for per request, at most the venue's page (1 000 on Binance); 1 000 by default. */
  readonly pageSize?: number;
}

/**
 * The `MarketDataSource` port on a venue through ccxt (`fetchOHLCV`): the most recent `limit` closed bars of a
 * symbol and timeframe, oldest first. More than one page (a warm-up of thousands of bars) is read page by page
 * from `since`, under ccxt's rate limit. Only closed bars are handed on (a bar is closed when its open time plus
 * the timeframe is at or before the clock's now); a forming bar the venue serves is left out.
 *
 * @example
 * ```ts
 * const source = new CcxtMarketData(await CcxtVenue.connect({ exchange: 'binance' }), { clock: new LiveClock() });
 * const bars = await source.fetchBars({ symbol: 'BTCUSDT', timeframe: '15m', limit: 200 });
 * ```
 */
export class CcxtMarketData implements MarketDataSource {
  readonly #venue: CcxtVenue;
  readonly #clock: Clock;
  readonly #pageSize: number;

  /**
   * @param venue - the connection ({@link CcxtVenue.connect}).
   * @param options - the clock, the page size.
   */
  constructor(venue: CcxtVenue, options: CcxtMarketDataOptions) {
    this.#venue = venue;
    this.#clock = options.clock;
    this.#pageSize = Math.max(1, Math.min(1000, Math.floor(options.pageSize ?? 1000)));
  }

  /**
   * The most recent closed bars.
   * @param request - the bot's symbol, the timeframe, how many bars.
   * @returns up to `limit` closed bars, oldest first, one per open time.
   * @throws {@link @quant/services!BrokerError} `rejected` (an unknown symbol, a timeframe the venue lacks),
   *   `rate_limited`, `unavailable`; the data service retries.
   */
  async fetchBars(request: BarRequest): Promise<readonly Bar[]> {
    const stepMs = timeframeToMs(request.timeframe);
    const what = `bars of ${request.symbol} ${request.timeframe}`;
    const venueSymbol = this.#venue.markets.venueSymbol(request.symbol);
    const now = this.#clock.now();
    // The open time of the last closed bar, then back `limit` bars.
    const lastOpen = Math.floor(now / stepMs) * stepMs - stepMs;
    const bars = new Map<number, Bar>();
    try {
      for (let since = lastOpen - (request.limit - 1) * stepMs; since <= lastOpen; ) {
        const wanted = Math.min(this.#pageSize, Math.floor((lastOpen - since) / stepMs) + 1);
        const rows = await this.#venue.exchange.fetchOHLCV(venueSymbol, request.timeframe, since, wanted);
        for (const row of rows) {
          const bar = toBar(row);
          if (bar !== undefined && bar.openTime >= since && bar.openTime <= lastOpen) bars.set(bar.openTime, bar);
        }
        const last = rows.at(-1)?.[0];
        // A page that ends before `lastOpen` goes on from its last bar; an empty page (a gap) from the next window.
        since = last == null || last < since ? since + wanted * stepMs : last + stepMs;
      }
    } catch (error) {
      throw toBrokerError(error, 'read', what, this.#venue.secrets);
    }
    return [...bars.values()].sort((a, b) => a.openTime - b.openTime).slice(-request.limit);
  }
}

/** A ccxt OHLCV row as a bar; `undefined` when a field is missing. */
function toBar(row: OHLCV): Bar | undefined {
  const [openTime, open, high, low, close, volume] = row;
  if (openTime == null || open == null || high == null || low == null || close == null) return undefined;
  return { openTime, open, high, low, close, volume: volume ?? 0 };
}
