import { type Clock, sleepOn, type Timer } from './clock.js';

interface ScheduledTimer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Lets pending promise continuations (and their follow-ups) run before the next timer fires. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock whose time moves only when told to. A backtest advances it bar by
 * bar; a test advances it past a health-check interval or a backoff delay
 * without sleeping for real.
 *
 * Timers fire in order of due time (ties in the order they were set), each
 * with `now()` equal to its due time; between two timers, pending promise
 * work is allowed to run, so `await clock.sleep(...)` chains behave as they
 * would on real time.
 */
export class SimulatedClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: ScheduledTimer[] = [];

  /**
   * @param startTime - the initial time, ms since epoch, UTC.
   */
  constructor(startTime = 0) {
    this.#now = startTime;
  }

  /** {@inheritDoc Clock.now} */
  now(): number {
    return this.#now;
  }

  /** Number of timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter((timer) => !timer.cancelled).length;
  }

  /** {@inheritDoc Clock.setTimer} */
  setTimer(callback: () => void, delayMs: number): Timer {
    const timer: ScheduledTimer = {
      due: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    let index = this.#timers.length;
    while (index > 0 && (this.#timers[index - 1] as ScheduledTimer).due > timer.due) index--;
    this.#timers.splice(index, 0, timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** {@inheritDoc Clock.sleep} */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }

  /**
   * Moves time forward to `time`, firing every timer due on the way.
   * @param time - the target time, ms since epoch, UTC; a time in the past is ignored.
   */
  async advanceTo(time: number): Promise<void> {
    await settle();
    for (let timer = this.#takeDue(time); timer; timer = this.#takeDue(time)) {
      timer.callback();
      await settle();
    }
    this.#now = Math.max(this.#now, time);
  }

  /**
   * Moves time forward to `time`, firing every timer due on the way
   * synchronously, in order, without waiting for the work they start. For
   * drivers that await their own work between steps, such as a backtest loop:
   * cheaper than {@link SimulatedClock.advanceTo}, which lets promise work run
   * after each timer.
   * @param time - the target time, ms since epoch, UTC; a time in the past is ignored.
   */
  tickTo(time: number): void {
    for (let timer = this.#takeDue(time); timer; timer = this.#takeDue(time)) timer.callback();
    this.#now = Math.max(this.#now, time);
  }

  /** Removes and returns the next live timer due at or before `time`, moving now to its due time. */
  #takeDue(time: number): ScheduledTimer | undefined {
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.due > time) return undefined;
      this.#timers.shift();
      if (next.cancelled) continue;
      this.#now = next.due;
      return next;
    }
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way.
   * @param ms - how far to move, in ms.
   */
  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.#now + ms);
  }
}
