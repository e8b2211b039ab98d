import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreDialect } from '../database.js';

/** The PostgreSQL server the tests use, when set: `postgres://user@host:port/database` (trust auth or PGPASSWORD). */
export const POSTGRES_URL_VARIABLE = 'QUANT_TEST_POSTGRES_URL';

/** A fresh, empty database for one test, and how to remove it. */
export interface TestDatabase {
  /** The `store.url` of the database. */
  readonly url: string;
  /** Removes the database (after the test closed its stores). */
  drop(): Promise<void>;
}

/** One database kind the suite runs on. */
export interface TestDialect {
  readonly dialect: StoreDialect;
  /** Makes a fresh database. */
  create(): Promise<TestDatabase>;
}

const sqlite: TestDialect = {
  dialect: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'quant-store-'));
    return { url: join(dir, 'quant.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

/** PostgreSQL: each test gets a database of its own, created from the server's URL and dropped afterwards. */
function postgres(serverUrl: string): TestDialect {
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    dialect: 'postgres',
    async create() {
      const name = `quant_store_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      await admin((client) => client.query(`create database ${name}`));
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
      };
    },
  };
}

/**
 * The databases to run the store's suite on: SQLite always; PostgreSQL when {@link POSTGRES_URL_VARIABLE} is set
 * (an unreachable server then fails the tests), otherwise a message says how to run them.
 */
export function testDialects(): TestDialect[] {
  const url = process.env[POSTGRES_URL_VARIABLE];
  if (url === undefined || url === '') {
    console.warn(
      `@quant/store: the PostgreSQL tests are skipped: set ${POSTGRES_URL_VARIABLE}=postgres://postgres@127.0.0.1:5432/test ` +
        '(a server where that user may create databases) to run them.',
    );
    return [sqlite];
  }
  return [sqlite, postgres(url)];
}
