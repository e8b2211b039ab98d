import type * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { choice, count, flag, section } from './fields.js';

/** `event_bus`: how events are delivered. */
export const eventBusSchema = section(
  {
    mode: choice(
      ['synchronous', 'asynchronous'],
      'synchronous',
      'Deliver events inline (synchronous) or from a bounded FIFO queue (asynchronous).',
    ),
    event_history_limit: count(1000, 0, 'Recent events kept for inspection.'),
    log_all_events: flag(false, 'Log every published event at debug level.'),
    max_queue_size: count(10_000, 1, 'Asynchronous mode: events the queue holds before publishing fails.'),
  },
  'Event bus.',
);

/** The validated `event_bus` section. */
export type EventBusConfig = DeepReadonly<v.InferOutput<typeof eventBusSchema>>;
