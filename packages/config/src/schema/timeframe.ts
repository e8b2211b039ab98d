import * as v from 'valibot';

/**
 * The timeframes a configuration may name; the same list as `@quant/core`'s
 * `TIMEFRAMES` (this package does not depend on core).
 */
export const CONFIG_TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '1d'] as const;

/** A timeframe name, e.g. `'5m'`. */
export type ConfigTimeframe = (typeof CONFIG_TIMEFRAMES)[number];

const MINUTES: Readonly<Record<string, ConfigTimeframe>> = {
  '1': '1m',
  '3': '3m',
  '5': '5m',
  '15': '15m',
  '30': '30m',
  '60': '1h',
  '120': '2h',
  '240': '4h',
  '1440': '1d',
};

/**
 * Normalizes the original system's minute counts (`1`, `5`, `15`, `60`, …,
 * as numbers or strings) and upper-case spellings to timeframe names;
 * anything else is returned unchanged for validation to reject.
 * @param value - a configured timeframe.
 */
export function normalizeTimeframe(value: string | number): string {
  const key = String(value).trim();
  return MINUTES[key] ?? key.toLowerCase();
}

/** A timeframe: `1m`…`1d`, or the original minute counts `1`, `5`, `15`, `30`, `60`, `240`, `1440`. */
export const timeframeSchema = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(normalizeTimeframe),
  v.picklist(CONFIG_TIMEFRAMES),
);
