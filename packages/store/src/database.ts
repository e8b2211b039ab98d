import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { message, StoreError } from './store-error.js';
import type { StoreSchema } from './store-schema.js';

/**
 * Everything that differs between SQLite and PostgreSQL lives in this file: how a URL is read, how a
 * connection is opened, how a transaction takes the write lock, how 64-bit integers come back, and how a
 * backup is made. The rest of the store is one kysely code path.
 */

/** The two databases the store runs on. */
export type StoreDialect = 'sqlite' | 'postgres';

/**
 * SQLite's `synchronous` setting: `NORMAL` (the default: in WAL mode a commit survives a crash of the process,
 * and the last commits may be lost on a power failure, never corrupting the file) or `FULL` (every commit is
 * synced to disk: slower, durable across a power failure).
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

/** What a `store.url` points at. */
export interface StoreTarget {
  /** Which database. */
  readonly dialect: StoreDialect;
  /** The SQLite file, or the PostgreSQL connection string (which never holds a password). */
  readonly location: string;
  /** The target as it may be logged: the SQLite path, or the PostgreSQL URL without any password. */
  readonly display: string;
}

/** The default `store.url`: a SQLite file relative to the working directory. */
export const DEFAULT_STORE_URL = 'data/quant.db';

/**
 * Reads a `store.url`: a `postgres://` or `postgresql://` URL is PostgreSQL, anything else without a scheme is a
 * SQLite file path (`:memory:` included).
 *
 * A PostgreSQL URL must not carry a password: give it in the environment (`PGPASSWORD`, which pg reads), so
 * that it is never written in a config file nor logged.
 * @param url - the SQLite path or the PostgreSQL URL.
 * @throws {@link StoreError} `STORE_BAD_URL` when the URL is empty, of another scheme, malformed, or holds a
 *   password.
 */
export function parseStoreUrl(url: string): StoreTarget {
  const text = url.trim();
  if (text === '') throw new StoreError('STORE_BAD_URL', 'store.url is empty: give a SQLite path or a postgres:// URL');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { dialect: 'sqlite', location: text, display: text };
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new StoreError(
      'STORE_BAD_URL',
      `store.url has the scheme ${scheme}://: give a SQLite file path (e.g. data/quant.db) or a postgres:// URL`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch (error) {
    throw new StoreError('STORE_BAD_URL', 'store.url is not a valid postgres:// URL', { cause: error });
  }
  if (parsed.password !== '') {
    throw new StoreError(
      'STORE_BAD_URL',
      'store.url holds a password: remove it from the URL and set PGPASSWORD in the environment instead',
    );
  }
  const display = `${parsed.protocol}//${parsed.username === '' ? '' : `${parsed.username}@`}${parsed.host}${parsed.pathname}`;
  return { dialect: 'postgres', location: text, display };
}

/** How to open the database: options of {@link EventStore.open}. */
export interface ConnectOptions {
  /** SQLite only: the `synchronous` setting, `NORMAL` by default. */
  readonly synchronous?: SqliteSynchronous;
  /** How long to wait for a lock (SQLite) or a connection (PostgreSQL), ms; 5000 by default. */
  readonly timeoutMs?: number;
  /** PostgreSQL only: the most connections of the pool, 4 by default. */
  readonly maxConnections?: number;
}

/**
 * An open database.
 * @internal
 */
export interface Connection {
  readonly db: Kysely<StoreSchema>;
  readonly dialect: StoreDialect;
  readonly display: string;
  /** The schema holding kysely's migration table (PostgreSQL: the current schema). */
  readonly migrationSchema: string | undefined;
}

/**
 * A SQLite driver whose transactions begin with `BEGIN IMMEDIATE`: the write lock is taken at the start, so two
 * writers queue on the busy timeout instead of one failing with `SQLITE_BUSY` when it upgrades a read lock.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Statements kept prepared per SQLite connection: more than the store's distinct statements in a busy run. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The handle as kysely's driver sees it, preparing each distinct SQL text once: kysely's driver prepares every
 * query it runs, and preparing costs more than running one of the store's small statements. The oldest statement
 * is dropped when the cache is full.
 */
function cachingStatements(handle: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => handle.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = handle.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/**
 * Opens the better-sqlite3 handle with WAL journaling and the given `synchronous` setting.
 * @internal
 */
export function openSqliteHandle(file: string, synchronous: SqliteSynchronous, timeoutMs: number): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const handle = new Database(file, { timeout: timeoutMs });
  handle.pragma('journal_mode = WAL');
  handle.pragma(`synchronous = ${synchronous}`);
  return handle;
}

/** pg returns `int8` (bigint, count) as a string: read it as a number, refusing one beyond 2^53. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`a 64-bit integer from PostgreSQL is not safe in JS: ${text}`);
  return value;
}

const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Opens the database a target names and checks that it answers.
 * @throws {@link StoreError} `STORE_UNREACHABLE` when it cannot be opened or connected to.
 * @internal
 */
export async function connect(target: StoreTarget, options: ConnectOptions = {}): Promise<Connection> {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (target.dialect === 'sqlite') {
    let handle: Database.Database;
    try {
      handle = openSqliteHandle(target.location, options.synchronous ?? 'NORMAL', timeoutMs);
    } catch (error) {
      throw new StoreError(
        'STORE_UNREACHABLE',
        `cannot open the SQLite database ${target.display}: ${message(error)}`,
        {
          cause: error,
        },
      );
    }
    const dialect: Dialect = {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new ImmediateSqliteDriver({ database: cachingStatements(handle) }),
      createQueryCompiler: () => new SqliteQueryCompiler(),
      createIntrospector: (db) => new SqliteIntrospector(db),
    };
    return {
      db: new Kysely<StoreSchema>({ dialect }),
      dialect: 'sqlite',
      display: target.display,
      migrationSchema: undefined,
    };
  }
  const pool = new pg.Pool({
    connectionString: target.location,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: timeoutMs,
    types: pgTypes,
  });
  // An idle client's error (the server went away) must not crash the process: the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool }) });
  try {
    const row = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    return { db, dialect: 'postgres', display: target.display, migrationSchema: row.rows[0]?.schema };
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new StoreError('STORE_UNREACHABLE', `cannot connect to PostgreSQL at ${target.display}: ${message(error)}`, {
      cause: error,
    });
  }
}

/**
 * Whether kysely's migration table exists in the store's schema.
 * @internal
 */
export async function hasMigrationTable(connection: Connection): Promise<boolean> {
  if (connection.dialect === 'sqlite') {
    const found = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(connection.db);
    return found.rows.length > 0;
  }
  const found = await sql<{ t: string | null }>`select to_regclass('kysely_migration')::text as t`.execute(
    connection.db,
  );
  return found.rows[0]?.t != null;
}

/**
 * Takes the lock of the sequence counter at the start of an append, so that the ids already stored are read
 * after any concurrent append committed. SQLite's `BEGIN IMMEDIATE` already holds the database's write lock.
 * @internal
 */
export async function lockCounter(trx: Transaction<StoreSchema>, dialect: StoreDialect): Promise<void> {
  if (dialect === 'postgres') {
    await trx.selectFrom('counters').select('value').where('name', '=', 'global').forUpdate().execute();
  }
}

/**
 * Whether a driver error is a unique-key violation (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_CONSTRAINT_PRIMARYKEY`, or
 * PostgreSQL's `23505`).
 * @internal
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Rows SQLite's `ANALYZE` reads per index: an approximate but quick analysis, as SQLite advises for big files. */
const SQLITE_ANALYSIS_LIMIT = 1000;

/**
 * Refreshes the query planner's statistics of the store's tables.
 * @internal
 */
export async function analyze(connection: Connection): Promise<void> {
  if (connection.dialect === 'sqlite') {
    await sql.raw(`pragma analysis_limit = ${SQLITE_ANALYSIS_LIMIT}`).execute(connection.db);
    await sql`analyze`.execute(connection.db);
  } else {
    await sql`analyze events, orders, fills, positions, runs, recovery_events, notification_outbox`.execute(
      connection.db,
    );
  }
}

/**
 * Writes a consistent copy of a SQLite store to `file` with `VACUUM INTO` (online: readers and the writer go on).
 * @internal
 */
export async function backupSqlite(connection: Connection, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await sql`vacuum into ${file}`.execute(connection.db);
}
