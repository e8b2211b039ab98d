import type { SystemConfig } from '@quant/config';
import type { Clock, EventBus, Logger } from '@quant/core';
import {
  EmailChannel,
  NOTIFICATION_KINDS,
  type NotificationChannel,
  type NotificationKind,
  type NotificationRoute,
  NotificationService,
  NotificationsError,
  WebhookChannel,
} from '@quant/notifications';
import type { EventStore } from '@quant/store';
import { quoteCurrencyOf } from './quote-currency.js';

/**
 * The channels `notifications.email` and `notifications.webhook` configure: email when `smtp_host` is set, the
 * webhook when `url` is set.
 * @throws {@link NotificationsError} `BAD_CHANNEL`: an SMTP host without a sender or recipients.
 */
export function configuredChannels(config: SystemConfig['notifications']): NotificationChannel[] {
  const { email, webhook } = config;
  const channels: NotificationChannel[] = [];
  if (email.smtp_host !== '') {
    for (const [key, empty] of [
      ['from', email.from === ''],
      ['to', email.to.length === 0],
    ] as const) {
      if (empty) {
        throw new NotificationsError(
          'BAD_CHANNEL',
          `notifications.email.smtp_host is set, so notifications.email.${key} (NOTIFICATIONS_EMAIL_${key.toUpperCase()}) is needed: expected ${key === 'from' ? 'the sender, e.g. quant-bot <bot@example.com>' : 'at least one recipient, e.g. ops@example.com'}`,
        );
      }
    }
    channels.push(
      new EmailChannel({
        host: email.smtp_host,
        port: email.smtp_port,
        security: email.smtp_security,
        user: email.smtp_user,
        password: email.smtp_password,
        from: email.from,
        to: email.to,
        timeoutMs: email.timeout * 1000,
      }),
    );
  }
  if (webhook.url !== '') channels.push(new WebhookChannel({ url: webhook.url, timeoutMs: webhook.timeout * 1000 }));
  return channels;
}

/** The route of a kind from its config, keeping the channels that are configured. */
export function routeOf(
  config: SystemConfig['notifications'],
  kind: NotificationKind,
  configured: ReadonlySet<string>,
): NotificationRoute {
  const section = config[kind];
  return {
    channels: section.channels.filter((name) => configured.has(name)),
    minSeverity: section.min_severity,
    recipients: section.recipients,
  };
}

/** The notifications of a `live` run, or none, with the lines that say so at start. */
export interface BotNotifications {
  readonly service: NotificationService | undefined;
  readonly startLines: readonly string[];
}

/**
 * The notification service of a `live` run from `notifications:`: its channels, a route per kind (the channels a
 * kind names that are not configured are left out; a kind left with none is said so), the daily summary on the
 * bot's clock, the outbox of the run's store. None when no channel is configured.
 * @throws {@link NotificationsError} `BAD_CHANNEL`, `BAD_CRON`, `BAD_TIME_ZONE`.
 */
export function botNotifications(options: {
  readonly config: SystemConfig;
  readonly bus: Pick<EventBus, 'subscribe'>;
  readonly clock: Pick<Clock, 'now' | 'setTimer'>;
  readonly store: EventStore;
  /** Stores every event recorded so far (the run's recorder), before a daily summary reads the store. */
  readonly flush: () => Promise<void>;
  readonly barMs: number;
  readonly logger: Logger;
}): BotNotifications {
  const { config } = options;
  const section = config.notifications;
  const channels = configuredChannels(section);
  if (channels.length === 0) {
    return {
      service: undefined,
      startLines: ['Notifications: off (set notifications.email.smtp_host or notifications.webhook.url)'],
    };
  }
  const names = new Set(channels.map((channel) => channel.name));
  const lines: string[] = [];
  const routes: Partial<Record<NotificationKind, NotificationRoute>> = {};
  for (const kind of NOTIFICATION_KINDS) {
    routes[kind] = routeOf(section, kind, names);
    // A kind routed to channels none of which is configured is not sent: say so (one of two configured is normal).
    if (routes[kind].channels.length === 0 && section[kind].channels.length > 0) {
      lines.push(
        `Notifications: notifications.${kind}.channels names ${section[kind].channels.join(', ')}, none configured: ${kind} not sent`,
      );
    }
  }
  const describe = channels.map((channel) =>
    channel.name === 'email'
      ? `email to ${section.email.to.join(', ')} via ${section.email.smtp_host}:${section.email.smtp_port} (${section.email.smtp_security})`
      : `webhook to ${new URL(section.webhook.url).origin}`,
  );
  const service = new NotificationService({
    bus: options.bus,
    clock: options.clock,
    outbox: options.store.outbox,
    channels,
    routes,
    botId: config.trading.bot_id,
    format: { timeZone: section.daily_summary_time_zone, currencyOf: quoteCurrencyOf },
    coalesceWindowMs: section.coalesce_window * 1000,
    maxAttempts: section.max_attempts,
    retryDelayMs: section.retry_delay * 1000,
    maxBytes: section.max_message_bytes,
    dailySummary: {
      store: options.store,
      cron: section.daily_summary_cron,
      timeZone: section.daily_summary_time_zone,
      watchlistMs: section.watchlist_bars * options.barMs,
      flush: options.flush,
    },
    logger: options.logger,
  });
  return {
    service,
    startLines: [
      `Notifications: ${describe.join('; ')}; daily summary "${section.daily_summary_cron}" ${section.daily_summary_time_zone}`,
      ...lines,
    ],
  };
}
