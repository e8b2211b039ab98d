/** A scheduled callback; `cancel()` prevents it from running (no effect once it ran). */
export interface Timer {
  /** Cancels the timer. */
  cancel(): void;
}

/**
 * The source of "now" and of timers. Every timer and timestamp in `@quant` goes
 * through a clock, so the same services run on real time ({@link LiveClock})
 * and in a backtest or a test on simulated time ({@link SimulatedClock}).
 */
export interface Clock {
  /** The current time, ms since epoch, UTC. */
  now(): number;
  /**
   * Runs `callback` once, `delayMs` from now.
   * @param callback - the work to run.
   * @param delayMs - delay in ms, >= 0.
   */
  setTimer(callback: () => void, delayMs: number): Timer;
  /**
   * Resolves after `delayMs`, or as soon as `signal` aborts (it never rejects).
   * @param delayMs - delay in ms, >= 0.
   * @param signal - ends the wait early.
   */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Implements {@link Clock.sleep} on top of `setTimer`.
 * @param clock - the clock to wait on.
 * @param delayMs - delay in ms.
 * @param signal - ends the wait early.
 */
export function sleepOn(clock: Pick<Clock, 'setTimer'>, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
