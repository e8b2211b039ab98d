import { type Clock, sleepOn, type Timer, TimerQueue } from '@quant/core';

/**
 * A clock that replays recorded time: `now()` is data time, which starts at
 * `start` and moves forward as timers fire. With a numeric `speed`, a timer
 * `delay` ms of data time away fires after `delay / speed` ms of real time
 * (`60` plays one recorded minute per second); with `'max'`, it fires as soon
 * as the event loop is free. Everything scheduled on it (the main loop's
 * sleeps, health checks, backoff) runs in data time, so a replay behaves as
 * the same run would live. Its timers are kept in core's {@link TimerQueue},
 * the queue of `SimulatedClock`: due order, ties in the order they were set.
 *
 * A cycle that waits on real I/O (an append to PostgreSQL) must {@link ReplayClock.hold} the clock: at `'max'`
 * the event loop is free while it waits, and the clock would jump to the next timer (a health round) in the
 * middle of the cycle, so that the replay skipped bars and traded otherwise than the same data in a backtest.
 */
export class ReplayClock implements Clock {
  #now: number;
  readonly #queue = new TimerQueue();
  #handle: NodeJS.Timeout | NodeJS.Immediate | undefined;
  readonly #speed: number | 'max';
  /** Work in progress that data time waits for. */
  #holds = 0;

  /**
   * @param start - the first data time, ms since epoch, UTC.
   * @param speed - data ms per real ms, or `'max'`.
   */
  constructor(start: number, speed: number | 'max') {
    this.#now = start;
    this.#speed = speed;
  }

  /** Data time, ms since epoch, UTC. */
  now(): number {
    return this.#now;
  }

  /** Schedules `callback` at `delayMs` of data time from now. */
  setTimer(callback: () => void, delayMs: number): Timer {
    const timer = this.#queue.add(this.#now + Math.max(0, delayMs), callback);
    this.#schedule();
    return {
      cancel: () => {
        timer.cancel();
        this.#schedule();
      },
    };
  }

  /** Resolves after `delayMs` of data time, or when `signal` aborts. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }

  /**
   * Stops data time while `work` runs: no timer fires until it settles (then the earliest due fires as usual).
   * @param work - e.g. a cycle's append to the event store.
   * @returns `work`, settled as it settles.
   */
  hold<T>(work: Promise<T>): Promise<T> {
    this.#holds++;
    this.#schedule();
    return work.finally(() => {
      this.#holds--;
      this.#schedule();
    });
  }

  /** (Re)arms the real timer for the earliest queued timer, unless work holds the clock. */
  #schedule(): void {
    if (this.#handle !== undefined) {
      if (this.#speed === 'max') clearImmediate(this.#handle as NodeJS.Immediate);
      else clearTimeout(this.#handle as NodeJS.Timeout);
      this.#handle = undefined;
    }
    if (this.#holds > 0) return;
    const due = this.#queue.nextDue();
    if (due === undefined) return;
    const fire = (): void => {
      this.#handle = undefined;
      const next = this.#queue.takeNext();
      if (next !== undefined) {
        this.#now = Math.max(this.#now, next.due);
        next.callback();
      }
      this.#schedule();
    };
    if (this.#speed === 'max') this.#handle = setImmediate(fire);
    else this.#handle = setTimeout(fire, Math.max(0, (due - this.#now) / this.#speed));
  }
}
