import { rmSync } from 'node:fs';
import type { BaseEvent } from '@quant/core';
import Database from 'better-sqlite3';
import { envelopeOf } from '../src/envelope.js';
import { EventStore } from '../src/event-store.js';
import type { TestDialect } from '../src/test-support/databases.js';

/** Events appended per measurement: enough for a steady rate, few enough for a short bench. */
const EVENTS_PER_RUN = 30_000;

/** The append rate of one kind of batch on one database. */
export interface AppendRate {
  readonly batches: number;
  readonly events: number;
  readonly mean_batch_events: number;
  readonly ms: number;
  readonly events_per_second: number;
  readonly transactions_per_second: number;
}

/** The first batches holding up to {@link EVENTS_PER_RUN} events, repeated (with new ids) if there are fewer. */
function workload(batches: readonly BaseEvent[][]): BaseEvent[][] {
  const chosen: BaseEvent[][] = [];
  let events = 0;
  for (let round = 0; events < EVENTS_PER_RUN; round++) {
    for (const batch of batches) {
      chosen.push(round === 0 ? batch : batch.map((event) => ({ ...event, id: `${event.id}~${round}` })));
      events += batch.length;
      if (events >= EVENTS_PER_RUN) break;
    }
  }
  return chosen;
}

/** Appends `batches` in order, one `append` (one transaction) each, to a fresh database; returns the rate. */
export async function measureAppend(dialect: TestDialect, batches: readonly BaseEvent[][]): Promise<AppendRate> {
  const work = workload(batches);
  const database = await dialect.create();
  const store = await EventStore.open(database.url);
  try {
    await store.startRun({ runId: 'bench', botId: 'bench', startedAt: 0 });
    const t0 = performance.now();
    for (const batch of work) await store.append(batch);
    const ms = performance.now() - t0;
    const events = work.reduce((sum, batch) => sum + batch.length, 0);
    return {
      batches: work.length,
      events,
      mean_batch_events: events / work.length,
      ms,
      events_per_second: (events / ms) * 1000,
      transactions_per_second: (work.length / ms) * 1000,
    };
  } finally {
    await store.close();
    await database.drop();
  }
}

/**
 * The floor of a SQLite append on this machine: the same batches into the same schema (opened by the store, so
 * the same indexes, WAL and `synchronous = NORMAL`) with better-sqlite3's prepared statements and nothing else —
 * no duplicate check, no projections, no kysely. One transaction per batch, as the store does.
 */
export async function measureSqliteFloor(file: string, batches: readonly BaseEvent[][]): Promise<AppendRate> {
  const work = workload(batches);
  await (await EventStore.open(file)).close();
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const insert = db.prepare(
      'insert into events (seq, id, type, stream, schema_version, timestamp, correlation_id, causation_id, severity, symbol, strategy, payload) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const begin = db.prepare('begin immediate');
    const commit = db.prepare('commit');
    let seq = 0;
    const t0 = performance.now();
    for (const batch of work) {
      begin.run();
      for (const event of batch) {
        const row = envelopeOf(event, 'bench');
        insert.run(
          ++seq,
          row.id,
          row.type,
          row.stream,
          row.schema_version,
          row.timestamp,
          row.correlation_id,
          row.causation_id,
          row.severity,
          row.symbol,
          row.strategy,
          row.payload,
        );
      }
      commit.run();
    }
    const ms = performance.now() - t0;
    return {
      batches: work.length,
      events: seq,
      mean_batch_events: seq / work.length,
      ms,
      events_per_second: (seq / ms) * 1000,
      transactions_per_second: (work.length / ms) * 1000,
    };
  } finally {
    db.close();
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
  }
}
