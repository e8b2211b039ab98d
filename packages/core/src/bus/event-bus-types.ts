import type { Clock } from '../clock/clock.js';
import type { BaseEvent } from '../events/event.js';
import type { Logger } from '../logging/log-record.js';

/**
 * How the bus delivers events. In both modes every subscriber, `'*'` included,
 * sees events in publish order, so a cause always before its effects.
 * - `synchronous`: `publish` runs the handlers inline and returns once the
 *   event and all its synchronous consequences have been delivered. An event
 *   published while the bus is delivering another one (by a handler) is
 *   queued and delivered right after the current event has reached every
 *   subscriber (run to completion, FIFO), not nested inside its delivery.
 * - `asynchronous`: `publish` queues the event and returns; events are
 *   delivered in FIFO order from a microtask, and a handler that returns a
 *   promise is awaited before the next event is delivered, so each subscriber
 *   sees one event at a time, in order. `await bus.drain()` waits until the
 *   queue is empty.
 */
export type EventBusMode = 'synchronous' | 'asynchronous';

/** A function that handles an event; it may return a promise. */
export type EventHandler<E> = (event: E) => void | PromiseLike<void>;

/** A live registration of a handler, returned by {@link EventBus.subscribe} and {@link EventBus.once}. */
export interface Subscription extends Disposable {
  /** Unique (per bus) id, in subscription order. */
  readonly id: number;
  /** The event type subscribed to, or `'*'` for every event. */
  readonly type: string;
  /** A name for logs and metrics: the one given in {@link SubscribeOptions.name}, or `<type>#<id>`. */
  readonly name: string;
  /** `false` once unsubscribed (or, for `once`, delivered). */
  readonly active: boolean;
  /** Stops delivery to the handler; calling it again does nothing. */
  unsubscribe(): void;
}

/** Options of {@link EventBus.subscribe}. */
export interface SubscribeOptions {
  /** Name shown in logs and error reports, e.g. `IndicatorCalculationService.NewCandle`. */
  readonly name?: string;
  /** Unsubscribes when the signal aborts; an already aborted signal subscribes nothing. */
  readonly signal?: AbortSignal;
}

/** What {@link EventBusOptions.onHandlerError} receives when a handler throws or rejects. */
export interface HandlerErrorInfo {
  /** What the handler threw or rejected with. */
  readonly error: unknown;
  /** The event being handled. */
  readonly event: BaseEvent;
  /** The failing handler's subscription. */
  readonly subscription: Subscription;
}

/** Options of an {@link EventBus}; the names follow the `event_bus` config section. */
export interface EventBusOptions {
  /** `synchronous` (default) or `asynchronous`. */
  readonly mode?: EventBusMode;
  /** How many recent events {@link EventBus.history} keeps; 1000 by default, 0 keeps none. */
  readonly historyLimit?: number;
  /**
   * Asynchronous mode: most events the queue holds before `publish` throws; 10 000 by default.
   * Not applied to the events a synchronous bus queues during a delivery.
   */
  readonly maxQueueSize?: number;
  /** Logs every published event at debug level; `false` by default. */
  readonly logAllEvents?: boolean;
  /** Source of event timestamps; the real clock by default. */
  readonly clock?: Clock;
  /**
   * Where handler errors (warn level: event type and id, handler name, error
   * message) and, with `logAllEvents`, events (debug level) are logged. By
   * default a console logger that prints warnings and errors
   * (`console.warn`/`console.error`) and drops the rest, so a failing handler
   * is never silent.
   */
  readonly logger?: Logger;
  /**
   * Called after a handler throws or rejects, with the error, the event and
   * the handler's subscription; a hook that throws is logged (error level)
   * and ignored. The hook overrides the default handling: with a hook and no
   * `logger`, handler errors are not printed to the console (the hook owns
   * them); with both, the error is logged to `logger` and passed to the hook.
   */
  readonly onHandlerError?: (info: HandlerErrorInfo) => void;
  /**
   * Called for every published event, in publish order, which is causal
   * order: a cause is always published before its effects (an event is
   * published by a handler of its cause, or by code that ran after it). It is
   * called synchronously from `publish`, before the event is delivered to any
   * subscriber, and so sees every event whatever subscribes, in both modes.
   * An exception from it is not caught: it propagates to the publisher and
   * the event is neither counted nor delivered. That is what a store that
   * cannot write needs: a bot must not go on trading unrecorded. Keep it
   * cheap (e.g. push to a buffer flushed at the end of each cycle).
   */
  readonly onPublish?: (event: BaseEvent) => void;
  /**
   * Makes event ids, and the correlation ids of events published outside any
   * correlation scope. By default UUID-shaped ids, unique across runs and
   * restarts, from one random prefix per bus and a sequence (no call into the
   * random source per event).
   */
  readonly idFactory?: () => string;
}

/** The bus's counters, as returned by {@link EventBus.getMetrics}. */
export interface EventBusMetrics {
  /** The bus's mode. */
  readonly mode: EventBusMode;
  /** Events accepted by `publish`. */
  readonly events_published: number;
  /** Handler invocations (one event to three handlers counts three). */
  readonly events_delivered: number;
  /** Events published, by type. */
  readonly events_by_type: Readonly<Record<string, number>>;
  /** Handlers that threw or rejected. */
  readonly handler_errors: number;
  /** Active subscriptions. */
  readonly subscriptions: number;
  /** Distinct event types (and `*`) with at least one active subscription. */
  readonly event_types_subscribed: number;
  /**
   * Events queued and not yet delivered: in asynchronous mode, the queue; in
   * synchronous mode, events published by handlers that wait for the current
   * delivery to finish (0 whenever no delivery is running).
   */
  readonly queue_depth: number;
  /** Highest `queue_depth` seen. */
  readonly queue_high_water_mark: number;
  /** Events held in the history. */
  readonly history_size: number;
}
