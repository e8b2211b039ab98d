import { existsSync } from 'node:fs';
import type { BaseEvent, Fill, OrderOrigin, TradingEventPayloads } from '@quant/core';
import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  Migrator,
  type Selectable,
  type SqlBool,
  sql,
} from 'kysely';
import { AppendStatements } from './append-statements.js';
import {
  analyze,
  backupSqlite,
  type Connection,
  type ConnectOptions,
  connect,
  DEFAULT_STORE_URL,
  hasMigrationTable,
  lockCounter,
  parseStoreUrl,
  type StoreDialect,
} from './database.js';
import { envelopeOf, MARKET_DATA_EVENT_TYPES, SEVERITIES, type Severity } from './envelope.js';
import { MIGRATIONS } from './migrations.js';
import { NotificationOutbox } from './outbox.js';
import { PROJECTED_EVENT_TYPES, project } from './projections.js';
import { message, StoreError, writeFailed } from './store-error.js';
import type { EventRow, RunsTable, StoreSchema } from './store-schema.js';
import { readStoreStats, type StoreStats } from './store-stats.js';
import type {
  AppendResult,
  EventFilter,
  EventPage,
  EventSummary,
  ExecutionState,
  PageOptions,
  RecoveryEvent,
  RunEnd,
  RunRecord,
  RunStart,
  StoredEvent,
  StoredFill,
  StoredOrder,
  StoredPosition,
} from './store-types.js';

/** Options of {@link EventStore.open}. */
export type OpenStoreOptions = ConnectOptions;

/** Events read per statement when rebuilding the projections. */
const REBUILD_PAGE = 1000;
const HOUR_MS = 3_600_000;

/**
 * The event store: an append-only log of every event with a gap-free global sequence number, and the
 * projections of orders, fills, positions and runs kept in step with it, on SQLite or PostgreSQL.
 *
 * Every write is one transaction: an append writes its events and the projection rows they change together, or
 * nothing. Times are ms since epoch, UTC; the store never reads the clock itself.
 *
 * @example
 * ```ts
 * import { type BaseEvent, EventBus } from '@quant/core';
 * import { EventStore } from '@quant/store';
 *
 * const store = await EventStore.open('data/quant.db'); // or 'postgres://bot@db.example:5432/quant'
 * const bus = new EventBus();
 * await store.startRun({ runId: 'run-1', botId: 'btc-bot', startedAt: Date.now() });
 * const batch: BaseEvent[] = [];
 * bus.subscribe('*', (event) => {
 *   batch.push(event);
 * });
 * // … after each cycle, its events in one transaction:
 * await store.append(batch.splice(0));
 * const page = await store.events({ types: ['OrderFilled'], symbol: 'BTCUSDT' }, { limit: 50 });
 * console.log(page.events.length, page.next);
 * await store.endRun('run-1', 'clean', Date.now());
 * await store.close();
 * ```
 */
export class EventStore {
  readonly #connection: Connection;
  readonly #statements: AppendStatements;
  #runId: string | null = null;
  #closed = false;
  #outbox: NotificationOutbox | undefined;

  private constructor(connection: Connection) {
    this.#connection = connection;
    this.#statements = new AppendStatements(connection.db);
  }

  /**
   * Opens (creating it if needed) the store that `url` names, and brings its schema up to date.
   *
   * SQLite: the file (and its folder) is created, in WAL mode with the `synchronous` option (`NORMAL` by
   * default); transactions begin with `BEGIN IMMEDIATE`. PostgreSQL: the password comes from `PGPASSWORD`.
   * @param url - a SQLite file path or a `postgres://` URL; {@link DEFAULT_STORE_URL} by default.
   * @param options - SQLite's `synchronous`, the lock or connection timeout, the pool size.
   * @throws {@link StoreError} `STORE_BAD_URL`, `STORE_UNREACHABLE`, `STORE_DATABASE_NEWER` (the database was
   *   migrated by a newer version: it is left untouched) or `STORE_MIGRATION_FAILED`.
   */
  static async open(url: string = DEFAULT_STORE_URL, options: OpenStoreOptions = {}): Promise<EventStore> {
    const connection = await connect(parseStoreUrl(url), options);
    try {
      await migrate(connection);
    } catch (error) {
      await connection.db.destroy().catch(() => {});
      throw error;
    }
    return new EventStore(connection);
  }

  /** Which database the store is on. */
  get dialect(): StoreDialect {
    return this.#connection.dialect;
  }

  /** The database as it may be logged: the SQLite path, or the PostgreSQL URL (which holds no password). */
  get location(): string {
    return this.#connection.display;
  }

  /**
   * The notification outbox kept in this store (see {@link NotificationOutbox}); its calls throw `STORE_CLOSED`
   * once the store is closed.
   */
  get outbox(): NotificationOutbox {
    this.#outbox ??= new NotificationOutbox(() => this.#open());
    return this.#outbox;
  }

  /** Closes the connection (or pool). Idempotent; any later call throws `STORE_CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.db.destroy();
  }

  /**
   * Appends events in one transaction: each gets the next global sequence number, in the order given, and the
   * projections they change are updated in the same transaction. An event whose id is already stored (or repeated
   * in the batch) is skipped, without using a sequence number; so appending a batch twice stores it once.
   * @param events - the events, e.g. one cycle's, in the order they were published.
   * @throws {@link StoreError} `STORE_WRITE_FAILED` (nothing of the batch is written, and no sequence number is
   *   used), `STORE_CLOSED`.
   */
  async append(events: readonly BaseEvent[]): Promise<AppendResult> {
    const db = this.#open();
    const unique = new Map<string, BaseEvent>();
    for (const event of events) if (!unique.has(event.id)) unique.set(event.id, event);
    const none = { appended: 0, duplicates: events.length, firstSeq: null, lastSeq: null };
    if (unique.size === 0) return none;
    const runId = this.#runId;
    try {
      const rows = [...unique.values()].map((event) => ({ event, row: envelopeOf(event, runId) }));
      return await db.transaction().execute(async (trx) => {
        await lockCounter(trx, this.#connection.dialect);
        const stored = new Set<string>();
        for (const lookup of this.#statements.lookups([...unique.keys()])) {
          for (const { id } of (await trx.executeQuery(lookup)).rows) stored.add(id);
        }
        const fresh = rows.filter(({ event }) => !stored.has(event.id));
        if (fresh.length === 0) return none;
        const { value } = await trx
          .updateTable('counters')
          .set((eb) => ({ value: eb('value', '+', fresh.length) }))
          .where('name', '=', 'global')
          .returning('value')
          .executeTakeFirstOrThrow();
        const firstSeq = value - fresh.length + 1;
        const numbered = fresh.map(({ event, row }, index) => ({ event, row: { ...row, seq: firstSeq + index } }));
        for (const insert of this.#statements.inserts(numbered.map(({ row }) => row))) await trx.executeQuery(insert);
        for (const { event, row } of numbered) {
          await project(trx, { seq: row.seq, type: row.type, payload: event as unknown as Record<string, unknown> });
        }
        return { appended: fresh.length, duplicates: events.length - fresh.length, firstSeq, lastSeq: value };
      });
    } catch (error) {
      throw writeFailed(error, `append of ${events.length} events`);
    }
  }

  /**
   * Records the start of a run; the events appended until {@link EventStore.endRun} go to its stream `run-<runId>`
   * (those of an order or a position go to that order's or position's stream).
   *
   * In the same transaction, the runs of the same bot that never ended (the process was killed, or the machine
   * went down) are ended as `crashed` at their last heartbeat, each with a `run_crashed` recovery event: crash
   * recovery starts from what this returns.
   * @param run - the run's id, the bot's id, and the start, ms since epoch, UTC.
   * @returns the bot's previous run (as it ended) and the runs found crashed.
   * @throws {@link StoreError} `STORE_WRITE_FAILED` (e.g. a run of that id exists), `STORE_CLOSED`.
   */
  async startRun(run: {
    readonly runId: string;
    readonly botId: string;
    readonly startedAt: number;
  }): Promise<RunStart> {
    const db = this.#open();
    let crashed: RunRecord[];
    let previous: RunRecord | null = null;
    try {
      crashed = await db.transaction().execute(async (trx) => {
        const open = await trx
          .selectFrom('runs')
          .selectAll()
          .where('bot_id', '=', run.botId)
          .where('ended_at', 'is', null)
          .orderBy('started_at')
          .orderBy('run_id')
          .execute();
        const ended = open.map((row) => ({
          ...toRunRecord(row),
          endedAt: row.last_heartbeat_at,
          endReason: 'crashed' as const,
        }));
        for (const record of ended) {
          await trx
            .updateTable('runs')
            .set({ ended_at: record.endedAt, end_reason: 'crashed' })
            .where('run_id', '=', record.runId)
            .execute();
          await insertRecovery(trx, {
            id: `run_crashed:${record.runId}`,
            runId: run.runId,
            timestamp: run.startedAt,
            kind: 'run_crashed',
            detail: {
              crashedRunId: record.runId,
              startedAt: record.startedAt,
              lastHeartbeatAt: record.lastHeartbeatAt,
            },
          });
        }
        const last = await trx
          .selectFrom('runs')
          .selectAll()
          .where('bot_id', '=', run.botId)
          .orderBy('started_at', 'desc')
          .orderBy('run_id', 'desc')
          .limit(1)
          .executeTakeFirst();
        previous = last === undefined ? null : toRunRecord(last);
        await trx
          .insertInto('runs')
          .values({
            run_id: run.runId,
            bot_id: run.botId,
            started_at: run.startedAt,
            last_heartbeat_at: run.startedAt,
            ended_at: null,
            end_reason: null,
          })
          .execute();
        return ended;
      });
    } catch (error) {
      throw writeFailed(error, `start of run ${run.runId}`);
    }
    this.#runId = run.runId;
    return { previous, crashed };
  }

  /**
   * Adds an entry to the recovery log; one whose id is stored already is left as it was.
   * @param event - the entry.
   * @throws {@link StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED`.
   */
  async recordRecovery(event: RecoveryEvent): Promise<void> {
    const db = this.#open();
    try {
      await insertRecovery(db, event);
    } catch (error) {
      throw writeFailed(error, `recovery event ${event.id}`);
    }
  }

  /**
   * The recovery log, oldest first.
   * @param runId - only the entries of this run (the one that recorded them).
   * @throws {@link StoreError} `STORE_CLOSED`.
   */
  async recoveryEvents(runId?: string): Promise<RecoveryEvent[]> {
    let query = this.#open().selectFrom('recovery_events').selectAll();
    if (runId !== undefined) query = query.where('run_id', '=', runId);
    const rows = await query.orderBy('timestamp').orderBy('id').execute();
    return rows.map((row) => ({
      id: row.id,
      runId: row.run_id,
      timestamp: row.timestamp,
      kind: row.kind,
      detail: JSON.parse(row.detail),
    }));
  }

  /**
   * Records that a run is alive.
   * @param runId - the run.
   * @param atMs - the time, ms since epoch, UTC.
   * @throws {@link StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED`.
   */
  async heartbeat(runId: string, atMs: number): Promise<void> {
    const db = this.#open();
    try {
      await db.updateTable('runs').set({ last_heartbeat_at: atMs }).where('run_id', '=', runId).execute();
    } catch (error) {
      throw writeFailed(error, `heartbeat of run ${runId}`);
    }
  }

  /**
   * Records the end of a run and how it ended.
   * @param runId - the run.
   * @param end - `clean` or `crashed`.
   * @param atMs - the time it ended, ms since epoch, UTC.
   * @throws {@link StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED`.
   */
  async endRun(runId: string, end: RunEnd, atMs: number): Promise<void> {
    const db = this.#open();
    try {
      await db
        .updateTable('runs')
        .set({ ended_at: atMs, end_reason: end, last_heartbeat_at: atMs })
        .where('run_id', '=', runId)
        .execute();
    } catch (error) {
      throw writeFailed(error, `end of run ${runId}`);
    }
    if (this.#runId === runId) this.#runId = null;
  }

  /**
   * Rebuilds the orders, fills and positions projections from the log, in one transaction (readers see the old
   * rows or the new ones). Runs are not projections of events and are left as they are.
   * @returns how many events were replayed.
   * @throws {@link StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED`.
   */
  async rebuildProjections(): Promise<number> {
    const db = this.#open();
    try {
      return await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('orders').execute();
        await trx.deleteFrom('fills').execute();
        await trx.deleteFrom('positions').execute();
        let after = 0;
        let replayed = 0;
        for (;;) {
          const rows = await trx
            .selectFrom('events')
            .select(['seq', 'type', 'payload'])
            .where('type', 'in', PROJECTED_EVENT_TYPES)
            .where('seq', '>', after)
            .orderBy('seq')
            .limit(REBUILD_PAGE)
            .execute();
          for (const row of rows) {
            await project(trx, { seq: row.seq, type: row.type, payload: JSON.parse(row.payload) });
            after = row.seq;
          }
          replayed += rows.length;
          if (rows.length < REBUILD_PAGE) return replayed;
        }
      });
    } catch (error) {
      throw writeFailed(error, 'rebuild of the projections');
    }
  }

  /**
   * A page of the events a filter selects, in sequence order.
   * @param filter - which events (every criterion must hold).
   * @param page - `after`: the cursor (0, then the last page's `next`); `limit`: 1 to 10 000, 100 by default.
   * @throws {@link StoreError} `STORE_CLOSED`.
   */
  async events(filter: EventFilter = {}, page: PageOptions = {}): Promise<EventPage> {
    const db = this.#open();
    const limit = Math.max(1, Math.min(10_000, Math.floor(page.limit ?? 100)));
    const rows = await db
      .selectFrom('events')
      .selectAll()
      .where((eb) => matches(eb, filter))
      .where('seq', '>', page.after ?? 0)
      .orderBy('seq')
      .limit(limit + 1)
      .execute();
    const events = rows.slice(0, limit).map(toStoredEvent);
    return { events, next: rows.length > limit ? (events.at(-1)?.seq ?? null) : null };
  }

  /**
   * Every event a filter selects, in sequence order, read a page at a time (memory stays bounded however long the
   * log): what an export, a report or a projection of your own reads.
   * @param filter - which events.
   * @param from - `after`: start after this sequence number (0 by default); `pageSize`: events read per statement,
   *   1 to 10 000 (1 000 by default).
   * @throws {@link StoreError} `STORE_CLOSED`.
   * @example
   * ```ts
   * for await (const event of store.scan({ types: ['OrderFilled'] })) console.log(event.seq, event.payload);
   * ```
   */
  async *scan(
    filter: EventFilter = {},
    from: { readonly after?: number; readonly pageSize?: number } = {},
  ): AsyncGenerator<StoredEvent, void, undefined> {
    let after: number | null = from.after ?? 0;
    while (after !== null) {
      const page = await this.events(filter, { after, limit: from.pageSize ?? 1000 });
      yield* page.events;
      after = page.next;
    }
  }

  /**
   * Counts the events a filter selects: in all, by type, by severity and by hour (UTC).
   * @param filter - which events.
   * @throws {@link StoreError} `STORE_CLOSED`.
   */
  async summary(filter: EventFilter = {}): Promise<EventSummary> {
    const db = this.#open();
    const base = db.selectFrom('events').where((eb) => matches(eb, filter));
    const byTypeRows = await base
      .select((eb) => ['type', eb.fn.countAll<number>().as('count')])
      .groupBy('type')
      .orderBy('type')
      .execute();
    const bySeverityRows = await base
      .select((eb) => ['severity', eb.fn.countAll<number>().as('count')])
      .groupBy('severity')
      .execute();
    const hour = sql<number>`(${sql.ref('timestamp')} / ${sql.lit(HOUR_MS)}) * ${sql.lit(HOUR_MS)}`;
    const byHourRows = await base
      .select((eb) => [hour.as('hour_start'), eb.fn.countAll<number>().as('count')])
      .groupBy(hour)
      .orderBy(hour)
      .execute();
    const byType: Record<string, number> = {};
    for (const row of byTypeRows) byType[row.type] = Number(row.count);
    const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
    for (const row of bySeverityRows) bySeverity[row.severity as Severity] = Number(row.count);
    return {
      total: Object.values(byType).reduce((sum, count) => sum + count, 0),
      byType,
      bySeverity,
      byHour: byHourRows.map((row) => ({ hourStartMs: Number(row.hour_start), count: Number(row.count) })),
    };
  }

  /** The orders projection, by client order id. @throws {@link StoreError} `STORE_CLOSED`. */
  async orders(): Promise<StoredOrder[]> {
    const rows = await this.#open().selectFrom('orders').selectAll().orderBy('client_order_id').execute();
    return rows.map((row) => ({
      clientOrderId: row.client_order_id,
      orderId: row.order_id,
      symbol: row.symbol,
      side: row.side as StoredOrder['side'],
      direction: row.direction as StoredOrder['direction'],
      intent: row.intent as StoredOrder['intent'],
      purpose: row.purpose as StoredOrder['purpose'],
      type: row.type as StoredOrder['type'],
      timeInForce: row.time_in_force as StoredOrder['timeInForce'],
      quantity: row.quantity,
      filledQuantity: row.filled_quantity,
      averagePrice: row.average_price,
      limitPrice: row.limit_price,
      triggerPrice: row.trigger_price,
      status: row.status as StoredOrder['status'],
      reason: row.reason,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      strategyName: row.strategy_name,
      lastSeq: row.last_seq,
    }));
  }

  /** The fills projection, in sequence order. @throws {@link StoreError} `STORE_CLOSED`. */
  async fills(): Promise<StoredFill[]> {
    const rows = await this.#open().selectFrom('fills').selectAll().orderBy('seq').orderBy('fill_id').execute();
    return rows.map((row) => ({
      fillId: row.fill_id,
      orderId: row.order_id,
      clientOrderId: row.client_order_id,
      symbol: row.symbol,
      side: row.side as StoredFill['side'],
      quantity: row.quantity,
      price: row.price,
      fee: row.fee,
      timestamp: row.timestamp,
      seq: row.seq,
    }));
  }

  /** The positions projection, by position id. @throws {@link StoreError} `STORE_CLOSED`. */
  async positions(): Promise<StoredPosition[]> {
    const rows = await this.#open().selectFrom('positions').selectAll().orderBy('position_id').execute();
    return rows.map((row) => ({
      positionId: row.position_id,
      symbol: row.symbol,
      direction: row.direction as StoredPosition['direction'],
      status: row.status as StoredPosition['status'],
      quantity: row.quantity,
      entryPrice: row.entry_price,
      openedAt: row.opened_at,
      closedAt: row.closed_at,
      realizedPnl: row.realized_pnl,
      closedPnl: row.closed_pnl,
      markPrice: row.mark_price,
      unrealizedPnl: row.unrealized_pnl,
      fees: row.fees,
      strategyName: row.strategy_name,
      lastSeq: row.last_seq,
    }));
  }

  /**
   * What a restarted bot rebuilds its trading state from (the `ExecutionRecord` of `@quant/services`, but for how
   * the previous run ended, which {@link EventStore.startRun} reports): the first `CapitalSet` (capital, the
   * venue's balances then, and when), every order in the order it was first recorded, with the `origin` of its
   * `OrderSubmitted`, every fill in sequence order, and the external fills and time of the recorded
   * `ReconciliationCompleted` events.
   * @throws {@link StoreError} `STORE_CLOSED`.
   */
  async executionState(): Promise<ExecutionState> {
    const [capitalPage, stored, fills] = await Promise.all([
      this.events({ types: ['CapitalSet'] }, { limit: 1 }),
      this.orders(),
      this.fills(),
    ]);
    const origins = new Map<string, OrderOrigin>();
    const firstSeq = new Map<string, number>();
    for await (const event of this.scan({ types: ['OrderSubmitted'] })) {
      const { order, origin } = event.payload as { order: { clientOrderId: string }; origin?: OrderOrigin };
      if (origin !== undefined) origins.set(order.clientOrderId, origin);
      if (!firstSeq.has(order.clientOrderId)) firstSeq.set(order.clientOrderId, event.seq);
    }
    const externalFills: Fill[] = [];
    let reconciledAt: number | null = null;
    for await (const event of this.scan({ types: ['ReconciliationCompleted'] })) {
      externalFills.push(...((event.payload.externalFills as Fill[] | undefined) ?? []));
      reconciledAt = event.timestamp;
    }
    const first = (order: StoredOrder) => firstSeq.get(order.clientOrderId) ?? order.lastSeq;
    const orders = stored
      .sort((a, b) => first(a) - first(b))
      .map(({ reason: _reason, lastSeq: _lastSeq, ...order }) => ({
        order,
        origin: origins.get(order.clientOrderId) ?? null,
      }));
    const capitalEvent = capitalPage.events[0];
    const capital =
      capitalEvent === undefined
        ? null
        : { ...(capitalEvent.payload as unknown as TradingEventPayloads['CapitalSet']), at: capitalEvent.timestamp };
    return { capital, orders, fills: fills.map(({ seq: _seq, ...fill }) => fill), externalFills, reconciledAt };
  }

  /**
   * What the store holds and its size on disk ({@link StoreStats}): orders by status, fills, positions, runs, the
   * last sequence number. Small aggregates of the projections, none over the event log: cheap enough for a health
   * check. @throws {@link StoreError} `STORE_CLOSED`.
   */
  async stats(): Promise<StoreStats> {
    return readStoreStats({ ...this.#connection, db: this.#open() });
  }

  /** The runs, oldest first. @throws {@link StoreError} `STORE_CLOSED`. */
  async runs(): Promise<RunRecord[]> {
    const rows = await this.#open().selectFrom('runs').selectAll().orderBy('started_at').orderBy('run_id').execute();
    return rows.map(toRunRecord);
  }

  /**
   * The migrations applied to the database, oldest first (e.g. `['0001_event_log', '0002_projections']`): the last
   * is the schema's version. @throws {@link StoreError} `STORE_CLOSED`.
   */
  async migrations(): Promise<string[]> {
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(this.#open());
    return rows.rows.map((row) => row.name);
  }

  /** The last sequence number given (0 for an empty log). @throws {@link StoreError} `STORE_CLOSED`. */
  async lastSeq(): Promise<number> {
    const row = await this.#open()
      .selectFrom('counters')
      .select('value')
      .where('name', '=', 'global')
      .executeTakeFirstOrThrow();
    return row.value;
  }

  /**
   * Deletes the market-data events ({@link MARKET_DATA_EVENT_TYPES}) older than a time; trading events are never
   * deleted. Sequence numbers are not reused: the deleted events leave holes.
   * @param beforeMs - delete those with a timestamp before this, ms since epoch, UTC (e.g. `now - 30 * 86_400_000`).
   * @returns how many events were deleted.
   * @throws {@link StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED`.
   */
  async pruneMarketData(beforeMs: number): Promise<number> {
    const db = this.#open();
    try {
      const result = await db
        .deleteFrom('events')
        .where('type', 'in', MARKET_DATA_EVENT_TYPES)
        .where('timestamp', '<', beforeMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    } catch (error) {
      throw writeFailed(error, 'prune of market data');
    }
  }

  /**
   * Refreshes the statistics the database's query planner chooses indexes by (SQLite: `ANALYZE` on a sample of
   * each index; PostgreSQL: `ANALYZE` of the store's tables, which autovacuum also does). Without them a store that
   * grew fast (a bulk import, a replay) may scan the log for a query an index answers. Cheap; run it daily.
   * @throws {@link StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED`.
   */
  async optimize(): Promise<void> {
    this.#open();
    try {
      await analyze(this.#connection);
    } catch (error) {
      throw writeFailed(error, 'refresh of the planner statistics');
    }
  }

  /**
   * Writes a consistent copy of a SQLite store to a new file, online (`VACUUM INTO`: appends wait for it, readers
   * do not). For PostgreSQL use `pg_dump` (see `docs/STORE.md`).
   * @param file - the backup's path; it must not exist.
   * @throws {@link StoreError} `STORE_BACKUP_FAILED` (PostgreSQL, the file exists, the copy failed), `STORE_CLOSED`.
   */
  async backup(file: string): Promise<void> {
    this.#open();
    if (this.#connection.dialect !== 'sqlite') {
      throw new StoreError(
        'STORE_BACKUP_FAILED',
        'backup() copies SQLite stores only: back up PostgreSQL with pg_dump',
      );
    }
    if (existsSync(file)) throw new StoreError('STORE_BACKUP_FAILED', `the backup file ${file} exists already`);
    try {
      await backupSqlite(this.#connection, file);
    } catch (error) {
      throw new StoreError('STORE_BACKUP_FAILED', `backup to ${file} failed: ${message(error)}`, { cause: error });
    }
  }

  #open() {
    if (this.#closed) throw new StoreError('STORE_CLOSED', `the store ${this.#connection.display} is closed`);
    return this.#connection.db;
  }
}

/** Refuses a database migrated by a newer version, then applies the migrations it lacks. */
async function migrate(connection: Connection): Promise<void> {
  if (await hasMigrationTable(connection)) {
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(connection.db);
    const unknown = applied.rows.map((row) => row.name).filter((name) => !(name in MIGRATIONS));
    if (unknown.length > 0) {
      throw new StoreError(
        'STORE_DATABASE_NEWER',
        `the database ${connection.display} was migrated by a newer version of @quant/store (unknown migrations: ${unknown.join(', ')}); upgrade the bot to open it`,
      );
    }
  }
  const migrator = new Migrator({
    db: connection.db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
    ...(connection.migrationSchema === undefined ? {} : { migrationTableSchema: connection.migrationSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError(
      'STORE_MIGRATION_FAILED',
      `migration ${failed} of ${connection.display} failed: ${message(error)}`,
      { cause: error },
    );
  }
}

/** The conditions of a filter. */
function matches(eb: ExpressionBuilder<StoreSchema, 'events'>, filter: EventFilter): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  if (filter.types !== undefined) conditions.push(oneOf(eb, 'type', filter.types));
  if (filter.severities !== undefined) conditions.push(oneOf(eb, 'severity', filter.severities));
  if (filter.symbol !== undefined) conditions.push(eb('symbol', '=', filter.symbol));
  if (filter.strategy !== undefined) conditions.push(eb('strategy', '=', filter.strategy));
  if (filter.correlationId !== undefined) conditions.push(eb('correlation_id', '=', filter.correlationId));
  if (filter.stream !== undefined) conditions.push(eb('stream', '=', filter.stream));
  if (filter.fromMs !== undefined) conditions.push(eb('timestamp', '>=', filter.fromMs));
  if (filter.toMs !== undefined) conditions.push(eb('timestamp', '<', filter.toMs));
  return eb.and(conditions);
}

/** `column in (values)`; an empty list matches nothing (`in ()` is not SQL). */
function oneOf(
  eb: ExpressionBuilder<StoreSchema, 'events'>,
  column: 'type' | 'severity',
  values: readonly string[],
): Expression<SqlBool> {
  return values.length === 0 ? sql<SqlBool>`1 = 0` : eb(column, 'in', values);
}

function toRunRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    runId: row.run_id,
    botId: row.bot_id,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    endedAt: row.ended_at,
    endReason: row.end_reason as RunEnd | null,
  };
}

/** Inserts a recovery event unless its id is stored. */
async function insertRecovery(db: Kysely<StoreSchema>, event: RecoveryEvent): Promise<void> {
  await db
    .insertInto('recovery_events')
    .values({
      id: event.id,
      run_id: event.runId,
      timestamp: event.timestamp,
      kind: event.kind,
      detail: JSON.stringify(event.detail),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    stream: row.stream,
    schemaVersion: row.schema_version,
    timestamp: row.timestamp,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    severity: row.severity as Severity,
    symbol: row.symbol,
    strategy: row.strategy,
    payload: JSON.parse(row.payload),
  };
}
