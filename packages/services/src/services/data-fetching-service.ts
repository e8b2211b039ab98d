import type { ServicesConfig } from '@quant/config';
import {
  type Bar,
  EventDrivenService,
  type HealthAssessment,
  type ServiceDeps,
  type Timeframe,
  timeframeToMs,
} from '@quant/core';
import type { MarketDataSource } from '../ports/market-data-source.js';

/** Options of a {@link DataFetchingService}. */
export interface DataFetchingOptions {
  /** Where bars come from. */
  readonly source: MarketDataSource;
  /** The instruments, in the order they are fetched (`config.trading.symbols`); at least one. */
  readonly symbols: readonly string[];
  /** The timeframes to fetch for each symbol, in the order they are fetched and published. */
  readonly timeframes: readonly Timeframe[];
  /** The `services.data_fetching` section. */
  readonly config: ServicesConfig['data_fetching'];
  /** Delay before the first retry, ms, doubling with each retry; 500 by default. */
  readonly retryBackoffMs?: number;
  /** Failed fetches in a row (after retries) that make the service unhealthy; 3 by default. */
  readonly unhealthyAfterFailures?: number;
  /**
   * Closed bars of history to publish in `HistoryLoaded` before the first
   * live bar of `timeframe` (of each symbol), so that the indicators and the regime detector
   * are warmed up by then (see `createTradingSystem`, which takes it from
   * their `warmupBars`). None when omitted or 0.
   */
  readonly warmupBars?: (timeframe: Timeframe) => number;
}

/**
 * Polls the market data source and detects closed bars (the original
 * DataFetchingService). Each {@link DataFetchingService.fetch}, for every
 * symbol in turn and each of its timeframes whose next bar can have closed
 * by now (a timeframe whose bar has not closed has nothing new, and is not
 * fetched: a 15-minute series is fetched once per 15 minutes however often
 * `fetch` runs): fetch the last `nbr_bars` bars, publish `DataFetched`
 * unless its newest bar is the same as the last `DataFetched`'s of that
 * series (a fetch that found nothing new publishes nothing), and publish
 * `NewCandle` once for each newly closed bar, in time order (`candle_index`
 * 1 = the last closed bar; 2 = the one before, …). Every event carries its
 * `symbol`; one symbol's events come in the same order as in a run of that
 * symbol alone.
 *
 * A bar is never published twice, even across restarts: the last published
 * open time per symbol and timeframe survives `stop()`. After a pause, every bar missed
 * is published, in order (the fetch is widened to cover the gap). The first
 * fetch publishes only the last closed bar as `NewCandle`.
 *
 * Warm-up: on the first fetch of a timeframe by this instance (a fresh start;
 * a `stop()`/`start()` keeps the last published bars and publishes what it
 * missed instead), with `warmupBars` giving `n` > 0, the fetch is widened to
 * `n` closed bars before the first live one, and `HistoryLoaded` carries them
 * (fewer when the source has fewer, with a warning; none when it has none)
 * just before that first `NewCandle`, so the indicators are warm by then. In
 * a backtest this is the data before the first simulated bar.
 *
 * A failing fetch is retried `retry_attempts` times with exponential backoff
 * on the clock, then `DataFetchFailed` is published and the other symbols and
 * timeframes are still fetched. A series (symbol and timeframe) that failed
 * makes the service degraded; `unhealthyAfterFailures` failures in a row of
 * one series make it unhealthy (so the orchestrator restarts it).
 *
 * Metrics: `data_fetches` (attempts), `new_candles_detected`, `fetch_errors` (failed attempts).
 */
export class DataFetchingService extends EventDrivenService {
  readonly #options: DataFetchingOptions;
  /** Every series (symbol and timeframe), in fetch order: symbol by symbol, each timeframe in turn. */
  readonly #series: readonly Series[];
  /** The same series by key (`symbol|timeframe`). */
  readonly #byKey: ReadonlyMap<string, Series>;
  /** Failed fetches in a row, by series key; a series is removed once it succeeds. */
  readonly #failures = new Map<string, number>();
  #lastError: string | undefined;

  /**
   * @param deps - bus, clock, logger.
   * @param options - source, symbols, timeframes, config section.
   */
  constructor(deps: ServiceDeps, options: DataFetchingOptions) {
    super('DataFetchingService', deps);
    this.#options = options;
    this.#series = options.symbols.flatMap((symbol) =>
      options.timeframes.map((timeframe) => ({
        symbol,
        timeframe,
        key: seriesKey(symbol, timeframe),
        tfMs: timeframeToMs(timeframe),
        last: undefined,
        lastFetched: undefined,
      })),
    );
    this.#byKey = new Map(this.#series.map((series) => [series.key, series]));
    this.defineMetrics('data_fetches', 'new_candles_detected', 'fetch_errors');
  }

  /**
   * Open time of the last bar published, ms UTC.
   * @param symbol - the instrument.
   * @param timeframe - the bar duration.
   */
  lastPublished(symbol: string, timeframe: Timeframe): number | undefined {
    return this.#byKey.get(seriesKey(symbol, timeframe))?.last;
  }

  /**
   * Fetches every symbol's timeframes once and publishes what is new. Does
   * nothing unless the service is running or degraded.
   * @returns a promise that settles when the fetch is done; or nothing when
   *   it is done already: every source answered at once (a file, a simulated
   *   venue), so a backtest's cycle makes no promise here. `await` takes either.
   */
  fetch(): Promise<void> | undefined {
    if (this.state !== 'running' && this.state !== 'degraded') return undefined;
    try {
      return this.#fetchFrom(0);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Fetches the due series from series `index` on, one after the other. */
  #fetchFrom(index: number): Promise<void> | undefined {
    const all = this.#series;
    const now = this.clock.now();
    for (let i = index; i < all.length; i++) {
      const series = all[i] as Series;
      if (!this.#due(series, now)) continue;
      const pending = this.#fetchSeries(series, now);
      if (pending) return pending.then(() => this.#fetchFrom(i + 1));
    }
    return undefined;
  }

  /**
   * Whether a fetch of the series can bring a bar to publish: always before
   * the first one; after it, once the bar following the last one published
   * can have closed (`candle_index` bars later). A 15-minute series is
   * fetched once per 15 minutes, not on every cycle.
   */
  #due(series: Series, now: number): boolean {
    return series.last === undefined || now >= series.last + (this.#options.config.candle_index + 1) * series.tfMs;
  }

  protected override checkHealth(): HealthAssessment {
    const limit = this.#options.unhealthyAfterFailures ?? 3;
    const worst = Math.max(0, ...this.#failures.values());
    const details = {
      consecutive_failures: worst,
      ...(this.#failures.size > 0 ? { failing: [...this.#failures.keys()].map((key) => key.replace('|', ' ')) } : {}),
      ...(this.#lastError ? { last_fetch_error: this.#lastError } : {}),
    };
    if (worst >= limit)
      return { status: 'unhealthy', details: { ...details, reason: `${worst} failed fetches in a row` } };
    if (worst > 0) return { status: 'degraded', details };
    return { details };
  }

  /**
   * Whether `bars` says nothing the series' last `DataFetched` did not (same
   * newest bar, same values); remembers them otherwise.
   */
  #repeats(series: Series, bars: readonly Bar[]): boolean {
    const newest = bars[bars.length - 1];
    const previous = series.lastFetched;
    if (
      newest !== undefined &&
      previous !== undefined &&
      previous.openTime === newest.openTime &&
      previous.open === newest.open &&
      previous.high === newest.high &&
      previous.low === newest.low &&
      previous.close === newest.close &&
      previous.volume === newest.volume
    ) {
      return true;
    }
    series.lastFetched = newest;
    return false;
  }

  #succeeded(key: string): void {
    if (this.#failures.size === 0) return;
    this.#failures.delete(key);
    if (this.#failures.size === 0) this.#lastError = undefined;
  }

  /**
   * Fetches one series and publishes what is new. Synchronous when the source
   * answers with the bars themselves; a promise when it answers with one.
   */
  #fetchSeries(series: Series, now: number): Promise<void> | undefined {
    const { config } = this.#options;
    const { symbol, timeframe, tfMs, last } = series;
    const behind = last === undefined ? 0 : Math.ceil((now - last) / tfMs) + config.candle_index;
    const warmup = last === undefined ? Math.max(0, Math.ceil(this.#options.warmupBars?.(timeframe) ?? 0)) : 0;
    // `warmup` closed bars, then the first live one and those after it (`candle_index`), then the bar still forming.
    const limit = Math.max(config.nbr_bars, behind, warmup > 0 ? warmup + config.candle_index + 1 : 0);
    const fetch: SeriesFetch = { series, now, last, warmup, limit };
    this.increment('data_fetches');
    let answer: ReturnType<MarketDataSource['fetchBars']>;
    try {
      answer = this.#options.source.fetchBars({ symbol, timeframe, limit });
    } catch (error) {
      return this.#recover(fetch, error);
    }
    if (!isPromiseLike(answer)) {
      this.#received(fetch, answer);
      return undefined;
    }
    return answer.then(
      (bars) => this.#received(fetch, bars),
      (error: unknown) => this.#recover(fetch, error),
    );
  }

  /** A failed fetch: retries it, then publishes what it brought, if it brought anything. */
  async #recover(fetch: SeriesFetch, error: unknown): Promise<void> {
    const bars = await this.#retry(fetch.series, fetch.limit, error);
    if (bars !== undefined) this.#publishBars(fetch, bars);
  }

  /** A fetch that succeeded: the series is healthy again; publishes what is new. */
  #received(fetch: SeriesFetch, bars: readonly Bar[]): void {
    this.#succeeded(fetch.series.key);
    this.#publishBars(fetch, bars);
  }

  /** Publishes `DataFetched` (unless it repeats the last one), the warm-up history, and every newly closed bar. */
  #publishBars(fetch: SeriesFetch, bars: readonly Bar[]): void {
    const { config } = this.#options;
    const { series, now, last, warmup } = fetch;
    const { symbol, timeframe, tfMs } = series;
    // Per-bar lines: built only when info is logged (a backtest at warn builds none).
    const logging = this.logger.isLevelEnabled?.('info') !== false;
    if (logging) {
      this.logger.info(`Fetched data for ${symbol} ${timeframe}: ${bars.length} bars`, {
        symbol,
        timeframe,
        bars: bars.length,
      });
    }
    if (!this.#repeats(series, bars)) this.publish('DataFetched', { symbol, timeframe, bars, numBars: bars.length });
    let closed = 0;
    while (closed < bars.length && (bars[closed] as Bar).openTime + tfMs <= now) closed++;
    const eligible = closed - (config.candle_index - 1);
    const first = last === undefined ? eligible - 1 : 0;
    if (warmup > 0 && eligible > 0)
      this.#publishHistory(symbol, timeframe, bars.slice(Math.max(0, first - warmup), first), warmup);
    for (let i = Math.max(0, first); i < eligible; i++) {
      const bar = bars[i] as Bar;
      if (last !== undefined && bar.openTime <= (series.last ?? last)) continue;
      series.last = bar.openTime;
      this.increment('new_candles_detected');
      if (logging) {
        this.logger.info(`New candle detected for ${symbol} ${timeframe}`, {
          symbol,
          timeframe,
          open_time: bar.openTime,
        });
      }
      this.publish('NewCandle', { symbol, timeframe, bar });
    }
  }

  /** Publishes the warm-up history of a timeframe (when there is any) and logs what it holds. */
  #publishHistory(symbol: string, timeframe: Timeframe, bars: readonly Bar[], wanted: number): void {
    if (bars.length === 0) {
      // Usual at the start of a data file: nothing to warn about.
      this.logger.info(
        `Warm-up for ${symbol} ${timeframe}: no bars before the first live one (${wanted} needed); indicators warm up on live bars`,
        { symbol, timeframe, bars: 0, wanted },
      );
      return;
    }
    const from = (bars[0] as Bar).openTime;
    const to = (bars[bars.length - 1] as Bar).openTime;
    const message = `Warm-up for ${symbol} ${timeframe}: ${bars.length} bars (${new Date(from).toISOString()} → ${new Date(to).toISOString()})`;
    const context = { symbol, timeframe, bars: bars.length, wanted, from, to };
    if (bars.length < wanted) this.logger.warn(`${message}, fewer than the ${wanted} needed`, context);
    else this.logger.info(message, context);
    this.publish('HistoryLoaded', { symbol, timeframe, bars, numBars: bars.length });
  }

  /** Retries a failed fetch with exponential backoff; publishes DataFetchFailed when every attempt failed. */
  async #retry(series: Series, limit: number, firstError: unknown): Promise<readonly Bar[] | undefined> {
    const { source, config } = this.#options;
    const { symbol, timeframe, key } = series;
    const attempts = config.retry_attempts + 1;
    let error = firstError;
    for (let attempt = 1; ; attempt++) {
      const message = error instanceof Error ? error.message : String(error);
      this.increment('fetch_errors');
      this.logger.warn(`Fetch ${attempt}/${attempts} for ${symbol} ${timeframe} failed: ${message}`, {
        symbol,
        timeframe,
        attempt,
      });
      if (attempt === attempts) {
        this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
        this.#lastError = message;
        this.logger.error(`Fetching ${symbol} ${timeframe} failed after ${attempts} attempts: ${message}`, {
          symbol,
          timeframe,
        });
        this.publish('DataFetchFailed', { symbol, timeframe, error: message, attempts });
        return undefined;
      }
      await this.clock.sleep((this.#options.retryBackoffMs ?? 500) * 2 ** (attempt - 1));
      this.increment('data_fetches');
      try {
        const bars = await source.fetchBars({ symbol, timeframe, limit });
        this.#succeeded(key);
        return bars;
      } catch (next) {
        error = next;
      }
    }
  }
}

/** One series (symbol and timeframe) and what was published of it; kept across restarts. */
interface Series {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** `symbol|timeframe`. */
  readonly key: string;
  /** The timeframe in ms. */
  readonly tfMs: number;
  /** Open time of the last bar published, ms UTC. */
  last: number | undefined;
  /** The newest bar of the last `DataFetched`: a fetch with the same one is not published again. */
  lastFetched: Bar | undefined;
}

/** One fetch of a series: what was asked, and what was known when it was asked. */
interface SeriesFetch {
  readonly series: Series;
  /** The clock's time when the fetch was made, ms UTC. */
  readonly now: number;
  /** Open time of the last bar published before the fetch, if any. */
  readonly last: number | undefined;
  /** Closed bars of warm-up history wanted (first fetch only), else 0. */
  readonly warmup: number;
  /** Bars asked for. */
  readonly limit: number;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

function seriesKey(symbol: string, timeframe: Timeframe): string {
  return `${symbol}|${timeframe}`;
}
