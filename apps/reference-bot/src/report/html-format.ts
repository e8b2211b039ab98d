/**
 * Text helpers of the HTML report: escaping, safe JSON embedding and the
 * formats of times, durations, prices and quantities. Times are UTC.
 */

/**
 * Escapes text for HTML element content and double-quoted attribute values.
 * @param text - any text.
 * @returns the text with `&`, `<`, `>`, `"` and `'` replaced by entities.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON for a `<script type="application/json">` element: every `<` is written
 * as `\u003c`, so no `</script>` or `<!--` can end or confuse the element,
 * and U+2028/U+2029 are escaped too. `JSON.parse` of the element's text gives
 * the value back. Non-finite numbers become `null` (as with `JSON.stringify`).
 * @param value - a JSON-serializable value.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A time as `YYYY-MM-DD HH:MM` in UTC, with `:SS` when the seconds are not zero.
 * @param ms - ms since epoch, UTC.
 * @returns the text, or `n/a` for a non-finite or out-of-range time.
 */
export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'n/a';
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`}`;
}

/**
 * A duration as days, hours and minutes: `2d 3h 05m`, `4h 00m`, `45m`.
 * @param ms - the duration, ms (rounded to minutes; negative or non-finite gives `n/a`).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'n/a';
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1_440);
  const h = Math.floor((minutes % 1_440) / 60);
  const m = String(minutes % 60).padStart(2, '0');
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${minutes}m`;
}

/**
 * The decimals that show prices like `values` to about six significant
 * digits: 2 for 23 142.31, 5 for 1.08321, 8 for 0.00001234 (between 2 and 8).
 * @param values - prices, quote currency; non-finite and zero values are ignored.
 */
export function priceDecimals(values: Iterable<number>): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (const value of values) {
    const size = Math.abs(value);
    if (Number.isFinite(size) && size > 0 && size < smallest) smallest = size;
  }
  if (smallest === Number.POSITIVE_INFINITY) return 2;
  return Math.min(8, Math.max(2, 5 - Math.floor(Math.log10(smallest))));
}

/**
 * A number with a fixed count of decimals and thin grouping of thousands
 * (`23,142.31`), or `n/a` when it is not finite.
 * @param value - the number.
 * @param decimals - digits after the point, 0 to 8.
 */
export function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: true,
  });
}

/**
 * A quantity to at most 8 decimals, trailing zeros dropped: `0.043215`, `12`.
 * @param value - base units.
 */
export function formatQuantity(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toFixed(8).replace(/\.?0+$/, '');
}

/**
 * A P&L with its sign, short enough for a chart label: `+57`, `-101`, `+3.4`
 * (one decimal below 10 in size, none above).
 * @param value - quote currency.
 */
export function formatSignedPnl(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const text = Math.abs(value).toFixed(Math.abs(value) < 10 ? 1 : 0);
  return `${value < 0 && Number(text) !== 0 ? '-' : '+'}${text}`;
}
