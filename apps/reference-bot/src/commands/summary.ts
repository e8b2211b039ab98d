import { type Timeframe, timeframeToMs } from '@quant/core';
import { buildDailySummary, calendarDay, dailySummaryText, NotificationsError } from '@quant/notifications';
import { EventStore } from '@quant/store';
import { loadBotConfig } from '../bot-config.js';
import { UsageError } from '../cli-error.js';
import { type DbOptions, existingStore, storeUrl } from './db.js';

/** Flags of `quant-bot summary`. */
export interface SummaryOptions extends DbOptions {
  /** The day, `YYYY-MM-DD` in `notifications.daily_summary_time_zone`; today there by default. */
  readonly date?: string;
}

/**
 * `quant-bot summary [--date <day>]`: prints the daily summary of a day from the event store (`store.url` or
 * `--db`): the day's trades with their P&L, the win rate, the open positions with their unrealized P&L, the
 * watchlist, equity and drawdown — the summary the bot sends at `notifications.daily_summary_cron`.
 * @throws {@link UsageError} `BAD_FLAG` (a `--date` that is not a calendar day), `DB_NOT_FOUND`;
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
    const built = await buildDailySummary(store, { day, timeZone, watchlistMs: watchlistBars * barMs }).catch(
      (error: unknown) => {
        throw NotificationsError.isInstance(error) && error.code === 'BAD_DAY'
          ? new UsageError('BAD_FLAG', `--date ${error.message}`, { cause: error })
          : error;
      },
    );
    process.stdout.write(dailySummaryText(built));
  } finally {
    await store.close();
  }
  return 0;
}
