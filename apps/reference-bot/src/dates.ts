import { UsageError } from './cli-error.js';

const DAY_MS = 86_400_000;

/**
 * Parses a `--from` / `--to` date: `YYYY-MM-DD` (UTC; for `--to`, the whole
 * day is included) or an ISO 8601 date-time.
 * @param flag - the flag's name, for the message.
 * @param text - the value.
 * @param endOfDay - include the whole day of a bare date.
 * @returns ms since epoch, UTC.
 * @throws {@link UsageError} when the value is not a date.
 */
export function parseDateFlag(flag: string, text: string, endOfDay: boolean): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const time = Date.parse(dateOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(time)) {
    throw new UsageError(
      `${flag} "${text}" is not a date: expected YYYY-MM-DD or an ISO 8601 date-time, e.g. 2023-03-10T12:00Z`,
    );
  }
  return dateOnly && endOfDay ? time + DAY_MS - 1 : time;
}
