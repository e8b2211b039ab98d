import { type Timeframe, timeframeToMs } from '@quant/core';
import {
  buildDailySummary,
  calendarDay,
  dailySummaryNotification,
  dailySummaryText,
  NotificationsError,
  sendNow,
} from '@quant/notifications';
import { EventStore } from '@quant/store';
import { loadBotConfig } from '../bot-config.js';
import { configuredChannels, routeOf } from '../bot-notifications.js';
import { UsageError } from '../cli-error.js';
import { type DbOptions, existingStore, storeUrl } from './db.js';

/** Flags of `quant-bot summary`. */
export interface SummaryOptions extends DbOptions {
  /** The day, `YYYY-MM-DD` in `notifications.daily_summary_time_zone`; today there by default. */
  readonly date?: string;
  /** Send it on the daily summary's channels as well as print it. */
  readonly send?: boolean;
}

/**
 * `quant-bot summary [--date <day>]`: prints the daily summary of a day from the event store (`store.url` or
 * `--db`): the day's trades with their P&L, the win rate, the open positions with their unrealized P&L, the
 * watchlist, equity and drawdown — the summary the bot sends at `notifications.daily_summary_cron`. With `--send`,
 * also sends it once on `notifications.daily_summary.channels` (without the outbox: the result is printed, and a
 * channel that fails makes the exit code 1).
 * @throws {@link UsageError} `BAD_FLAG` (a `--date` that is not a calendar day; `--send` without a configured channel
 *   for the daily summary), `DB_NOT_FOUND`; {@link @quant/notifications!NotificationsError} `BAD_CHANNEL`;
 *   {@link @quant/store!StoreError} `STORE_BAD_URL`, `STORE_UNREACHABLE` (exit 2).
 */
export async function summary(options: SummaryOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const { config } = loadBotConfig(options.config, cwd, env);
  const { daily_summary_time_zone: timeZone, watchlist_bars: watchlistBars } = config.notifications;
  const day = options.date ?? calendarDay(Date.now(), timeZone);
  const url = existingStore(
    storeUrl(options, () => config),
    cwd,
  );
  const store = await EventStore.open(url);
  try {
    const barMs = timeframeToMs((config.trading.timeframes[0] ?? '1m') as Timeframe);
    // As of now for today (the summary so far), as of the day's end for a past day.
    const built = await buildDailySummary(store, {
      day,
      timeZone,
      watchlistMs: watchlistBars * barMs,
      asOf: Date.now(),
    }).catch((error: unknown) => {
      throw NotificationsError.isInstance(error) && error.code === 'BAD_DAY'
        ? new UsageError('BAD_FLAG', `--date ${error.message}`, { cause: error })
        : error;
    });
    process.stdout.write(dailySummaryText(built));
    if (options.send !== true) return 0;
    const channels = configuredChannels(config.notifications);
    const route = routeOf(config.notifications, 'daily_summary', new Set(channels.map((channel) => channel.name)));
    const selected = channels.filter((channel) => route.channels.includes(channel.name));
    if (selected.length === 0) {
      throw new UsageError(
        'BAD_FLAG',
        '--send: no channel to send the daily summary on: expected notifications.email.smtp_host or notifications.webhook.url set, and named in notifications.daily_summary.channels',
      );
    }
    const results = await sendNow(dailySummaryNotification(built, Date.now()), selected, {
      botId: config.trading.bot_id,
      recipients: route.recipients ?? [],
      maxBytes: config.notifications.max_message_bytes,
    });
    for (const channel of selected) await channel.close?.();
    for (const { channel, recipients, error } of results) {
      const to = recipients.length === 0 ? '' : ` to ${recipients.join(', ')}`;
      if (error === null) process.stdout.write(`Sent by ${channel}${to}\n`);
      else process.stderr.write(`Not sent by ${channel}${to}: ${error}\n`);
    }
    return results.every((result) => result.error === null) ? 0 : 1;
  } finally {
    await store.close();
  }
}
