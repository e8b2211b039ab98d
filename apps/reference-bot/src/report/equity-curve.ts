/** The account at the close of one bar of the execution timeframe. */
export interface EquityPoint {
  /** Close time of the bar, ms UTC. */
  readonly time: number;
  readonly equity: number;
  readonly cash: number;
  readonly unrealizedPnl: number;
  readonly openPositions: number;
}

/** The resolution an {@link EquityCurve} keeps, for the report. */
export interface CurveResolution {
  /** Bars marked. */
  readonly bars: number;
  /** Consecutive bars per bucket: 1 while every bar is kept, then doubling. */
  readonly barsPerBucket: number;
  /** Points kept. */
  readonly points: number;
  /** The resolution in words, e.g. `every bar` or `lowest, highest and last equity of every 16 bars`. */
  readonly description: string;
}

/**
 * The equity curve for the chart, at a bounded resolution: at most
 * `maxBuckets` buckets of consecutive bars, each keeping three points, the
 * bar with the lowest equity, the one with the highest and the last one
 * (fewer when they coincide), so the troughs and peaks stay on the chart.
 * A bucket first holds one bar (every bar is kept); when the buckets are
 * full, neighbours are merged in pairs and a bucket holds twice as many bars.
 * So a curve keeps at most `3 × maxBuckets` points, and between `maxBuckets
 * / 2` and `maxBuckets` buckets once it has merged. The report's figures are
 * not computed from it (see `EquityStats` of `@quant/services`).
 */
export class EquityCurve {
  /** Buckets of the curve, the last one still filling. */
  #buckets: Bucket[] = [];
  #barsPerBucket = 1;
  #bars = 0;
  readonly #maxBuckets: number;

  /** @param maxBuckets - buckets kept at most, >= 2; 2 000 by default (at most 6 000 points). */
  constructor(maxBuckets = 2_000) {
    this.#maxBuckets = Math.max(2, Math.floor(maxBuckets));
  }

  /**
   * Adds the account after the next bar.
   * @param point - the account after the bar; its time after the last one's.
   */
  add(point: EquityPoint): void {
    const last = this.#buckets[this.#buckets.length - 1];
    if (last && last.bars < this.#barsPerBucket) {
      if (point.equity < last.low.equity) last.low = point;
      if (point.equity > last.high.equity) last.high = point;
      last.last = point;
      last.bars++;
    } else {
      if (this.#buckets.length === this.#maxBuckets) this.#merge();
      this.#buckets.push({ low: point, high: point, last: point, bars: 1 });
    }
    this.#bars++;
  }

  /** The points kept, in time order. */
  points(): EquityPoint[] {
    const out: EquityPoint[] = [];
    for (const bucket of this.#buckets) {
      const unique = [bucket.low, bucket.high, bucket.last].filter((point, i, all) => all.indexOf(point) === i);
      out.push(...unique.sort((a, b) => a.time - b.time));
    }
    return out;
  }

  /** How fine the curve is now. */
  resolution(): CurveResolution {
    const points = this.#buckets.reduce((sum, b) => sum + new Set([b.low, b.high, b.last]).size, 0);
    return {
      bars: this.#bars,
      barsPerBucket: this.#barsPerBucket,
      points,
      description:
        this.#barsPerBucket === 1
          ? 'every bar'
          : `lowest, highest and last equity of every ${this.#barsPerBucket} bars`,
    };
  }

  /** Merges neighbouring buckets in pairs: each then holds twice as many bars. */
  #merge(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.#buckets.length; i += 2) {
      const a = this.#buckets[i] as Bucket;
      const b = this.#buckets[i + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      merged.push({
        low: b.low.equity < a.low.equity ? b.low : a.low,
        high: b.high.equity > a.high.equity ? b.high : a.high,
        last: b.last,
        bars: a.bars + b.bars,
      });
    }
    this.#buckets = merged;
    this.#barsPerBucket *= 2;
  }
}

interface Bucket {
  low: EquityPoint;
  high: EquityPoint;
  last: EquityPoint;
  bars: number;
}
