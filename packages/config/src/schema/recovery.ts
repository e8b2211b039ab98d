import type * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { seconds, section } from './fields.js';

/** `recovery`: how a run shows it is alive, and when an outside monitor should think it is not. */
export const recoverySchema = section(
  {
    heartbeat_interval: seconds(
      30,
      'Seconds between heartbeats of the run in the event store (a stalled loop stops heartbeating).',
    ),
    stale_after: seconds(
      300,
      'Seconds without a heartbeat after which a run that has not ended is reported stale (db status, health): the bot may be down.',
    ),
  },
  'Crash recovery.',
);

/** The validated `recovery` section. */
export type RecoveryConfig = DeepReadonly<v.InferOutput<typeof recoverySchema>>;
