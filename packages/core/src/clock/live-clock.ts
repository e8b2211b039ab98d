import { type Clock, sleepOn, type Timer } from './clock.js';

/** The real clock: `Date.now()` and Node's timers. Use it in live trading. */
export class LiveClock implements Clock {
  /** {@inheritDoc Clock.now} */
  now(): number {
    return Date.now();
  }

  /** {@inheritDoc Clock.setTimer} */
  setTimer(callback: () => void, delayMs: number): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  }

  /** {@inheritDoc Clock.sleep} */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
}
