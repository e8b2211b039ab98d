import type { Bar } from '@quant/core';

/**
 * A growable column store of bars (one `Float64Array` per field), about 48
 * bytes a bar, with binary search by open time. Bars must be appended in
 * strictly increasing open time.
 *
 * Besides the columns, which hold the data itself, the series keeps a ring of
 * `recentBars` frozen `Bar` objects ({@link BarSeries.DEFAULT_RECENT_BARS}
 * unless given), indexed by position: bar `i` is kept until a bar
 * `recentBars` positions before or after it is read. So any `recentBars`
 * consecutive bars read are kept together, and a bar read again on the next
 * cycle is the same object; a bar read again after that is built anew (equal,
 * not identical). Memory per bar is the 48 bytes of the columns, however many
 * bars are read.
 */
export class BarSeries {
  #openTime = new Float64Array(1024);
  #open = new Float64Array(1024);
  #high = new Float64Array(1024);
  #low = new Float64Array(1024);
  #close = new Float64Array(1024);
  #volume = new Float64Array(1024);
  #length = 0;
  /**
   * Frozen bar objects a series keeps for reuse by default. It covers, with
   * room to spare, the largest read the trading pipeline makes on a
   * timeframe: the warm-up fetch at a fresh start (the indicators' and the
   * regime detector's `warmupBars`, 118 bars per timeframe with the example
   * indicators, plus `min_rows_required` and `candle_index`), then a few bars
   * per cycle (`nbr_bars`). A larger read is still answered in full, only
   * not from the ring. Strategies never read bars from the series: they look
   * back at most `recent_rows_limit` indicator rows (`StrategyContext.rows`),
   * which the indicator service keeps.
   */
  static readonly DEFAULT_RECENT_BARS = 512;
  /** Ring of frozen bars: slot `index % size` holds bar `index` when `#objectIndex` says so. */
  readonly #objects: (Bar | undefined)[];
  readonly #objectIndex: Int32Array;

  /**
   * @param options - `recentBars`: frozen bar objects kept for reuse (see
   *   {@link BarSeries.at}), at least 1; {@link BarSeries.DEFAULT_RECENT_BARS} by default.
   */
  constructor(options: { readonly recentBars?: number } = {}) {
    const size = Math.max(1, Math.floor(options.recentBars ?? BarSeries.DEFAULT_RECENT_BARS));
    this.#objects = new Array<Bar | undefined>(size).fill(undefined);
    this.#objectIndex = new Int32Array(size).fill(-1);
  }

  /** Frozen bar objects kept at most (the ring's size). */
  get recentBars(): number {
    return this.#objects.length;
  }

  /** Frozen bar objects kept now (at most {@link BarSeries.recentBars}). */
  get cachedBars(): number {
    let count = 0;
    for (const index of this.#objectIndex) if (index >= 0) count++;
    return count;
  }

  /** Number of bars. */
  get length(): number {
    return this.#length;
  }

  /** Appends a bar (open time after the last one's). */
  push(openTime: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (this.#length === this.#openTime.length) this.#grow();
    const i = this.#length++;
    this.#openTime[i] = openTime;
    this.#open[i] = open;
    this.#high[i] = high;
    this.#low[i] = low;
    this.#close[i] = close;
    this.#volume[i] = volume;
  }

  /** Open time of bar `index`, ms since epoch, UTC. */
  openTimeAt(index: number): number {
    return this.#openTime[index] as number;
  }

  /**
   * Bar `index` as a frozen object (a closed bar never changes). The same
   * object is returned while the bar is in the ring of
   * {@link BarSeries.recentBars} bars (see {@link BarSeries}); afterwards an
   * equal one is built.
   */
  at(index: number): Bar {
    const slot = index % this.#objects.length;
    if (this.#objectIndex[slot] === index) return this.#objects[slot] as Bar;
    const bar = Object.freeze(this.#make(index));
    this.#objects[slot] = bar;
    this.#objectIndex[slot] = index;
    return bar;
  }

  #make(index: number): Bar {
    return {
      openTime: this.#openTime[index] as number,
      open: this.#open[index] as number,
      high: this.#high[index] as number,
      low: this.#low[index] as number,
      close: this.#close[index] as number,
      volume: this.#volume[index] as number,
    };
  }

  /**
   * Aggregates bars `from..to` (inclusive) into one bar opening at `openTime`:
   * first open, highest high, lowest low, last close, summed volume.
   */
  aggregate(openTime: number, from: number, to: number): Bar {
    let high = Number.NEGATIVE_INFINITY;
    let low = Number.POSITIVE_INFINITY;
    let volume = 0;
    for (let i = from; i <= to; i++) {
      high = Math.max(high, this.#high[i] as number);
      low = Math.min(low, this.#low[i] as number);
      volume += this.#volume[i] as number;
    }
    return { openTime, open: this.#open[from] as number, high, low, close: this.#close[to] as number, volume };
  }

  /** Index of the last bar whose open time is <= `time`, or -1. */
  lastIndexAtOrBefore(time: number): number {
    let lo = 0;
    let hi = this.#length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#openTime[mid] as number) <= time) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  #grow(): void {
    const grow = (array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(array.length * 2);
      next.set(array);
      return next;
    };
    this.#openTime = grow(this.#openTime);
    this.#open = grow(this.#open);
    this.#high = grow(this.#high);
    this.#low = grow(this.#low);
    this.#close = grow(this.#close);
    this.#volume = grow(this.#volume);
  }
}
