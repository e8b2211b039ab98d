import type { Bar } from '@quant/core';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The length of one bar, ms: from the timeframe's text (`5m`, `1h`, `1d`,
 * `30s`, `1w`), else the smallest step between the bars, else one minute.
 * @param timeframe - e.g. `5m`.
 * @param bars - the bars, in time order (used when the text is not understood).
 */
export function timeframeMs(timeframe: string, bars: readonly Bar[]): number {
  const match = /^(\d+)([smhdw])$/.exec(timeframe.trim());
  const count = match ? Number(match[1]) : 0;
  const unit = match ? UNIT_MS[match[2] as string] : undefined;
  if (count > 0 && unit !== undefined) return count * unit;
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < bars.length; i++) {
    const diff = (bars[i] as Bar).openTime - (bars[i - 1] as Bar).openTime;
    if (diff > 0 && diff < step) step = diff;
  }
  return Number.isFinite(step) ? step : 60_000;
}

/**
 * The index of the bar a time falls in: the last bar that opened at or
 * before it. A time in a gap of the data goes to the bar before the gap; a
 * time before the first bar, or after the last bar's end (open time +
 * `lengthMs`; its end itself still counts, a fill at the last close), has none.
 * @param openTimes - the bars' open times, ms, strictly increasing.
 * @param lengthMs - one bar's length, ms.
 * @param time - ms since epoch UTC.
 * @returns the index, or `null` outside the bars.
 */
export function barIndexAt(openTimes: readonly number[], lengthMs: number, time: number): number | null {
  const n = openTimes.length;
  if (n === 0 || !Number.isFinite(time)) return null;
  if (time < (openTimes[0] as number) || time > (openTimes[n - 1] as number) + lengthMs) return null;
  let low = 0;
  let high = n - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((openTimes[middle] as number) <= time) low = middle;
    else high = middle - 1;
  }
  return low;
}
