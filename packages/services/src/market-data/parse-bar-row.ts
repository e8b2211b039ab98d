/** How timestamps are written in a CSV: detected per value by default. */
export type TimeFormat = 'auto' | 'iso' | 'epoch_s' | 'epoch_ms';

const NUMERIC = /^-?\d+(\.\d+)?$/;
/** `YYYY-MM-DD`, optionally `[T ]hh:mm[:ss[.fff]]`, optionally `Z` or `±hh[:mm]`. */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * Parses an ISO 8601 date or date-time strictly: the date must exist
 * (`2023-02-30` does not), and a value without an offset is read as UTC.
 * @returns ms since epoch, UTC, or `undefined` when it is not such a timestamp.
 */
function parseIso(value: string): number | undefined {
  const match = ISO_8601.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', , sign, offsetH = '0', offsetM = '0'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || Number(offsetH) > 23 || Number(offsetM) > 59) return undefined;
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMs = (Number(offsetH) * 60 + Number(offsetM)) * 60_000;
  return date.getTime() - (sign === '-' ? -offsetMs : sign === '+' ? offsetMs : 0);
}

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
  const value = text.trim();
  if (NUMERIC.test(value)) {
    if (format === 'iso') return undefined;
    const number = Number(value);
    const seconds = format === 'epoch_s' || (format === 'auto' && Math.abs(number) < 1e11);
    return seconds ? Math.round(number * 1000) : number;
  }
  if (format !== 'auto' && format !== 'iso') return undefined;
  return parseIso(value);
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
  const label = (index: number): string => labels[index] ?? (LABELS[index] as string);
  const [timeCell, ...priceCells] = cells;
  if (timeCell === undefined) return { ok: false, reason: `missing ${label(0)}` };
  const openTime = parseTimestamp(timeCell, format);
  if (openTime === undefined)
    return {
      ok: false,
      reason: `${label(0)} "${excerpt(timeCell)}" is not a timestamp: expected ISO 8601 (UTC unless it has an offset), epoch s or ms`,
    };
  const values: number[] = [];
  for (let index = 0; index < 5; index++) {
    const cell = priceCells[index];
    const value = cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(value))
      return { ok: false, reason: `${label(index + 1)} "${excerpt(cell ?? '')}" is not a finite number` };
    if (index < 4 && value <= 0) return { ok: false, reason: `${label(index + 1)} is ${value}: expected a price > 0` };
    values.push(value);
  }
  const [open, high, low, close, volume] = values as [number, number, number, number, number];
  if (low > Math.min(open, close) || high < Math.max(open, close) || low > high) {
    return {
      ok: false,
      reason: `inconsistent prices: need low <= open, close <= high (open ${open}, high ${high}, low ${low}, close ${close})`,
    };
  }
  if (volume < 0) return { ok: false, reason: `${label(5)} ${volume} is negative: expected >= 0` };
  if (openTime <= previousOpenTime) {
    return {
      ok: false,
      reason: `open time ${new Date(openTime).toISOString()} is not after the previous bar's (${new Date(previousOpenTime).toISOString()})`,
    };
  }
  return { ok: true, openTime, values: [open, high, low, close, volume] };
}
