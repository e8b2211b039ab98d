import type { ServiceState } from './service-state.js';

/** `healthy`: working normally; `degraded`: working with a problem; `unhealthy`: not working (restart candidate). */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/** The result of a service's health check. */
export interface HealthReport {
  /** The service's name. */
  readonly service: string;
  /** The overall status. */
  readonly status: HealthStatus;
  /** `status === 'healthy'`. */
  readonly healthy: boolean;
  /** The service's lifecycle state. */
  readonly state: ServiceState;
  /** Service-specific facts, e.g. `{ consecutive_failures: 3, last_error: '…' }`. */
  readonly details: Readonly<Record<string, unknown>>;
  /** When the check ran, ms since epoch, UTC. */
  readonly checkedAt: number;
}

/** What a subclass's {@link EventDrivenService.checkHealth} may report on top of the lifecycle state. */
export interface HealthAssessment {
  /** The service's own view; the worse of it and the state's status wins. */
  readonly status?: HealthStatus;
  /** Facts to include in the report. */
  readonly details?: Readonly<Record<string, unknown>>;
}

const RANK: Readonly<Record<HealthStatus, number>> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The worse of two statuses. */
export function worstStatus(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * What the orchestrator needs of a service: a name, a state, start and stop,
 * a way to mark it failed, a health check and metrics. {@link EventDrivenService}
 * implements it; so can any class of yours.
 */
export interface ManagedService {
  /** Display name, e.g. `DataFetchingService`. */
  readonly name: string;
  /** Current lifecycle state. */
  readonly state: ServiceState;
  /** Starts the service; resolves once it runs. */
  start(): Promise<void>;
  /** Stops the service; resolves once it stopped. */
  stop(): Promise<void>;
  /** Marks the service failed (from an active state), e.g. when its restart limit is reached. */
  fail(error: unknown): void;
  /** Reports the service's health. */
  healthCheck(): HealthReport;
  /** The service's counters, e.g. `{ events_received: 12, data_fetches: 4 }`. */
  getMetrics(): Readonly<Record<string, number>>;
}
