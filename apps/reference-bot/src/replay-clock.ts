import { type Clock, sleepOn, type Timer } from '@quant/core';

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that replays recorded time: `now()` is data time, which starts at
 * `start` and moves forward as timers fire. With a numeric `speed`, a timer
 * `delay` ms of data time away fires after `delay / speed` ms of real time
 * (`60` plays one recorded minute per second); with `'max'`, it fires as soon
 * as the event loop is free. Everything scheduled on it (the main loop's
 * sleeps, health checks, backoff) runs in data time, so a replay behaves as
 * the same run would live.
 */
export class ReplayClock implements Clock {
  #now: number;
  #seq = 0;
  #queue: Pending[] = [];
  #handle: NodeJS.Timeout | NodeJS.Immediate | undefined;
  readonly #speed: number | 'max';

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
    const pending: Pending = { due: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback, cancelled: false };
    let index = this.#queue.length;
    while (index > 0 && (this.#queue[index - 1] as Pending).due > pending.due) index--;
    this.#queue.splice(index, 0, pending);
    this.#schedule();
    return {
      cancel: () => {
        pending.cancelled = true;
        this.#schedule();
      },
    };
  }

  /** Resolves after `delayMs` of data time, or when `signal` aborts. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }

  #schedule(): void {
    this.#queue = this.#queue.filter((pending) => !pending.cancelled);
    if (this.#handle !== undefined) {
      if (this.#speed === 'max') clearImmediate(this.#handle as NodeJS.Immediate);
      else clearTimeout(this.#handle as NodeJS.Timeout);
      this.#handle = undefined;
    }
    const next = this.#queue[0];
    if (!next) return;
    const fire = (): void => {
      this.#handle = undefined;
      this.#queue.shift();
      this.#now = Math.max(this.#now, next.due);
      next.callback();
      this.#schedule();
    };
    if (this.#speed === 'max') this.#handle = setImmediate(fire);
    else this.#handle = setTimeout(fire, Math.max(0, (next.due - this.#now) / this.#speed));
  }
}
