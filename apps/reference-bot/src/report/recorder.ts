import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventBus, Regime, Timeframe, TradingEvent } from '@quant/core';
import {
  type ClosedTrade,
  type EquityMark,
  type EquityStats,
  PerformanceTracker,
  type PositionReader,
} from '@quant/services';
import { MARKET_DATA_EVENTS } from '../events-flag.js';
import { type CurveResolution, EquityCurve, type EquityPoint } from './equity-curve.js';
import type { RegimeMark } from './html-data.js';
import { equityCsvHeader, equityCsvRows, type ReportWriteError, writeFailure } from './write-report.js';

/** Events serialized per write to the events file. */
const EVENTS_PER_WRITE = 512;
/** Equity rows serialized per write to the equity file. */
const EQUITY_ROWS_PER_WRITE = 512;
/**
 * Name of the equity file the recorder streams beside the events file; the
 * report moves it to `equity.csv` (see {@link RunRecorder.equityPath}).
 */
export const EQUITY_STREAM_NAME = 'equity.csv.stream';
/** Regime changes kept at most per symbol for its price chart (see {@link RunRecorder.regimes}). */
export const MAX_REGIME_MARKERS = 1_000;

/** One closed trade (a position closed in full or in part): the library's {@link ClosedTrade}, a row of `trades.csv`. */
export type TradeRecord = ClosedTrade;

/** What the recorder keeps of one event type: how many were seen, and whether they go to the events file. */
interface TypeTally {
  count: number;
  readonly written: boolean;
}

/** The regime changes of one symbol kept for its chart, thinned evenly when full. */
interface RegimeTrack {
  readonly marks: RegimeMark[];
  /** Changes seen. */
  seen: number;
  /** Every `stride`-th change is kept. */
  stride: number;
}

/** Options of a {@link RunRecorder}. */
export interface RunRecorderOptions {
  /**
   * Equity before the first bar (the drawdown's first peak, the first daily
   * return's base): `paper_broker.initial_cash`, the initial equity the
   * report's other figures use.
   */
  readonly initialEquity: number;
  /**
   * Where to stream the equity after every bar as CSV (the rows of
   * `equity.csv`); by default {@link EQUITY_STREAM_NAME} beside the events
   * file when there is one, else nowhere. `null`: nowhere.
   */
  readonly equityPath?: string | null;
  /** Buckets of the chart's equity curve (see {@link EquityCurve}); 2 000 by default. */
  readonly curveBuckets?: number;
  /**
   * Which events go to the events file: `all`, or `trading` (every event but
   * {@link MARKET_DATA_EVENTS}); `trading` by default.
   */
  readonly events?: 'trading' | 'all';
}

/**
 * Listens to a run's bus and keeps what the report needs, in memory that
 * does not grow with the bars: the events chosen (see
 * {@link RunRecorderOptions.events}) are streamed to `events.jsonl` when a
 * path is given; the account after each bar of the execution
 * timeframe goes into the report's figures ({@link RunRecorder.stats}, exact
 * over every bar), into the chart's curve at a bounded resolution
 * ({@link RunRecorder.equity}) and, when a file is given, into `equity.csv`
 * in full. It also keeps the closed trades (they grow with the trades, not
 * the bars), each symbol's regime changes of the coarsest timeframe for its
 * chart (at most {@link MAX_REGIME_MARKERS} per symbol: when full, every
 * other one is dropped, and from then on only every second, fourth, …
 * change is kept), and counts.
 *
 * A write to either file that fails (the disk is full, …) does not stop the
 * run: the first failure is kept, nothing more is written, and
 * {@link RunRecorder.close} removes both files and throws it.
 */
export class RunRecorder {
  /** `NewCandle` events seen, by timeframe. */
  readonly candles = new Map<Timeframe, number>();
  /** The trades and the equity figures over every bar, for the report's figures. */
  readonly performance: PerformanceTracker;
  /** The file the equity is streamed to, if any (see {@link RunRecorderOptions.equityPath}). */
  readonly equityPath: string | undefined;
  readonly #curve: EquityCurve;
  readonly #eventsPath: string | undefined;
  readonly #events: WriteStream | undefined;
  readonly #equityFile: WriteStream | undefined;
  /** The first write that failed, in either file. */
  #failure: { readonly path: string; readonly error: Error } | undefined;
  #written = 0;
  #pending: string[] = [];
  #pendingEquity: EquityPoint[] = [];
  readonly #skipped: ReadonlySet<string>;
  /** Events seen by type, in the order the types first came; one lookup per event. */
  readonly #tallies = new Map<string, TypeTally>();
  readonly #regimes = new Map<string, RegimeTrack>();

  /** Events seen, by type (a new map, in the order the types first came). */
  get counts(): ReadonlyMap<string, number> {
    return new Map([...this.#tallies].map(([type, tally]) => [type, tally.count]));
  }

  /**
   * Events of `type` seen.
   * @param type - an event type, e.g. `OrderFilled`.
   */
  count(type: string): number {
    return this.#tallies.get(type)?.count ?? 0;
  }

  /** Closed trades, in order. */
  get trades(): readonly TradeRecord[] {
    return this.performance.trades;
  }

  /** The report's equity figures, over every bar. */
  get stats(): EquityStats {
    return this.performance.equity;
  }

  /**
   * @param bus - the run's bus; the recorder subscribes to every event.
   * @param positions - the bot's position ledger, read for equity.
   * @param executionTimeframe - the timeframe whose bars mark equity.
   * @param regimeTimeframe - the timeframe whose regime changes are marked on the chart.
   * @param eventsPath - where to stream every event as JSON lines, if anywhere.
   * @param options - the initial equity, the equity file, the curve's size.
   * @throws nothing for a file that cannot be written: {@link RunRecorder.close} reports it.
   */
  constructor(
    bus: EventBus,
    positions: PositionReader,
    executionTimeframe: Timeframe,
    private readonly regimeTimeframe: Timeframe,
    eventsPath: string | undefined,
    options: RunRecorderOptions,
  ) {
    this.performance = new PerformanceTracker(bus, positions, {
      initialEquity: options.initialEquity,
      timeframe: executionTimeframe,
      onMark: (mark) => this.#addPoint(mark),
    });
    this.#curve = new EquityCurve(options.curveBuckets);
    this.#eventsPath = eventsPath;
    this.#skipped = options.events === 'all' ? new Set() : MARKET_DATA_EVENTS;
    this.#events = eventsPath ? this.#open(eventsPath) : undefined;
    const equityPath =
      options.equityPath === undefined
        ? eventsPath
          ? join(dirname(eventsPath), EQUITY_STREAM_NAME)
          : undefined
        : (options.equityPath ?? undefined);
    this.equityPath = equityPath;
    if (equityPath) {
      this.#equityFile = this.#open(equityPath);
      this.#equityFile.write(equityCsvHeader());
    }
    bus.subscribe('*', (event) => this.#record(event), { name: 'RunRecorder' });
  }

  /**
   * The equity curve for the chart, in time order, at the resolution of
   * {@link RunRecorder.equityResolution}: every bar up to 2 000 bars, then the
   * lowest, highest and last equity of buckets of 2, 4, 8, … bars (at most
   * 6 000 points).
   */
  get equity(): readonly EquityPoint[] {
    return this.#curve.points();
  }

  /** How fine {@link RunRecorder.equity} is. */
  get equityResolution(): CurveResolution {
    return this.#curve.resolution();
  }

  /**
   * The regime changes of `symbol` kept for its chart, in time order (see
   * {@link MAX_REGIME_MARKERS}).
   * @param symbol - the instrument.
   */
  regimes(symbol: string): readonly RegimeMark[] {
    return this.#regimes.get(symbol)?.marks ?? [];
  }

  /**
   * What the recorder holds now, as counts: to check that nothing grows with
   * the bars (the trades grow with the trades, the daily closes with the
   * days, the regime marks with the symbols).
   */
  retained(): Record<string, number> {
    return {
      equity_points: this.#curve.resolution().points,
      regime_markers: [...this.#regimes.values()].reduce((sum, track) => sum + track.marks.length, 0),
      trades: this.trades.length,
      daily_closes: this.stats.days,
      pending_events: this.#pending.length,
      pending_equity_rows: this.#pendingEquity.length,
      event_types: this.#tallies.size,
    };
  }

  /** Events written to the events file. */
  get eventsWritten(): number {
    return this.#written;
  }

  /**
   * Flushes and closes the events file and the equity file.
   * @throws {@link ReportWriteError} `OUTPUT_WRITE_FAILED` when a write to
   *   either failed (the first failure, naming the file and why); both files
   *   are then removed.
   */
  async close(): Promise<void> {
    this.#flush();
    this.#flushEquity();
    await Promise.all([closed(this.#events), closed(this.#equityFile)]);
    const failure = this.#failure;
    if (failure === undefined) return;
    for (const path of [this.#eventsPath, this.equityPath]) if (path) rmSync(path, { force: true });
    throw writeFailure(failure.path, failure.error);
  }

  /** Opens `path` for streaming; its first error is kept (see {@link RunRecorder.close}), never thrown. */
  #open(path: string): WriteStream {
    const stream = createWriteStream(path);
    stream.on('error', (error) => {
      this.#failure ??= { path, error };
    });
    return stream;
  }

  /** Whether `stream` can still be written: no write to either file failed. */
  #writable(stream: WriteStream | undefined): stream is WriteStream {
    return stream !== undefined && this.#failure === undefined && !stream.destroyed;
  }

  #record(event: TradingEvent): void {
    let tally = this.#tallies.get(event.type);
    if (tally === undefined) {
      tally = { count: 0, written: this.#events !== undefined && !this.#skipped.has(event.type) };
      this.#tallies.set(event.type, tally);
    }
    tally.count++;
    if (tally.written && this.#writable(this.#events)) {
      this.#pending.push(JSON.stringify(event));
      this.#written++;
      if (this.#pending.length === EVENTS_PER_WRITE) this.#flush();
    }
    switch (event.type) {
      case 'NewCandle':
        this.candles.set(event.timeframe, (this.candles.get(event.timeframe) ?? 0) + 1);
        return;
      case 'RegimeChanged':
        if (event.timeframe === this.regimeTimeframe) {
          this.#addRegime(event.symbol, {
            time: event.barOpenTime,
            text: `${event.timeframe} ${describe(event.newRegime)}`,
          });
        }
        return;
      default:
    }
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    if (this.#writable(this.#events)) this.#events.write(`${this.#pending.join('\n')}\n`);
    this.#pending = [];
  }

  /**
   * Keeps every `stride`-th regime change of a symbol; when the symbol's
   * marks are full, drops every other one kept (the 2nd, 4th, …) and doubles
   * the stride, so the marks kept stay evenly spread over the changes.
   */
  #addRegime(symbol: string, mark: RegimeMark): void {
    let track = this.#regimes.get(symbol);
    if (!track) {
      track = { marks: [], seen: 0, stride: 1 };
      this.#regimes.set(symbol, track);
    }
    if (track.seen++ % track.stride !== 0) return;
    if (track.marks.length === MAX_REGIME_MARKERS) {
      const kept = track.marks.filter((_, index) => index % 2 === 0);
      track.marks.length = 0;
      track.marks.push(...kept);
      track.stride *= 2;
      // This change is the (seen - 1)-th: kept only if it falls on the new stride.
      if ((track.seen - 1) % track.stride !== 0) return;
    }
    track.marks.push(mark);
  }

  #flushEquity(): void {
    if (this.#pendingEquity.length === 0) return;
    if (this.#writable(this.#equityFile)) this.#equityFile.write(equityCsvRows(this.#pendingEquity));
    this.#pendingEquity = [];
  }

  #addPoint({ time, account, openPositions }: EquityMark): void {
    const point: EquityPoint = {
      time,
      equity: account.equity,
      cash: account.cash,
      unrealizedPnl: account.unrealizedPnl,
      openPositions,
    };
    this.#curve.add(point);
    if (this.#equityFile) {
      this.#pendingEquity.push(point);
      if (this.#pendingEquity.length === EQUITY_ROWS_PER_WRITE) this.#flushEquity();
    }
  }
}

/**
 * Ends `stream` and resolves once it is closed, whether it finished or
 * failed (its error is kept by its `'error'` listener, see `RunRecorder.#open`).
 */
function closed(stream: WriteStream | undefined): Promise<void> {
  if (!stream || stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    if (!stream.destroyed) stream.end();
  });
}

function describe(regime: Regime): string {
  return `${regime.trend}/${regime.volatility}`;
}
