import { type Bar, TIMEFRAMES, type Timeframe, timeframeToMs } from '@quant/core';
import type { CsvBarSource } from '@quant/services';
import { reject } from './binance-rejection.js';
import { decimal8 } from './filters.js';

/** Binance's largest and default `limit` of `GET /api/v3/klines`. */
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 500;

/** A kline as Binance serves it: `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, ignore]`. */
export type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];

/** The first index whose open time is >= `time` (bars in time order). */
function lowerBound(bars: readonly Bar[], time: number): number {
  let low = 0;
  let high = bars.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((bars[middle] as Bar).openTime < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Serves `GET /api/v3/klines` from a CSV as of `now`: bars whose open time is <= now, the last one possibly
 * forming. A forming bar shows only what has traded by now: the base bars of the file closed by now,
 * aggregated; before the first of them closes, its open for open, high, low and close, and volume 0. Never a
 * later price. Internal.
 */
export class Klines {
  readonly #csv: CsvBarSource;
  readonly #series = new Map<Timeframe, Bar[]>();

  constructor(csv: CsvBarSource) {
    this.#csv = csv;
  }

  /** The file's bars, oldest first. */
  get base(): Bar[] {
    return this.#bars(this.#csv.timeframe);
  }

  /** Whether `interval` can be served: a timeframe that is a whole multiple of the file's. */
  timeframeOf(interval: string): Timeframe {
    const timeframe = TIMEFRAMES.find((candidate) => candidate === interval);
    if (timeframe === undefined) throw reject.invalidInterval();
    const base = timeframeToMs(this.#csv.timeframe);
    if (timeframeToMs(timeframe) % base !== 0) throw reject.invalidInterval();
    return timeframe;
  }

  query(interval: string, now: number, startTime?: number, endTime?: number, limit?: number): KlineRow[] {
    const timeframe = this.timeframeOf(interval);
    if (limit !== undefined && limit < 1) throw reject.invalidData('limit');
    if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw reject.invalidData('startTime');
    const count = Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const bars = this.#bars(timeframe);
    const visibleEnd = lowerBound(bars, now + 1); // open time <= now
    const end = endTime === undefined ? visibleEnd : Math.min(visibleEnd, lowerBound(bars, endTime + 1));
    let from: number;
    let to: number;
    if (startTime !== undefined) {
      from = lowerBound(bars, startTime);
      to = Math.min(end, from + count);
    } else {
      to = end;
      from = Math.max(0, to - count);
    }
    const rows: KlineRow[] = [];
    const tfMs = timeframeToMs(timeframe);
    for (let i = from; i < to; i++) {
      const bar = bars[i] as Bar;
      rows.push(row(bar.openTime + tfMs <= now ? bar : this.#forming(bar.openTime, now), tfMs));
    }
    return rows;
  }

  /** The bar opened at `openTime` as known at `now`: the base bars closed by now, aggregated. */
  #forming(openTime: number, now: number): Bar {
    const base = this.base;
    const baseMs = timeframeToMs(this.#csv.timeframe);
    let i = lowerBound(base, openTime);
    const first = base[i] as Bar;
    let { open, high, low, close } = { open: first.open, high: first.open, low: first.open, close: first.open };
    let volume = 0;
    let closed = 0;
    for (; i < base.length && (base[i] as Bar).openTime + baseMs <= now; i++) {
      const bar = base[i] as Bar;
      if (closed === 0) ({ open, high, low } = bar);
      high = Math.max(high, bar.high);
      low = Math.min(low, bar.low);
      close = bar.close;
      volume += bar.volume;
      closed++;
    }
    return { openTime, open, high, low, close, volume };
  }

  #bars(timeframe: Timeframe): Bar[] {
    let bars = this.#series.get(timeframe);
    if (!bars) {
      bars = this.#csv.allBars(timeframe);
      this.#series.set(timeframe, bars);
    }
    return bars;
  }
}

function row(bar: Bar, tfMs: number): KlineRow {
  // The file has no quote volume, trade count or taker split: quote volume is approximated at the typical price.
  const quoteVolume = (bar.volume * (bar.high + bar.low + bar.close)) / 3;
  return [
    bar.openTime,
    decimal8(bar.open),
    decimal8(bar.high),
    decimal8(bar.low),
    decimal8(bar.close),
    decimal8(bar.volume),
    bar.openTime + tfMs - 1,
    decimal8(quoteVolume),
    0,
    '0.00000000',
    '0.00000000',
    '0',
  ];
}
