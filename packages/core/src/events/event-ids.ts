import { randomUUID } from 'node:crypto';

/** Ids one prefix serves before a new prefix is drawn: the 48 bits of the last UUID group. */
const IDS_PER_PREFIX = 2 ** 48;

/**
 * Makes event ids cheaply: UUID-shaped strings (RFC 9562 version 4 layout,
 * e.g. `3b241101-e2bb-4255-8caf-000000000001`) whose first 80 bits (74 of
 * them random) come from one `randomUUID()` per factory and whose last 48
 * bits are a sequence. Ids are unique across runs and restarts (each process,
 * each factory draws a new random prefix; a prefix serves 2^48 ids before a
 * new one is drawn) and sort by creation within one prefix. One id costs a
 * counter increment and a short string, not a call into the random source.
 *
 * Not for ids that must survive a restart and be recomputed (client order
 * ids): those are deterministic, see the execution service.
 * The event bus's default id factory; internal, not exported from the package.
 *
 * @returns a function returning a new id on each call.
 */
export function sequentialIds(): () => string {
  let prefix = newPrefix();
  let next = 0;
  return () => {
    if (next === IDS_PER_PREFIX) {
      prefix = newPrefix();
      next = 0;
    }
    const sequence = (next++).toString(16);
    return prefix + '000000000000'.slice(sequence.length) + sequence;
  };
}

/** The first four groups of a random UUID and the dash before the last: 24 characters. */
function newPrefix(): string {
  return randomUUID().slice(0, 24);
}
