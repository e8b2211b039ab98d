import { UsageError } from './cli-error.js';

const DAY_MS = 86_400_000;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
/** `YYYY-MM-DD`, optionally `Thh:mm[:ss[.fff]]` and `Z` or `±hh[:mm]`. */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})?)?)?$/;

/**
 * Parses a `--from` / `--to` date: `YYYY-MM-DD` (UTC; for `--to`, the whole
 * day is included) or an ISO 8601 date-time (UTC unless it has an offset).
 * The date must exist: `2023-02-30` is refused, not rolled over to March.
 * @param flag - the flag's name, for the message.
 * @param text - the value.
 * @param endOfDay - include the whole day of a bare date.
 * @returns ms since epoch, UTC.
 * @throws {@link UsageError} `BAD_FLAG` when the value is not a date, or not a real one.
 */
export function parseDateFlag(flag: string, text: string, endOfDay: boolean): number {
  const match = ISO_8601.exec(text.trim());
  if (!match) {
    throw new UsageError(
      'BAD_FLAG',
      `${flag} "${text}" is not a date: expected YYYY-MM-DD or an ISO 8601 date-time, e.g. 2023-03-10T12:00Z`,
    );
  }
  const [, y, mo, d, hh, mi, ss = '0', fraction = '', , sign, offsetH = '0', offsetM = '0'] = match;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  if (month < 1 || month > 12) {
    throw new UsageError('BAD_FLAG', `${flag} "${text}" is not a real date: month ${mo} does not exist (01 to 12)`);
  }
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
  if (day < 1 || day > daysInMonth) {
    throw new UsageError(
      'BAD_FLAG',
      `${flag} "${text}" is not a real date: ${MONTHS[month - 1]} ${year} has ${daysInMonth} days`,
    );
  }
  const [hour, minute, second] = [Number(hh ?? 0), Number(mi ?? 0), Number(ss)];
  if (hour > 23 || minute > 59 || second > 59 || Number(offsetH) > 23 || Number(offsetM) > 59) {
    throw new UsageError(
      'BAD_FLAG',
      `${flag} "${text}" is not a real time: expected hh:mm[:ss] from 00:00:00 to 23:59:59 and an offset up to ±23:59`,
    );
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMs = (Number(offsetH) * 60 + Number(offsetM)) * 60_000;
  const time = date.getTime() - (sign === '+' ? offsetMs : sign === '-' ? -offsetMs : 0);
  return hh === undefined && endOfDay ? time + DAY_MS - 1 : time;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
