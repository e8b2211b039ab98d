export type { NotificationChannel } from './channels/channel.js';
export { EmailChannel, type EmailChannelOptions, type SmtpSecurity } from './channels/email-channel.js';
export { WebhookChannel, type WebhookChannelOptions } from './channels/webhook-channel.js';
export { ClockCron, type ClockCronOptions } from './clock-cron.js';
export {
  buildDailySummary,
  type DailySummary,
  type DailySummaryOptions,
  type SummaryPosition,
  type SummaryTrade,
  type WatchlistEntry,
} from './daily-summary.js';
export { NOTIFIED_EVENT_TYPES, type NotificationFormat, notificationsOf } from './event-notifications.js';
export {
  NOTIFICATION_KINDS,
  type Notification,
  type NotificationKind,
  type NotificationTable,
} from './notification.js';
export {
  type DailySummaryJob,
  type NotificationRoute,
  NotificationService,
  type NotificationServiceOptions,
  type NotificationStatus,
} from './notification-service.js';
export { NotificationsError, type NotificationsErrorCode } from './notifications-error.js';
export { escapeHtml, type RenderedNotification, type RenderOptions, renderNotification } from './render.js';
export { type SendResult, sendNow } from './send-now.js';
export { dailySummaryNotification } from './summary-notification.js';
export { dailySummaryText } from './summary-text.js';
export { calendarDay } from './time-zone.js';
