import type { Timer } from './clock.js';

/** A timer held by a {@link TimerQueue}. */
export interface QueuedTimer {
  /** When it is due, ms since epoch, UTC (or any time base the queue's owner uses). */
  readonly due: number;
  /** Insertion order: ties on `due` fire in this order. */
  readonly seq: number;
  /** The work to run when it fires. */
  readonly callback: () => void;
}

/** Cancelled timers tolerated in the queue before it is compacted (when they also outnumber the live ones). */
const COMPACT_AFTER = 1024;

interface Slot extends QueuedTimer {
  /** `queued` until taken or cancelled. */
  status: 'queued' | 'taken' | 'cancelled';
}

/**
 * The due-ordered timer queue behind {@link SimulatedClock} and clocks like
 * it (e.g. a replay clock): timers are kept in order of due time, ties in
 * the order they were added; a cancelled timer is never taken. It knows
 * nothing about "now": its owner decides when a timer is due and what time
 * it is when the timer fires.
 *
 * @example
 * ```ts
 * const queue = new TimerQueue();
 * const timer = queue.add(1_000, () => console.log('due at 1 s'));
 * queue.nextDue(); // 1_000
 * queue.takeDue(500); // undefined: nothing due yet
 * queue.takeNext()?.callback(); // logs, whatever the time
 * timer.cancel(); // no effect once taken
 * ```
 */
export class TimerQueue {
  #seq = 0;
  #live = 0;
  #cancelled = 0;
  /** Due order; cancelled slots stay until they reach the head or are compacted away. */
  #slots: Slot[] = [];

  /** Number of timers added and neither taken nor cancelled. */
  get size(): number {
    return this.#live;
  }

  /** The `seq` the next added timer will get; timers added from now on have a `seq` at least this. */
  get nextSeq(): number {
    return this.#seq;
  }

  /**
   * Adds a timer.
   * @param due - when it is due, in the owner's time base (ms since epoch, UTC, for the clocks of `@quant`).
   * @param callback - the work to run when it fires; the queue never calls it, its owner does.
   * @returns a handle whose `cancel()` removes the timer (no effect once taken).
   */
  add(due: number, callback: () => void): Timer {
    const slot: Slot = { due, seq: this.#seq++, callback, status: 'queued' };
    let index = this.#slots.length;
    while (index > 0 && (this.#slots[index - 1] as Slot).due > due) index--;
    this.#slots.splice(index, 0, slot);
    this.#live++;
    return {
      cancel: () => {
        if (slot.status !== 'queued') return;
        slot.status = 'cancelled';
        this.#live--;
        if (++this.#cancelled > COMPACT_AFTER && this.#cancelled > this.#live) this.#compact();
      },
    };
  }

  /** The due time of the earliest live timer, or `undefined` when none is queued. */
  nextDue(): number | undefined {
    return this.#head()?.due;
  }

  /**
   * Removes and returns the earliest live timer if it is due at or before `time`.
   * @param time - the time up to which timers count as due.
   * @returns the timer, or `undefined` when none is due by `time`.
   */
  takeDue(time: number): QueuedTimer | undefined {
    const head = this.#head();
    if (head === undefined || head.due > time) return undefined;
    return this.#take(head);
  }

  /**
   * Removes and returns the earliest live timer, however far in the future it is due.
   * @returns the timer, or `undefined` when the queue is empty.
   */
  takeNext(): QueuedTimer | undefined {
    const head = this.#head();
    return head === undefined ? undefined : this.#take(head);
  }

  /**
   * Whether a live timer added at or after `seq` is queued.
   * @param seq - a value of {@link TimerQueue.nextSeq} read earlier.
   */
  hasLiveSince(seq: number): boolean {
    if (this.#live === 0) return false;
    for (const slot of this.#slots) if (slot.status === 'queued' && slot.seq >= seq) return true;
    return false;
  }

  /** The earliest live slot, dropping cancelled slots from the head. */
  #head(): Slot | undefined {
    for (;;) {
      const head = this.#slots[0];
      if (head === undefined || head.status === 'queued') return head;
      this.#slots.shift();
      this.#cancelled--;
    }
  }

  #compact(): void {
    this.#slots = this.#slots.filter((slot) => slot.status === 'queued');
    this.#cancelled = 0;
  }

  #take(head: Slot): QueuedTimer {
    this.#slots.shift();
    head.status = 'taken';
    this.#live--;
    return head;
  }
}
