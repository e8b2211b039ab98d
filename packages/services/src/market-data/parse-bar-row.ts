/** How timestamps are written in a CSV: detected per value by default. */
export type TimeFormat = 'auto' | 'iso' | 'epoch_s' | 'epoch_ms';

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Parses a timestamp: ISO 8601 (with a UTC offset, e.g.
 * `2023-03-01 00:00:00+00:00`), epoch seconds or epoch milliseconds. With
 * `auto`, a number below 10^11 is taken as seconds (10^11 s is the year 5138),
 * anything larger as milliseconds.
 * @param text - the cell.
 * @param format - the expected format.
 * @returns ms since epoch, UTC, or `undefined` when it is not a timestamp.
 */
export function parseTimestamp(text: string, format: TimeFormat): number | undefined {
  const value = text.trim();
  if (NUMERIC.test(value)) {
    if (format === 'iso') return undefined;
    const number = Number(value);
    const seconds = format === 'epoch_s' || (format === 'auto' && Math.abs(number) < 1e11);
    return seconds ? Math.round(number * 1000) : number;
  }
  if (format !== 'auto' && format !== 'iso') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** A row's values once parsed, or the reason it is invalid. */
export type RowCheck =
  | { readonly ok: true; readonly openTime: number; readonly values: readonly [number, number, number, number, number] }
  | { readonly ok: false; readonly reason: string };

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Validates one bar row: a timestamp, finite numbers, `low <= open, close <= high`,
 * `volume >= 0`, and an open time strictly after `previousOpenTime`.
 * @param cells - the cells of open time, open, high, low, close, volume, in that order.
 * @param format - the timestamp format.
 * @param previousOpenTime - the last accepted bar's open time, or `-Infinity`.
 */
export function checkBarRow(
  cells: readonly (string | undefined)[],
  format: TimeFormat,
  previousOpenTime: number,
): RowCheck {
  const [timeCell, ...priceCells] = cells;
  if (timeCell === undefined) return { ok: false, reason: 'missing open time' };
  const openTime = parseTimestamp(timeCell, format);
  if (openTime === undefined)
    return { ok: false, reason: `open time "${timeCell}" is not a timestamp (ISO 8601, epoch s or ms)` };
  const values: number[] = [];
  for (const [index, field] of FIELDS.entries()) {
    const cell = priceCells[index];
    const value = cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(value)) return { ok: false, reason: `${field} "${cell ?? ''}" is not a finite number` };
    values.push(value);
  }
  const [open, high, low, close, volume] = values as [number, number, number, number, number];
  if (low > Math.min(open, close) || high < Math.max(open, close) || low > high) {
    return {
      ok: false,
      reason: `inconsistent prices: need low <= open, close <= high (open ${open}, high ${high}, low ${low}, close ${close})`,
    };
  }
  if (volume < 0) return { ok: false, reason: `volume ${volume} is negative` };
  if (openTime <= previousOpenTime) {
    return {
      ok: false,
      reason: `open time ${new Date(openTime).toISOString()} is not after the previous bar's (${new Date(previousOpenTime).toISOString()})`,
    };
  }
  return { ok: true, openTime, values: [open, high, low, close, volume] };
}
