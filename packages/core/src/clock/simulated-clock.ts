import { type Clock, sleepOn, type Timer } from './clock.js';
import { TimerQueue } from './timer-queue.js';

/** Lets pending promise continuations (and their follow-ups) run before the next timer fires. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One call of {@link SimulatedClock.runToCompletion} in flight. */
interface Drive {
  /** Timers with a `seq` from here on were set while the work ran. */
  readonly mark: number;
  /** The first exception a timer fired for this work threw. */
  failure?: { readonly error: unknown };
}

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
  readonly #queue = new TimerQueue();
  readonly #drives = new Set<Drive>();
  #checkScheduled = false;

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

  /**
   * When the earliest pending timer is due, ms since epoch, UTC; `undefined`
   * when none is pending. A driver reads it to know whether moving the clock
   * will fire anything.
   */
  get nextTimerDue(): number | undefined {
    return this.#queue.nextDue();
  }

  /**
   * How many timers were ever set on this clock: a driver compares it before
   * and after a piece of work to tell whether the work set one (a deadline,
   * a backoff), i.e. left something in flight that time must wait for.
   */
  get timersSet(): number {
    return this.#queue.nextSeq;
  }

  /** Number of timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#queue.size;
  }

  /** {@inheritDoc Clock.setTimer} */
  setTimer(callback: () => void, delayMs: number): Timer {
    const timer = this.#queue.add(this.#now + Math.max(0, delayMs), callback);
    if (this.#drives.size > 0 && !this.#checkScheduled) this.#scheduleCheck();
    return timer;
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

  /**
   * Moves time forward by `ms`, firing every timer due on the way.
   * @param ms - how far to move, in ms.
   */
  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.#now + ms);
  }

  /**
   * Runs `work` (e.g. one cycle of a backtest) and awaits it, moving time
   * forward whenever it waits on this clock, so that work which sleeps or
   * sets a deadline on the clock cannot deadlock a simulation that only
   * moves time between two pieces of work.
   *
   * Time moves only while `work` is pending and a timer set since the call
   * (by `work` or by anything it caused) is pending too: once the event loop
   * has turned (every promise continuation ran) without `work` settling, the
   * earliest pending timer fires, whoever set it, with `now()` at its due
   * time; this repeats, one timer per event-loop turn, until `work` settles.
   * So `work` observes simulated time passing exactly as it asked for (a
   * 500 ms backoff sleep ends with `now()` 500 ms later), and the time it
   * spent is not given back: the clock stays where `work` left it.
   *
   * Work that settles through promise work alone (the usual case) costs no
   * event-loop turn. Work that waits on real I/O while a timer of its own is
   * pending may see that timer fire before the I/O completes: in a simulation,
   * let nothing race real I/O against simulated time. Work waiting on a timer
   * set before the call, and nothing else, is not driven and waits for the
   * clock to be moved.
   *
   * Calls may overlap or nest; time moves while any of them is pending.
   * @typeParam T - what `work` resolves to.
   * @param work - starts the work; it is called at once.
   * @returns what `work` resolves to.
   * @throws what `work` throws or rejects with; otherwise the first exception
   *   thrown by a timer callback this method fired while `work` was pending
   *   (once `work` settled).
   */
  async runToCompletion<T>(work: () => T | PromiseLike<T>): Promise<T> {
    return this.runToCompletionNow(work);
  }

  /**
   * {@link SimulatedClock.runToCompletion}, returning what `work` returned
   * itself when `work` returned no promise: then nothing waited on the clock,
   * and no promise is made (a backtest's cycle on in-memory data, tens of
   * thousands of times in a row).
   * @typeParam T - what `work` returns or resolves to.
   * @param work - starts the work; it is called at once.
   * @returns what `work` returned, or a promise of what it resolves to.
   * @throws what `work` throws; the promise rejects as {@link SimulatedClock.runToCompletion}'s does.
   */
  runToCompletionNow<T>(work: () => T | PromiseLike<T>): T | Promise<T> {
    const drive: Drive = { mark: this.#queue.nextSeq };
    this.#drives.add(drive);
    let result: T | PromiseLike<T>;
    try {
      result = work();
    } catch (error) {
      this.#drives.delete(drive);
      throw error;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<T>).then === 'function') {
      return this.#complete(drive, result as PromiseLike<T>);
    }
    this.#drives.delete(drive);
    return result as T;
  }

  /** Awaits driven work, then ends its drive: rejects with a timer's exception if one was thrown meanwhile. */
  async #complete<T>(drive: Drive, pending: PromiseLike<T>): Promise<T> {
    let result: T;
    try {
      result = await pending;
    } finally {
      this.#drives.delete(drive);
    }
    if (drive.failure) throw drive.failure.error;
    return result;
  }

  /** Removes and returns the next live timer due at or before `time`, moving now to its due time. */
  #takeDue(time: number): { readonly callback: () => void } | undefined {
    const next = this.#queue.takeDue(time);
    if (next !== undefined) this.#now = Math.max(this.#now, next.due);
    return next;
  }

  #scheduleCheck(): void {
    this.#checkScheduled = true;
    setImmediate(this.#check);
  }

  /** Runs after an event-loop turn: fires the earliest timer if a driven work still waits on one of its own. */
  readonly #check = (): void => {
    this.#checkScheduled = false;
    if (this.#drives.size === 0) return;
    let mark = Number.POSITIVE_INFINITY;
    for (const drive of this.#drives) mark = Math.min(mark, drive.mark);
    if (!this.#queue.hasLiveSince(mark)) return;
    const timer = this.#queue.takeNext();
    if (timer === undefined) return;
    this.#now = Math.max(this.#now, timer.due);
    try {
      timer.callback();
    } catch (error) {
      for (const drive of this.#drives) drive.failure ??= { error };
    }
    this.#scheduleCheck();
  };
}
