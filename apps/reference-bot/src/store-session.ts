import { randomUUID } from 'node:crypto';
import type { SystemConfig } from '@quant/config';
import { type BaseEvent, LiveClock } from '@quant/core';
import { EventStore, StoreError, StoreRecorder } from '@quant/store';

/**
 * The event store of a run: the store opened on `store.url` (or `--db`), a run row, and the recorder that the
 * bus's `onPublish` hook feeds and the last cycle work item flushes, one transaction per cycle.
 */
export interface StoreSession {
  readonly store: EventStore;
  readonly recorder: StoreRecorder;
  readonly runId: string;
  /** The line to print at start: which database, which events, which run (never a password). */
  readonly startLine: string;
  /** The bus's `onPublish` hook. */
  readonly onPublish: (event: BaseEvent) => void;
  /**
   * The cycle work item to add last: flushes the cycle's events, and heartbeats the run every `heartbeatMs`
   * of real time.
   */
  readonly cycleWork: () => Promise<void> | undefined;
  /**
   * After the orchestrator stopped: flushes the last events, ends the run (`clean`, or `crashed` after a failed
   * append) and closes the store.
   * @throws {@link StoreError} `STORE_WRITE_FAILED` when an append failed during the run: the bot stopped trading
   *   rather than trade unrecorded.
   */
  readonly finish: () => Promise<void>;
}

/** Options of {@link openStoreSession}. */
export interface StoreSessionOptions {
  /** The store's URL: `--db`, else `store.url`. */
  readonly url: string;
  readonly config: SystemConfig;
  /** The run's id; a new UUID by default. */
  readonly runId?: string;
  /** Real ms between heartbeats of the run; `orchestrator.status_log_interval` by default. */
  readonly heartbeatMs?: number;
  /** Called once when an append fails: stop the loop there. */
  readonly onFailure: (error: StoreError) => void;
}

const DIALECT_NAMES = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

/**
 * Opens the event store, records the start of a run (real time), and returns what the wiring needs.
 * @throws {@link StoreError} `STORE_BAD_URL`, `STORE_UNREACHABLE`, `STORE_DATABASE_NEWER` (bad input, exit 2),
 *   `STORE_MIGRATION_FAILED`, `STORE_WRITE_FAILED`.
 */
export async function openStoreSession(options: StoreSessionOptions): Promise<StoreSession> {
  const { config } = options;
  const store = await EventStore.open(options.url, {
    synchronous: config.store.synchronous === 'full' ? 'FULL' : 'NORMAL',
  });
  const clock = new LiveClock();
  const runId = options.runId ?? randomUUID();
  try {
    await store.startRun({ runId, botId: config.trading.bot_id, startedAt: clock.now() });
  } catch (error) {
    await store.close();
    throw error;
  }
  const recorder = new StoreRecorder(store, { events: config.store.events, onFailure: options.onFailure });
  const heartbeatMs = options.heartbeatMs ?? config.orchestrator.status_log_interval * 1000;
  let lastHeartbeat = clock.now();
  const heartbeat = async (): Promise<void> => {
    lastHeartbeat = clock.now();
    try {
      await store.heartbeat(runId, lastHeartbeat);
    } catch {
      // A missed heartbeat is not worth stopping for: the next append says whether the store still writes.
    }
  };
  const cycleWork = (): Promise<void> | undefined => {
    const flushing = recorder.flushCycle();
    if (clock.now() - lastHeartbeat < heartbeatMs || recorder.failure !== undefined) return flushing;
    return (flushing ?? Promise.resolve()).then(heartbeat);
  };
  const finish = async (): Promise<void> => {
    await recorder.flush();
    const failure = recorder.failure;
    try {
      await store.endRun(runId, failure === undefined ? 'clean' : 'crashed', clock.now());
    } catch (error) {
      if (failure === undefined) {
        await store.close();
        throw error;
      }
    }
    await store.close();
    if (failure !== undefined) {
      throw new StoreError(
        failure.code,
        `${failure.message}; the bot stopped trading rather than trade unrecorded (${recorder.dropped} events not stored)`,
        { cause: failure },
      );
    }
  };
  return {
    store,
    recorder,
    runId,
    startLine: `Event store: ${store.location} (${DIALECT_NAMES[store.dialect]}, ${config.store.events} events, run ${runId})`,
    onPublish: recorder.record,
    cycleWork,
    finish,
  };
}
