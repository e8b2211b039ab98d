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
  /** The instrument. */
  readonly symbol: string;
  /** The timeframes to fetch, in the order they are fetched and published. */
  readonly timeframes: readonly Timeframe[];
  /** The `services.data_fetching` section. */
  readonly config: ServicesConfig['data_fetching'];
  /** Delay before the first retry, ms, doubling with each retry; 500 by default. */
  readonly retryBackoffMs?: number;
  /** Failed fetches in a row (after retries) that make the service unhealthy; 3 by default. */
  readonly unhealthyAfterFailures?: number;
  /**
   * Closed bars of history to publish in `HistoryLoaded` before the first
   * live bar of `timeframe`, so that the indicators and the regime detector
   * are warmed up by then (see `createTradingSystem`, which takes it from
   * their `warmupBars`). None when omitted or 0.
   */
  readonly warmupBars?: (timeframe: Timeframe) => number;
}

/**
 * Polls the market data source and detects closed bars (the original
 * DataFetchingService). Each {@link DataFetchingService.fetch}, for every
 * timeframe: fetch the last `nbr_bars` bars, publish `DataFetched`, and
 * publish `NewCandle` once for each newly closed bar, in time order
 * (`candle_index` 1 = the last closed bar; 2 = the one before, …).
 *
 * A bar is never published twice, even across restarts: the last published
 * open time per timeframe survives `stop()`. After a pause, every bar missed
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
 * on the clock, then `DataFetchFailed` is published; one failure in a row
 * makes the service degraded, `unhealthyAfterFailures` unhealthy (so the
 * orchestrator restarts it).
 *
 * Metrics: `data_fetches` (attempts), `new_candles_detected`, `fetch_errors` (failed attempts).
 */
export class DataFetchingService extends EventDrivenService {
  readonly #options: DataFetchingOptions;
  readonly #lastPublished = new Map<Timeframe, number>();
  #consecutiveFailures = 0;
  #lastError: string | undefined;

  /**
   * @param deps - bus, clock, logger.
   * @param options - source, symbol, timeframes, config section.
   */
  constructor(deps: ServiceDeps, options: DataFetchingOptions) {
    super('DataFetchingService', deps);
    this.#options = options;
    this.defineMetrics('data_fetches', 'new_candles_detected', 'fetch_errors');
  }

  /** Open time of the last bar published per timeframe, ms UTC. */
  lastPublished(timeframe: Timeframe): number | undefined {
    return this.#lastPublished.get(timeframe);
  }

  /**
   * Fetches every timeframe once and publishes what is new. Does nothing
   * unless the service is running or degraded.
   */
  async fetch(): Promise<void> {
    if (this.state !== 'running' && this.state !== 'degraded') return;
    for (const timeframe of this.#options.timeframes) await this.#fetchTimeframe(timeframe);
  }

  protected override checkHealth(): HealthAssessment {
    const limit = this.#options.unhealthyAfterFailures ?? 3;
    const details = {
      consecutive_failures: this.#consecutiveFailures,
      ...(this.#lastError ? { last_fetch_error: this.#lastError } : {}),
    };
    if (this.#consecutiveFailures >= limit)
      return {
        status: 'unhealthy',
        details: { ...details, reason: `${this.#consecutiveFailures} failed fetches in a row` },
      };
    if (this.#consecutiveFailures > 0) return { status: 'degraded', details };
    return { details };
  }

  async #fetchTimeframe(timeframe: Timeframe): Promise<void> {
    const { symbol, config } = this.#options;
    const tfMs = timeframeToMs(timeframe);
    const now = this.clock.now();
    const last = this.#lastPublished.get(timeframe);
    const behind = last === undefined ? 0 : Math.ceil((now - last) / tfMs) + config.candle_index;
    const warmup = last === undefined ? Math.max(0, Math.ceil(this.#options.warmupBars?.(timeframe) ?? 0)) : 0;
    // `warmup` closed bars, then the first live one and those after it (`candle_index`), then the bar still forming.
    const limit = Math.max(config.nbr_bars, behind, warmup > 0 ? warmup + config.candle_index + 1 : 0);
    let bars: readonly Bar[] | undefined;
    this.increment('data_fetches');
    try {
      bars = await this.#options.source.fetchBars({ symbol, timeframe, limit });
      this.#consecutiveFailures = 0;
      this.#lastError = undefined;
    } catch (error) {
      bars = await this.#retry(timeframe, limit, error);
      if (bars === undefined) return;
    }
    this.logger.info(`Fetched data for ${symbol} ${timeframe}: ${bars.length} bars`, {
      symbol,
      timeframe,
      bars: bars.length,
    });
    this.publish('DataFetched', { symbol, timeframe, bars, numBars: bars.length });
    let closed = 0;
    while (closed < bars.length && (bars[closed] as Bar).openTime + tfMs <= now) closed++;
    const eligible = closed - (config.candle_index - 1);
    const first = last === undefined ? eligible - 1 : 0;
    if (warmup > 0 && eligible > 0)
      this.#publishHistory(timeframe, bars.slice(Math.max(0, first - warmup), first), warmup);
    for (let i = Math.max(0, first); i < eligible; i++) {
      const bar = bars[i] as Bar;
      if (last !== undefined && bar.openTime <= (this.#lastPublished.get(timeframe) ?? last)) continue;
      this.#lastPublished.set(timeframe, bar.openTime);
      this.increment('new_candles_detected');
      this.logger.info(`New candle detected for ${symbol} ${timeframe}`, {
        symbol,
        timeframe,
        open_time: bar.openTime,
      });
      this.publish('NewCandle', { symbol, timeframe, bar });
    }
  }

  /** Publishes the warm-up history of a timeframe (when there is any) and logs what it holds. */
  #publishHistory(timeframe: Timeframe, bars: readonly Bar[], wanted: number): void {
    const { symbol } = this.#options;
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
  async #retry(timeframe: Timeframe, limit: number, firstError: unknown): Promise<readonly Bar[] | undefined> {
    const { source, symbol, config } = this.#options;
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
        this.#consecutiveFailures++;
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
        this.#consecutiveFailures = 0;
        this.#lastError = undefined;
        return bars;
      } catch (next) {
        error = next;
      }
    }
  }
}
