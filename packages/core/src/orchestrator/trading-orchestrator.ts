import type { EventBus } from '../bus/event-bus.js';
import type { Subscription } from '../bus/event-bus-types.js';
import type { Clock, Timer } from '../clock/clock.js';
import { LiveClock } from '../clock/live-clock.js';
import { withCorrelation } from '../correlation/correlation.js';
import { OrchestratorError } from '../errors/core-errors.js';
import type { EventType } from '../events/event.js';
import type { TradingEventPayloads } from '../events/trading-events.js';
import { type Logger, silentLogger } from '../logging/log-record.js';
import type { HealthReport, ManagedService } from '../service/health.js';
import { dependencyOrder } from './dependency-order.js';
import { errorMessage, GuardedService, type StopProblem, unbreakable } from './guarded-service.js';
import type {
  CycleWork,
  LifecycleEventPayloads,
  OrchestratorOptions,
  OrchestratorSchedule,
  OrchestratorStatus,
  RegisterOptions,
  RestartPolicy,
  RunOptions,
  SystemMetrics,
} from './orchestrator-types.js';

interface Entry {
  readonly name: string;
  readonly guarded: GuardedService;
  readonly dependsOn: readonly string[];
  /** Times of the restarts (scheduled or manual), ms, for the sliding window. */
  restarts: number[];
  restartTimer: Timer | undefined;
  restarting: boolean;
  /** Set once ServiceFailed was published for the current failure. */
  failureReported: boolean;
}

/** States in which a service is up; after a cycle, any other is a sign of trouble. */
const UP_STATES: ReadonlySet<string> = new Set(['running', 'degraded']);

const DEFAULT_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  initialBackoffMs: 1_000,
  maxBackoffMs: 60_000,
};

/**
 * Runs the services of a bot: starts them in dependency order (rolling back
 * on failure), stops them in reverse order with a timeout each, checks their
 * health every `healthCheckIntervalMs` and, with auto-restart on, restarts an
 * unhealthy or failed service with exponential backoff up to a limit, after
 * which the service stays `failed`. Every failure publishes `ServiceFailed`
 * once, with `willRestart` telling whether a restart follows. It also
 * runs the main loop ({@link TradingOrchestrator.run}) and aggregates metrics.
 *
 * With `quietHealthCheckIntervalMs` longer than `healthCheckIntervalMs` (a
 * backtest: `createTradingSystem` sets it on a `SimulatedClock`), rounds come
 * that far apart while nothing is wrong, and the `healthCheckIntervalMs`
 * schedule resumes at the first sign of trouble (an event of
 * `healthAlertEvents`, a cycle whose work threw, a service found down after a
 * cycle, a restart) until no restart is pending and none happened within the
 * restart window: a failing service is restarted and given up on when it
 * would be on that schedule. See decision 0010.
 *
 * A fault in a service never kills the bot: every call into a service
 * (`healthCheck`, `start`, `stop`, `fail`, `getMetrics`) and into cycle work
 * is guarded. A health check that throws counts as a failure of the service:
 * it is marked `failed` with the error, `ServiceFailed` is published, and it
 * is restarted per the restart policy (`willRestart: true`), or, auto-restart
 * off or the limit reached, left failed (`willRestart: false`). Every stop — {@link TradingOrchestrator.stop}, the
 * rollback of a failed start, the stop inside a restart — runs within
 * `stopTimeoutMs`; a service that does not stop in time is marked `failed`
 * (not left `stopping`), so a later start or restart begins with the clean-up
 * stop that the state machine requires (`failed → stopping → stopped`). The
 * health and metrics queries never throw. See decision 0007.
 *
 * Everything is injected (bus, clock, logger, services): no globals, so two
 * orchestrators can run side by side, and on a {@link SimulatedClock} a test
 * or a backtest drives health checks and backoff without sleeping.
 *
 * @typeParam M - the bus's event map; it must include the lifecycle events.
 *
 * @example
 * Two services of your own on a {@link LiveClock}, one depending on the
 * other, run every minute until Ctrl+C. (For the trading pipeline,
 * `createTradingSystem` of `@quant/services` builds the orchestrator with its
 * four services registered; register yours on it the same way.)
 * ```ts
 * import {
 *   EventBus,
 *   EventDrivenService,
 *   LiveClock,
 *   LogManager,
 *   type ServiceDeps,
 *   TradingOrchestrator,
 * } from '@quant/core';
 *
 * // Counts the closed bars published on the bus.
 * class CandleCounter extends EventDrivenService {
 *   constructor(deps: ServiceDeps) {
 *     super('CandleCounter', deps);
 *     this.defineMetrics('candles');
 *   }
 *   protected override onStart(): void {
 *     this.subscribe('NewCandle', () => this.increment('candles'));
 *   }
 * }
 *
 * // Logs every order fill.
 * class FillLogger extends EventDrivenService {
 *   protected override onStart(): void {
 *     this.subscribe('OrderFilled', ({ fill }) => {
 *       this.logger.info(`${fill.side} ${fill.quantity} ${fill.symbol} @ ${fill.price}`);
 *     });
 *   }
 * }
 *
 * const clock = new LiveClock();
 * const logs = new LogManager({ clock, level: 'info' });
 * const bus = new EventBus({ clock, logger: logs.getLogger('EventBus') });
 * const orchestrator = new TradingOrchestrator({
 *   bus,
 *   clock,
 *   logger: logs.getLogger('orchestrator'),
 *   healthCheckIntervalMs: 30_000, // an unhealthy service is restarted, with backoff
 *   restartPolicy: { maxRestarts: 3 },
 * });
 * orchestrator
 *   .register('candles', new CandleCounter({ bus, clock, logger: logs.getLogger('candles') }))
 *   .register('fills', new FillLogger('FillLogger', { bus, clock, logger: logs.getLogger('fills') }), {
 *     dependsOn: ['candles'], // starts after `candles`, stops before it
 *   });
 * // Work run once per cycle (the trading system's is the data fetch); a throw is logged and counted.
 * orchestrator.addCycleWork('heartbeat', () => {
 *   logs.getLogger('bot').info(`${orchestrator.getAllMetrics().services.candles?.candles ?? 0} candles so far`);
 * });
 *
 * await orchestrator.start(); // `candles`, then `fills`; throws (after stopping those started) if one fails
 * const interrupt = new AbortController();
 * process.once('SIGINT', () => interrupt.abort());
 * await orchestrator.run({ intervalMs: 60_000, signal: interrupt.signal }); // returns after the cycle in progress
 * await orchestrator.stop(); // `fills`, then `candles`
 * console.log(orchestrator.getAllMetrics().orchestrator); // status, uptime, cycles, restarts…
 * ```
 */
export class TradingOrchestrator<M extends LifecycleEventPayloads = TradingEventPayloads> {
  /** The bus shared by the services. */
  readonly bus: EventBus<M>;

  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #autoRestart: boolean;
  readonly #healthCheckIntervalMs: number;
  /** Time between rounds while nothing is wrong; `#healthCheckIntervalMs` unless longer. */
  readonly #quietIntervalMs: number;
  /** Rounds are skipped while nothing is wrong (quiet interval longer than the health check interval). */
  readonly #skipsQuietRounds: boolean;
  readonly #alertEvents: readonly EventType<M>[];
  readonly #statusLogIntervalMs: number;
  readonly #startTimeoutMs: number;
  readonly #stopTimeoutMs: number;
  readonly #policy: RestartPolicy;
  readonly #entries = new Map<string, Entry>();
  readonly #cycleWork: { readonly name: string; readonly work: CycleWork }[] = [];
  #status: OrchestratorStatus = 'initialized';
  #startOrder: string[] = [];
  #startedAt: number | undefined;
  #healthTimer: Timer | undefined;
  /** When the scheduled round is due, ms. */
  #nextRoundAt = 0;
  /** When the last round ran (or the start), ms: the `healthCheckIntervalMs` schedule counts from it. */
  #lastRoundAt = 0;
  #alertSubscriptions: Subscription[] = [];
  /** A sign of trouble came during a cycle: acted on when the cycle ends. */
  #alertPending = false;
  #cyclesInProgress = 0;
  #cycles = 0;
  #cycleErrors = 0;
  /** Start of the last cycle, ms; `undefined` before the first. */
  #lastCycleAt: number | undefined;
  /** When `run()` starts its next cycle, ms; `undefined` outside `run()` and while a cycle runs. */
  #nextCycleAt: number | undefined;
  /** `run()`'s interval, ms; `undefined` before `run()`. */
  #cycleIntervalMs: number | undefined;
  #restartCount = 0;

  /** @param options - bus, clock, logger, health and restart settings. */
  constructor(options: OrchestratorOptions<M>) {
    this.bus = options.bus;
    this.#clock = options.clock ?? new LiveClock();
    this.#logger = unbreakable(options.logger ?? silentLogger);
    this.#autoRestart = options.enableAutoRestart ?? true;
    this.#healthCheckIntervalMs = options.healthCheckIntervalMs ?? 60_000;
    this.#quietIntervalMs = Math.max(
      this.#healthCheckIntervalMs,
      options.quietHealthCheckIntervalMs ?? this.#healthCheckIntervalMs,
    );
    this.#skipsQuietRounds = this.#quietIntervalMs > this.#healthCheckIntervalMs;
    this.#alertEvents = this.#skipsQuietRounds ? [...(options.healthAlertEvents ?? [])] : [];
    this.#statusLogIntervalMs = options.statusLogIntervalMs ?? 10_000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.#policy = { ...DEFAULT_POLICY, ...options.restartPolicy };
  }

  /** The orchestrator's status. */
  get status(): OrchestratorStatus {
    return this.#status;
  }

  /** Registered service names, in registration order. */
  get serviceNames(): readonly string[] {
    return [...this.#entries.keys()];
  }

  /**
   * Registers a service under `name`.
   * @param name - the key used in metrics, health and logs, e.g. `data_fetching`.
   * @param service - the service.
   * @param options - `dependsOn`: services that must start before it.
   * @returns this orchestrator, for chaining.
   * @throws {@link OrchestratorError} `DUPLICATE_SERVICE` when `name` is taken;
   *   `ORCHESTRATOR_STATE` unless the orchestrator is `initialized` or `stopped`.
   */
  register(name: string, service: ManagedService, options: RegisterOptions = {}): this {
    this.#assertStatus('register a service', 'initialized', 'stopped');
    if (this.#entries.has(name)) {
      throw new OrchestratorError('DUPLICATE_SERVICE', `a service named "${name}" is already registered`, [name]);
    }
    this.#entries.set(name, {
      name,
      guarded: new GuardedService(name, service, {
        clock: this.#clock,
        logger: this.#logger,
        startTimeoutMs: this.#startTimeoutMs,
        stopTimeoutMs: this.#stopTimeoutMs,
      }),
      dependsOn: options.dependsOn ?? [],
      restarts: [],
      restartTimer: undefined,
      restarting: false,
      failureReported: false,
    });
    return this;
  }

  /**
   * Adds work to run once per cycle of {@link TradingOrchestrator.run}, in
   * registration order, inside the cycle's correlation scope.
   * @param name - for logs, e.g. `data_fetching.fetch`.
   * @param work - the work; may be async.
   */
  addCycleWork(name: string, work: CycleWork): this {
    this.#cycleWork.push({ name, work });
    return this;
  }

  /**
   * The service registered as `name`.
   * @throws {@link OrchestratorError} `UNKNOWN_SERVICE`.
   */
  getService(name: string): ManagedService {
    return this.#entry(name).guarded.service;
  }

  /**
   * Starts every service in dependency order, publishing `ServiceStarted` for
   * each, then starts health monitoring. A service left `failed` (e.g. by a
   * stop that timed out) is first cleaned up with a stop, within
   * `stopTimeoutMs`. If a service fails to start, it is stopped (cleaned up)
   * and the services already started are stopped again in reverse order,
   * each within `stopTimeoutMs`.
   * @throws {@link OrchestratorError} `DEPENDENCY_CYCLE` or `UNKNOWN_DEPENDENCY`
   *   before anything starts; `SERVICE_START_FAILED` (the service's error as
   *   `cause`) after the rollback; `ORCHESTRATOR_STATE` unless `initialized`, `stopped` or `failed`.
   */
  async start(): Promise<void> {
    this.#assertStatus('start', 'initialized', 'stopped', 'failed');
    const dependencies = new Map([...this.#entries.values()].map((entry) => [entry.name, entry.dependsOn]));
    this.#startOrder = dependencyOrder(dependencies);
    this.#status = 'starting';
    this.#logger.info('=== STARTING ALL SERVICES ===');
    const started: Entry[] = [];
    for (const name of this.#startOrder) {
      const entry = this.#entry(name);
      let cleanUpFailed = false;
      try {
        if (entry.guarded.state === 'failed') {
          const problem = await entry.guarded.stop();
          cleanUpFailed = problem !== undefined;
          if (problem) throw problem.error;
        }
        await entry.guarded.start();
      } catch (error) {
        this.#logger.error(`✗ ${name} failed to start: ${errorMessage(error)}`, { service: name });
        // Clean up the failed service too (failed → stopped), so a later start() can start it again;
        // not when that very clean-up is what failed (it would only wait out the stop timeout again).
        const problem = cleanUpFailed ? undefined : await entry.guarded.stop();
        if (problem) this.#logger.warn(`${name} did not clean up after its failed start: ${problem.message}`);
        await this.#stopAll(started.reverse());
        this.#status = 'failed';
        throw new OrchestratorError(
          'SERVICE_START_FAILED',
          `service "${name}" failed to start: ${errorMessage(error)}; stopped ${started.length} started service(s)`,
          [name],
          { cause: error },
        );
      }
      started.push(entry);
      entry.restarts = [];
      entry.failureReported = false;
      this.#logger.info(`✓ ${name} started`);
      this.#emit('ServiceStarted', { service: name });
    }
    this.#startedAt = this.#clock.now();
    this.#status = 'running';
    this.#logger.info('=== ALL SERVICES STARTED ===');
    for (const type of this.#alertEvents) {
      this.#alertSubscriptions.push(
        this.bus.subscribe(type, () => this.#alert(), { name: `orchestrator.healthAlert.${type}` }),
      );
    }
    this.#lastRoundAt = this.#startedAt;
    this.#scheduleRound(this.#quietIntervalMs);
  }

  /**
   * Stops health monitoring and pending restarts, then every service in
   * reverse start order, each within `stopTimeoutMs`, publishing
   * `ServiceStopped`. A service that does not stop in time, or whose stop
   * throws, is marked `failed` and `ServiceFailed` is published for it (it
   * will not be restarted); the other services are still stopped. Does
   * nothing unless running.
   * @throws {@link OrchestratorError} `SERVICE_STOP_TIMEOUT` (when any
   *   service timed out) or `SERVICE_STOP_FAILED`, after trying every
   *   service, naming those that did not stop cleanly.
   */
  async stop(): Promise<void> {
    if (this.#status !== 'running') return;
    this.#status = 'stopping';
    this.#healthTimer?.cancel();
    this.#healthTimer = undefined;
    for (const subscription of this.#alertSubscriptions) subscription.unsubscribe();
    this.#alertSubscriptions = [];
    this.#alertPending = false;
    for (const entry of this.#entries.values()) {
      entry.restartTimer?.cancel();
      entry.restartTimer = undefined;
    }
    this.#logger.info('=== STOPPING ALL SERVICES ===');
    const order = this.#startOrder.map((name) => this.#entry(name)).reverse();
    const problems = await this.#stopAll(order);
    this.#status = 'stopped';
    this.#logger.info('=== ALL SERVICES STOPPED ===');
    if (problems.length > 0) {
      const timedOut = problems.some((problem) => problem.timedOut);
      throw new OrchestratorError(
        timedOut ? 'SERVICE_STOP_TIMEOUT' : 'SERVICE_STOP_FAILED',
        `services did not stop cleanly: ${problems.map((p) => `${p.name} (${p.message})`).join(', ')}`,
        problems.map((problem) => problem.name),
      );
    }
  }

  /**
   * Restarts one service now (stop, then start) and publishes `ServiceRestarted`.
   * The stop runs within `stopTimeoutMs`; when it fails or times out (the
   * service is then `failed`), one more clean-up stop is tried before the start.
   * The restart counts toward the service's restart window.
   * @param name - the registered name.
   * @throws {@link OrchestratorError} `UNKNOWN_SERVICE`; `SERVICE_STOP_TIMEOUT` or
   *   `SERVICE_STOP_FAILED` (the service's error as `cause`) when the service
   *   could not be stopped; rethrows what the service's start throws.
   */
  async restartService(name: string): Promise<void> {
    const entry = this.#entry(name);
    entry.restartTimer?.cancel();
    entry.restartTimer = undefined;
    entry.restarts = this.#recentRestarts(entry);
    entry.restarts.push(this.#clock.now());
    this.#alert();
    await this.#restart(entry, entry.restarts.length, false);
  }

  /**
   * Every service's current health report, by registered name. Never throws:
   * a service whose `healthCheck()` throws gets an `unhealthy` report (state
   * as the service reports it, normally `failed`) with the message under
   * `details.last_error` and `details.health_check_error`; while the
   * orchestrator runs, the service is also marked `failed` and handed to
   * auto-restart (see the class description).
   */
  getServiceHealth(): Record<string, HealthReport> {
    const health: Record<string, HealthReport> = {};
    for (const [name, entry] of this.#entries) health[name] = this.#healthOf(entry);
    return health;
  }

  /**
   * Runs one health check round now: reports unhealthy services and, with
   * auto-restart on, schedules their restart. Health monitoring calls it every
   * `healthCheckIntervalMs` (or `quietHealthCheckIntervalMs`, see the class
   * description). Never throws (see {@link TradingOrchestrator.getServiceHealth}).
   * @returns the reports of the round, by name.
   */
  checkHealth(): Record<string, HealthReport> {
    const health = this.getServiceHealth();
    for (const [name, report] of Object.entries(health)) {
      const entry = this.#entry(name);
      if (report.status !== 'unhealthy') {
        if (report.state === 'running') entry.failureReported = false;
        continue;
      }
      const reason = String(report.details.last_error ?? report.details.reason ?? `state ${report.state}`);
      this.#handleUnhealthy(entry, reason);
    }
    return health;
  }

  /**
   * When the loop's cycles and the health rounds ran and run next, by the orchestrator's clock: what an operator
   * asks a scheduler (the operations API's `/api/health/scheduler`). Never throws.
   */
  getSchedule(): OrchestratorSchedule {
    const running = this.#status === 'running';
    return {
      status: this.#status,
      now: this.#clock.now(),
      cycleIntervalMs: this.#cycleIntervalMs ?? null,
      lastCycleAt: this.#lastCycleAt ?? null,
      nextCycleAt: this.#nextCycleAt ?? null,
      cycleInProgress: this.#cyclesInProgress > 0,
      healthCheckIntervalMs: this.#healthCheckIntervalMs,
      lastHealthCheckAt: this.#startedAt === undefined ? null : this.#lastRoundAt,
      nextHealthCheckAt: running && this.#healthTimer !== undefined ? this.#nextRoundAt : null,
    };
  }

  /**
   * Metrics of the orchestrator, every service and the bus, in the original
   * system's shape. Never throws: a service whose `getMetrics()` throws is
   * shown with the last metrics it returned (`{}` before any), and a warning
   * is logged once until its `getMetrics()` works again. A throwing
   * `getMetrics()` does not fail the service: metrics are observation, not work.
   */
  getAllMetrics(): SystemMetrics {
    const health = this.getServiceHealth();
    const services: Record<string, Readonly<Record<string, number>>> = {};
    for (const [name, entry] of this.#entries) services[name] = entry.guarded.metrics();
    return {
      orchestrator: {
        status: this.#status,
        uptime_seconds: this.#startedAt === undefined ? 0 : (this.#clock.now() - this.#startedAt) / 1000,
        services_count: this.#entries.size,
        services_healthy: Object.values(health).filter((report) => report.healthy).length,
        cycles: this.#cycles,
        cycle_errors: this.#cycleErrors,
        restarts: this.#restartCount,
      },
      services,
      event_bus: this.bus.getMetrics(),
    };
  }

  /**
   * Runs one cycle: every cycle work item, in order, inside a fresh correlation
   * scope. A work item that throws is logged and counted (`cycle_errors`); the
   * others still run.
   * @returns the cycle's correlation id.
   */
  async runCycle(): Promise<string> {
    return this.runCycleNow();
  }

  /**
   * {@link TradingOrchestrator.runCycle}, returning the correlation id itself
   * when every cycle work item returned no promise (a backtest on in-memory
   * data: no promise is made for the cycle), or a promise of it.
   * @returns the cycle's correlation id, or a promise of it.
   */
  runCycleNow(): string | Promise<string> {
    this.#cyclesInProgress++;
    this.#lastCycleAt = this.#clock.now();
    this.#nextCycleAt = undefined;
    let outcome: string | Promise<string>;
    try {
      outcome = withCorrelation((id) => {
        this.#cycles++;
        return this.#runWork(id, 0);
      });
    } catch (error) {
      this.#cyclesInProgress--;
      throw error;
    }
    if (typeof outcome === 'string') return this.#cycleEnded(outcome);
    return outcome.then(
      (correlationId) => this.#cycleEnded(correlationId),
      (error: unknown) => {
        this.#cyclesInProgress--;
        throw error;
      },
    );
  }

  /** After a cycle, outside its correlation scope: the round it may bring forward is no part of the cycle. */
  #cycleEnded(correlationId: string): string {
    this.#cyclesInProgress--;
    if (this.#skipsQuietRounds && this.#cyclesInProgress === 0) this.#afterCycle();
    return correlationId;
  }

  /**
   * Runs the cycle work from item `from` on, in order: synchronously while
   * the items return no promise (a backtest's usual cycle then costs no
   * promise per item), awaiting an item that returns one before the next.
   * @returns the cycle's correlation id, or a promise of it once an item returned a promise.
   */
  #runWork(correlationId: string, from: number): string | Promise<string> {
    const items = this.#cycleWork;
    for (let index = from; index < items.length; index++) {
      const { name, work } = items[index] as (typeof items)[number];
      let result: void | Promise<void>;
      try {
        result = work();
      } catch (error) {
        this.#cycleWorkFailed(name, error);
        continue;
      }
      if (result != null && typeof result.then === 'function') return this.#awaitWork(correlationId, index, result);
    }
    return correlationId;
  }

  /** Awaits the promise of cycle work item `index`, then runs the items after it. */
  async #awaitWork(correlationId: string, index: number, pending: Promise<void>): Promise<string> {
    try {
      await pending;
    } catch (error) {
      this.#cycleWorkFailed((this.#cycleWork[index] as { readonly name: string }).name, error);
    }
    return this.#runWork(correlationId, index + 1);
  }

  #cycleWorkFailed(name: string, error: unknown): void {
    this.#cycleErrors++;
    if (this.#skipsQuietRounds) this.#alertPending = true;
    this.#logger.error(`cycle work ${name} failed: ${errorMessage(error)}`, { work: name });
  }

  /**
   * The main loop: runs a cycle every `intervalMs` until `signal` aborts, and
   * logs a status line every `statusLogIntervalMs`. Resolves after the cycle
   * in progress when the signal aborts; it does not stop the services (call
   * {@link TradingOrchestrator.stop}).
   * @param options - `intervalMs`, `signal`.
   * @throws {@link OrchestratorError} `ORCHESTRATOR_STATE` unless running.
   */
  async run(options: RunOptions): Promise<void> {
    this.#assertStatus('run', 'running');
    const { intervalMs, signal } = options;
    this.#logger.info(`=== STARTING TRADING LOOP (interval=${intervalMs / 1000}s) ===`);
    let lastStatusLog = this.#clock.now();
    this.#cycleIntervalMs = intervalMs;
    try {
      while (!signal?.aborted && this.#status === 'running') {
        await this.runCycle();
        if (this.#clock.now() - lastStatusLog >= this.#statusLogIntervalMs) {
          this.#logStatus();
          lastStatusLog = this.#clock.now();
        }
        this.#nextCycleAt = this.#clock.now() + intervalMs;
        await this.#clock.sleep(intervalMs, signal);
      }
    } finally {
      this.#nextCycleAt = undefined;
    }
    this.#logger.info('=== TRADING LOOP ENDED ===');
  }

  #logStatus(): void {
    const { orchestrator, event_bus } = this.getAllMetrics();
    this.#logger.info(
      `Status: ${orchestrator.services_healthy}/${orchestrator.services_count} services healthy, ` +
        `uptime ${orchestrator.uptime_seconds.toFixed(0)}s, ${orchestrator.cycles} cycles, ` +
        `${event_bus.events_published} events published`,
      { ...orchestrator },
    );
  }

  /** Schedules the next health round `delayMs` from now, replacing the one scheduled. */
  #scheduleRound(delayMs: number): void {
    this.#healthTimer?.cancel();
    this.#nextRoundAt = this.#clock.now() + delayMs;
    this.#healthTimer = this.#clock.setTimer(() => {
      this.#healthTimer = undefined;
      if (this.#status !== 'running') return;
      this.#lastRoundAt = this.#clock.now();
      try {
        this.checkHealth();
      } catch (error) {
        // checkHealth guards every service call; only a throwing logger or bus gets here.
        this.#logger.error(`health check round failed: ${errorMessage(error)}`);
      } finally {
        if (this.#status === 'running') {
          this.#scheduleRound(this.#inTrouble() ? this.#healthCheckIntervalMs : this.#quietIntervalMs);
        }
      }
    }, delayMs);
  }

  /**
   * Whether rounds must keep to the `healthCheckIntervalMs` schedule: a
   * restart is pending or running, or a service not given up restarted
   * within the restart window (the window the restart limit counts in).
   */
  #inTrouble(): boolean {
    if (!this.#skipsQuietRounds) return true;
    for (const entry of this.#entries.values()) {
      if (entry.restartTimer !== undefined || entry.restarting) return true;
      if (!entry.failureReported && entry.restarts.length > 0 && this.#recentRestarts(entry).length > 0) return true;
    }
    return false;
  }

  /** A sign of trouble: resumes the `healthCheckIntervalMs` schedule now, or when the cycle in progress ends. */
  #alert(): void {
    if (!this.#skipsQuietRounds) return;
    if (this.#cyclesInProgress > 0) {
      this.#alertPending = true;
      return;
    }
    const next = this.#nextScheduledRound();
    if (next !== undefined) this.#scheduleRound(next - this.#clock.now());
  }

  /** After a cycle: resumes the `healthCheckIntervalMs` schedule on a sign of trouble during or after it. */
  #afterCycle(): void {
    const alerted = this.#alertPending;
    this.#alertPending = false;
    const next = this.#nextScheduledRound();
    if (next === undefined) return;
    if (alerted || this.#serviceDown()) this.#scheduleRound(next - this.#clock.now());
  }

  /**
   * The first time of the `healthCheckIntervalMs` schedule (counted from the
   * last round) after now, when it comes before the round scheduled; otherwise
   * (or during a round, or when not running) `undefined`.
   */
  #nextScheduledRound(): number | undefined {
    if (this.#healthTimer === undefined || this.#status !== 'running') return undefined;
    const interval = this.#healthCheckIntervalMs;
    const next = this.#lastRoundAt + (Math.floor((this.#clock.now() - this.#lastRoundAt) / interval) + 1) * interval;
    return next < this.#nextRoundAt ? next : undefined;
  }

  /** Whether a service not being restarted nor given up is in a state other than running or degraded. */
  #serviceDown(): boolean {
    for (const entry of this.#entries.values()) {
      if (entry.restartTimer !== undefined || entry.restarting || entry.failureReported) continue;
      if (!UP_STATES.has(entry.guarded.state)) return true;
    }
    return false;
  }

  #recentRestarts(entry: Entry): number[] {
    const now = this.#clock.now();
    return entry.restarts.filter((time) => now - time < this.#policy.windowMs);
  }

  #scheduleRestart(entry: Entry, reason: string): void {
    entry.restarts = this.#recentRestarts(entry);
    if (entry.restarts.length >= this.#policy.maxRestarts) {
      this.#giveUp(
        entry,
        `${reason}; restart limit reached (${this.#policy.maxRestarts} in ${this.#policy.windowMs / 1000}s)`,
      );
      return;
    }
    const attempt = entry.restarts.length + 1;
    const delay = Math.min(this.#policy.maxBackoffMs, this.#policy.initialBackoffMs * 2 ** (attempt - 1));
    this.#emit('ServiceFailed', {
      service: entry.name,
      error: reason,
      restarts: entry.restarts.length,
      willRestart: true,
    });
    entry.restarts.push(this.#clock.now());
    this.#logger.warn(
      `${entry.name} is unhealthy (${reason}); restarting in ${delay}ms (attempt ${attempt}/${this.#policy.maxRestarts})`,
      {
        service: entry.name,
        attempt,
        delay_ms: delay,
      },
    );
    entry.restartTimer = this.#clock.setTimer(() => {
      entry.restartTimer = undefined;
      void this.#restart(entry, attempt, true).catch(() => undefined);
    }, delay);
    this.#alert();
  }

  /**
   * Stops (with one more clean-up stop when the first leaves the service
   * failed) and starts the service, publishing `ServiceRestarted`.
   * @param scheduled - by auto-restart: skip the start when the orchestrator stopped meanwhile.
   */
  async #restart(entry: Entry, attempt: number, scheduled: boolean): Promise<void> {
    entry.restarting = true;
    try {
      let problem = await entry.guarded.stop();
      if (problem && entry.guarded.state === 'failed') {
        // The stop threw or timed out and left the service failed: clean up once more (failed → stopping → stopped).
        this.#logger.warn(`${entry.name} did not stop cleanly before restart (${problem.message}); cleaning up`, {
          service: entry.name,
        });
        problem = await entry.guarded.stop();
      }
      if (problem) {
        throw new OrchestratorError(
          problem.timedOut ? 'SERVICE_STOP_TIMEOUT' : 'SERVICE_STOP_FAILED',
          `service "${entry.name}" could not be stopped for its restart: ${problem.message}`,
          [entry.name],
          { cause: problem.error },
        );
      }
      if (scheduled && this.#status !== 'running') {
        this.#logger.info(`${entry.name} not restarted: the orchestrator is ${this.#status}`, { service: entry.name });
        return;
      }
      try {
        await entry.guarded.start();
      } catch (error) {
        // An EventDrivenService is failed already; mark a ManagedService of your own failed too.
        entry.guarded.fail(error);
        throw error;
      }
      this.#restartCount++;
      entry.failureReported = false;
      this.#logger.info(`✓ ${entry.name} restarted (attempt ${attempt})`, { service: entry.name, attempt });
      this.#emit('ServiceRestarted', { service: entry.name, attempt });
    } catch (error) {
      this.#logger.error(`✗ ${entry.name} restart failed: ${errorMessage(error)}`, {
        service: entry.name,
        attempt,
      });
      throw error;
    } finally {
      entry.restarting = false;
    }
  }

  /** Restarts an unhealthy service per the policy, or gives up on it; once per failure. */
  #handleUnhealthy(entry: Entry, reason: string): void {
    if (entry.restartTimer || entry.restarting || entry.failureReported) return;
    if (this.#autoRestart) this.#scheduleRestart(entry, reason);
    else this.#giveUp(entry, reason);
  }

  #giveUp(entry: Entry, reason: string): void {
    entry.failureReported = true;
    entry.guarded.fail(new Error(reason));
    this.#logger.error(`✗ ${entry.name} failed and will not be restarted: ${reason}`, { service: entry.name });
    this.#emit('ServiceFailed', {
      service: entry.name,
      error: reason,
      restarts: this.#recentRestarts(entry).length,
      willRestart: false,
    });
  }

  /**
   * The service's health report, or, when its `healthCheck()` throws, an
   * unhealthy one; the fault is handed to auto-restart while running.
   */
  #healthOf(entry: Entry): HealthReport {
    const probe = entry.guarded.probeHealth();
    if ('report' in probe) return probe.report;
    const message = errorMessage(probe.error);
    const handled = entry.restartTimer !== undefined || entry.restarting || entry.failureReported;
    if (this.#status === 'running' && !handled) {
      this.#logger.error(`✗ ${entry.name} health check threw: ${message}`, { service: entry.name });
      entry.guarded.fail(probe.error);
      this.#handleUnhealthy(entry, `health check threw: ${message}`);
    } else {
      this.#logger.debug(`${entry.name} health check threw: ${message}`, { service: entry.name });
    }
    return entry.guarded.unhealthyReport(message);
  }

  /**
   * Stops services in the given order, publishing `ServiceStopped` for each
   * one that stopped, and `ServiceFailed` (once per failure) for each one that did not.
   */
  async #stopAll(entries: readonly Entry[]): Promise<StopProblem[]> {
    const problems: StopProblem[] = [];
    for (const entry of entries) {
      const problem = await entry.guarded.stop();
      if (problem) {
        problems.push(problem);
        if (!entry.failureReported) {
          entry.failureReported = true;
          this.#emit('ServiceFailed', {
            service: entry.name,
            error: `did not stop cleanly: ${problem.message}`,
            restarts: this.#recentRestarts(entry).length,
            willRestart: false,
          });
        }
        continue;
      }
      this.#logger.info(`✓ ${entry.name} stopped`);
      this.#emit('ServiceStopped', { service: entry.name });
    }
    return problems;
  }

  /** Publishes a lifecycle event; a bus that throws (a full queue, a throwing logger) is logged, not propagated. */
  #emit<K extends keyof LifecycleEventPayloads>(type: K, payload: LifecycleEventPayloads[K]): void {
    try {
      (this.bus as unknown as EventBus<LifecycleEventPayloads>).emit(type, payload);
    } catch (error) {
      this.#logger.error(`could not publish ${type}: ${errorMessage(error)}`, { event_type: type });
    }
  }

  #entry(name: string): Entry {
    const entry = this.#entries.get(name);
    if (!entry) {
      throw new OrchestratorError(
        'UNKNOWN_SERVICE',
        `no service named "${name}"; registered: ${[...this.#entries.keys()].join(', ') || 'none'}`,
        [name],
      );
    }
    return entry;
  }

  #assertStatus(action: string, ...allowed: OrchestratorStatus[]): void {
    if (!allowed.includes(this.#status)) {
      throw new OrchestratorError(
        'ORCHESTRATOR_STATE',
        `cannot ${action} while the orchestrator is ${this.#status} (allowed: ${allowed.join(', ')})`,
        [],
      );
    }
  }
}
