import { statSync } from 'node:fs';
import { sql } from 'kysely';
import type { Connection } from './database.js';

/** What the store holds and how big it is, as {@link EventStore.stats} reports it. */
export interface StoreStats {
  /** `sqlite` or `postgres`. */
  readonly dialect: 'sqlite' | 'postgres';
  /** The database as it may be logged (the SQLite path, or the PostgreSQL URL without a password). */
  readonly location: string;
  /**
   * Bytes on disk: the SQLite file and its write-ahead log (`page_count × page_size` plus the WAL's size), or
   * PostgreSQL's `pg_database_size` of the current database.
   */
  readonly sizeBytes: number;
  /** The last sequence number given: events ever appended (pruned market data included). */
  readonly lastSeq: number;
  /** Orders in the projection, by status (`new`, `open`, `filled`, `cancelled`, `rejected`, `unknown`, …). */
  readonly ordersByStatus: Readonly<Record<string, number>>;
  /** Fills recorded. */
  readonly fills: number;
  /** Positions open now. */
  readonly openPositions: number;
  /** Positions closed. */
  readonly closedPositions: number;
  /** Runs recorded (one per start of a bot). */
  readonly runs: number;
}

const count = (rows: readonly { count: number | string | bigint }[]): number => Number(rows[0]?.count ?? 0);

/** The size of a SQLite file's write-ahead log, 0 when it has none (`:memory:`, or checkpointed away). */
function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

/** Reads {@link StoreStats}: small aggregate queries on the projections, none over the event log. @internal */
export async function readStoreStats(connection: Connection): Promise<StoreStats> {
  const { db, dialect } = connection;
  const orderRows = await db
    .selectFrom('orders')
    .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
    .groupBy('status')
    .orderBy('status')
    .execute();
  const positionRows = await db
    .selectFrom('positions')
    .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
    .groupBy('status')
    .execute();
  const fills = count(
    await db
      .selectFrom('fills')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .execute(),
  );
  const runs = count(
    await db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .execute(),
  );
  const lastSeq = await db.selectFrom('counters').select('value').where('name', '=', 'global').executeTakeFirst();
  let sizeBytes: number;
  if (dialect === 'sqlite') {
    const pages = await sql<{ page_count: number }>`pragma page_count`.execute(db);
    const pageSize = await sql<{ page_size: number }>`pragma page_size`.execute(db);
    sizeBytes =
      Number(pages.rows[0]?.page_count ?? 0) * Number(pageSize.rows[0]?.page_size ?? 0) + walBytes(connection.display);
  } else {
    const size = await sql<{ size: string }>`select pg_database_size(current_database()) as size`.execute(db);
    sizeBytes = Number(size.rows[0]?.size ?? 0);
  }
  const byStatus = (rows: readonly { status: string; count: number | string | bigint }[], status: string) =>
    Number(rows.find((row) => row.status === status)?.count ?? 0);
  return {
    dialect,
    location: connection.display,
    sizeBytes,
    lastSeq: Number(lastSeq?.value ?? 0),
    ordersByStatus: Object.fromEntries(orderRows.map((row) => [row.status, Number(row.count)])),
    fills,
    openPositions: byStatus(positionRows, 'open'),
    closedPositions: byStatus(positionRows, 'closed'),
    runs,
  };
}
