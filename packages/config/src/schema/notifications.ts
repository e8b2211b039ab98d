import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { choice, count, seconds, section } from './fields.js';

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

/** The severities, least serious first (those of the event store). */
const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;

/** A kind's route: its channels, its least severity, its email recipients. */
function route(channels: readonly ('email' | 'webhook')[], minSeverity: (typeof SEVERITIES)[number], what: string) {
  return section(
    {
      channels: v.optional(
        v.pipe(
          v.array(v.picklist(['email', 'webhook'])),
          v.description('The channels this kind goes to: email, webhook; empty: not sent.'),
        ),
        [...channels],
      ),
      min_severity: choice(
        SEVERITIES,
        minSeverity,
        'The least severity sent: info sends all, warning only warnings and worse.',
      ),
      recipients: v.optional(
        v.pipe(
          v.array(v.pipe(v.string(), v.email('expected an email address, e.g. ops@example.com'))),
          v.description('The email recipients of this kind; empty: notifications.email.to.'),
        ),
        [],
      ),
    },
    what,
  );
}

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
    fill: route(
      [],
      'info',
      'Fills (every order execution, partial ones included); off by default: positions opened and closed report the same fills.',
    ),
    position: route(['email', 'webhook'], 'info', 'Positions opened and closed, with the realized P&L.'),
    alert: route(
      ['email', 'webhook'],
      'warning',
      'Alerts: a risk limit breached, trading blocked by the daily loss limit, a service failed, reconciliation halted trading or adopted the venue.',
    ),
    recovery: route(
      ['email', 'webhook'],
      'info',
      'The recovery report of each start: how the previous run ended, what reconciliation restored and found.',
    ),
    daily_summary: route(['email', 'webhook'], 'info', 'The daily summary (daily_summary_cron).'),
    coalesce_window: seconds(
      300,
      'The same alert (same kind and subject, same channel) goes out at most once in this many seconds; the ones coalesced are counted in the one sent.',
    ),
    max_attempts: count(
      3,
      1,
      'Attempts to send a message before it is kept as a dead letter (GET /api/notifications?status=dead).',
    ),
    retry_delay: seconds(5, "Seconds between two attempts to send a message, on the bot's clock."),
    max_message_bytes: count(
      65_536,
      1024,
      'The size cap of the text and HTML parts of a message, bytes; long tables are cut first.',
    ),
    email: section(
      {
        smtp_host: v.optional(v.pipe(v.string(), v.description('The SMTP server; empty: no email channel.')), ''),
        smtp_port: count(587, 1, 'The SMTP port: 587 for starttls, 465 for tls, 25 for a local relay.'),
        smtp_security: choice(
          ['starttls', 'tls', 'none'],
          'starttls',
          'starttls: plain, then upgraded (required); tls: TLS from the start; none: plain text (a relay on this machine only).',
        ),
        smtp_user: v.optional(v.pipe(v.string(), v.description('The SMTP user; empty: no authentication.')), ''),
        smtp_password: v.optional(
          v.pipe(
            v.string(),
            v.description('The SMTP password: from NOTIFICATIONS_EMAIL_SMTP_PASSWORD only, never written in a file.'),
          ),
          '',
        ),
        from: v.optional(
          v.pipe(v.string(), v.description('The sender, e.g. quant-bot <bot@example.com>; needed with smtp_host.')),
          '',
        ),
        to: v.optional(
          v.pipe(
            v.array(v.pipe(v.string(), v.email('expected an email address, e.g. ops@example.com'))),
            v.description('The recipients of every kind whose recipients are empty; needed with smtp_host.'),
          ),
          [],
        ),
        timeout: seconds(10, 'Seconds to wait for the SMTP connection, greeting and each reply.'),
      },
      'The email channel (nodemailer over SMTP).',
    ),
    webhook: section(
      {
        url: v.optional(
          v.pipe(
            v.string(),
            v.check((url) => url === '' || /^https?:\/\/[^\s]+$/.test(url), 'expected an http:// or https:// URL'),
            v.description(
              'POST every message as JSON to this URL (Slack, Discord or Telegram bridges); empty: no webhook. It may hold a token: set it in NOTIFICATIONS_WEBHOOK_URL.',
            ),
          ),
          '',
        ),
        timeout: seconds(10, 'Seconds to wait for the webhook to answer.'),
      },
      'The webhook channel.',
    ),
  },
  'Notifications: what goes to the operators (fills, positions, alerts, the recovery report, the daily summary), by email or webhook, and when the daily summary goes out.',
);

/** The validated `notifications` section. */
export type NotificationsConfig = DeepReadonly<v.InferOutput<typeof notificationsSchema>>;
