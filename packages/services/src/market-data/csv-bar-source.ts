import { type Stats, statSync } from 'node:fs';
import { type Bar, type Clock, type Logger, silentLogger, type Timeframe, timeframeToMs } from '@quant/core';
import { ServicesError } from '../errors.js';
import type { BarRequest, MarketDataSource } from '../ports/market-data-source.js';
import type { BarSeries } from './bar-series.js';
import type { TimeFormat } from './parse-bar-row.js';
import { readCsvBars } from './read-csv-bars.js';
import { type ResampledSeries, resample } from './resample.js';

/** Where each field is in the CSV: a header name, or a 0-based column index. */
export interface CsvColumns {
  readonly openTime: string | number;
  readonly open: string | number;
  readonly high: string | number;
  readonly low: string | number;
  readonly close: string | number;
  readonly volume: string | number;
}

/** Options of {@link CsvBarSource.load}. */
export interface CsvBarSourceOptions {
  /** The CSV file. */
  readonly path: string;
  /** The symbol the file holds, e.g. `BTCUSDT`. */
  readonly symbol: string;
  /** The clock that decides "now" for {@link CsvBarSource.fetchBars}. */
  readonly clock: Clock;
  /** Whether the first line is a header; `true` by default. */
  readonly header?: boolean;
  /**
   * Column mapping; by default the header names `open_time`, `open`, `high`,
   * `low`, `close`, `volume`, or columns 0 to 5 without a header.
   */
  readonly columns?: Partial<CsvColumns>;
  /**
   * Timestamp format; detected per value by default. ISO 8601 times without
   * an offset (`2023-03-01 00:00:00`) are UTC, not the machine's time zone.
   */
  readonly timeFormat?: TimeFormat;
  /** `fail` (default): an invalid row throws; `skip`: it is skipped, counted and logged. */
  readonly invalidRows?: 'fail' | 'skip';
  /** The file's bar timeframe; `1m` by default. */
  readonly timeframe?: Timeframe;
  /** Field delimiter; `,` by default. */
  readonly delimiter?: string;
  /** Receives warnings about skipped rows and gaps. */
  readonly logger?: Logger;
}

/** What loading found in the file. */
export interface CsvLoadStats {
  /** Data rows read (header excluded). */
  readonly rows: number;
  /** Bars kept. */
  readonly bars: number;
  /** Rows skipped as invalid (with `invalidRows: 'skip'`). */
  readonly skipped: number;
  /** The first skipped rows, `file:line: reason`. */
  readonly skippedSamples: readonly string[];
  /** Holes in the series: places where one or more bars are missing. */
  readonly gaps: number;
  /** Bars missing in all gaps together. */
  readonly missingBars: number;
  /** Open time of the first bar, ms UTC, or `null` for an empty file. */
  readonly firstOpenTime: number | null;
  /** Open time of the last bar, ms UTC, or `null`. */
  readonly lastOpenTime: number | null;
}

/**
 * A {@link MarketDataSource} over an OHLCV CSV file of one symbol, for
 * backtests and replays. The file is parsed as a stream (csv-parse) into a
 * compact column store, every row validated (prices > 0, `low <= open, close
 * <= high`, volume >= 0, strictly increasing time); coarser timeframes are
 * resampled from it on first use, aligned to UTC boundaries.
 *
 * Open times are ISO 8601, epoch seconds or epoch milliseconds; an ISO 8601
 * time without an offset (`2023-03-01 00:00:00`) is read as UTC, never in the
 * machine's time zone, so a file gives the same bars on every machine.
 *
 * {@link CsvBarSource.fetchBars} answers "the latest N bars as of now" from
 * the clock, exactly as a live API would: bars closed by now, plus the bar
 * still forming, built from the base bars already closed (never from future
 * ones). A base-timeframe bar is known only once closed.
 *
 * @example
 * A file of 1-minute bars with the header `open_time,open,high,low,close,volume`,
 * read as of a simulated 12:07 UTC, and served on coarser timeframes:
 * ```ts
 * import { SimulatedClock, timeframeToMs } from '@quant/core';
 * import { CsvBarSource } from '@quant/services';
 *
 * const clock = new SimulatedClock(Date.UTC(2023, 2, 1, 12, 7));
 * const csv = await CsvBarSource.load({
 *   path: 'data/BTCUSDT_1m.csv',
 *   symbol: 'BTCUSDT',
 *   clock,
 *   invalidRows: 'skip', // skip, count and log bad rows instead of throwing on the first
 * });
 * const { bars, gaps, missingBars, skipped } = csv.stats;
 * console.log(`${csv.symbol} ${csv.timeframe}: ${bars} bars, ${gaps} gaps (${missingBars} missing), ${skipped} skipped`);
 *
 * // The latest 15-minute bars as of 12:07: 11:30 and 11:45, closed, then 12:00, still forming (built from
 * // the 1-minute bars 12:00 to 12:06, those closed by 12:07), as a live API would answer.
 * const latest = await csv.fetchBars({ symbol: 'BTCUSDT', timeframe: '15m', limit: 3 });
 * const closed = latest.filter((bar) => bar.openTime + timeframeToMs('15m') <= clock.now());
 * console.log(latest.length, closed.length); // 3 2
 *
 * clock.tickTo(Date.UTC(2023, 2, 1, 18, 40)); // later bars become visible as the clock moves
 * const [lastMinute] = await csv.fetchBars({ symbol: 'BTCUSDT', timeframe: '1m', limit: 1 }); // 18:39, the last closed
 *
 * // Every 1-hour bar of the file, resampled on first use, aligned to UTC hours.
 * const hourly = csv.allBars('1h');
 *
 * // Another layout: no header, epoch-millisecond times, semicolons, 5-minute bars.
 * const eth = await CsvBarSource.load({
 *   path: 'data/ETHUSDT_5m.csv',
 *   symbol: 'ETHUSDT',
 *   clock,
 *   header: false, // columns 0 to 5: open time, open, high, low, close, volume
 *   timeFormat: 'epoch_ms',
 *   delimiter: ';',
 *   timeframe: '5m',
 * });
 * console.log(lastMinute?.close, hourly.length, eth.allBars('4h').length);
 * ```
 */
export class CsvBarSource implements MarketDataSource {
  /** The symbol served. */
  readonly symbol: string;
  /** The file's bar timeframe. */
  readonly timeframe: Timeframe;
  /** What loading found. */
  readonly stats: CsvLoadStats;
  readonly #base: BarSeries;
  readonly #clock: Clock;
  readonly #resampled = new Map<Timeframe, ResampledSeries>();

  private constructor(symbol: string, timeframe: Timeframe, base: BarSeries, clock: Clock, stats: CsvLoadStats) {
    this.symbol = symbol;
    this.timeframe = timeframe;
    this.#base = base;
    this.#clock = clock;
    this.stats = stats;
  }

  /**
   * Reads and validates a CSV file.
   * @param options - file, symbol, clock, layout and validation options.
   * @throws {@link ServicesError} `CSV_UNREADABLE` when the file cannot be read;
   *   `CSV_NOT_A_FILE` when the path is a directory, a FIFO, a device or a
   *   socket (only regular files are read, so a pipe or `/dev/zero` cannot
   *   hang the load); `CSV_INVALID` naming `file:line` and the reason for a
   *   malformed header (with the expected columns and a short escaped excerpt
   *   of the file's start), text that is not CSV, or (with `invalidRows:
   *   'fail'`) the first invalid row, naming the column and what was expected.
   */
  static async load(options: CsvBarSourceOptions): Promise<CsvBarSource> {
    const logger = options.logger ?? silentLogger;
    const timeframe = options.timeframe ?? '1m';
    const file = options.path;
    assertRegularFile(file);
    const { base, rows, skipped, skippedSamples, gaps, missingBars } = await readCsvBars({
      file,
      header: options.header ?? true,
      columns: options.columns,
      format: options.timeFormat ?? 'auto',
      delimiter: options.delimiter ?? ',',
      stepMs: timeframeToMs(timeframe),
      invalidRows: options.invalidRows ?? 'fail',
      logger,
    });
    if (skipped > 0) logger.warn(`skipped ${skipped} invalid row(s) of ${file}`, { file, skipped });
    if (gaps > 0)
      logger.info(`${file}: ${gaps} gap(s), ${missingBars} bar(s) missing; gaps are left as they are`, { gaps });
    const stats: CsvLoadStats = {
      rows,
      bars: base.length,
      skipped,
      skippedSamples,
      gaps,
      missingBars,
      firstOpenTime: base.length > 0 ? base.openTimeAt(0) : null,
      lastOpenTime: base.length > 0 ? base.openTimeAt(base.length - 1) : null,
    };
    return new CsvBarSource(options.symbol, timeframe, base, options.clock, stats);
  }

  /**
   * The same data served on another clock (e.g. a replay clock created once
   * the data's time range is known); nothing is read or copied again.
   * @param clock - the clock that decides "now".
   */
  withClock(clock: Clock): CsvBarSource {
    const source = new CsvBarSource(this.symbol, this.timeframe, this.#base, clock, this.stats);
    for (const [timeframe, series] of this.#resampled) source.#resampled.set(timeframe, series);
    return source;
  }

  /** Every bar of `timeframe` in the file, oldest first (resampled for a coarser one). */
  allBars(timeframe: Timeframe = this.timeframe): Bar[] {
    const series = timeframe === this.timeframe ? this.#base : this.#series(timeframe).bars;
    return Array.from({ length: series.length }, (_, i) => series.at(i));
  }

  /**
   * {@inheritDoc MarketDataSource.fetchBars}
   * @throws {@link ServicesError} `UNKNOWN_SYMBOL` for another symbol.
   */
  fetchBars(request: BarRequest): readonly Bar[] {
    return this.barsAsOf(request, this.#clock.now());
  }

  /**
   * The latest `limit` bars as of `now` (see {@link CsvBarSource.fetchBars}), synchronously.
   * @param request - symbol, timeframe, limit.
   * @param now - ms since epoch, UTC.
   * @throws {@link ServicesError} `UNKNOWN_SYMBOL` for another symbol.
   */
  barsAsOf(request: BarRequest, now: number): Bar[] {
    if (request.symbol !== this.symbol) {
      throw new ServicesError('UNKNOWN_SYMBOL', `this CSV source serves ${this.symbol}, not ${request.symbol}`);
    }
    const baseMs = timeframeToMs(this.timeframe);
    const lastClosedBase = this.#base.lastIndexAtOrBefore(now - baseMs);
    if (request.timeframe === this.timeframe) {
      const from = Math.max(0, lastClosedBase - request.limit + 1);
      const bars: Bar[] = [];
      for (let i = from; i <= lastClosedBase; i++) bars.push(this.#base.at(i));
      return bars;
    }
    const { bars: series, firstBase } = this.#series(request.timeframe);
    const last = series.lastIndexAtOrBefore(now);
    if (last < 0 || lastClosedBase < 0) return [];
    const tfMs = timeframeToMs(request.timeframe);
    const lastOpen = series.openTimeAt(last);
    const forming = lastOpen + tfMs > now;
    const closedEnd = forming ? last - 1 : last;
    const out: Bar[] = [];
    const wanted = forming ? request.limit - 1 : request.limit;
    for (let i = Math.max(0, closedEnd - wanted + 1); i <= closedEnd; i++) out.push(series.at(i));
    const firstOfForming = firstBase[last] as number;
    if (forming && lastClosedBase >= firstOfForming) {
      out.push(this.#base.aggregate(lastOpen, firstOfForming, lastClosedBase));
    }
    return out.slice(Math.max(0, out.length - request.limit));
  }

  #series(timeframe: Timeframe): ResampledSeries {
    let series = this.#resampled.get(timeframe);
    if (!series) {
      if (timeframeToMs(timeframe) % timeframeToMs(this.timeframe) !== 0) {
        throw new ServicesError('CSV_INVALID', `cannot resample ${this.timeframe} bars to ${timeframe}`);
      }
      series = resample(this.#base, timeframe);
      this.#resampled.set(timeframe, series);
    }
    return series;
  }
}

const FILE_KINDS: readonly [(stats: Stats) => boolean, string][] = [
  [(stats) => stats.isDirectory(), 'a directory'],
  [(stats) => stats.isFIFO(), 'a FIFO (named pipe)'],
  [(stats) => stats.isCharacterDevice(), 'a character device'],
  [(stats) => stats.isBlockDevice(), 'a block device'],
  [(stats) => stats.isSocket(), 'a socket'],
];

/** Throws unless `file` is a regular file (checked before opening it: opening a FIFO blocks). */
function assertRegularFile(file: string): void {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw new ServicesError('CSV_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`, {
      file,
      cause: error,
    });
  }
  if (stats.isFile()) return;
  const kind = FILE_KINDS.find(([test]) => test(stats))?.[1] ?? 'not a regular file';
  throw new ServicesError('CSV_NOT_A_FILE', `${file} is ${kind}: expected a CSV file (a regular file)`, { file });
}
