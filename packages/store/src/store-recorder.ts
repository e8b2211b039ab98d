import type { BaseEvent } from '@quant/core';
import { MARKET_DATA_EVENT_TYPES } from './envelope.js';
import type { EventStore } from './event-store.js';
import { StoreError } from './store-error.js';

/**
 * Which events a {@link StoreRecorder} persists: `trading` (every event but the market data of
 * {@link MARKET_DATA_EVENT_TYPES}: orders, fills, positions, signals, risk, regimes, service lifecycle, data
 * failures) or `all` (the market data too: about 99 % of the events of a backtest).
 */
export type RecordedEvents = 'trading' | 'all';

/** Options of a {@link StoreRecorder}. */
export interface StoreRecorderOptions {
  /** Which events to persist; `trading` by default. */
  readonly events?: RecordedEvents;
  /**
   * Called once, with the error, when an append fails: stop trading there (the bot must not go on unrecorded).
   * The error is also kept in {@link StoreRecorder.failure}.
   */
  readonly onFailure?: (error: StoreError) => void;
  /**
   * Group commit, in real ms: a cycle that ends less than this after the last append began leaves its events
   * buffered for the next cycles' transaction (a timer appends them if no cycle comes), so a replay at full speed
   * writes one transaction per window instead of one per cycle. Whole cycles only: a crash loses the window's
   * cycles, never part of one. `0` by default: one transaction per cycle, what a bot trading on a real venue
   * wants (its cycles are a minute apart anyway).
   */
  readonly groupCommitMs?: number;
  /**
   * With `groupCommitMs`: append at a cycle's end once this many events wait, however recent the last append;
   * 5 000 by default.
   */
  readonly maxGroupEvents?: number;
}

const MARKET_DATA: ReadonlySet<string> = new Set(MARKET_DATA_EVENT_TYPES);

/**
 * Persists what a bus publishes, in publish (causal) order, one transaction per cycle (or per group of whole
 * cycles, with `groupCommitMs`).
 *
 * Give {@link StoreRecorder.record} to the bus as its `onPublish` hook: it buffers each event the recorder keeps.
 * Run {@link StoreRecorder.flushCycle} as the orchestrator's last cycle work item: it appends the buffer as one
 * `append`, so a cycle's events (and those published since the last cycle, e.g. at start-up or by a health round)
 * go in one transaction, and a crash loses at most the cycle in flight. Flush once more after the orchestrator
 * stopped, for the events of the shutdown.
 *
 * When an append fails, the recorder keeps the error in {@link StoreRecorder.failure}, calls `onFailure`, and
 * records nothing more: stop the loop rather than trade unrecorded.
 *
 * @example
 * ```ts
 * const store = await EventStore.open('data/quant.db');
 * const controller = new AbortController();
 * const recorder = new StoreRecorder(store, { onFailure: () => controller.abort() });
 * const system = createTradingSystem(config, { ...deps, onPublish: recorder.record });
 * system.orchestrator.addCycleWork('store.flush', recorder.flushCycle); // last
 * await system.orchestrator.start();
 * await system.orchestrator.run({ intervalMs: 60_000, signal: controller.signal });
 * await system.orchestrator.stop();
 * await recorder.flush();
 * if (recorder.failure) throw recorder.failure;
 * ```
 */
export class StoreRecorder {
  readonly #store: EventStore;
  readonly #all: boolean;
  readonly #onFailure: ((error: StoreError) => void) | undefined;
  readonly #groupMs: number;
  readonly #maxGroup: number;
  /** performance.now() when the last append began. */
  #lastAppendAt = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** How many buffered events belong to cycles that ended: what the group-commit timer may append. */
  #sealed = 0;
  #buffer: BaseEvent[] = [];
  /** The flush in progress, if any: flushes run one after another, each appending what was buffered before it. */
  #flushing: Promise<void> | undefined;
  #failure: StoreError | undefined;
  #appended = 0;
  #dropped = 0;

  /**
   * @param store - where to append.
   * @param options - which events, what to do on a failure.
   */
  constructor(store: EventStore, options: StoreRecorderOptions = {}) {
    this.#store = store;
    this.#all = options.events === 'all';
    this.#onFailure = options.onFailure;
    this.#groupMs = Math.max(0, options.groupCommitMs ?? 0);
    this.#maxGroup = Math.max(1, options.maxGroupEvents ?? 5000);
  }

  /**
   * The bus's `onPublish` hook: buffers `event` when it is one to persist. Cheap, and never throws: after a
   * failure it only counts the event as dropped.
   * @param event - a published event.
   */
  readonly record = (event: BaseEvent): void => {
    if (!this.#all && MARKET_DATA.has(event.type)) return;
    if (this.#failure !== undefined) {
      this.#dropped++;
      return;
    }
    this.#buffer.push(event);
  };

  /**
   * The cycle work item: {@link StoreRecorder.flush} when anything waits, else nothing (no promise, so a
   * backtest's cycle without events to persist stays synchronous). With `groupCommitMs`, a cycle that ends within
   * the window of the last append leaves its events for a later one, and a timer makes sure they go at the
   * window's end if no cycle comes.
   */
  readonly flushCycle = (): Promise<void> | undefined => {
    if (this.#buffer.length === 0 && this.#flushing === undefined) return undefined;
    this.#sealed = this.#buffer.length;
    const wait = this.#lastAppendAt + this.#groupMs - performance.now();
    if (wait <= 0 || this.#buffer.length >= this.#maxGroup) return this.flush();
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      // Only the cycles that ended: the one running now may have published part of its events.
      void this.#enqueue(false);
    }, wait);
    return undefined;
  };

  /**
   * Appends the buffered events in one transaction, after any flush in progress. Never rejects: a failure is
   * kept in {@link StoreRecorder.failure} (and reported to `onFailure`), and the events of that batch stay
   * unrecorded.
   */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    return this.#enqueue(true);
  }

  /** Queues an append of every buffered event (`all`) or of those of the cycles that ended. */
  #enqueue(all: boolean): Promise<void> {
    const previous = this.#flushing ?? Promise.resolve();
    const next = previous.then(() => this.#append(all));
    const tracked = next.finally(() => {
      if (this.#flushing === tracked) this.#flushing = undefined;
    });
    this.#flushing = tracked;
    return tracked;
  }

  /**
   * Appends every event buffered now (a cycle's so far included) and resolves once they are stored; rejects with
   * the store's error when they cannot be, now or before. The recorder is so an `ExecutionJournal` of
   * `@quant/services`: give it as `journal` and each order's `OrderSubmitted` is stored before the venue is called.
   * @throws {@link StoreError} the append's failure (`STORE_WRITE_FAILED`, `STORE_CLOSED`).
   */
  readonly commit = async (): Promise<void> => {
    await this.flush();
    if (this.#failure !== undefined) throw this.#failure;
  };

  /** The error of the append that failed, if one did: the bot must stop trading. */
  get failure(): StoreError | undefined {
    return this.#failure;
  }

  /** Events appended so far (duplicates not counted). */
  get appended(): number {
    return this.#appended;
  }

  /** Events buffered, waiting for the next flush. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Events not recorded because an append had failed: those of the failed batch and every one after. */
  get dropped(): number {
    return this.#dropped;
  }

  async #append(all: boolean): Promise<void> {
    const count = all ? this.#buffer.length : this.#sealed;
    if (this.#failure !== undefined || count === 0) return;
    const batch = this.#buffer.splice(0, count);
    this.#sealed = Math.max(0, this.#sealed - count);
    this.#lastAppendAt = performance.now();
    try {
      this.#appended += (await this.#store.append(batch)).appended;
    } catch (error) {
      this.#dropped += batch.length + this.#buffer.length;
      this.#buffer = [];
      this.#sealed = 0;
      this.#failure = StoreError.isInstance(error)
        ? error
        : new StoreError('STORE_WRITE_FAILED', `append of ${batch.length} events failed: ${String(error)}`, {
            cause: error,
          });
      this.#onFailure?.(this.#failure);
    }
  }
}
