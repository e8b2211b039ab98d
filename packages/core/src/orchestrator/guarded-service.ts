import type { Clock, Timer } from '../clock/clock.js';
import { OrchestratorError } from '../errors/core-errors.js';
import type { LogFields, Logger } from '../logging/log-record.js';
import type { HealthReport, ManagedService } from '../service/health.js';
import type { ServiceState } from '../service/service-state.js';

/** Why one service did not stop cleanly. */
export interface StopProblem {
  readonly name: string;
  readonly message: string;
  readonly timedOut: boolean;
  readonly error: unknown;
}

/** What a health probe found: the service's report, or what its `healthCheck()` threw. */
export type HealthProbe = { readonly report: HealthReport } | { readonly error: unknown };

/** The message of anything thrown. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const NO_METRICS: Readonly<Record<string, number>> = Object.freeze({});

/** The logger, each call guarded: a broken logger must not turn a handled fault into an unhandled one. */
export function unbreakable(logger: Logger): Logger {
  const guard =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void => {
      try {
        logger[level](message, fields);
      } catch {
        // Nothing sensible is left to report it to.
      }
    };
  return {
    name: logger.name,
    trace: guard('trace'),
    debug: guard('debug'),
    info: guard('info'),
    warn: guard('warn'),
    error: guard('error'),
    isLevelEnabled: (level) => {
      try {
        return logger.isLevelEnabled?.(level) ?? true;
      } catch {
        return true;
      }
    },
  };
}

/**
 * One registered service seen through guards: every call into it is caught
 * (a synchronous throw becomes a rejection or a result), and its start and
 * stop run within their timeouts, a timeout marking it `failed` — which, for
 * an `EventDrivenService`, also abandons the hung hook. Internal to the
 * orchestrator, which decides what a fault means (restart, give up).
 */
export class GuardedService {
  #lastMetrics = NO_METRICS;
  #metricsFailing = false;

  /**
   * @param name - the registered name.
   * @param service - the service.
   * @param context - clock and logger for the timeouts, in ms.
   */
  constructor(
    readonly name: string,
    readonly service: ManagedService,
    private readonly context: {
      readonly clock: Clock;
      readonly logger: Logger;
      readonly startTimeoutMs: number;
      readonly stopTimeoutMs: number;
    },
  ) {}

  /** The service's lifecycle state; `failed` when even reading it throws. */
  get state(): ServiceState {
    try {
      return this.service.state;
    } catch {
      return 'failed';
    }
  }

  /** Marks the service failed, tolerating a `fail()` that throws. */
  fail(error: unknown): void {
    try {
      this.service.fail(error);
    } catch (failError) {
      this.context.logger.warn(`${this.name}.fail() threw: ${errorMessage(failError)}`, { service: this.name });
    }
  }

  /** The service's health report, or what its `healthCheck()` threw (a non-report counts as thrown). */
  probeHealth(): HealthProbe {
    try {
      const report = this.service.healthCheck();
      if (report !== null && typeof report === 'object') return { report };
      return { error: new TypeError(`healthCheck() returned ${String(report)} instead of a report`) };
    } catch (error) {
      return { error };
    }
  }

  /** An `unhealthy` report for a health check that threw `message`. */
  unhealthyReport(message: string): HealthReport {
    return {
      service: this.name,
      status: 'unhealthy',
      healthy: false,
      state: this.state,
      details: { reason: `health check threw: ${message}`, last_error: message, health_check_error: message },
      checkedAt: this.context.clock.now(),
    };
  }

  /**
   * The service's metrics, or the last known ones (`{}` before any) while its
   * `getMetrics()` throws, with one warning until it works again.
   */
  metrics(): Readonly<Record<string, number>> {
    try {
      const metrics = this.service.getMetrics();
      if (metrics === null || typeof metrics !== 'object')
        throw new TypeError(`getMetrics() returned ${String(metrics)}`);
      this.#lastMetrics = metrics;
      this.#metricsFailing = false;
      return metrics;
    } catch (error) {
      if (!this.#metricsFailing) {
        this.#metricsFailing = true;
        this.context.logger.warn(`${this.name} getMetrics() threw: ${errorMessage(error)}; showing its last metrics`, {
          service: this.name,
        });
      }
      return this.#lastMetrics;
    }
  }

  /**
   * Starts the service within `startTimeoutMs`; a start that times out marks it failed.
   * @throws what the start throws, or {@link OrchestratorError} `SERVICE_START_TIMEOUT`.
   */
  async start(): Promise<void> {
    const outcome = await this.#within(this.context.startTimeoutMs, () => this.service.start());
    if (outcome !== 'timeout') {
      this.#metricsFailing = false;
      return;
    }
    const error = new OrchestratorError(
      'SERVICE_START_TIMEOUT',
      `service "${this.name}" did not start within ${this.context.startTimeoutMs}ms`,
      [this.name],
    );
    this.fail(error);
    throw error;
  }

  /**
   * Stops the service within `stopTimeoutMs`; a stop that times out marks it
   * failed (with a `SERVICE_STOP_TIMEOUT` error).
   * @returns `undefined` when it stopped, else what went wrong.
   */
  async stop(): Promise<StopProblem | undefined> {
    const { logger, stopTimeoutMs } = this.context;
    try {
      if ((await this.#within(stopTimeoutMs, () => this.service.stop())) !== 'timeout') return undefined;
    } catch (error) {
      logger.error(`✗ ${this.name} failed to stop: ${errorMessage(error)}`, { service: this.name });
      return { name: this.name, message: errorMessage(error), timedOut: false, error };
    }
    const error = new OrchestratorError(
      'SERVICE_STOP_TIMEOUT',
      `service "${this.name}" did not stop within ${stopTimeoutMs}ms`,
      [this.name],
    );
    logger.error(`✗ ${this.name} did not stop within ${stopTimeoutMs}ms; marking it failed`, { service: this.name });
    this.fail(error);
    return { name: this.name, message: `no stop within ${stopTimeoutMs}ms`, timedOut: true, error };
  }

  /** Runs `work` against a timer of `timeoutMs` on the clock. */
  async #within(timeoutMs: number, work: () => Promise<void>): Promise<'done' | 'timeout'> {
    let timer: Timer | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = this.context.clock.setTimer(() => resolve('timeout'), timeoutMs);
    });
    try {
      const done = (async (): Promise<'done'> => {
        await work();
        return 'done';
      })();
      return await Promise.race([done, timeout]);
    } finally {
      timer?.cancel();
    }
  }
}
