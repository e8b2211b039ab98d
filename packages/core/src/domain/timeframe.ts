/**
 * The timeframes `@quant` knows, shortest first: the duration of one bar.
 * `m` is minutes, `h` hours, `d` days (UTC).
 */
export const TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '1d'] as const;

/** A bar duration, e.g. `'1m'` or `'4h'`. See {@link TIMEFRAMES}. */
export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE_MS = 60_000;

const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1m': MINUTE_MS,
  '3m': 3 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '2h': 120 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '1d': 1440 * MINUTE_MS,
};

/**
 * Tells whether `value` is a known {@link Timeframe}.
 * @param value - anything.
 */
export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === 'string' && Object.hasOwn(TIMEFRAME_MS, value);
}

/**
 * The duration of one bar of `timeframe`, in milliseconds.
 * @param timeframe - a known timeframe.
 * @returns e.g. `300_000` for `'5m'`.
 */
export function timeframeToMs(timeframe: Timeframe): number {
  return TIMEFRAME_MS[timeframe];
}

/**
 * The open time of the bar of `timeframe` that contains `time`, aligned to UTC
 * boundaries (a `'1h'` bar opens on the hour, a `'1d'` bar at 00:00 UTC).
 * @param time - ms since epoch, UTC.
 * @param timeframe - the bar duration.
 * @returns ms since epoch, UTC.
 */
export function barOpenTime(time: number, timeframe: Timeframe): number {
  const ms = TIMEFRAME_MS[timeframe];
  return time - (((time % ms) + ms) % ms);
}
