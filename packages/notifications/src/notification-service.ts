import {
  type Clock,
  type EventBus,
  type Logger,
  type Subscription,
  silentLogger,
  type TradingEvent,
} from '@quant/core';
import { type EventStore, type NotificationOutbox, SEVERITIES, type Severity } from '@quant/store';
import type { NotificationChannel } from './channels/channel.js';
import { ClockCron } from './clock-cron.js';
import { buildDailySummary } from './daily-summary.js';
import { NOTIFIED_EVENT_TYPES, type NotificationFormat, notificationsOf } from './event-notifications.js';
import type { Notification, NotificationKind } from './notification.js';
import { NotificationsError } from './notifications-error.js';
import { type DispatchOutcome, OutboxDispatcher } from './outbox-dispatcher.js';
import { renderNotification } from './render.js';
import { dailySummaryNotification } from './summary-notification.js';
import { calendarDay } from './time-zone.js';

/** Where a kind of notification goes. */
export interface NotificationRoute {
  /** The channels, by name (`email`, `webhook`); empty: the kind is not sent. */
  readonly channels: readonly string[];
  /** The least severity sent: `info` sends all, `warning` only warnings and worse, … */
  readonly minSeverity: Severity;
  /** The email recipients of this kind; empty or absent: the channel's default recipients. */
  readonly recipients?: readonly string[];
}

/** The daily summary job of {@link NotificationService}. */
export interface DailySummaryJob {
  /** The store the summary is built from. */
  readonly store: Pick<EventStore, 'scan' | 'positions'>;
  /** A cron expression, e.g. `30 16 * * 1-5`. */
  readonly cron: string;
  /** The time zone of the expression and of the summary's day, e.g. `America/New_York`. */
  readonly timeZone: string;
  /** The watchlist window, ms. */
  readonly watchlistMs: number;
  /**
   * Called before each summary is built, so that the store holds every event so far: a `StoreRecorder`'s `flush`
   * when the recorder groups cycles (a replay at full speed), none when every cycle is stored as it ends.
   */
  readonly flush?: () => Promise<void>;
}

/** Options of {@link NotificationService}. */
export interface NotificationServiceOptions {
  /** The bot's bus: the service subscribes to the events it reports. */
  readonly bus: Pick<EventBus, 'subscribe'>;
  /** The bot's clock: retries and the daily summary run on it. */
  readonly clock: Pick<Clock, 'now' | 'setTimer'>;
  /** The outbox messages are written to before they are sent (`EventStore.outbox`). */
  readonly outbox: NotificationOutbox;
  /** The channels, each with a unique name. */
  readonly channels: readonly NotificationChannel[];
  /** Where each kind goes; a kind without a route is not sent. */
  readonly routes: Readonly<Partial<Record<NotificationKind, NotificationRoute>>>;
  /** The bot's id, put before every subject. */
  readonly botId: string;
  /** How times and money are written. */
  readonly format: NotificationFormat;
  /** The same alert (same coalescing key, same channel) is sent at most once per window, ms; 300 000 by default. */
  readonly coalesceWindowMs?: number;
  /** Attempts per message before it is dead; 3 by default (the seeds' email service). */
  readonly maxAttempts?: number;
  /** Delay between two attempts, ms of the bot's clock; 5 000 by default. */
  readonly retryDelayMs?: number;
  /** The size cap of a message's text and HTML parts, bytes; 65 536 by default. */
  readonly maxBytes?: number;
  /** The daily summary job; none when absent. */
  readonly dailySummary?: DailySummaryJob;
  /** Where deliveries, failures and dead letters are logged; silent by default. */
  readonly logger?: Logger;
}

/** What {@link NotificationService.status} reports, counts since the service started. */
export interface NotificationStatus {
  /** The channels, by name. */
  readonly channels: readonly string[];
  /** Notifications waiting to be written to the outbox. */
  readonly queued: number;
  /** Messages written to the outbox (one per channel of a notification). */
  readonly written: number;
  /** Messages coalesced into an earlier one. */
  readonly coalesced: number;
  /** Messages the channels confirmed. */
  readonly sent: number;
  /** Attempts that failed (each to be tried again, or dead). */
  readonly failedAttempts: number;
  /** Messages that ran out of attempts: the dead letters. */
  readonly dead: number;
  /** The last failure (a channel's or the store's), or `null`. */
  readonly lastError: string | null;
  /** When the daily summary runs next, ms since epoch UTC, or `null`. */
  readonly nextSummaryAt: number | null;
}

/**
 * Tells the bot's operators what happens: fills, positions opened and closed with their P&L, alerts (a risk limit
 * breached, trading blocked by the daily loss limit, a service failed, reconciliation halted trading), the recovery
 * report of a start, and the daily summary, by email, webhook or a channel of your own.
 *
 * Every notification is written to the store's outbox before it is sent and marked sent after: a crash between the
 * two resends it at the next start. A failed attempt is tried again (3 attempts, 5 s apart on the bot's clock, by
 * default), then kept as a dead letter (`EventStore.outbox.list({ status: 'dead' })`, the API's
 * `/api/notifications?status=dead`). Alerts of the same kind and subject are coalesced within a window.
 *
 * Sending never touches trading: the bus handlers only queue the event and return, the outbox writes and the
 * sends run on their own promise chains, and no error of theirs reaches the bus, the cycle or the process.
 * @example
 * ```ts
 * import { EventBus, LiveClock } from '@quant/core';
 * import { EmailChannel, NotificationService } from '@quant/notifications';
 * import { EventStore } from '@quant/store';
 *
 * const store = await EventStore.open('data/quant.db');
 * const bus = new EventBus();
 * const notifications = new NotificationService({
 *   bus,
 *   clock: new LiveClock(),
 *   outbox: store.outbox,
 *   channels: [
 *     new EmailChannel({
 *       host: 'smtp.example.com',
 *       port: 587,
 *       security: 'starttls',
 *       user: 'bot@example.com',
 *       password: process.env.NOTIFICATIONS_EMAIL_SMTP_PASSWORD,
 *       from: 'quant-bot <bot@example.com>',
 *       to: ['ops@example.com'],
 *     }),
 *   ],
 *   routes: {
 *     position: { channels: ['email'], minSeverity: 'info' },
 *     alert: { channels: ['email'], minSeverity: 'warning' },
 *   },
 *   botId: 'btc-bot',
 *   format: { timeZone: 'America/New_York' },
 * });
 * notifications.start();
 * // … at shutdown, before the store closes:
 * await notifications.stop();
 * ```
 */
export class NotificationService {
  readonly #options: NotificationServiceOptions;
  readonly #channels: ReadonlyMap<string, NotificationChannel>;
  readonly #dispatchers: ReadonlyMap<string, OutboxDispatcher>;
  readonly #logger: Logger;
  readonly #summary: ClockCron | undefined;
  #subscriptions: Subscription[] = [];
  #writing: Promise<void> = Promise.resolve();
  #queued = 0;
  #counts = { written: 0, coalesced: 0, sent: 0, failedAttempts: 0, dead: 0 };
  #lastError: string | null = null;
  #started = false;

  /**
   * @param options - the bus, clock, outbox, channels, routes and policies.
   * @throws {@link NotificationsError} `BAD_ROUTE` (a route names a channel that is not given, or two channels share
   *   a name), `BAD_CRON` and `BAD_TIME_ZONE` (the daily summary's schedule).
   */
  constructor(options: NotificationServiceOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    const channels = new Map<string, NotificationChannel>();
    for (const channel of options.channels) {
      if (channels.has(channel.name)) {
        throw new NotificationsError('BAD_ROUTE', `two notification channels are named "${channel.name}"`);
      }
      channels.set(channel.name, channel);
    }
    for (const [kind, route] of Object.entries(options.routes)) {
      for (const name of route?.channels ?? []) {
        if (!channels.has(name)) {
          throw new NotificationsError(
            'BAD_ROUTE',
            `notifications.${kind}.channels names "${name}", which is not configured: expected one of ${[...channels.keys()].join(', ') || '(no channel: set notifications.email.smtp_host or notifications.webhook.url)'}`,
          );
        }
      }
    }
    this.#channels = channels;
    const policy = { maxAttempts: options.maxAttempts ?? 3, retryDelayMs: options.retryDelayMs ?? 5000 };
    this.#dispatchers = new Map(
      [...channels.values()].map((channel) => [
        channel.name,
        new OutboxDispatcher(options.outbox, channel, options.clock, policy, (outcome) => this.#onOutcome(outcome)),
      ]),
    );
    const job = options.dailySummary;
    this.#summary =
      job === undefined
        ? undefined
        : new ClockCron({
            cron: job.cron,
            timeZone: job.timeZone,
            clock: options.clock,
            run: (dueAt) => this.#sendSummary(job, dueAt),
            onError: (error) => this.#fail(`the daily summary failed: ${(error as Error).message ?? error}`),
          });
  }

  /**
   * Subscribes to the bus, schedules the daily summary, and sends what the outbox holds unconfirmed (a crashed
   * run's messages). Idempotent.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const type of NOTIFIED_EVENT_TYPES) {
      this.#subscriptions.push(
        this.#options.bus.subscribe(type, (event) => {
          this.#onEvent(event as TradingEvent);
        }),
      );
    }
    this.#summary?.start();
    for (const dispatcher of this.#dispatchers.values()) dispatcher.kick();
  }

  /**
   * Unsubscribes, cancels the schedule, waits for the queued writes and, up to `timeoutMs` of real time, for the
   * sends in progress, then closes the channels. Messages not confirmed stay in the outbox for the next start.
   * @param timeoutMs - the longest wait for the sends in progress, ms; 5 000 by default.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    for (const subscription of this.#subscriptions.splice(0)) subscription.unsubscribe();
    this.#summary?.stop();
    await this.#writing;
    let timer: NodeJS.Timeout | undefined;
    const sends = Promise.all([...this.#dispatchers.values()].map((dispatcher) => dispatcher.stop()));
    // Shutdown runs in real time whatever the bot's clock: a channel that hangs must not hold the process.
    await Promise.race([sends, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const channel of this.#channels.values()) await channel.close?.().catch(() => {});
  }

  /**
   * Writes a notification to the outbox for each channel of its kind's route (when its severity is high enough),
   * then wakes the channels. A notification of your own goes through here.
   * @param notification - the notification (its id deterministic: the same id is stored once).
   * @returns resolves once it is in the outbox (not when it is sent).
   * @throws {@link @quant/store!StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED` from the outbox.
   */
  async notify(notification: Notification): Promise<void> {
    const route = this.#options.routes[notification.kind];
    if (route === undefined || route.channels.length === 0) return;
    if (SEVERITIES.indexOf(notification.severity) < SEVERITIES.indexOf(route.minSeverity)) return;
    const rendered = renderNotification(notification, {
      botId: this.#options.botId,
      ...(this.#options.maxBytes === undefined ? {} : { maxBytes: this.#options.maxBytes }),
    });
    const woken: string[] = [];
    for (const name of route.channels) {
      const channel = this.#channels.get(name) as NotificationChannel;
      const recipients = route.recipients?.length ? route.recipients : channel.defaultRecipients;
      const result = await this.#options.outbox.enqueue(
        {
          id: `${notification.id}:${name}`,
          notificationId: notification.id,
          channel: name,
          kind: notification.kind,
          severity: notification.severity,
          recipients,
          ...rendered,
          data: notification.data,
          coalesceKey: notification.coalesceKey,
          createdAt: notification.createdAt,
        },
        this.#options.coalesceWindowMs ?? 300_000,
      );
      if (result === 'queued') {
        this.#counts.written += 1;
        woken.push(name);
      } else if (result === 'coalesced') {
        this.#counts.coalesced += 1;
      }
    }
    for (const name of woken) this.#dispatchers.get(name)?.kick();
  }

  /** Counts since the start, the last failure, the next summary. */
  status(): NotificationStatus {
    return {
      channels: [...this.#channels.keys()],
      queued: this.#queued,
      ...this.#counts,
      lastError: this.#lastError,
      nextSummaryAt: this.#summary?.nextRunAt ?? null,
    };
  }

  /** Resolves once every notification queued so far is in the outbox (their sends may still run). */
  async flush(): Promise<void> {
    await this.#writing;
  }

  /** A bus handler: queues the write and returns at once (never a promise the bus would wait for). */
  #onEvent(event: TradingEvent): void {
    let notifications: readonly Notification[];
    try {
      notifications = notificationsOf(event, this.#options.format);
    } catch (error) {
      this.#fail(`a notification of ${event.type} could not be made: ${(error as Error).message}`);
      return;
    }
    for (const notification of notifications) this.#queue(notification);
  }

  #queue(notification: Notification): void {
    this.#queued += 1;
    this.#writing = this.#writing
      .then(() => this.notify(notification))
      .catch((error: unknown) =>
        this.#fail(`notification ${notification.id} was not written to the outbox: ${(error as Error).message}`),
      )
      .finally(() => {
        this.#queued -= 1;
      });
  }

  async #sendSummary(job: DailySummaryJob, dueAt: number): Promise<void> {
    await job.flush?.();
    const day = calendarDay(dueAt, job.timeZone);
    const summary = await buildDailySummary(job.store, {
      day,
      timeZone: job.timeZone,
      watchlistMs: job.watchlistMs,
      asOf: dueAt,
    });
    this.#queue(dailySummaryNotification(summary, dueAt));
    await this.#writing;
  }

  #onOutcome(outcome: DispatchOutcome): void {
    switch (outcome.type) {
      case 'sent':
        this.#counts.sent += 1;
        this.#logger.info('notification sent', { id: outcome.entry.id, kind: outcome.entry.kind });
        return;
      case 'retry':
        this.#counts.failedAttempts += 1;
        this.#lastError = `${outcome.entry.channel}: ${outcome.error}`;
        this.#logger.warn('notification attempt failed, will retry', {
          id: outcome.entry.id,
          attempt: outcome.entry.attempts + 1,
          error: outcome.error,
          retryAt: new Date(outcome.retryAt).toISOString(),
        });
        return;
      case 'dead':
        this.#counts.failedAttempts += 1;
        this.#counts.dead += 1;
        this.#lastError = `${outcome.entry.channel}: ${outcome.error}`;
        this.#logger.error('notification dead after its last attempt', {
          id: outcome.entry.id,
          attempts: outcome.entry.attempts + 1,
          error: outcome.error,
        });
        return;
      case 'store_failed':
        this.#fail(`the outbox could not be read or updated: ${outcome.error}`);
    }
  }

  #fail(message: string): void {
    this.#lastError = message;
    this.#logger.error(message);
  }
}
