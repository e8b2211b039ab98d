import type * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { amount, choice, flag, seconds, section } from './fields.js';

/**
 * `recovery`: how a run shows it is alive, when an outside monitor should think it is not, and how the bot
 * reconciles its orders, fills and balances with the venue at start and while running.
 */
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
    on_mismatch: choice(
      ['halt', 'adopt'],
      'halt',
      "What a mismatch with the venue (a balance or position beyond balance_tolerance_bps, an order one side lacks) does: halt (no new entries until an operator restarts the bot; exits and stop-losses still go out; the recovery summary says what differs) or adopt (the venue's quantity replaces the bot's, recorded as a fill).",
    ),
    balance_tolerance_bps: amount(
      10,
      "How far a venue balance may be from the bot's expectation (its balances at the first start plus every fill since), basis points of the larger of the two; 1e-8 absolute always passes (venues round fees).",
    ),
    reconcile_interval: seconds(
      300,
      'Seconds between checks of the open orders and balances at the venue while running (orders whose outcome is unknown are checked every cycle).',
    ),
    cancel_external_orders: flag(
      false,
      'Cancel open venue orders the bot did not place (client order ids without the bot_id prefix); by default they are reported as external and never touched.',
    ),
  },
  'Crash recovery and reconciliation with the venue.',
);

/** The validated `recovery` section. */
export type RecoveryConfig = DeepReadonly<v.InferOutput<typeof recoverySchema>>;
