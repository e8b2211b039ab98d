export { ClockCron, type ClockCronOptions } from './clock-cron.js';
export {
  buildDailySummary,
  type DailySummary,
  type DailySummaryOptions,
  type SummaryPosition,
  type SummaryTrade,
  type WatchlistEntry,
} from './daily-summary.js';
export { NotificationsError, type NotificationsErrorCode } from './notifications-error.js';
export { dailySummaryText } from './summary-text.js';
export { calendarDay } from './time-zone.js';
