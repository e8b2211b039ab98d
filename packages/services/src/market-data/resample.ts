import { barOpenTime, type Timeframe, timeframeToMs } from '@quant/core';
import { BarSeries } from './bar-series.js';

/** Bars of a coarser timeframe built from base bars, with the base bars each covers. */
export interface ResampledSeries {
  /** The resampled bars. */
  readonly bars: BarSeries;
  /** For each resampled bar, the index of its first base bar. */
  readonly firstBase: Int32Array;
  /** For each resampled bar, the index of its last base bar. */
  readonly lastBase: Int32Array;
}

/**
 * Resamples base bars into `timeframe` bars aligned to UTC boundaries (a 1h
 * bar opens on the hour, a 1d bar at 00:00 UTC): first open, highest high,
 * lowest low, last close, summed volume. A period with no base bar yields no
 * bar: gaps are never filled with invented bars.
 * @param base - the base bars (e.g. 1-minute), in time order.
 * @param timeframe - the target timeframe, a multiple of the base one.
 */
export function resample(base: BarSeries, timeframe: Timeframe): ResampledSeries {
  const bars = new BarSeries();
  const firstBase: number[] = [];
  const lastBase: number[] = [];
  const tfMs = timeframeToMs(timeframe);
  let start = 0;
  while (start < base.length) {
    const bucket = barOpenTime(base.openTimeAt(start), timeframe);
    let end = start;
    while (end + 1 < base.length && base.openTimeAt(end + 1) < bucket + tfMs) end++;
    const bar = base.aggregate(bucket, start, end);
    bars.push(bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.volume);
    firstBase.push(start);
    lastBase.push(end);
    start = end + 1;
  }
  return { bars, firstBase: Int32Array.from(firstBase), lastBase: Int32Array.from(lastBase) };
}
