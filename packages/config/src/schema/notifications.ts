import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { count, section } from './fields.js';

/** Whether a time zone is an IANA name this Node.js knows. */
function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Five or six fields of digits, `*`, ranges, lists, steps and names: the shape croner checks in full at start. */
const CRON_SHAPE = /^\s*(\S+\s+){4,5}\S+\s*$/;

/** `notifications`: what the bot tells its operators, and when (the daily summary). */
export const notificationsSchema = section(
  {
    daily_summary_cron: v.optional(
      v.pipe(
        v.string(),
        v.regex(CRON_SHAPE, 'expected a cron expression: minute hour day-of-month month weekday, e.g. 30 16 * * 1-5'),
        v.description(
          'When the daily summary goes out: a cron expression (minute hour day-of-month month weekday) read in daily_summary_time_zone; 16:30 on weekdays by default.',
        ),
      ),
      '30 16 * * 1-5',
    ),
    daily_summary_time_zone: v.optional(
      v.pipe(
        v.string(),
        v.check(knownTimeZone, 'expected an IANA time zone, e.g. America/New_York or UTC'),
        v.description(
          "The time zone of daily_summary_cron and of the summary's day (an IANA name): America/New_York keeps 16:30 New York time across DST.",
        ),
      ),
      'America/New_York',
    ),
    watchlist_bars: count(
      60,
      1,
      "The watchlist of the daily summary: symbols with entry signals in this many bars of the execution timeframe before the summary's time.",
    ),
  },
  'Notifications: the daily summary.',
);

/** The validated `notifications` section. */
export type NotificationsConfig = DeepReadonly<v.InferOutput<typeof notificationsSchema>>;
