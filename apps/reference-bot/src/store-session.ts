import { randomUUID } from 'node:crypto';
import type { SystemConfig } from '@quant/config';
import { type BaseEvent, type EventOf, LiveClock, type TradingEventPayloads } from '@quant/core';
import type { ScheduledJob } from '@quant/http';
import type { ExecutionJournal } from '@quant/services';
import { EventStore, StoreError, StoreRecorder } from '@quant/store';

/**
 * The event store of a run: the store opened on `store.url` (or `--db`), a run row, and the recorder that the
 * bus's `onPublish` hook feeds and the last cycle work item flushes, one transaction per cycle.
 */
export interface StoreSession {
  readonly store: EventStore;
  readonly recorder: StoreRecorder;
  readonly runId: string;
  /**
   * The lines to print at start: which database, which events, which run (never a password), the runs of this bot
   * found crashed, and the market data pruned.
   */
  readonly startLines: readonly string[];
  /** The bus's `onPublish` hook. */
  readonly onPublish: (event: BaseEvent) => void;
  /**
   * The execution journal of a run on a venue: `commit` stores every event so far (each order before it is sent),
   * `load` reads back the capital, orders and fills, with how the previous run ended.
   */
  readonly journal: ExecutionJournal;
  /**
   * Keeps a reconciliation's summary in the recovery log (`recovery_summary` at start, `reconciliation` while
   * running); a failure is logged by the caller, never fatal.
   */
  readonly recordReconciliation: (event: EventOf<TradingEventPayloads, 'ReconciliationCompleted'>) => Promise<void>;
  /**
   * The cycle work item to add last: flushes the cycle's events, and heartbeats the run every `heartbeatMs`
   * of real time.
   */
  readonly cycleWork: () => Promise<void> | undefined;
  /**
   * After the orchestrator stopped: flushes the last events, ends the run (`clean`, or `crashed` after a failed
   * append) and closes the store. When that throws, `cleanUp` (closing the run's other outputs) runs first.
   * @throws {@link StoreError} `STORE_WRITE_FAILED` when an append failed during the run: the bot stopped trading
   *   rather than trade unrecorded.
   */
  readonly finish: (cleanUp: () => Promise<void>) => Promise<void>;
  /**
   * The session's scheduled jobs, for the operations API's `/api/health/scheduler`: the run's `heartbeat` (every
   * `recovery.heartbeat_interval`, at the first cycle after it is due) and the daily `store_maintenance`
   * (retention and planner statistics), in real time (ms since epoch UTC).
   */
  readonly jobs: () => readonly ScheduledJob[];
}

/** Options of {@link openStoreSession}. */
export interface StoreSessionOptions {
  /** The store's URL: `--db`, else `store.url`. */
  readonly url: string;
  readonly config: SystemConfig;
  /** The run's id; a new UUID by default. */
  readonly runId?: string;
  /** Real ms between heartbeats of the run; `recovery.heartbeat_interval` by default. */
  readonly heartbeatMs?: number;
  /**
   * The recorder's group commit, real ms (see `StoreRecorderOptions.groupCommitMs`): 0 (one transaction per cycle)
   * by default; a replay or a backtest, whose cycles follow each other at full speed, groups them.
   */
  readonly groupCommitMs?: number;
  /** Called once when an append fails: stop the loop there. */
  readonly onFailure: (error: StoreError) => void;
}

const DIALECT_NAMES = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;
const DAY_MS = 86_400_000;

/** The group commit of a replay or a backtest: a tenth of a second of cycles per transaction. */
export const SIMULATION_GROUP_COMMIT_MS = 100;

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
  const startLines = [
    `Event store: ${store.location} (${DIALECT_NAMES[store.dialect]}, ${config.store.events} events, run ${runId})`,
  ];
  const retentionMs = config.store.retention_days * DAY_MS;
  /**
   * The daily maintenance: deletes the market data past `store.retention_days` (0: kept for good) and refreshes
   * the planner's statistics; returns how many events went.
   */
  const maintain = async (): Promise<number> => {
    const pruned = retentionMs === 0 ? 0 : await store.pruneMarketData(clock.now() - retentionMs);
    await store.optimize();
    return pruned;
  };
  let previousRun: { readonly runId: string; readonly end: 'clean' | 'crashed' } | null = null;
  try {
    const { previous, crashed } = await store.startRun({
      runId,
      botId: config.trading.bot_id,
      startedAt: clock.now(),
    });
    if (previous !== null) previousRun = { runId: previous.runId, end: previous.endReason ?? 'crashed' };
    if (previous !== null && previous.endReason === 'clean' && previous.endedAt !== null) {
      startLines.push(
        `Event store: the previous run ${previous.runId} of ${previous.botId} ended clean at ${new Date(previous.endedAt).toISOString()}`,
      );
    }
    for (const run of crashed) {
      startLines.push(
        `Event store: the previous run ${run.runId} of ${run.botId} did not end: recorded as crashed at its last heartbeat, ${new Date(run.lastHeartbeatAt).toISOString()}`,
      );
    }
    const pruned = await maintain();
    if (pruned > 0) {
      startLines.push(
        `Event store: ${pruned} market-data events older than ${config.store.retention_days} days deleted`,
      );
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  const recorder = new StoreRecorder(store, {
    events: config.store.events,
    onFailure: options.onFailure,
    groupCommitMs: options.groupCommitMs ?? 0,
  });
  const heartbeatMs = options.heartbeatMs ?? config.recovery.heartbeat_interval * 1000;
  let lastHeartbeat = clock.now();
  let lastMaintenance = clock.now();
  const heartbeat = async (): Promise<void> => {
    lastHeartbeat = clock.now();
    try {
      await store.heartbeat(runId, lastHeartbeat);
      // A bot runs for weeks: retention and statistics are kept daily.
      if (lastHeartbeat - lastMaintenance >= DAY_MS) {
        lastMaintenance = lastHeartbeat;
        await maintain();
      }
    } catch {
      // A missed heartbeat or maintenance is not worth stopping for: the next append says whether the store still writes.
    }
  };
  const cycleWork = (): Promise<void> | undefined => {
    const flushing = recorder.flushCycle();
    if (clock.now() - lastHeartbeat < heartbeatMs || recorder.failure !== undefined) return flushing;
    return (flushing ?? Promise.resolve()).then(heartbeat);
  };
  const end = async (): Promise<void> => {
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
  const finish = async (cleanUp: () => Promise<void>): Promise<void> => {
    try {
      await end();
    } catch (error) {
      await cleanUp();
      throw error;
    }
  };
  const journal: ExecutionJournal = {
    commit: recorder.commit,
    load: async () => ({ ...(await store.executionState()), previousRun }),
  };
  const recordReconciliation = async (event: EventOf<TradingEventPayloads, 'ReconciliationCompleted'>) => {
    const { id, type: _type, timestamp, correlationId: _c, causationId: _k, ...detail } = event;
    const startup = event.phase === 'startup';
    await store.recordRecovery({
      id: startup ? `recovery_summary:${runId}` : `reconciliation:${id}`,
      runId,
      timestamp,
      kind: startup ? 'recovery_summary' : 'reconciliation',
      detail,
    });
  };
  return {
    store,
    recorder,
    runId,
    startLines,
    onPublish: recorder.record,
    journal,
    recordReconciliation,
    cycleWork,
    finish,
    jobs: () => [
      { name: 'heartbeat', intervalMs: heartbeatMs, lastRunAt: lastHeartbeat, nextRunAt: lastHeartbeat + heartbeatMs },
      {
        name: 'store_maintenance',
        intervalMs: DAY_MS,
        lastRunAt: lastMaintenance,
        nextRunAt: lastMaintenance + DAY_MS,
      },
    ],
  };
}
