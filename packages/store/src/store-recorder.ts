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
}

const MARKET_DATA: ReadonlySet<string> = new Set(MARKET_DATA_EVENT_TYPES);

/**
 * Persists what a bus publishes, in publish (causal) order, one transaction per cycle.
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
   * backtest's cycle without events to persist stays synchronous).
   */
  readonly flushCycle = (): Promise<void> | undefined =>
    this.#buffer.length === 0 && this.#flushing === undefined ? undefined : this.flush();

  /**
   * Appends the buffered events in one transaction, after any flush in progress. Never rejects: a failure is
   * kept in {@link StoreRecorder.failure} (and reported to `onFailure`), and the events of that batch stay
   * unrecorded.
   */
  flush(): Promise<void> {
    const previous = this.#flushing ?? Promise.resolve();
    const next = previous.then(() => this.#append());
    const tracked = next.finally(() => {
      if (this.#flushing === tracked) this.#flushing = undefined;
    });
    this.#flushing = tracked;
    return tracked;
  }

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

  async #append(): Promise<void> {
    if (this.#failure !== undefined || this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    try {
      this.#appended += (await this.#store.append(batch)).appended;
    } catch (error) {
      this.#dropped += batch.length + this.#buffer.length;
      this.#buffer = [];
      this.#failure = StoreError.isInstance(error)
        ? error
        : new StoreError('STORE_WRITE_FAILED', `append of ${batch.length} events failed: ${String(error)}`, {
            cause: error,
          });
      this.#onFailure?.(this.#failure);
    }
  }
}
