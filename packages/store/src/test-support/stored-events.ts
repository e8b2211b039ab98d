import type { EventStore } from '../event-store.js';
import type { StoredEvent } from '../store-types.js';

/** Every event of the store's log, in sequence order, read page by page. */
export async function everyStoredEvent(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.events({}, { after, limit: 10_000 });
    events.push(...page.events);
    if (page.next === null) return events;
    after = page.next;
  }
}
