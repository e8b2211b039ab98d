import type { EventStore } from '../event-store.js';
import type { StoredEvent } from '../store-types.js';

/** Every event of the store's log, in sequence order. */
export async function everyStoredEvent(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of store.scan({}, { pageSize: 10_000 })) events.push(event);
  return events;
}
