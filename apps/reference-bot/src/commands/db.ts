import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SystemConfig } from '@quant/config';
import type { TradingEventPayloads } from '@quant/core';
import { EventStore, parseStoreUrl, runLiveness } from '@quant/store';
import { loadBotConfig } from '../bot-config.js';
import { UsageError } from '../cli-error.js';
import { checkDbFlag } from '../db-flag.js';

/** Flags of `quant-bot db …`. */
export interface DbOptions {
  /** The store: a SQLite file or a postgres:// URL; `store.url` by default. */
  readonly db?: string;
  readonly config?: string;
}

/** The store's URL: `--db`, else `store.url` of the configuration. */
export function storeUrl(options: DbOptions, config: () => SystemConfig): string {
  return options.db !== undefined ? checkDbFlag(options.db) : config().store.url;
}

/** The command's configuration, loaded once, when first asked for (`--db` alone needs none). */
function lazyConfig(options: DbOptions, cwd: string, env: NodeJS.ProcessEnv): () => SystemConfig {
  let config: SystemConfig | undefined;
  return () => {
    config ??= loadBotConfig(options.config, cwd, env).config;
    return config;
  };
}

async function withStore<T>(url: string, work: (store: EventStore) => Promise<T>): Promise<T> {
  const store = await EventStore.open(url);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Refuses a SQLite file that does not exist: reading it must not create an empty store. */
export function existingStore(url: string, cwd: string): string {
  const target = parseStoreUrl(url);
  if (target.dialect === 'sqlite' && target.location !== ':memory:' && !existsSync(resolve(cwd, target.location))) {
    throw new UsageError(
      'DB_NOT_FOUND',
      `no event store at ${target.display}: expected an existing SQLite file (quant-bot db migrate creates one; a bot run writes one)`,
    );
  }
  return url;
}

const out = (text: string): boolean => process.stdout.write(`${text}\n`);
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * `quant-bot db migrate`: opens the store, which creates it or brings its schema up to date, and prints the schema
 * version.
 * @throws {@link @quant/store!StoreError} `STORE_BAD_URL`, `STORE_UNREACHABLE`, `STORE_DATABASE_NEWER` (exit 2).
 */
export async function dbMigrate(options: DbOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const url = storeUrl(options, lazyConfig(options, cwd, env));
  await withStore(url, async (store) => {
    const migrations = await store.migrations();
    out(`Database: ${store.location}`);
    out(`Schema: ${migrations.at(-1) ?? 'none'} (${migrations.length} migrations applied), up to date`);
  });
  return 0;
}

/**
 * `quant-bot db status`: the database, its schema version, how many events and the last sequence number, and the
 * runs (the last one's state: ended, running, or stale — no heartbeat for `recovery.stale_after`).
 * @throws {@link UsageError} `DB_NOT_FOUND` for a SQLite file that does not exist; {@link @quant/store!StoreError} `STORE_BAD_URL`, `STORE_UNREACHABLE`, `STORE_DATABASE_NEWER` (exit 2).
 */
export async function dbStatus(options: DbOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const config = lazyConfig(options, cwd, env);
  const url = existingStore(storeUrl(options, config), cwd);
  await withStore(url, async (store) => {
    const migrations = await store.migrations();
    const summary = await store.summary();
    const runs = await store.runs();
    out(`Database: ${store.location} (${store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`);
    out(`Schema version: ${migrations.at(-1) ?? 'none'} (${migrations.length} migrations)`);
    out(`Events: ${summary.total}`);
    out(`Last seq: ${await store.lastSeq()}`);
    out(`Runs: ${runs.length}`);
    const last = runs.at(-1);
    if (last !== undefined) {
      const staleAfterMs = config().recovery.stale_after * 1000;
      const liveness = runLiveness(last, Date.now(), staleAfterMs);
      const silentMs = liveness.heartbeatAgeMs;
      const state =
        liveness.state === 'ended'
          ? `ended ${last.endReason ?? 'unknown'} at ${iso(last.endedAt ?? last.lastHeartbeatAt)}`
          : liveness.state === 'stale'
            ? `not ended, STALE: no heartbeat since ${iso(last.lastHeartbeatAt)} (${Math.round(silentMs / 1000)} s, more than recovery.stale_after ${staleAfterMs / 1000} s): the bot may be down; its next start records it as crashed`
            : `running, last heartbeat ${iso(last.lastHeartbeatAt)} (${Math.round(silentMs / 1000)} s ago)`;
      out(`Last run: ${last.runId} of ${last.botId}, started ${iso(last.startedAt)}, ${state}`);
      const recovery = (await store.recoveryEvents(last.runId)).find((entry) => entry.kind === 'recovery_summary');
      if (recovery !== undefined) {
        const detail = recovery.detail as TradingEventPayloads['ReconciliationCompleted'];
        out(
          `Last reconciliation at start: ${detail.action}; ${detail.ordersResolved.length} orders resolved, ${detail.fillsRecovered} fills recovered, ${detail.externalOrders.length} external orders, ${detail.mismatches.length} mismatches${detail.mismatches.map((m) => `; ${m.message}`).join('')}`,
        );
      }
    }
  });
  return 0;
}

/**
 * `quant-bot db backup <file>`: a consistent copy of a SQLite store, online (`VACUUM INTO`).
 * @throws {@link UsageError} `BACKUP_UNSUPPORTED` for PostgreSQL (pg_dump is the tool);
 *   {@link @quant/store!StoreError} `STORE_BACKUP_FAILED` (e.g. the file exists), `STORE_BAD_URL`, … (exit 2).
 */
export async function dbBackup(file: string, options: DbOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  if (file.trim() === '') {
    throw new UsageError(
      'BAD_FLAG',
      'the backup file is empty: expected a path, e.g. quant-bot db backup backups/quant.db',
    );
  }
  const url = storeUrl(options, lazyConfig(options, cwd, env));
  const target = parseStoreUrl(url);
  if (target.dialect === 'postgres') {
    throw new UsageError(
      'BACKUP_UNSUPPORTED',
      `quant-bot db backup copies SQLite stores only; back up PostgreSQL with pg_dump, e.g. pg_dump --format=custom --file=quant.dump "${target.display}" (PGPASSWORD in the environment)`,
    );
  }
  existingStore(url, cwd);
  const path = resolve(cwd, file);
  await withStore(url, async (store) => {
    await store.backup(path);
    out(`Backed up ${store.location} to ${path}`);
  });
  return 0;
}
