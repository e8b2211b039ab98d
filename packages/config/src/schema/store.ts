import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { choice, count, section } from './fields.js';

/** The default `store.url`: a SQLite file relative to the working directory (as `@quant/store`'s default). */
const DEFAULT_STORE_URL = 'data/quant.db';

/**
 * Why a `store.url` is refused, or `undefined` when it may be opened: a path (SQLite) or a `postgres://` /
 * `postgresql://` URL without a password (`PGPASSWORD` holds it). `@quant/store`'s `parseStoreUrl` applies the
 * same rules when the store opens; they are checked here too so a bad value names its key and source at start.
 * @param url - the value of `store.url`.
 */
export function storeUrlProblem(url: string): string | undefined {
  const text = url.trim();
  if (text === '') return 'expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL, got an empty text';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return undefined;
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    return `expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL, got a ${scheme}:// URL`;
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return 'expected a valid postgres://user@host:5432/database URL';
  }
  if (parsed.password !== '') {
    return 'expected a postgres:// URL without a password: remove it and set PGPASSWORD in the environment';
  }
  return undefined;
}

/** `store`: where the bot persists its events (the event log, orders, fills, positions, runs). */
export const storeSchema = section(
  {
    url: v.optional(
      v.pipe(
        v.string(),
        v.check(
          (url) => storeUrlProblem(url) === undefined,
          (issue) => storeUrlProblem(issue.input as string) ?? '',
        ),
        v.description(
          'The event store: a SQLite file path (created with its folder) or postgres://user@host:5432/database. A PostgreSQL password is never written here: set PGPASSWORD in the environment.',
        ),
      ),
      DEFAULT_STORE_URL,
    ),
    events: choice(
      ['trading', 'all'],
      'trading',
      'Events persisted: trading (orders, fills, positions, signals, risk, regimes, lifecycle) or all (the per-bar market data too: about 99 % of the events).',
    ),
    synchronous: choice(
      ['normal', 'full'],
      'normal',
      'SQLite only: normal (a commit survives a crash of the process; a power failure may lose the last ones) or full (every commit synced to disk: slower).',
    ),
    retention_days: count(
      30,
      0,
      'Days of market-data events (with events: all) kept: older ones are deleted at start and daily; 0 keeps them for good. Trading events are never deleted.',
    ),
  },
  'Event store.',
);

/** The validated `store` section. */
export type StoreConfig = DeepReadonly<v.InferOutput<typeof storeSchema>>;
