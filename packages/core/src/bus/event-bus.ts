import mittImport, { type Emitter, type EventType as MittEventType } from 'mitt';
import type { Clock } from '../clock/clock.js';
import { LiveClock } from '../clock/live-clock.js';
import { currentScope, enterScope, runInScope } from '../correlation/correlation.js';
import { EventBusError } from '../errors/core-errors.js';
import { createEvent } from '../events/create-event.js';
import type { AnyEventOf, BaseEvent, EventOf, EventType } from '../events/event.js';
import { sequentialIds } from '../events/event-ids.js';
import type { TradingEventPayloads } from '../events/trading-events.js';
import type { Logger } from '../logging/log-record.js';
import { consoleWarnLogger } from './console-logger.js';
import type {
  EventBusMetrics,
  EventBusMode,
  EventBusOptions,
  EventHandler,
  HandlerErrorInfo,
  SubscribeOptions,
  Subscription,
} from './event-bus-types.js';
import { RingBuffer } from './history.js';

/**
 * mitt's typings declare an ES default export, but TypeScript reads them as
 * CommonJS under NodeNext; at run time the default import is the factory in
 * both module formats.
 */
const mitt = mittImport as unknown as <E extends Record<MittEventType, unknown>>() => Emitter<E>;

type Delivery = (event: BaseEvent) => void;

/** What the bus keeps per event type. */
interface TypeEntry {
  /** Events of the type published. */
  count: number;
  /** mitt's list of the type's handlers, once it has had one. */
  handlers: Delivery[] | undefined;
}

/** An exception that escaped a delivery, kept to be rethrown once the queue is drained. */
interface Failure {
  readonly error: unknown;
}

const RESOLVED: Promise<void> = Promise.resolve();
type Handler = (event: BaseEvent) => void | PromiseLike<void>;

interface SubscriptionState extends Subscription {
  active: boolean;
}

/**
 * The publish/subscribe hub of a bot, built on mitt. Handlers are typed by
 * event type; a handler that throws or rejects never stops the other handlers
 * or the publisher: it is counted (`handler_errors`), logged at warn level
 * with the event type, the handler's name and the error message (to the
 * console when no logger is given), and reported to `onHandlerError`; see
 * {@link EventBusOptions.onHandlerError} for how the hook replaces the
 * default console warning.
 * The bus keeps the last N events, counts what it does, and carries
 * correlation: an event created inside a handler inherits the handled event's
 * `correlationId` and gets its `id` as `causationId`.
 *
 * Causal order: in both modes every subscriber, `'*'` included, sees a cause
 * before its effects. An event is delivered to all of its subscribers before
 * any event published while it was being delivered, and events are delivered
 * in the order they were published (FIFO). In synchronous mode an event
 * published by a handler is therefore queued and delivered right after the
 * current event has reached every subscriber (run to completion), not inline;
 * see {@link EventBus.publish}.
 *
 * @typeParam M - the event map: event name to payload. Defaults to the trading
 *   system's events; extend {@link TradingEventPayloads} to add your own.
 *
 * @example
 * ```ts
 * const bus = new EventBus({ clock: new LiveClock() });
 * bus.subscribe('NewCandle', (event) => console.log(event.symbol, event.bar.close));
 * bus.emit('NewCandle', { symbol: 'BTCUSDT', timeframe: '1m', bar });
 * ```
 */
export class EventBus<M = TradingEventPayloads> {
  /** The delivery mode, fixed at construction. */
  readonly mode: EventBusMode;

  readonly #emitter: Emitter<Record<string, BaseEvent>> = mitt();
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onHandlerError: ((info: HandlerErrorInfo) => void) | undefined;
  /** The publish hook, if any: see {@link EventBusOptions.onPublish}. */
  readonly #onPublish: ((event: BaseEvent) => void) | undefined;
  /** Whether handler errors are logged: with a logger given, or without a hook. */
  readonly #logHandlerErrors: boolean;
  readonly #newId: () => string;
  readonly #logAllEvents: boolean;
  readonly #history: RingBuffer<BaseEvent>;
  readonly #maxQueueSize: number;
  readonly #subscriptions = new Set<SubscriptionState>();
  /** Handlers are being called: mitt's lists must not change under the walk. */
  #delivering = false;
  /** Subscriptions ended while handlers were being called, to take out of mitt's lists afterwards. */
  #removals: { readonly type: string; readonly deliver: Delivery }[] = [];
  #nextSubscriptionId = 1;

  #published = 0;
  #delivered = 0;
  #handlerErrors = 0;
  /** Per event type: events published, and mitt's handler list; one lookup counts an event and finds its handlers. */
  readonly #types = new Map<string, TypeEntry>();
  /** mitt's list of `'*'` handlers, once there is one. */
  #wildcards: Delivery[] | undefined;

  #queue: (BaseEvent | undefined)[] = [];
  #head = 0;
  #highWater = 0;
  #pumping = false;
  /** Synchronous mode: an event is being delivered; `publish` queues instead of delivering inline. */
  #dispatching = false;
  #awaiting: Promise<void>[] = [];
  readonly #inflight = new Set<Promise<void>>();
  #idleWaiters: (() => void)[] = [];

  /** @param options - mode, history limit, queue bound, clock, logger, error and publish hooks. */
  constructor(options: EventBusOptions = {}) {
    this.mode = options.mode ?? 'synchronous';
    this.#clock = options.clock ?? new LiveClock();
    this.#logger = options.logger ?? consoleWarnLogger;
    this.#onHandlerError = options.onHandlerError;
    this.#onPublish = options.onPublish;
    this.#logHandlerErrors = options.logger !== undefined || options.onHandlerError === undefined;
    this.#newId = options.idFactory ?? sequentialIds();
    this.#logAllEvents = options.logAllEvents ?? false;
    this.#history = new RingBuffer(options.historyLimit ?? 1000);
    this.#maxQueueSize = options.maxQueueSize ?? 10_000;
  }

  /**
   * Calls `handler` with every event of `type` published from now on, or with
   * every event when `type` is `'*'`.
   * @param type - an event type of `M`, or `'*'`.
   * @param handler - the handler; may be async.
   * @param options - a name for logs, an `AbortSignal` that unsubscribes.
   * @returns the subscription; `unsubscribe()` it or dispose it (`using`) to stop.
   */
  subscribe<K extends EventType<M>>(
    type: K,
    handler: EventHandler<EventOf<M, K>>,
    options?: SubscribeOptions,
  ): Subscription;
  subscribe(type: '*', handler: EventHandler<AnyEventOf<M>>, options?: SubscribeOptions): Subscription;
  subscribe(type: string, handler: EventHandler<never>, options: SubscribeOptions = {}): Subscription {
    return this.#add(type, handler as Handler, options, false);
  }

  /**
   * Like {@link EventBus.subscribe}, but the handler runs for the first matching event only.
   * @param type - an event type of `M`, or `'*'`.
   * @param handler - the handler.
   * @param options - a name, an `AbortSignal`.
   */
  once<K extends EventType<M>>(type: K, handler: EventHandler<EventOf<M, K>>, options?: SubscribeOptions): Subscription;
  once(type: '*', handler: EventHandler<AnyEventOf<M>>, options?: SubscribeOptions): Subscription;
  once(type: string, handler: EventHandler<never>, options: SubscribeOptions = {}): Subscription {
    return this.#add(type, handler as Handler, options, true);
  }

  /**
   * Stops delivery to a subscription (same as `subscription.unsubscribe()`).
   * @param subscription - a subscription of this bus.
   */
  unsubscribe(subscription: Subscription): void {
    subscription.unsubscribe();
  }

  /**
   * Builds an event stamped with a new id, the clock's time and the current
   * correlation scope (see {@link withCorrelation}); outside any scope the
   * event starts a correlation of its own.
   * @param type - the event's name.
   * @param payload - its fields.
   * @returns the frozen event, not yet published.
   */
  createEvent<K extends EventType<M>>(type: K, payload: M[K]): EventOf<M, K> {
    const scope = currentScope();
    return createEvent<M, K>(type, payload, {
      id: this.#newId(),
      timestamp: this.#clock.now(),
      correlationId: scope?.correlationId ?? this.#newId(),
      causationId: scope?.id ?? null,
    });
  }

  /**
   * Creates and publishes an event: {@link EventBus.createEvent} then {@link EventBus.publish}.
   * @param type - the event's name.
   * @param payload - its fields.
   * @returns the published event.
   * @throws {@link EventBusError} `EVENT_QUEUE_FULL` (asynchronous mode) when the queue is full.
   */
  emit<K extends EventType<M>>(type: K, payload: M[K]): EventOf<M, K> {
    const event = this.createEvent(type, payload);
    this.publish(event);
    return event;
  }

  /**
   * Publishes an event: delivers it now (synchronous mode) or queues it
   * (asynchronous mode). Handlers run inside the event's correlation scope.
   *
   * Ordering: every subscriber, `'*'` included, sees events in publish order,
   * and so sees a cause before the events its handlers publish.
   * - Synchronous mode, called outside any delivery (e.g. by the bot's main
   *   loop): delivers the event to every subscriber, then every event its
   *   handlers published, in FIFO order, and so on until nothing is left;
   *   returns when all of those synchronous consequences have been delivered.
   * - Synchronous mode, called while the bus is delivering an event (from a
   *   handler, or from code a handler calls): queues the event and returns at
   *   once; it is delivered after the current event has reached every
   *   subscriber. Its handlers have not run yet when `publish` returns. A
   *   handler that publishes after an `await` is outside any delivery.
   * - Asynchronous mode: queues the event; see {@link EventBusMode}.
   * @param event - an event built by {@link EventBus.createEvent} or {@link createEvent}.
   * @throws {@link EventBusError} `EVENT_QUEUE_FULL` (asynchronous mode) when
   *   `maxQueueSize` events are waiting; the event is not queued. Whatever
   *   {@link EventBusOptions.onPublish} throws (the event is not delivered).
   */
  publish(event: AnyEventOf<M>): void {
    const base = event as BaseEvent;
    if (this.mode === 'synchronous') {
      const entry = this.#record(base);
      if (this.#dispatching) {
        this.#queue.push(base);
        const depth = this.#queue.length - this.#head;
        if (depth > this.#highWater) this.#highWater = depth;
        return;
      }
      this.#dispatching = true;
      // Each event's scope is entered in turn (cheaper than a runInScope per event) and the caller's given back.
      const callerScope = currentScope();
      let failure: Failure | undefined;
      try {
        enterScope(base);
        this.#dispatch(base, entry);
      } catch (error) {
        // Handler errors are caught where the handler runs: only a throwing logger gets here.
        failure = { error };
      } finally {
        // Whatever happened, deliver what the handlers queued and leave the dispatching state.
        if (this.#head < this.#queue.length) failure = this.#drainNested(failure);
        else this.#dispatching = false;
        enterScope(callerScope);
      }
      if (failure) throw failure.error;
      return;
    }
    const depth = this.#queue.length - this.#head;
    if (depth >= this.#maxQueueSize) {
      throw new EventBusError(
        'EVENT_QUEUE_FULL',
        `event queue is full (${this.#maxQueueSize} events): cannot publish ${base.type} ${base.id}`,
      );
    }
    this.#record(base);
    this.#queue.push(base);
    if (depth + 1 > this.#highWater) this.#highWater = depth + 1;
    if (!this.#pumping) {
      this.#pumping = true;
      queueMicrotask(this.#pump);
    }
  }

  /**
   * Whether nothing is queued and no handler promise is pending: then
   * {@link EventBus.drain} has nothing to wait for. A loop that runs many
   * cycles checks it to skip an `await bus.drain()` (a promise) per cycle.
   */
  get idle(): boolean {
    return !this.#pumping && this.#inflight.size === 0;
  }

  /**
   * Resolves when every queued event has been delivered and every handler
   * promise has settled. Do not await it inside a handler of this bus: the
   * handler would wait for itself.
   */
  drain(): Promise<void> {
    return this.idle ? RESOLVED : this.#drainSlowly();
  }

  async #drainSlowly(): Promise<void> {
    while (this.#pumping || this.#inflight.size > 0) {
      if (this.#pumping) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      else await Promise.all(this.#inflight);
    }
  }

  /** The most recent published events of every type, oldest first (at most `historyLimit`). */
  history(): readonly AnyEventOf<M>[];
  /**
   * The most recent published events of one type, oldest first.
   * @param type - the event type.
   * @param limit - at most this many, the most recent.
   */
  history<K extends EventType<M>>(type: K, limit?: number): readonly EventOf<M, K>[];
  history(type?: string, limit?: number): readonly BaseEvent[] {
    let events = this.#history.toArray();
    if (type !== undefined) events = events.filter((event) => event.type === type);
    if (limit !== undefined) events = events.slice(Math.max(0, events.length - limit));
    return events;
  }

  /** The bus's counters; see {@link EventBusMetrics}. */
  getMetrics(): EventBusMetrics {
    const types = new Set<string>();
    for (const subscription of this.#subscriptions) types.add(subscription.type);
    return {
      mode: this.mode,
      events_published: this.#published,
      events_delivered: this.#delivered,
      events_by_type: Object.fromEntries(
        [...this.#types].filter(([, { count }]) => count > 0).map(([type, { count }]) => [type, count]),
      ),
      handler_errors: this.#handlerErrors,
      subscriptions: this.#subscriptions.size,
      event_types_subscribed: types.size,
      queue_depth: this.#queue.length - this.#head,
      queue_high_water_mark: this.#highWater,
      history_size: this.#history.size,
    };
  }

  #add(type: string, handler: Handler, options: SubscribeOptions, once: boolean): Subscription {
    const id = this.#nextSubscriptionId++;
    const subscription: SubscriptionState = {
      id,
      type,
      name: options.name ?? `${type}#${id}`,
      active: true,
      unsubscribe: () => {
        if (!subscription.active) return;
        subscription.active = false;
        this.#subscriptions.delete(subscription);
        // While handlers are being called, removing one from mitt's list would shift the ones after it.
        if (this.#delivering) this.#removals.push({ type, deliver });
        else this.#emitter.off(type, deliver as never);
        options.signal?.removeEventListener('abort', subscription.unsubscribe);
      },
      [Symbol.dispose]: () => subscription.unsubscribe(),
    };
    const deliver: Delivery = (event) => {
      if (!subscription.active) return;
      if (once) subscription.unsubscribe();
      this.#delivered++;
      let result: void | PromiseLike<void>;
      try {
        result = handler(event);
      } catch (error) {
        this.#handlerFailed(error, event, subscription);
        return;
      }
      if (result != null && typeof result.then === 'function') this.#track(result, event, subscription);
    };
    if (options.signal?.aborted) {
      subscription.active = false;
      return subscription;
    }
    this.#subscriptions.add(subscription);
    this.#emitter.on(type, deliver as never);
    // mitt made the type's list at its first handler: remember it (it keeps the same list from then on).
    const list = (this.#emitter.all as unknown as Map<string, Delivery[]>).get(type);
    if (type === '*') this.#wildcards = list;
    else this.#entry(type).handlers = list;
    options.signal?.addEventListener('abort', subscription.unsubscribe, { once: true });
    return subscription;
  }

  /** Hands a published event to the publish hook, then counts and keeps it; returns its type's entry. */
  #record(event: BaseEvent): TypeEntry {
    // First: a hook that throws (a store that cannot write) stops the event before it counts or is delivered.
    if (this.#onPublish !== undefined) this.#onPublish(event);
    this.#published++;
    this.#history.push(event);
    const entry = this.#entry(event.type);
    entry.count++;
    if (this.#logAllEvents) this.#logger.debug(`Event ${event.type}`, { event_id: event.id, event_type: event.type });
    return entry;
  }

  #entry(type: string): TypeEntry {
    let entry = this.#types.get(type);
    if (entry === undefined) {
      entry = { count: 0, handlers: (this.#emitter.all as unknown as Map<string, Delivery[]>).get(type) };
      this.#types.set(type, entry);
    }
    return entry;
  }

  /**
   * Calls the handlers of `event.type`, then the `'*'` handlers, in the order
   * they subscribed. mitt keeps the handler lists; the bus walks them itself
   * rather than through `emit`, which copies each list on every event: a
   * handler subscribed during the walk is not called for this event (only the
   * length at the start is walked), and one unsubscribed during it is skipped
   * (`active`) and taken out of mitt's list once the walk is over.
   */
  readonly #dispatch = (event: BaseEvent, entry: TypeEntry = this.#entry(event.type)): void => {
    const typed = entry.handlers;
    const wildcards = this.#wildcards;
    this.#delivering = true;
    try {
      if (typed) for (let i = 0, n = typed.length; i < n; i++) (typed[i] as Delivery)(event);
      if (wildcards) for (let i = 0, n = wildcards.length; i < n; i++) (wildcards[i] as Delivery)(event);
    } finally {
      this.#delivering = false;
      if (this.#removals.length > 0) this.#applyRemovals();
    }
  };

  /** Takes the subscriptions ended during a walk out of mitt's lists. */
  #applyRemovals(): void {
    const removals = this.#removals;
    this.#removals = [];
    for (const { type, deliver } of removals) this.#emitter.off(type, deliver as never);
  }

  /** Takes the oldest queued event, compacting the queue once it is mostly consumed. */
  #shift(): BaseEvent {
    if (this.#head >= 4096 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const event = this.#queue[this.#head] as BaseEvent;
    this.#queue[this.#head++] = undefined;
    return event;
  }

  /**
   * Synchronous mode: delivers the events that handlers published during a
   * delivery, FIFO, including those their own handlers publish, then leaves
   * the dispatching state; the queue is empty and the bus idle whichever way
   * it ends. Should a delivery throw (only a throwing logger can make one),
   * the rest is still delivered.
   * @param failure - what escaped an earlier delivery, if anything.
   * @returns `failure`, or else the first exception that escaped a delivery here.
   */
  #drainNested(failure: Failure | undefined): Failure | undefined {
    try {
      while (this.#head < this.#queue.length) {
        const event = this.#shift();
        try {
          enterScope(event);
          this.#dispatch(event);
        } catch (error) {
          failure ??= { error };
        }
      }
    } finally {
      this.#queue.length = 0;
      this.#head = 0;
      this.#dispatching = false;
    }
    return failure;
  }

  #track(result: PromiseLike<void>, event: BaseEvent, subscription: Subscription): void {
    const settled = Promise.resolve(result).then(undefined, (error: unknown) =>
      this.#handlerFailed(error, event, subscription),
    );
    if (this.mode === 'asynchronous') {
      this.#awaiting.push(settled);
      return;
    }
    this.#inflight.add(settled);
    void settled.then(() => this.#inflight.delete(settled));
  }

  readonly #pump = async (): Promise<void> => {
    try {
      while (this.#head < this.#queue.length) {
        runInScope(this.#shift(), this.#dispatch);
        if (this.#awaiting.length > 0) {
          const pending = this.#awaiting;
          this.#awaiting = [];
          await Promise.all(pending);
        }
      }
      this.#queue = [];
      this.#head = 0;
    } finally {
      this.#pumping = false;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  #handlerFailed(error: unknown, event: BaseEvent, subscription: Subscription): void {
    this.#handlerErrors++;
    if (this.#logHandlerErrors) {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.warn(`Handler ${subscription.name} failed on ${event.type} ${event.id}: ${message}`, {
        event_type: event.type,
        event_id: event.id,
        subscription: subscription.name,
        error: message,
      });
    }
    if (!this.#onHandlerError) return;
    try {
      this.#onHandlerError({ error, event, subscription });
    } catch (hookError) {
      this.#logger.error(`onHandlerError hook threw: ${String(hookError)}`, {
        event_type: event.type,
        event_id: event.id,
      });
    }
  }
}
