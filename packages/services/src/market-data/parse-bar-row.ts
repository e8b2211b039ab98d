import { parseAnyIso, parseCommonIso } from './parse-iso-timestamp.js';
import { parseNumberCell } from './parse-number-cell.js';

/** How timestamps are written in a CSV: detected per value by default. */
export type TimeFormat = 'auto' | 'iso' | 'epoch_s' | 'epoch_ms';

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Parses a timestamp: ISO 8601 (e.g. `2023-03-01 00:00:00+00:00`; a value
 * without an offset is UTC, never the machine's time zone; a date that does
 * not exist, such as `2023-02-30`, is not a timestamp), epoch seconds or
 * epoch milliseconds. With `auto`, a number below 10^11 is taken as seconds
 * (10^11 s is the year 5138), anything larger as milliseconds.
 * @param text - the cell.
 * @param format - the expected format.
 * @returns ms since epoch, UTC, or `undefined` when it is not a timestamp.
 */
export function parseTimestamp(text: string, format: TimeFormat): number | undefined {
  if (format === 'auto' || format === 'iso') {
    const common = parseCommonIso(text);
    if (common !== undefined) return common;
  }
  const value = text.trim();
  if (NUMERIC.test(value)) {
    if (format === 'iso') return undefined;
    const number = Number(value);
    const seconds = format === 'epoch_s' || (format === 'auto' && Math.abs(number) < 1e11);
    return seconds ? Math.round(number * 1000) : number;
  }
  if (format !== 'auto' && format !== 'iso') return undefined;
  return parseAnyIso(value);
}

/**
 * A short, printable excerpt of untrusted text for a message: at most `max`
 * characters (then `…`), with anything outside printable ASCII written as
 * `\xNN` (or `\u{…}` above U+00FF), so that a binary file never echoes raw
 * bytes to a terminal; `\` and (for text shown in quotes) `"` are escaped.
 * @param text - the text, e.g. a CSV cell or the start of a file.
 * @param max - the number of characters kept; 40 by default.
 * @param quoted - whether the excerpt is shown between `"`; `true` by default.
 */
export function excerpt(text: string, max = 40, quoted = true): string {
  let out = '';
  let count = 0;
  for (const char of text) {
    if (count === max) return `${out}…`;
    const code = char.codePointAt(0) as number;
    if (char === '\\' || (quoted && char === '"')) out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0').toUpperCase()}`;
    else out += `\\u{${code.toString(16).toUpperCase()}}`;
    count++;
  }
  return out;
}

/** A row's values once parsed, or the reason it is invalid. */
export type RowCheck =
  | { readonly ok: true; readonly openTime: number; readonly values: readonly [number, number, number, number, number] }
  | { readonly ok: false; readonly reason: string };

const LABELS = ['open time', 'open', 'high', 'low', 'close', 'volume'] as const;
const IN_ORDER = [0, 1, 2, 3, 4, 5] as const;

/**
 * Validates one bar row: a timestamp, finite numbers, prices (open, high,
 * low, close) `> 0`, `low <= open, close <= high`, `volume >= 0`, and an open
 * time strictly after `previousOpenTime`. Cells are quoted in the reason as
 * short escaped excerpts (at most 40 characters, non-printable ones as `\xNN`).
 * @param cells - the cells of open time, open, high, low, close, volume, in that order.
 * @param format - the timestamp format.
 * @param previousOpenTime - the last accepted bar's open time, or `-Infinity`.
 * @param labels - how the reason names the six cells, in the same order, e.g.
 *   `low (column 4)`; by default `open time`, `open`, `high`, `low`, `close`, `volume`.
 */
export function checkBarRow(
  cells: readonly (string | undefined)[],
  format: TimeFormat,
  previousOpenTime: number,
  labels: readonly string[] = LABELS,
): RowCheck {
  const bar = new Float64Array(6);
  const reason = readBarRow(cells, IN_ORDER, format, previousOpenTime, labels, bar);
  if (reason !== undefined) return { ok: false, reason };
  const values = [bar[1], bar[2], bar[3], bar[4], bar[5]] as [number, number, number, number, number];
  return { ok: true, openTime: bar[0] as number, values };
}

/**
 * {@link checkBarRow} without allocating: the cells are taken from a record
 * by column index, and a valid row is written to `bar`.
 * @param record - a CSV record.
 * @param indexes - the record's indexes of open time, open, high, low, close, volume.
 * @param format - the timestamp format.
 * @param previousOpenTime - the last accepted bar's open time, or `-Infinity`.
 * @param labels - how the reason names the six cells (see {@link checkBarRow}).
 * @param bar - receives open time, open, high, low, close, volume of a valid row.
 * @returns `undefined` when the row is valid, else why it is not.
 */
export function readBarRow(
  record: readonly (string | undefined)[],
  indexes: readonly number[],
  format: TimeFormat,
  previousOpenTime: number,
  labels: readonly string[],
  bar: Float64Array,
): string | undefined {
  const timeCell = record[indexes[0] as number];
  if (timeCell === undefined) return `missing ${label(labels, 0)}`;
  const openTime = parseTimestamp(timeCell, format);
  if (openTime === undefined) {
    return `${label(labels, 0)} "${excerpt(timeCell)}" is not a timestamp: expected ISO 8601 (UTC unless it has an offset), epoch s or ms`;
  }
  bar[0] = openTime;
  for (let index = 1; index < 6; index++) {
    const cell = record[indexes[index] as number];
    const value = parseNumberCell(cell);
    if (!Number.isFinite(value)) return `${label(labels, index)} "${excerpt(cell ?? '')}" is not a finite number`;
    if (index < 5 && value <= 0) return `${label(labels, index)} is ${value}: expected a price > 0`;
    bar[index] = value;
  }
  const open = bar[1] as number;
  const high = bar[2] as number;
  const low = bar[3] as number;
  const close = bar[4] as number;
  const volume = bar[5] as number;
  if (low > Math.min(open, close) || high < Math.max(open, close) || low > high) {
    return `inconsistent prices: need low <= open, close <= high (open ${open}, high ${high}, low ${low}, close ${close})`;
  }
  if (volume < 0) return `${label(labels, 5)} ${volume} is negative: expected >= 0`;
  if (openTime <= previousOpenTime) {
    return `open time ${new Date(openTime).toISOString()} is not after the previous bar's (${new Date(previousOpenTime).toISOString()})`;
  }
  return undefined;
}

/** How a reason names cell `index`: `labels[index]`, else its plain name. */
function label(labels: readonly string[], index: number): string {
  return labels[index] ?? (LABELS[index] as string);
}
