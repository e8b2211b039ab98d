/** `YYYY-MM-DD`, optionally `[T ]hh:mm[:ss[.fff]]`, optionally `Z` or `±hh[:mm]`. */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const DASH = 0x2d;
const COLON = 0x3a;
const SPACE = 0x20;
const PLUS = 0x2b;
const T = 0x54;
const Z = 0x5a;
const LOWER_Z = 0x7a;

/**
 * {@link parseAnyIso} for the layout of exchange exports, without a regular
 * expression or a `Date`: `YYYY-MM-DD[T ]hh:mm:ss` followed by nothing,
 * `Z`/`z` or `±hh:mm`. It never accepts what {@link parseAnyIso} refuses, and
 * gives the same time.
 * @returns ms since epoch, UTC, or `undefined` for an invalid date or time
 *   or another layout (then left to {@link parseAnyIso}, which decides).
 */
export function parseCommonIso(value: string): number | undefined {
  const length = value.length;
  if (length !== 19 && length !== 20 && length !== 25) return undefined;
  const separator = value.charCodeAt(10);
  if (
    value.charCodeAt(4) !== DASH ||
    value.charCodeAt(7) !== DASH ||
    (separator !== T && separator !== SPACE) ||
    value.charCodeAt(13) !== COLON ||
    value.charCodeAt(16) !== COLON
  ) {
    return undefined;
  }
  const century = twoDigits(value, 0);
  const yearInCentury = twoDigits(value, 2);
  const year = century * 100 + yearInCentury;
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (century < 0 || yearInCentury < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let offsetMs = 0;
  if (length === 20) {
    const zone = value.charCodeAt(19);
    if (zone !== Z && zone !== LOWER_Z) return undefined;
  } else if (length === 25) {
    const sign = value.charCodeAt(19);
    const offsetH = twoDigits(value, 20);
    const offsetM = twoDigits(value, 23);
    if (sign !== PLUS && sign !== DASH) return undefined;
    if (value.charCodeAt(22) !== COLON || offsetH < 0 || offsetH > 23 || offsetM < 0 || offsetM > 59) return undefined;
    offsetMs = (offsetH * 60 + offsetM) * 60_000;
    if (sign === DASH) offsetMs = -offsetMs;
  }
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 - offsetMs;
}

/**
 * Parses an ISO 8601 date or date-time strictly: the date must exist
 * (`2023-02-30` does not), and a value without an offset is read as UTC.
 * @returns ms since epoch, UTC, or `undefined` when it is not such a timestamp.
 */
export function parseAnyIso(value: string): number | undefined {
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

/** The number written by the two ASCII digits at `at`, or -1 if they are not two digits. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 0x30;
  const units = text.charCodeAt(at + 1) - 0x30;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Days of `month` (1 to 12) in `year`, in the proleptic Gregorian calendar that `Date` uses. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
