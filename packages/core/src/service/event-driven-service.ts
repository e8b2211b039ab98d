import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventBus } from '../bus/event-bus.js';
import type { EventHandler, Subscription } from '../bus/event-bus-types.js';
import type { Clock } from '../clock/clock.js';
import { LiveClock } from '../clock/live-clock.js';
import { LifecycleError } from '../errors/core-errors.js';
import type { EventOf, EventType } from '../events/event.js';
import type { TradingEventPayloads } from '../events/trading-events.js';
import { type Logger, silentLogger } from '../logging/log-record.js';
import {
  type HealthAssessment,
  type HealthReport,
  type HealthStatus,
  type ManagedService,
  worstStatus,
} from './health.js';
import { ACTIVE_STATES, assertTransition, type ServiceState } from './service-state.js';

/** Which run of which service a hook (and everything it awaits or schedules) belongs to. */
interface HookScope {
  readonly service: object;
  readonly generation: number;
}

/** Marks the async context of `onStart` and `onStop`, so an abandoned hook can be told apart when it resumes. */
const hookScope = new AsyncLocalStorage<HookScope>();

/** What a service receives: the bus it talks on, the clock it reads, the logger it writes to. */
export interface ServiceDeps<M = TradingEventPayloads> {
  /** The bus to subscribe and publish on. */
  readonly bus: EventBus<M>;
  /** The clock; the real clock by default. */
  readonly clock?: Clock;
  /** The logger; silent by default. */
  readonly logger?: Logger;
}

const STATE_STATUS: Readonly<Record<ServiceState, HealthStatus>> = {
  initialized: 'unhealthy',
  starting: 'degraded',
  running: 'healthy',
  degraded: 'degraded',
  stopping: 'degraded',
  stopped: 'unhealthy',
  failed: 'unhealthy',
  disposed: 'unhealthy',
};

/**
 * Base class of the services of a bot. Subclass it, subscribe to events in
 * {@link @quant/core!EventDrivenService.onStart}, publish with {@link @quant/core!EventDrivenService.publish},
 * and count what you do with {@link @quant/core!EventDrivenService.increment}.
 *
 * The lifecycle is the state machine of {@link @quant/core!SERVICE_TRANSITIONS}; an
 * illegal transition throws {@link @quant/core!LifecycleError}. `start()` and `stop()` are
 * idempotent and serialized (a `start()` during a `stop()` runs after it, or as soon as
 * {@link @quant/core!EventDrivenService.fail} abandons a stop that hangs).
 * Subscriptions made through the base are dropped at stop and on failure, and
 * `onStart` runs on every start, so state built there is rebuilt on restart.
 *
 * Base metrics: `events_received`, `events_published`, `errors`.
 *
 * @typeParam M - the event map of the bus.
 *
 * @example
 * ```ts
 * class CandleCounter extends EventDrivenService {
 *   #counts = new Map<string, number>();
 *   constructor(deps: ServiceDeps) {
 *     super('CandleCounter', deps);
 *     this.defineMetrics('candles_counted');
 *   }
 *   protected override onStart(): void {
 *     this.#counts = new Map();
 *     this.subscribe('NewCandle', (event) => {
 *       this.#counts.set(event.timeframe, (this.#counts.get(event.timeframe) ?? 0) + 1);
 *       this.increment('candles_counted');
 *     });
 *   }
 * }
 * ```
 */
export abstract class EventDrivenService<M = TradingEventPayloads> implements ManagedService, AsyncDisposable {
  /** Display name, used in logs, metrics and health reports. */
  readonly name: string;
  /** The bus this service talks on. */
  protected readonly bus: EventBus<M>;
  /** The clock this service reads time from. */
  protected readonly clock: Clock;
  /** The service's logger. */
  protected readonly logger: Logger;

  #state: ServiceState = 'initialized';
  #subscriptions: Subscription[] = [];
  /** Counters by name, each a holder so that counting is one lookup (no `set`). */
  readonly #metrics = new Map<string, { value: number }>([
    ['events_received', { value: 0 }],
    ['events_published', { value: 0 }],
    ['errors', { value: 0 }],
  ]);
  /** Settles when the last queued start/stop settled or was abandoned. */
  #tail: Promise<void> = Promise.resolve();
  /** Ends the start/stop in progress early (it rejects with the given error); set while one runs. */
  #abandonRunning: ((error: unknown) => void) | undefined;
  /** Bumped by {@link EventDrivenService.fail}: a hook settling in an older generation changes nothing. */
  #generation = 0;
  #lastError: string | undefined;
  #degradedReason: string | undefined;
  #startedAt: number | undefined;

  /**
   * @param name - display name, e.g. `DataFetchingService`.
   * @param deps - bus, clock, logger.
   */
  constructor(name: string, deps: ServiceDeps<M>) {
    this.name = name;
    this.bus = deps.bus;
    this.clock = deps.clock ?? new LiveClock();
    this.logger = deps.logger ?? silentLogger;
  }

  /** The current lifecycle state. */
  get state(): ServiceState {
    return this.#state;
  }

  /**
   * Starts the service: `starting`, then `onStart()`, then `running`. Does
   * nothing when already running or degraded.
   * @throws {@link @quant/core!LifecycleError} `ILLEGAL_TRANSITION` from `failed` (stop it
   *   first) or `disposed`; rethrows what `onStart` throws, after moving to `failed`;
   *   rejects with the error given to {@link @quant/core!EventDrivenService.fail} when the
   *   service is failed while `onStart` is still running.
   */
  start(): Promise<void> {
    return this.#serialize(async (generation) => {
      if (this.#state === 'running' || this.#state === 'degraded') return;
      this.#transition('starting');
      try {
        await hookScope.run({ service: this, generation }, () => this.onStart());
      } catch (error) {
        if (generation === this.#generation) this.#failNow(error);
        throw error;
      }
      if (generation !== this.#generation) return;
      this.#startedAt = this.clock.now();
      this.#transition('running');
    });
  }

  /**
   * Stops the service: `stopping`, drop subscriptions, `onStop()`, `stopped`.
   * Does nothing when not started or already stopped. From `failed` this is
   * the clean-up before a new start (`failed → stopping → stopped`), and
   * `onStop` runs again.
   * @throws rethrows what `onStop` throws, after moving to `failed`; rejects
   *   with the error given to {@link @quant/core!EventDrivenService.fail} when the service
   *   is failed while `onStop` is still running (e.g. by the orchestrator's stop timeout).
   */
  stop(): Promise<void> {
    return this.#serialize(async (generation) => {
      if (this.#state === 'initialized' || this.#state === 'stopped' || this.#state === 'disposed') return;
      this.#transition('stopping');
      this.#dropSubscriptions();
      try {
        await hookScope.run({ service: this, generation }, () => this.onStop());
      } catch (error) {
        if (generation === this.#generation) this.#failNow(error);
        throw error;
      }
      if (generation !== this.#generation) return;
      this.#degradedReason = undefined;
      this.#transition('stopped');
    });
  }

  /**
   * Marks the service failed: drops its subscriptions and records `error`.
   * Does nothing unless the service is active (starting, running, degraded, stopping).
   *
   * A start or stop in progress (an `onStart` or `onStop` that has not
   * settled, e.g. one that hangs) is abandoned: its promise rejects with
   * `error`, the next queued start or stop runs at once, and when the
   * abandoned hook settles later, nothing changes state. So after a stop that
   * hung, `fail()` then `stop()` (the clean-up, running `onStop` again) then
   * `start()` restarts the service.
   * @param error - why it failed.
   */
  fail(error: unknown): void {
    if (!ACTIVE_STATES.includes(this.#state)) return;
    this.#generation++;
    this.#failNow(error);
    const abandon = this.#abandonRunning;
    this.#abandonRunning = undefined;
    abandon?.(error);
  }

  /** Stops the service and moves it to `disposed`; for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state !== 'failed') await this.stop();
    await this.#serialize(async () => {
      if (this.#state !== 'disposed') this.#transition('disposed');
    });
  }

  /**
   * Reports health from the lifecycle state (`running` is healthy, `degraded`
   * and transitional states degraded, anything else unhealthy) combined with
   * the subclass's {@link @quant/core!EventDrivenService.checkHealth}, the worse winning.
   * Never throws: when `checkHealth` throws, the service fails with that
   * error (see {@link @quant/core!EventDrivenService.fail}) and the report is `unhealthy`,
   * state `failed`, with the message under `details.last_error` and
   * `details.health_check_error`.
   */
  healthCheck(): HealthReport {
    let own: HealthAssessment = {};
    if (this.#state === 'running' || this.#state === 'degraded') {
      try {
        own = this.checkHealth() ?? {};
      } catch (error) {
        this.fail(error);
        own = { details: { health_check_error: error instanceof Error ? error.message : String(error) } };
      }
    }
    let status = STATE_STATUS[this.#state];
    let details: Record<string, unknown> = { state: this.#state };
    if (this.#startedAt !== undefined && (this.#state === 'running' || this.#state === 'degraded')) {
      details.uptime_seconds = (this.clock.now() - this.#startedAt) / 1000;
    }
    if (this.#degradedReason !== undefined) details.degraded_reason = this.#degradedReason;
    if (this.#lastError !== undefined) details.last_error = this.#lastError;
    if (own.status && (this.#state === 'running' || this.#state === 'degraded')) {
      status = worstStatus(status, own.status);
    }
    if (own.details) details = { ...details, ...own.details };
    return {
      service: this.name,
      status,
      healthy: status === 'healthy',
      state: this.#state,
      details,
      checkedAt: this.clock.now(),
    };
  }

  /** The service's counters: the base ones and those the subclass defined. */
  getMetrics(): Readonly<Record<string, number>> {
    return Object.fromEntries(Array.from(this.#metrics, ([name, counter]) => [name, counter.value]));
  }

  /** Hook run on every start, after `starting`: subscribe and (re)build state here. */
  protected onStart(): void | Promise<void> {}

  /** Hook run on every stop, after subscriptions are dropped: release resources here. */
  protected onStop(): void | Promise<void> {}

  /** Hook for a subclass's own health view, run while running or degraded. */
  protected checkHealth(): HealthAssessment {
    return {};
  }

  /**
   * Subscribes to an event type for the life of this run of the service:
   * the subscription is dropped at stop and on failure. Counts
   * `events_received`, and `errors` when the handler throws or rejects (the
   * bus then logs and isolates the error).
   * @param type - the event type.
   * @param handler - the handler.
   * @throws {@link @quant/core!LifecycleError} `SERVICE_NOT_ACTIVE` outside `starting`, `running`,
   *   `degraded`, or from an `onStart` or `onStop` that {@link @quant/core!EventDrivenService.fail} abandoned
   *   and that resumed later (so a hung start that wakes up after a restart cannot subscribe twice).
   */
  protected subscribe<K extends EventType<M>>(type: K, handler: EventHandler<EventOf<M, K>>): Subscription {
    if (this.#state !== 'starting' && this.#state !== 'running' && this.#state !== 'degraded') {
      throw new LifecycleError('SERVICE_NOT_ACTIVE', `${this.name}: cannot subscribe to ${type} while ${this.#state}`);
    }
    this.#assertCurrentRun('subscribe to', type);
    const counted: EventHandler<EventOf<M, K>> = (event) => {
      this.increment('events_received');
      try {
        const result = handler(event);
        if (result != null && typeof result.then === 'function') {
          return Promise.resolve(result).catch((error: unknown) => {
            this.increment('errors');
            throw error;
          });
        }
        return result;
      } catch (error) {
        this.increment('errors');
        throw error;
      }
    };
    const subscription = this.bus.subscribe(type, counted, { name: `${this.name}.${type}` });
    this.#subscriptions.push(subscription);
    return subscription;
  }

  /**
   * Creates and publishes an event, counting `events_published`.
   * @param type - the event type.
   * @param payload - its fields.
   * @returns the published event.
   * @throws {@link @quant/core!EventBusError} `EVENT_QUEUE_FULL` from an asynchronous bus whose queue is full;
   *   {@link @quant/core!LifecycleError} `SERVICE_NOT_ACTIVE` from an abandoned `onStart` or `onStop` (see
   *   {@link @quant/core!EventDrivenService.subscribe}).
   */
  protected publish<K extends EventType<M>>(type: K, payload: M[K]): EventOf<M, K> {
    this.#assertCurrentRun('publish', type);
    const event = this.bus.emit(type, payload);
    this.increment('events_published');
    return event;
  }

  /**
   * Declares counters, starting at 0, so they show in metrics before their first increment.
   * @param names - metric names, e.g. `data_fetches` (the original system's names).
   */
  protected defineMetrics(...names: string[]): void {
    for (const name of names) if (!this.#metrics.has(name)) this.#metrics.set(name, { value: 0 });
  }

  /**
   * Adds to a counter.
   * @param name - the metric's name.
   * @param by - how much to add; 1 by default.
   */
  protected increment(name: string, by = 1): void {
    const counter = this.#metrics.get(name);
    if (counter) counter.value += by;
    else this.#metrics.set(name, { value: by });
  }

  /**
   * Moves `running → degraded`, recording why; the service keeps working.
   * @param reason - what is wrong, shown in the health report.
   */
  protected markDegraded(reason: string): void {
    this.#degradedReason = reason;
    if (this.#state === 'running') this.#transition('degraded');
  }

  /** Moves `degraded → running`. */
  protected markRecovered(): void {
    this.#degradedReason = undefined;
    if (this.#state === 'degraded') this.#transition('running');
  }

  #transition(to: ServiceState): void {
    assertTransition(this.name, this.#state, to);
    this.logger.debug(`${this.name}: ${this.#state} → ${to}`, { service_state: to });
    this.#state = to;
  }

  #failNow(error: unknown): void {
    this.#dropSubscriptions();
    this.#lastError = error instanceof Error ? error.message : String(error);
    this.increment('errors');
    this.logger.error(`${this.name} failed: ${this.#lastError}`);
    this.#transition('failed');
  }

  /** Refuses work from a hook of this service that {@link EventDrivenService.fail} abandoned. */
  #assertCurrentRun(verb: string, type: string): void {
    // Only fail() moves the generation on: a service that never failed has no abandoned hook (the per-event path).
    if (this.#generation === 0) return;
    const scope = hookScope.getStore();
    if (scope !== undefined && scope.service === this && scope.generation !== this.#generation) {
      throw new LifecycleError(
        'SERVICE_NOT_ACTIVE',
        `${this.name}: cannot ${verb} ${type} from a start or stop that was abandoned when the service failed`,
      );
    }
  }

  #dropSubscriptions(): void {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    this.#subscriptions = [];
  }

  /**
   * Runs `operation` after the start or stop queued before it has settled or
   * been abandoned by {@link EventDrivenService.fail}; `operation` receives
   * the generation it started in.
   */
  #serialize(operation: (generation: number) => Promise<void>): Promise<void> {
    const run = this.#tail.then(() => this.#runAbandonable(operation));
    this.#tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #runAbandonable(operation: (generation: number) => Promise<void>): Promise<void> {
    let abandon: ((error: unknown) => void) | undefined;
    const settled = new Promise<void>((resolve, reject) => {
      abandon = reject;
      // Set before the operation runs: its hook may call fail() synchronously.
      this.#abandonRunning = reject;
      operation(this.#generation).then(resolve, reject);
    });
    const clear = (): void => {
      if (this.#abandonRunning === abandon) this.#abandonRunning = undefined;
    };
    return settled.then(clear, (error: unknown) => {
      clear();
      throw error;
    });
  }
}
