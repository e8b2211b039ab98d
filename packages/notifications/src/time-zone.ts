import { NotificationsError } from './notifications-error.js';

/**
 * Checks that `timeZone` is an IANA time zone this Node.js knows.
 * @throws {@link NotificationsError} `BAD_TIME_ZONE`.
 * @internal
 */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch (error) {
    throw new NotificationsError(
      'BAD_TIME_ZONE',
      `time zone "${timeZone}" is not known: expected an IANA name such as America/New_York or UTC`,
      { cause: error },
    );
  }
}

/** The wall-clock parts of an instant in a time zone. @internal */
export function wallTime(ms: number, timeZone: string): { day: string; time: string; weekday: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    weekday: parts.weekday ?? '',
  };
}

/** How far a time zone is ahead of UTC at an instant, ms. */
function offsetMs(ms: number, timeZone: string): number {
  const { day, time } = wallTime(ms, timeZone);
  const seconds = new Date(ms).getUTCSeconds() * 1000 + new Date(ms).getUTCMilliseconds();
  return Date.parse(`${day}T${time}:00Z`) + seconds - ms;
}

/**
 * The instant a calendar day starts in a time zone (its local midnight; the first instant of the day when a DST
 * change skips midnight), ms since epoch UTC.
 * @param day - `YYYY-MM-DD`.
 * @throws {@link NotificationsError} `BAD_DAY`.
 * @internal
 */
export function startOfDay(day: string, timeZone: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const utcMidnight = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(utcMidnight) || new Date(utcMidnight).toISOString().slice(0, 10) !== day) {
    throw new NotificationsError('BAD_DAY', `"${day}" is not a calendar date: expected YYYY-MM-DD, e.g. 2023-03-09`);
  }
  // Two rounds: the offset at the guess may differ from the one at the answer across a DST change.
  let guess = utcMidnight - offsetMs(utcMidnight, timeZone);
  guess = utcMidnight - offsetMs(guess, timeZone);
  return wallTime(guess, timeZone).day === day ? guess : guess + 3_600_000;
}

/**
 * The calendar day of an instant in a time zone, `YYYY-MM-DD` (e.g. the day a daily summary due at `dueAt` is of).
 * @param ms - ms since epoch UTC.
 * @param timeZone - an IANA time zone, e.g. `America/New_York`.
 * @throws {@link NotificationsError} `BAD_TIME_ZONE`.
 */
export function calendarDay(ms: number, timeZone: string): string {
  checkTimeZone(timeZone);
  return wallTime(ms, timeZone).day;
}

/** The day after `day` (`YYYY-MM-DD`). @internal */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
