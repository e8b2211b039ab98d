/** Exact powers of ten, 10^0 to 10^15. */
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
/** Above 15 digits, the digits may not fit a double's 53-bit significand exactly. */
const MAX_DIGITS = 15;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;
const MINUS = 0x2d;

/**
 * The number in a CSV cell: `Number(cell)`, except `NaN` for a missing or
 * blank cell (which `Number` reads as 0).
 *
 * A plain decimal (`-`, digits, at most one `.`, 15 digits at most, as in
 * exchange exports) is read without `Number`'s general conversion: its
 * digits as an integer, divided by a power of ten. Both are exact doubles,
 * and a division is rounded correctly, so the result is the double nearest
 * the decimal, as `Number` gives (Clinger's fast path). Any other text is
 * left to `Number`.
 * @param cell - the cell, or `undefined` when the record has no such column.
 */
export function parseNumberCell(cell: string | undefined): number {
  if (cell === undefined) return Number.NaN;
  const length = cell.length;
  const negative = cell.charCodeAt(0) === MINUS;
  let digits = 0;
  let decimals = -1; // digits after the point, -1 before it
  let integer = 0;
  for (let i = negative ? 1 : 0; i < length; i++) {
    const code = cell.charCodeAt(i);
    if (code >= ZERO && code <= NINE) {
      integer = integer * 10 + (code - ZERO);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (code === DOT && decimals < 0) {
      decimals = 0;
    } else {
      return general(cell);
    }
  }
  if (digits === 0 || digits > MAX_DIGITS) return general(cell);
  const value = decimals > 0 ? integer / (POWERS_OF_TEN[decimals] as number) : integer;
  return negative ? -value : value;
}

/** `Number(cell)`, but `NaN` for a blank cell. */
function general(cell: string): number {
  const value = Number(cell);
  return value === 0 && cell.trim() === '' ? Number.NaN : value;
}
