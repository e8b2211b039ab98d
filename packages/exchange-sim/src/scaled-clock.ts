import { type Clock, LiveClock, sleepOn, type Timer } from '@quant/core';

/** Options of a {@link ScaledClock}. */
export interface ScaledClockOptions {
  /** The scaled time at creation, ms since epoch, UTC (e.g. a bar's close time in a data file). */
  readonly startTime: number;
  /** Scaled ms per base ms, > 0: 1 is real time, 60 is a minute per second. */
  readonly speed: number;
  /** The clock being scaled; a {@link @quant/core!LiveClock} (the wall clock) by default. */
  readonly base?: Clock;
}

/**
 * A clock that starts at `startTime` and runs `speed` times as fast as its base clock (the wall clock by
 * default): `now() = startTime + (base.now() - baseAtCreation) × speed`. Timers are set on the base clock with
 * the delay divided by `speed`. The exchange simulator's default clock: its server time is data time.
 *
 * @example
 * ```ts
 * import { ScaledClock } from '@quant/exchange-sim';
 *
 * // Replays March 2023 at a minute of data per real second.
 * const clock = new ScaledClock({ startTime: Date.UTC(2023, 2, 1, 0, 1), speed: 60 });
 * await clock.sleep(60_000); // one data minute: one real second
 * ```
 */
export class ScaledClock implements Clock {
  /** Scaled ms per base ms. */
  readonly speed: number;
  readonly #base: Clock;
  readonly #startTime: number;
  readonly #baseStart: number;

  /** @param options - start time, speed and base clock. */
  constructor(options: ScaledClockOptions) {
    this.speed = options.speed;
    this.#base = options.base ?? new LiveClock();
    this.#startTime = options.startTime;
    this.#baseStart = this.#base.now();
  }

  /** {@inheritDoc @quant/core!Clock.now} */
  now(): number {
    return Math.floor(this.#startTime + (this.#base.now() - this.#baseStart) * this.speed);
  }

  /** {@inheritDoc @quant/core!Clock.setTimer} */
  setTimer(callback: () => void, delayMs: number): Timer {
    return this.#base.setTimer(callback, Math.max(0, delayMs) / this.speed);
  }

  /** {@inheritDoc @quant/core!Clock.sleep} */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
}
