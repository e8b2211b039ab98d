import type { Clock, Timer } from '@quant/core';
import { Cron } from 'croner';
import { NotificationsError } from './notifications-error.js';
import { checkTimeZone } from './time-zone.js';

/** Options of {@link ClockCron}. */
export interface ClockCronOptions {
  /** A cron expression (croner's: `30 16 * * 1-5` is 16:30 on weekdays). */
  readonly cron: string;
  /** The IANA time zone the expression is read in, e.g. `America/New_York`. */
  readonly timeZone: string;
  /** The bot's clock: a `LiveClock` live, a `SimulatedClock` in a backtest or a test. */
  readonly clock: Pick<Clock, 'now' | 'setTimer'>;
  /**
   * The job, given the time it was due (ms since epoch UTC). It runs off the caller's path: a promise it returns
   * is not awaited before the next run is scheduled, and an error it throws or rejects with goes to `onError`.
   */
  readonly run: (dueAt: number) => unknown;
  /** Where a failed run's error goes; ignored by default. */
  readonly onError?: (error: unknown) => void;
}

/**
 * A calendar job on the bot's clock: croner computes each next time of a cron expression in a time zone (so 16:30
 * New York stays 16:30 New York across both DST changes), and the bot's clock fires it (so it runs in simulated
 * time in a backtest or a test, and at the right wall time live).
 * @example
 * ```ts
 * import { LiveClock } from '@quant/core';
 * import { ClockCron } from '@quant/notifications';
 *
 * const summary = new ClockCron({
 *   cron: '30 16 * * 1-5',
 *   timeZone: 'America/New_York',
 *   clock: new LiveClock(),
 *   run: (dueAt) => console.log(`daily summary due at ${new Date(dueAt).toISOString()}`),
 * });
 * summary.start();
 * // … at shutdown:
 * summary.stop();
 * ```
 */
export class ClockCron {
  readonly #cron: Cron;
  readonly #options: ClockCronOptions;
  #timer: Timer | undefined;
  #nextRunAt: number | null = null;
  #lastRunAt: number | null = null;

  /**
   * @param options - the expression, its time zone, the clock, the job.
   * @throws {@link NotificationsError} `BAD_CRON`, `BAD_TIME_ZONE`.
   */
  constructor(options: ClockCronOptions) {
    checkTimeZone(options.timeZone);
    try {
      this.#cron = new Cron(options.cron, { timezone: options.timeZone, paused: true });
    } catch (error) {
      throw new NotificationsError(
        'BAD_CRON',
        `"${options.cron}" is not a cron expression: expected minute hour day-of-month month weekday, e.g. 30 16 * * 1-5 (${(error as Error).message})`,
        { cause: error },
      );
    }
    this.#options = options;
  }

  /** When it runs next, ms since epoch UTC; `null` when stopped (or the expression has no next time). */
  get nextRunAt(): number | null {
    return this.#nextRunAt;
  }

  /** When it last ran (the time it was due), or `null`. */
  get lastRunAt(): number | null {
    return this.#lastRunAt;
  }

  /** Schedules the next run from now (idempotent). */
  start(): void {
    if (this.#timer === undefined) this.#arm(this.#options.clock.now());
  }

  /** Cancels the next run (idempotent); a run in progress goes on. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#nextRunAt = null;
  }

  /** Schedules the first time strictly after `afterMs`. */
  #arm(afterMs: number): void {
    const next = this.#cron.nextRun(new Date(afterMs))?.getTime() ?? null;
    this.#nextRunAt = next;
    if (next === null) return;
    const { clock } = this.#options;
    this.#timer = clock.setTimer(() => this.#fire(next), Math.max(0, next - clock.now()));
  }

  #fire(dueAt: number): void {
    this.#lastRunAt = dueAt;
    this.#arm(dueAt);
    const { run, onError } = this.#options;
    try {
      Promise.resolve(run(dueAt)).catch((error: unknown) => onError?.(error));
    } catch (error) {
      onError?.(error);
    }
  }
}
