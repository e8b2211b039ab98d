import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BaseEvent, type Order, SimulatedClock, type TradingEventPayloads } from '@quant/core';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MARKET_DATA_EVENT_TYPES } from './envelope.js';
import { EventStore } from './event-store.js';
import { runLiveness } from './run-liveness.js';
import { StoreError } from './store-error.js';
import type { RunRecord } from './store-types.js';
import { type TestDatabase, testDialects } from './test-support/databases.js';
import { march, realEventBatches } from './test-support/real-stream.js';

/** An event of type `type` with the given payload, at `timestamp`, in the unit of work `correlationId`. */
function event(
  id: string,
  type: string,
  payload: Record<string, unknown> = {},
  timestamp = march(1),
  correlationId = 'c-1',
) {
  return { id, type, timestamp, correlationId, causationId: null, ...payload } as BaseEvent;
}

/** Runs one statement on a store's database without the store; returns its rows. */
async function execRaw(url: string, statement: string): Promise<unknown[]> {
  if (url.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(statement)).rows;
    } finally {
      await client.end();
    }
  }
  const handle = new Database(url);
  try {
    const prepared = handle.prepare(statement);
    return prepared.reader ? prepared.all() : (prepared.run(), []);
  } finally {
    handle.close();
  }
}

const expectCode = async (promise: Promise<unknown>, code: string) => {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(StoreError.isInstance(error), `expected a StoreError ${code}, got ${String(error)}`).toBe(true);
  expect((error as StoreError).code).toBe(code);
  return error as StoreError;
};

let realBatches: BaseEvent[][] = [];
beforeAll(async () => {
  realBatches = await realEventBatches(march(1), march(4));
}, 120_000);

describe.each(testDialects())('EventStore on $dialect', ({ create }) => {
  // Each test gets a fresh database when it opens its first store; it is dropped after the test.
  let database: TestDatabase | undefined;
  const opened: EventStore[] = [];
  const fresh = async () => {
    database ??= await create();
    return database;
  };
  const open = async () => {
    const store = await EventStore.open((await fresh()).url);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await database?.drop();
    database = undefined;
  });

  describe('migrations', () => {
    it('creates the schema once and opens it again without migrating', async () => {
      const store = await open();
      expect(await store.lastSeq()).toBe(0);
      await store.append([event('e1', 'ServiceStarted', { service: 'a' })]);
      await store.close();
      const again = await open();
      expect(await again.lastSeq()).toBe(1);
      expect(await again.migrations()).toEqual([
        '0001_event_log',
        '0002_projections',
        '0003_events_strategy_index',
        '0004_events_symbol_type_index',
        '0005_notification_outbox',
      ]);
    });

    it('refuses a database migrated by a newer version, naming the unknown migration', async () => {
      await (await open()).close();
      await execRaw(
        (await fresh()).url,
        `insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`,
      );
      const error = await expectCode(EventStore.open((await fresh()).url), 'STORE_DATABASE_NEWER');
      expect(error.message).toContain('9999_from_the_future');
    });
  });

  describe('append', () => {
    it('numbers events 1, 2, 3… and stores an event id once, whatever is appended again', async () => {
      const store = await open();
      const batch = [event('a', 'ServiceStarted'), event('b', 'ServiceStarted'), event('c', 'ServiceStarted')];
      expect(await store.append(batch)).toEqual({ appended: 3, duplicates: 0, firstSeq: 1, lastSeq: 3 });
      expect(await store.append(batch)).toEqual({ appended: 0, duplicates: 3, firstSeq: null, lastSeq: null });
      const mixed = [
        event('b', 'ServiceStarted'),
        event('d', 'ServiceStarted'),
        event('d', 'ServiceStarted'),
        event('e', 'ServiceStarted'),
      ];
      expect(await store.append(mixed)).toEqual({ appended: 2, duplicates: 2, firstSeq: 4, lastSeq: 5 });
      const { events } = await store.events();
      expect(events.map((e) => [e.seq, e.id])).toEqual([
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
        [4, 'd'],
        [5, 'e'],
      ]);
    });

    it('writes nothing of a batch that fails, and uses no sequence number for it', async () => {
      const store = await open();
      await store.append([event('a', 'ServiceStarted')]);
      const broken = { clientOrderId: null } as unknown as Order; // an order without its key: the projection refuses it
      await expectCode(
        store.append([event('b', 'ServiceStarted'), event('x', 'OrderPlaced', { order: broken })]),
        'STORE_WRITE_FAILED',
      );
      expect(await store.lastSeq()).toBe(1);
      expect(await store.append([event('b', 'ServiceStarted')])).toMatchObject({ appended: 1, firstSeq: 2 });
      expect((await store.events()).events.map((e) => e.id)).toEqual(['a', 'b']);
    });

    it('keeps the sequence gap-free under concurrent appends, overlapping ids included', async () => {
      // PostgreSQL: two stores (two pools) on one database. SQLite: one store per file and process (better-sqlite3
      // is synchronous: a second handle would block the thread while it waits for the first one's lock).
      const one = await open();
      const two = one.dialect === 'postgres' ? await open() : one;
      const write = (store: EventStore, prefix: string) =>
        Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.append([event(`${prefix}-${i}`, 'ServiceStarted'), event(`shared-${i}`, 'ServiceStarted')]),
          ),
        );
      await Promise.all([write(one, 'one'), write(two, 'two')]);
      const { events } = await one.events({}, { limit: 1000 });
      expect(events).toHaveLength(60);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    });

    it('keeps the envelope: stream, schema version, correlation, causation, severity, symbol, strategy', async () => {
      const store = await open();
      await store.startRun({ runId: 'r1', botId: 'bot', startedAt: march(1) });
      await store.append([
        {
          ...event('s1', 'RiskLimitBreached', {
            symbol: 'BTCUSDT',
            limit: 'daily_loss_limit',
            value: 510,
            threshold: 500,
          }),
          causationId: 'cause-1',
        },
        event('s2', 'ServiceFailed', { service: 'x', error: 'boom', restarts: 3, willRestart: false }),
        event('s3', 'ReconciliationCompleted', { phase: 'startup', action: 'halt' }),
        event('s4', 'ReconciliationCompleted', { phase: 'startup', action: 'adopt' }),
        event('s5', 'ReconciliationCompleted', { phase: 'startup', action: 'trade' }),
      ]);
      const { events } = await store.events();
      expect(events[0]).toEqual({
        seq: 1,
        id: 's1',
        type: 'RiskLimitBreached',
        stream: 'run-r1',
        schemaVersion: 1,
        timestamp: march(1),
        correlationId: 'c-1',
        causationId: 'cause-1',
        severity: 'warning',
        symbol: 'BTCUSDT',
        strategy: null,
        payload: { symbol: 'BTCUSDT', limit: 'daily_loss_limit', value: 510, threshold: 500 },
      });
      expect(events.slice(1).map((e) => e.severity)).toEqual(['critical', 'critical', 'warning', 'info']);
    });
  });

  describe('on a real stream (the example bot on BTCUSDT, March 1 to 4, 2023)', () => {
    // One database for the whole group, filled once; the tests run in order and the one that prunes comes last.
    let own: TestDatabase;
    let store: EventStore;
    let all: BaseEvent[];
    beforeAll(async () => {
      own = await create();
      store = await EventStore.open(own.url);
      for (const batch of realBatches) await store.append(batch);
      all = realBatches.flat();
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await own?.drop();
    });

    it('stores every event once, in publication order', async () => {
      expect(await store.lastSeq()).toBe(all.length);
      for (const batch of realBatches.slice(0, 50)) expect((await store.append(batch)).appended).toBe(0);
      expect(await store.lastSeq()).toBe(all.length);
    });

    it('holds an order sent but not yet acknowledged as submitting: its write-ahead OrderSubmitted', async () => {
      const submitted = all.find((e) => e.type === 'OrderSubmitted') as BaseEvent & { order: Order };
      expect(submitted.order.status).toBe('submitting');
      const fresh = await (async () => {
        const other = await create();
        return { other, store: await EventStore.open(other.url) };
      })();
      try {
        await fresh.store.append([submitted]);
        expect((await fresh.store.orders()).map((o) => [o.clientOrderId, o.status, o.orderId])).toEqual([
          [submitted.order.clientOrderId, 'submitting', null],
        ]);
      } finally {
        await fresh.store.close();
        await fresh.other.drop();
      }
    });

    it('projects each order in its last state, each fill once, each position', async () => {
      const lastOrder = new Map<string, Order>();
      for (const e of all) {
        const order = (e as { order?: Order }).order;
        if (order !== undefined) lastOrder.set(order.clientOrderId, order);
      }
      const fills = all.filter((e) => e.type === 'OrderFilled') as (BaseEvent & TradingEventPayloads['OrderFilled'])[];
      const opened = all.filter((e) => e.type === 'PositionOpened');
      expect(fills.length, 'the stream has trades').toBeGreaterThan(0);

      const orders = await store.orders();
      expect(orders.map((o) => [o.clientOrderId, o.status, o.filledQuantity])).toEqual(
        [...lastOrder.values()]
          .sort((a, b) => (a.clientOrderId < b.clientOrderId ? -1 : 1))
          .map((o) => [o.clientOrderId, o.status, o.filledQuantity]),
      );
      expect((await store.fills()).map((f) => f.fillId)).toEqual(fills.map((f) => f.fill.fillId));
      const positions = await store.positions();
      expect(positions).toHaveLength(opened.length);
      const closed = all.filter((e) => e.type === 'PositionClosed');
      expect(positions.filter((p) => p.status === 'closed').length).toBeLessThanOrEqual(closed.length);
    });

    it('states what it holds: orders by status, fills, positions, runs, the last sequence number, its size', async () => {
      const stats = await store.stats();
      const orders = await store.orders();
      const positions = await store.positions();
      const byStatus: Record<string, number> = {};
      for (const order of orders) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;
      expect(stats).toMatchObject({
        dialect: store.dialect,
        location: store.location,
        lastSeq: all.length,
        ordersByStatus: byStatus,
        fills: (await store.fills()).length,
        openPositions: positions.filter((p) => p.status === 'open').length,
        closedPositions: positions.filter((p) => p.status === 'closed').length,
        runs: (await store.runs()).length,
      });
      expect(stats.closedPositions).toBeGreaterThan(0);
      // At least the bytes of the events' payloads, which the database holds.
      expect(stats.sizeBytes).toBeGreaterThan(JSON.stringify(all).length / 4);
    });

    it('gives a restarted bot its execution state: capital, orders in first-recorded order with origins, fills', async () => {
      const state = await store.executionState();
      const capital = all.find((e) => e.type === 'CapitalSet') as BaseEvent & TradingEventPayloads['CapitalSet'];
      expect(state.capital).toEqual({
        currency: capital.currency,
        capital: capital.capital,
        balances: capital.balances,
        at: capital.timestamp,
      });
      const submitted = all.filter((e) => e.type === 'OrderSubmitted') as (BaseEvent &
        TradingEventPayloads['OrderSubmitted'])[];
      expect(state.orders.map(({ order }) => order.clientOrderId)).toEqual(submitted.map((e) => e.order.clientOrderId));
      expect(state.orders.map(({ origin }) => origin)).toEqual(submitted.map((e) => e.origin));
      const lastOrder = new Map<string, Order>();
      for (const e of all) {
        const order = (e as { order?: Order }).order;
        if (order !== undefined) lastOrder.set(order.clientOrderId, order);
      }
      for (const { order } of state.orders) expect(order).toEqual(lastOrder.get(order.clientOrderId));
      const fills = all.filter((e) => e.type === 'OrderFilled') as (BaseEvent & TradingEventPayloads['OrderFilled'])[];
      expect(state.fills).toEqual(fills.map((e) => e.fill));
      expect(state.externalFills).toEqual([]);
      expect(state.reconciledAt).toBeNull();
    });

    it('rebuilds identical orders, fills and positions from the log', async () => {
      const before = { orders: await store.orders(), fills: await store.fills(), positions: await store.positions() };
      const replayed = await store.rebuildProjections();
      expect(replayed).toBeGreaterThan(0);
      expect({ orders: await store.orders(), fills: await store.fills(), positions: await store.positions() }).toEqual(
        before,
      );
    });

    it('pages through a filter by sequence, and summarises it', async () => {
      const seen: number[] = [];
      let after = 0;
      for (;;) {
        const page = await store.events({ types: ['NewCandle'] }, { after, limit: 1000 });
        seen.push(...page.events.map((e) => e.seq));
        if (page.next === null) break;
        after = page.next;
      }
      const candles = all.filter((e) => e.type === 'NewCandle').length;
      expect(seen).toHaveLength(candles);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);

      const summary = await store.summary();
      expect(summary.total).toBe(all.length);
      expect(summary.byType.NewCandle).toBe(candles);
      expect(Object.values(summary.bySeverity).reduce((a, b) => a + b, 0)).toBe(all.length);
      expect(summary.byHour.reduce((sum, hour) => sum + hour.count, 0)).toBe(all.length);
      expect(summary.byHour.every((hour) => hour.hourStartMs % 3_600_000 === 0)).toBe(true);
    });

    it('scans a filter page by page, from a cursor, as one sequence', async () => {
      const fills: number[] = [];
      for await (const stored of store.scan({ types: ['OrderFilled'] }, { pageSize: 7 })) fills.push(stored.seq);
      const paged = await store.events({ types: ['OrderFilled'] }, { limit: 10_000 });
      expect(fills.length).toBeGreaterThan(7);
      expect(fills).toEqual(paged.events.map((e) => e.seq));
      const rest: number[] = [];
      for await (const stored of store.scan({ types: ['OrderFilled'] }, { after: fills[4] ?? 0 }))
        rest.push(stored.seq);
      expect(rest).toEqual(fills.slice(5));
    });

    it('filters by type, severity, symbol, strategy, correlation id and time', async () => {
      const fill = all.find((e) => e.type === 'OrderFilled') as BaseEvent & TradingEventPayloads['OrderFilled'];
      const strategy = fill.order.strategyName ?? '';
      const byStrategy = await store.events({ strategy, types: ['OrderFilled'] }, { limit: 10_000 });
      expect(byStrategy.events.length).toBe(
        all.filter((e) => e.type === 'OrderFilled' && (e as typeof fill).order.strategyName === strategy).length,
      );
      const cycle = await store.events({ correlationId: fill.correlationId }, { limit: 10_000 });
      expect(cycle.events.map((e) => e.id)).toEqual(
        all.filter((e) => e.correlationId === fill.correlationId).map((e) => e.id),
      );
      const window = await store.events({ symbol: 'BTCUSDT', fromMs: march(2), toMs: march(2, 1) }, { limit: 10_000 });
      expect(window.events.length).toBeGreaterThan(0);
      expect(
        window.events.every((e) => e.timestamp >= march(2) && e.timestamp < march(2, 1) && e.symbol === 'BTCUSDT'),
      ).toBe(true);
      const infoOnly = await store.summary({ severities: ['info'] });
      expect(infoOnly.total).toBe((await store.summary()).bySeverity.info);
      expect((await store.events({ types: [] })).events).toEqual([]);
    });

    it('prunes market data older than a time, never trading events', async () => {
      const isMarket = (type: string) => MARKET_DATA_EVENT_TYPES.includes(type);
      const projections = {
        orders: await store.orders(),
        fills: await store.fills(),
        positions: await store.positions(),
      };
      const deleted = await store.pruneMarketData(march(3));
      expect(deleted).toBe(all.filter((e) => isMarket(e.type) && e.timestamp < march(3)).length);
      const summary = await store.summary();
      expect(summary.total).toBe(all.length - deleted);
      for (const [type, count] of Object.entries(summary.byType)) {
        if (!isMarket(type)) expect(count, type).toBe(all.filter((e) => e.type === type).length);
      }
      expect((await store.events({ types: [...MARKET_DATA_EVENT_TYPES], toMs: march(3) })).events).toEqual([]);
      await store.rebuildProjections();
      expect({ orders: await store.orders(), fills: await store.fills(), positions: await store.positions() }).toEqual(
        projections,
      );
    });
  });

  describe('runs', () => {
    it('records a start, heartbeats and how the run ended', async () => {
      const store = await open();
      await store.startRun({ runId: 'r1', botId: 'bot-1', startedAt: march(1) });
      await store.heartbeat('r1', march(1, 0, 5));
      expect(await store.runs()).toEqual([
        {
          runId: 'r1',
          botId: 'bot-1',
          startedAt: march(1),
          lastHeartbeatAt: march(1, 0, 5),
          endedAt: null,
          endReason: null,
        },
      ]);
      await store.endRun('r1', 'clean', march(1, 1));
      await store.startRun({ runId: 'r2', botId: 'bot-1', startedAt: march(2) });
      await store.endRun('r2', 'crashed', march(2, 3));
      expect((await store.runs()).map((r) => [r.runId, r.endedAt, r.endReason])).toEqual([
        ['r1', march(1, 1), 'clean'],
        ['r2', march(2, 3), 'crashed'],
      ]);
      await expectCode(store.startRun({ runId: 'r1', botId: 'bot-1', startedAt: march(3) }), 'STORE_WRITE_FAILED');
    });

    it('ends the runs of the same bot that never ended as crashed at their last heartbeat, with a recovery event', async () => {
      const store = await open();
      await store.startRun({ runId: 'a1', botId: 'bot-a', startedAt: march(1) });
      await store.heartbeat('a1', march(1, 0, 7));
      await store.startRun({ runId: 'b1', botId: 'bot-b', startedAt: march(1) });
      // bot-a's process dies without a word; it starts again.
      const start = await store.startRun({ runId: 'a2', botId: 'bot-a', startedAt: march(2) });
      expect(start.crashed).toEqual([
        {
          runId: 'a1',
          botId: 'bot-a',
          startedAt: march(1),
          lastHeartbeatAt: march(1, 0, 7),
          endedAt: march(1, 0, 7),
          endReason: 'crashed',
        },
      ]);
      expect((await store.runs()).map((r) => [r.runId, r.endReason])).toEqual([
        ['a1', 'crashed'],
        ['b1', null],
        ['a2', null],
      ]);
      expect(await store.recoveryEvents()).toEqual([
        {
          id: 'run_crashed:a1',
          runId: 'a2',
          timestamp: march(2),
          kind: 'run_crashed',
          detail: { crashedRunId: 'a1', startedAt: march(1), lastHeartbeatAt: march(1, 0, 7) },
        },
      ]);
      expect(start.previous).toMatchObject({ runId: 'a1', endReason: 'crashed' });
      await store.endRun('a2', 'clean', march(2, 1));
      const next = await store.startRun({ runId: 'a3', botId: 'bot-a', startedAt: march(3) });
      expect(next.crashed).toEqual([]);
      expect(next.previous).toMatchObject({ runId: 'a2', endReason: 'clean', endedAt: march(2, 1) });
      expect((await store.startRun({ runId: 'c1', botId: 'bot-c', startedAt: march(3) })).previous).toBeNull();
    });

    it('tells a running run from a stale one by its heartbeat age, on a simulated clock', async () => {
      const store = await open();
      const clock = new SimulatedClock(march(1));
      const staleAfterMs = 300_000;
      await store.startRun({ runId: 'h1', botId: 'bot-h', startedAt: clock.now() });
      const liveness = async () => runLiveness((await store.runs())[0] as RunRecord, clock.now(), staleAfterMs);
      // Heartbeats every 30 s for 10 minutes keep it running.
      for (let beat = 0; beat < 20; beat++) {
        clock.tickTo(clock.now() + 30_000);
        await store.heartbeat('h1', clock.now());
        expect(await liveness()).toEqual({ state: 'running', heartbeatAgeMs: 0 });
      }
      // Then the process stops heartbeating: running up to stale_after, stale after it.
      clock.tickTo(clock.now() + staleAfterMs);
      expect(await liveness()).toEqual({ state: 'running', heartbeatAgeMs: staleAfterMs });
      clock.tickTo(clock.now() + 1);
      expect(await liveness()).toEqual({ state: 'stale', heartbeatAgeMs: staleAfterMs + 1 });
      await store.endRun('h1', 'clean', clock.now());
      expect((await liveness()).state).toBe('ended');
    });

    it('reads back the external fills of the recorded reconciliations, and when the last ran', async () => {
      const store = await open();
      const fill = (id: string) => ({
        fillId: id,
        orderId: `o-${id}`,
        clientOrderId: 'manual-1',
        symbol: 'BTCUSDT',
        side: 'buy',
        quantity: 0.1,
        price: 23_000,
        fee: 2.3,
        timestamp: march(1),
      });
      await store.append([
        event('r1', 'ReconciliationCompleted', { phase: 'startup', externalFills: [fill('t1')] }, march(1)),
        event('r2', 'ReconciliationCompleted', { phase: 'runtime', externalFills: [] }, march(1, 0, 5)),
        event('r3', 'ReconciliationCompleted', { phase: 'runtime', externalFills: [fill('t2')] }, march(1, 0, 10)),
      ]);
      const state = await store.executionState();
      expect(state.externalFills.map((f) => f.fillId)).toEqual(['t1', 't2']);
      expect(state.reconciledAt).toBe(march(1, 0, 10));
    });

    it('records recovery events once by id, and reads them by run', async () => {
      const store = await open();
      const entry = {
        id: 'order_reconciled:x',
        runId: 'r1',
        timestamp: march(1),
        kind: 'order_reconciled',
        detail: { clientOrderId: 'x', status: 'filled' },
      };
      await store.recordRecovery(entry);
      await store.recordRecovery({ ...entry, detail: { clientOrderId: 'x', status: 'cancelled' } });
      await store.recordRecovery({ ...entry, id: 'other', runId: 'r2', timestamp: march(2) });
      expect(await store.recoveryEvents('r1')).toEqual([entry]);
      expect((await store.recoveryEvents()).map((e) => e.id)).toEqual(['order_reconciled:x', 'other']);
    });
  });

  it('backs up a SQLite store online into a file that passes integrity_check, and refuses on PostgreSQL', async () => {
    const store = await open();
    await store.append([event('a', 'ServiceStarted'), event('b', 'ServiceStopped')]);
    const dir = mkdtempSync(join(tmpdir(), 'quant-backup-'));
    const file = join(dir, 'backup.db');
    try {
      if (store.dialect === 'postgres') {
        await expectCode(store.backup(file), 'STORE_BACKUP_FAILED');
        return;
      }
      await store.backup(file);
      const copy = new Database(file, { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('select id from events order by seq').pluck().all()).toEqual(['a', 'b']);
      copy.close();
      await expectCode(store.backup(file), 'STORE_BACKUP_FAILED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refreshes the planner statistics of the log and the projections', async () => {
    const store = await open();
    await store.append(realBatches.flat());
    expect((await store.orders()).length).toBeGreaterThan(0);
    await store.optimize();
    const url = (await fresh()).url;
    const analysed = url.startsWith('postgres')
      ? await execRaw(
          url,
          "select distinct tablename as name from pg_stats where tablename in ('events', 'orders') order by 1",
        )
      : await execRaw(
          url,
          "select distinct tbl as name from sqlite_stat1 where tbl in ('events', 'orders') order by 1",
        );
    expect(analysed).toEqual([{ name: 'events' }, { name: 'orders' }]);
  });

  it("answers a page of one type of one symbol from its index, not by walking the symbol's history", async () => {
    const store = await open();
    await store.append(realBatches.flat());
    await store.optimize();
    const url = (await fresh()).url;
    if (url.startsWith('postgres')) {
      const plan = await execRaw(
        url,
        "explain select * from events where symbol = 'BTCUSDT' and type in ('RiskLimitBreached') and seq > 0 order by seq limit 100",
      );
      // PostgreSQL's full statistics pick an index led by the type, either of the two.
      expect(JSON.stringify(plan)).toMatch(/Index Scan using events_(symbol_)?type_seq/);
    } else {
      const plan = await execRaw(
        url,
        "explain query plan select * from events where symbol = 'BTCUSDT' and type in ('RiskLimitBreached') and seq > 0 order by seq limit 100",
      );
      expect(JSON.stringify(plan)).toContain('USING INDEX events_symbol_type_seq (symbol=? AND type=? AND seq>?)');
    }
    expect((await store.events({ symbol: 'BTCUSDT', types: ['PositionClosed'] })).events.length).toBeGreaterThan(0);
  });

  it('refuses any call after close', async () => {
    const store = await open();
    await store.close();
    await expectCode(store.append([event('a', 'ServiceStarted')]), 'STORE_CLOSED');
  });
});

describe('opening a store', () => {
  it('refuses a URL of another scheme, or one holding a password', async () => {
    await expectCode(EventStore.open('mysql://u@h/db'), 'STORE_BAD_URL');
    const error = await expectCode(EventStore.open('postgres://bot:s3cret@127.0.0.1:5432/quant'), 'STORE_BAD_URL');
    expect(error.message).not.toContain('s3cret');
    await expectCode(EventStore.open(''), 'STORE_BAD_URL');
  });

  it('reports a PostgreSQL server that does not answer as STORE_UNREACHABLE, without the password', async () => {
    const error = await expectCode(
      EventStore.open('postgres://nobody@127.0.0.1:1/none', { timeoutMs: 2000 }),
      'STORE_UNREACHABLE',
    );
    expect(error.message).toContain('postgres://nobody@127.0.0.1:1/none');
  });

  it('creates the SQLite file and its folder, in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-open-'));
    try {
      const file = join(dir, 'nested', 'quant.db');
      const store = await EventStore.open(file, { synchronous: 'FULL' });
      expect(store.location).toBe(file);
      await store.close();
      expect(existsSync(file)).toBe(true);
      const handle = new Database(file);
      expect(handle.pragma('journal_mode', { simple: true })).toBe('wal');
      handle.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
