import type { Clock, Timer } from '@quant/core';
import type { NotificationOutbox, OutboxEntry } from '@quant/store';
import type { NotificationChannel } from './channels/channel.js';

/** What happened to a message of the outbox: the dispatcher's report to its service. */
export type DispatchOutcome =
  | { readonly type: 'sent'; readonly entry: OutboxEntry }
  | { readonly type: 'retry'; readonly entry: OutboxEntry; readonly error: string; readonly retryAt: number }
  | { readonly type: 'dead'; readonly entry: OutboxEntry; readonly error: string }
  | { readonly type: 'store_failed'; readonly error: string };

/** The retry policy: attempts in all, and the delay between two, ms of the bot's clock. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
}

/** Messages read per query. */
const BATCH = 20;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends one channel's messages from the outbox, oldest due first, one at a time: a message is marked sent when the
 * channel confirms it, else due again `retryDelayMs` later, else dead after `maxAttempts`. A timer on the bot's
 * clock wakes it for the next due message. It never throws: a failing store is reported and tried again later.
 * @internal
 */
export class OutboxDispatcher {
  readonly #outbox: NotificationOutbox;
  readonly #channel: NotificationChannel;
  readonly #clock: Pick<Clock, 'now' | 'setTimer'>;
  readonly #policy: RetryPolicy;
  readonly #report: (outcome: DispatchOutcome) => void;
  #running: Promise<void> | null = null;
  #again = false;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(
    outbox: NotificationOutbox,
    channel: NotificationChannel,
    clock: Pick<Clock, 'now' | 'setTimer'>,
    policy: RetryPolicy,
    report: (outcome: DispatchOutcome) => void,
  ) {
    this.#outbox = outbox;
    this.#channel = channel;
    this.#clock = clock;
    this.#policy = policy;
    this.#report = report;
  }

  /** Sends what is due now (and, after a start, what a crashed run left unconfirmed). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain()
      .catch((error: unknown) => {
        this.#report({ type: 'store_failed', error: messageOf(error) });
        this.#arm(this.#clock.now() + this.#policy.retryDelayMs);
      })
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /** Stops waking up, and waits for the message in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#running;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const due = await this.#outbox.due(this.#channel.name, this.#clock.now(), BATCH);
      for (const entry of due) {
        if (this.#stopped) return;
        await this.#attempt(entry);
      }
      if (due.length < BATCH) break;
    }
    const next = await this.#outbox.nextDueAt(this.#channel.name);
    if (next !== null) this.#arm(next);
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimer(() => this.kick(), Math.max(0, at - this.#clock.now()));
  }

  async #attempt(entry: OutboxEntry): Promise<void> {
    try {
      await this.#channel.send(entry);
    } catch (cause) {
      const error = messageOf(cause);
      if (entry.attempts + 1 >= this.#policy.maxAttempts) {
        await this.#outbox.markFailed(entry.id, error, null);
        this.#report({ type: 'dead', entry, error });
      } else {
        const retryAt = this.#clock.now() + this.#policy.retryDelayMs;
        await this.#outbox.markFailed(entry.id, error, retryAt);
        this.#report({ type: 'retry', entry, error, retryAt });
      }
      return;
    }
    await this.#outbox.markSent(entry.id, this.#clock.now());
    this.#report({ type: 'sent', entry });
  }
}
