import type { EventBus } from '../bus/event-bus.js';
import type { EventBusMetrics } from '../bus/event-bus-types.js';
import type { Clock } from '../clock/clock.js';
import type { EventType } from '../events/event.js';
import type { TradingEventPayloads } from '../events/trading-events.js';
import type { Logger } from '../logging/log-record.js';

/** The lifecycle events the orchestrator publishes; its bus's event map must include them. */
export type LifecycleEventPayloads = Pick<
  TradingEventPayloads,
  'ServiceStarted' | 'ServiceStopped' | 'ServiceFailed' | 'ServiceRestarted'
>;

/** Orchestrator status: `initialized`, `starting`, `running`, `stopping`, `stopped`, or `failed` (a start failed). */
export type OrchestratorStatus = 'initialized' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * How unhealthy services are restarted: after `initialBackoffMs`, doubling
 * with each restart in the window up to `maxBackoffMs`; once `maxRestarts`
 * restarts happened within `windowMs`, the service stays `failed`.
 */
export interface RestartPolicy {
  /** Most restarts within `windowMs`; 5 by default. */
  readonly maxRestarts: number;
  /** Length of the sliding window, ms; 10 minutes by default. */
  readonly windowMs: number;
  /** Delay before the first restart, ms; 1 s by default. */
  readonly initialBackoffMs: number;
  /** Longest delay, ms; 60 s by default. */
  readonly maxBackoffMs: number;
}

/** Options of a {@link TradingOrchestrator}; names follow the `orchestrator` config section. */
export interface OrchestratorOptions<M extends LifecycleEventPayloads = TradingEventPayloads> {
  /** The bus the services share; the orchestrator publishes lifecycle events on it. */
  readonly bus: EventBus<M>;
  /** The clock for health checks, backoff, timeouts and uptime; the real clock by default. */
  readonly clock?: Clock;
  /** The orchestrator's logger; silent by default. */
  readonly logger?: Logger;
  /** Restart unhealthy or failed services; `true` by default. */
  readonly enableAutoRestart?: boolean;
  /** Time between health check rounds, ms; 60 s by default. */
  readonly healthCheckIntervalMs?: number;
  /**
   * Time between health check rounds while nothing is wrong, ms, when longer
   * than `healthCheckIntervalMs`; otherwise (the default) it has no effect.
   * For a simulated clock, where a round every simulated minute is work
   * without meaning: rounds of the `healthCheckIntervalMs` schedule are
   * skipped while every service is well, and that schedule resumes (the next
   * round comes at the first of its times after now) at the first sign of
   * trouble, until the trouble is over, so that restarts, backoff and the
   * restart limit play out as they would on that schedule. A sign of trouble:
   * an event of `healthAlertEvents`; a cycle whose work threw; a service
   * found after a cycle in a state other than `running` or `degraded`; a
   * restart. The trouble is over once no restart is pending or running and
   * no service that is not given up has restarted within the restart window
   * (see decision 0010).
   */
  readonly quietHealthCheckIntervalMs?: number;
  /**
   * Event types that tell of trouble in a service, e.g. `DataFetchFailed`
   * (a service that publishes them before it turns unhealthy): with
   * `quietHealthCheckIntervalMs` in effect, each one resumes the
   * `healthCheckIntervalMs` schedule (after the cycle in progress, if any).
   * None by default; ignored without `quietHealthCheckIntervalMs`.
   */
  readonly healthAlertEvents?: readonly EventType<M>[];
  /** Time between status log lines of {@link TradingOrchestrator.run}, ms; 10 s by default. */
  readonly statusLogIntervalMs?: number;
  /**
   * Longest wait for one service's `start()`, ms; 60 s by default (a start
   * may load history from a venue). A start past it fails the service
   * (`SERVICE_START_TIMEOUT`), as a start that throws does.
   */
  readonly startTimeoutMs?: number;
  /** Longest wait for one service's `stop()`, ms; 10 s by default. */
  readonly stopTimeoutMs?: number;
  /** Restart backoff and limit; see {@link RestartPolicy}. */
  readonly restartPolicy?: Partial<RestartPolicy>;
}

/** Options of {@link TradingOrchestrator.register}. */
export interface RegisterOptions {
  /** Names of the services that must start before this one (and stop after it). */
  readonly dependsOn?: readonly string[];
}

/** Options of {@link TradingOrchestrator.run}. */
export interface RunOptions {
  /** Time between the starts of two cycles, ms. */
  readonly intervalMs: number;
  /** Ends the loop when aborted (after the current cycle). */
  readonly signal?: AbortSignal;
}

/** Unit of work run once per cycle of {@link TradingOrchestrator.run}, e.g. the data service's fetch. */
export type CycleWork = () => void | Promise<void>;

/** The orchestrator's own metrics, under `orchestrator` in {@link SystemMetrics}. */
export interface OrchestratorMetrics {
  /** The orchestrator's status. */
  readonly status: OrchestratorStatus;
  /** Seconds since `start()`, by the orchestrator's clock; 0 before it. */
  readonly uptime_seconds: number;
  /** Registered services. */
  readonly services_count: number;
  /** Services whose health status is `healthy`. */
  readonly services_healthy: number;
  /** Cycles run by `run()` or `runCycle()`. */
  readonly cycles: number;
  /** Cycle work items that threw. */
  readonly cycle_errors: number;
  /** Service restarts performed. */
  readonly restarts: number;
}

/**
 * The orchestrator's timetable, as {@link TradingOrchestrator.getSchedule} returns it. Times are ms since epoch
 * UTC by the orchestrator's clock (replayed time in a replay); `null` where there is none yet (or none: no `run()`).
 */
export interface OrchestratorSchedule {
  /** The orchestrator's status (cycles run only while `running`). */
  readonly status: OrchestratorStatus;
  /** The clock's time when the schedule was read. */
  readonly now: number;
  /** `run()`'s time between the starts of two cycles, ms; `null` before `run()`. */
  readonly cycleIntervalMs: number | null;
  /** Start of the last cycle. */
  readonly lastCycleAt: number | null;
  /** When `run()` starts the next cycle; `null` while a cycle runs and outside `run()`. */
  readonly nextCycleAt: number | null;
  /** Whether a cycle is running now. */
  readonly cycleInProgress: boolean;
  /** Time between health check rounds while a service is in trouble, ms. */
  readonly healthCheckIntervalMs: number;
  /** The last health check round (the start, before the first round); `null` before `start()`. */
  readonly lastHealthCheckAt: number | null;
  /** When the next round is due; `null` when none is scheduled (not running). */
  readonly nextHealthCheckAt: number | null;
}

/** The shape of {@link TradingOrchestrator.getAllMetrics}, as in the original system. */
export interface SystemMetrics {
  /** The orchestrator's own metrics. */
  readonly orchestrator: OrchestratorMetrics;
  /** Each service's metrics, by registered name. */
  readonly services: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The bus's metrics. */
  readonly event_bus: EventBusMetrics;
}
