import type { Bar } from '@quant/core';

/**
 * A growable column store of bars (one `Float64Array` per field), about 48
 * bytes a bar, with binary search by open time. Bars must be appended in
 * strictly increasing open time.
 */
export class BarSeries {
  #openTime = new Float64Array(1024);
  #open = new Float64Array(1024);
  #high = new Float64Array(1024);
  #low = new Float64Array(1024);
  #close = new Float64Array(1024);
  #volume = new Float64Array(1024);
  #length = 0;
  readonly #objects: (Bar | undefined)[] = [];

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

  /** Bar `index` as a frozen object, made once and then reused (a closed bar never changes). */
  at(index: number): Bar {
    let bar = this.#objects[index];
    if (bar === undefined) {
      bar = Object.freeze(this.#make(index));
      this.#objects[index] = bar;
    }
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
