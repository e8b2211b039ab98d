import { EventSerializationError } from '../errors/core-errors.js';
import { deepFreeze } from './create-event.js';
import type { AnyEventOf, EventType } from './event.js';
import { TRADING_EVENT_SCHEMAS } from './trading-event-schemas.js';
import type { TradingEventPayloads } from './trading-events.js';
import { type FieldValidator, nullable, number, shape, string } from './validators.js';

const meta = shape({
  id: string,
  type: string,
  timestamp: number,
  correlationId: string,
  causationId: nullable(string),
});

/**
 * Rebuilds typed, frozen events from JSON, for events that were persisted or
 * sent between processes. Each event type is registered with a validator of
 * its payload; parsing checks the meta fields and the payload and names the
 * first offending field.
 *
 * @typeParam M - the event map whose events the registry knows.
 */
export class EventRegistry<M> {
  readonly #schemas = new Map<string, FieldValidator>();

  /**
   * Registers (or replaces) the payload validator of an event type.
   * @param type - the event's name.
   * @param validator - checks the payload fields; see the validators in `validators.ts`.
   * @returns this registry, for chaining; its type now includes the new event.
   */
  register<K extends string, P>(type: K, validator: FieldValidator): EventRegistry<M & Record<K, P>> {
    this.#schemas.set(type, validator);
    return this as unknown as EventRegistry<M & Record<K, P>>;
  }

  /** The registered event type names. */
  types(): readonly EventType<M>[] {
    return [...this.#schemas.keys()] as EventType<M>[];
  }

  /**
   * Serializes an event to a JSON text. Events are plain objects, so this is
   * `JSON.stringify(event)`; it exists to pair with {@link EventRegistry.fromJSON}.
   * @param event - any event.
   */
  toJSON(event: AnyEventOf<M>): string {
    return JSON.stringify(event);
  }

  /**
   * Parses a JSON text (or an already parsed object) into a frozen, typed event.
   * @param json - the text produced by {@link EventRegistry.toJSON}, or its parsed value.
   * @throws {@link EventSerializationError} `INVALID_EVENT_JSON` when the text is
   *   not JSON or a field is missing or of the wrong type (its `path` names the
   *   field), `UNKNOWN_EVENT_TYPE` when `type` is not registered.
   */
  fromJSON(json: string | object): AnyEventOf<M> {
    let value: unknown = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (error) {
        throw new EventSerializationError('INVALID_EVENT_JSON', `not valid JSON: ${(error as Error).message}`, '', {
          cause: error,
        });
      }
    }
    meta(value, '');
    const { type } = value as { type: string };
    const schema = this.#schemas.get(type);
    if (!schema) {
      throw new EventSerializationError(
        'UNKNOWN_EVENT_TYPE',
        `unknown event type "${type}"; known types: ${[...this.#schemas.keys()].join(', ')}`,
        'type',
      );
    }
    schema(value, '');
    return deepFreeze(value as AnyEventOf<M>);
  }
}

/** A registry that knows every event of {@link TradingEventPayloads}; register your own on it. */
export function createTradingEventRegistry(): EventRegistry<TradingEventPayloads> {
  const registry = new EventRegistry<TradingEventPayloads>();
  for (const [type, schema] of Object.entries(TRADING_EVENT_SCHEMAS)) registry.register(type, schema);
  return registry;
}
