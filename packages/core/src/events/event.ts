/**
 * The fields every event carries, whatever its type.
 *
 * Events are immutable: their types are readonly and the objects are frozen
 * (deeply) when created by {@link createEvent}.
 */
export interface EventMeta {
  /** Unique id of this event, across runs and restarts: UUID-shaped by default (see `EventBusOptions.idFactory`). */
  readonly id: string;
  /** When the event was created, ms since epoch, UTC, read from the bus's {@link Clock}. */
  readonly timestamp: number;
  /** The id shared by every event of one unit of work (e.g. one trading cycle). */
  readonly correlationId: string;
  /** The id of the event whose handler published this one; `null` for an event published outside any handler. */
  readonly causationId: string | null;
}

/**
 * The base shape of an event: the {@link EventMeta} fields plus `type`, the
 * event's name as a string literal (e.g. `'NewCandle'`).
 */
export interface BaseEvent<T extends string = string> extends EventMeta {
  /** The event's name, e.g. `'NewCandle'`. */
  readonly type: T;
}

/**
 * The type names of an event map: the keys of `M` that are strings.
 * @typeParam M - an event map: an interface from event name to payload type.
 */
export type EventType<M> = keyof M & string;

/**
 * The full event of type `K` in the event map `M`: base fields plus payload.
 * @typeParam M - an event map, e.g. {@link TradingEventPayloads}.
 * @typeParam K - the event's type name.
 */
export type EventOf<M, K extends EventType<M>> = BaseEvent<K> & Readonly<M[K]>;

/**
 * The union of every event in the event map `M`; narrow it with `event.type`.
 * @typeParam M - an event map.
 */
export type AnyEventOf<M> = { [K in EventType<M>]: EventOf<M, K> }[EventType<M>];
