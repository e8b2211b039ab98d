import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, type StoredEvent } from '@quant/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgresDatabase } from './test-support/postgres.js';
import { BTCUSDT, type CliResult, runCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-live-store-'));

/** Replays `csv` at full speed with `live`, persisting to the SQLite file `db`. */
function replay(csv: string, db: string, env: Record<string, string> = {}): Promise<CliResult> {
  const out = join(dir, `out-${db.split('/').at(-1)}`);
  return runCli(['live', '--replay', csv, '--speed', 'max', '--log-level', 'warn', '--db', db, '--out', out], env);
}

interface Replayed {
  readonly events: StoredEvent[];
  readonly live: { orders: unknown; fills: unknown; positions: unknown };
  readonly rebuilt: { orders: unknown; fills: unknown; positions: unknown };
}

/** Reads the log and the projections written live, then rebuilds the projections and reads them again. */
async function readBack(db: string): Promise<Replayed> {
  const store = await EventStore.open(db);
  try {
    const events: StoredEvent[] = [];
    for await (const event of store.scan({}, { pageSize: 10_000 })) events.push(event);
    const live = { orders: await store.orders(), fills: await store.fills(), positions: await store.positions() };
    await store.rebuildProjections();
    const rebuilt = { orders: await store.orders(), fills: await store.fills(), positions: await store.positions() };
    return { events, live, rebuilt };
  } finally {
    await store.close();
  }
}

/** The events whose causationId is set but names no event stored before them (by seq). */
function causesNotBefore(events: readonly StoredEvent[], missingAllowed: boolean): StoredEvent[] {
  const seqOf = new Map(events.map((event) => [event.id, event.seq]));
  return events.filter((event) => {
    if (event.causationId === null) return false;
    const cause = seqOf.get(event.causationId);
    if (cause === undefined) return !missingAllowed;
    return cause >= event.seq;
  });
}

describe('quant-bot live --replay persisting to SQLite', () => {
  // The whole March file with the default store.events (trading) takes about 6 s; with every event (market data
  // too: about 118 000 events, 190 MB) about 30 s, so the causal check on every event runs on its first week.
  const whole = join(dir, 'whole.db');
  const week = join(dir, 'week.db');
  let wholeRun: Replayed;
  let weekRun: Replayed;
  beforeAll(async () => {
    const weekCsv = join(dir, 'BTCUSDT_1m.csv');
    const lines = readFileSync(BTCUSDT, 'utf8').split('\n');
    writeFileSync(weekCsv, `${lines.slice(0, 1 + 7 * 1440).join('\n')}\n`);
    const results = await Promise.all([replay(BTCUSDT, whole), replay(weekCsv, week, { STORE_EVENTS: 'all' })]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    wholeRun = await readBack(whole);
    weekRun = await readBack(week);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the whole file’s run: a gap-free log, projections equal to a rebuild, causes before effects', () => {
    const { events, live, rebuilt } = wholeRun;
    expect(events.filter((event) => event.type === 'OrderFilled').length).toBeGreaterThan(100);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(rebuilt).toEqual(live);
    expect((live.fills as unknown[]).length).toBeGreaterThan(100);
    // Trading events only: a cause may be market data, which is not stored; a stored cause comes first.
    expect(causesNotBefore(events, true)).toEqual([]);
  });

  it('stores every event of a week with STORE_EVENTS=all: each causationId names an earlier event', () => {
    const { events, live, rebuilt } = weekRun;
    expect(events.some((event) => event.type === 'NewCandle')).toBe(true);
    expect(events.some((event) => event.type === 'OrderFilled')).toBe(true);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(rebuilt).toEqual(live);
    // Indicators, signals, regimes and trading decisions name their cause (fills, positions and candles do not).
    expect(events.filter((event) => event.causationId !== null).length).toBeGreaterThan(events.length / 4);
    expect(causesNotBefore(events, false)).toEqual([]);
  });

  // PostgreSQL answers over a socket: the replay clock must wait for each append, or --speed max skips bars.
  const serverUrl = process.env.QUANT_TEST_POSTGRES_URL;
  it.skipIf(serverUrl === undefined || serverUrl === '')(
    'stores the same run on PostgreSQL as on SQLite: the same events in the same order, the same projections',
    async () => {
      await withPostgresDatabase(serverUrl as string, 'quant_live', async (url) => {
        const result = await replay(BTCUSDT, url);
        expect(result.code, result.stderr).toBe(0);
        const { events, live, rebuilt } = await readBack(url);
        expect(events.map((event) => event.type)).toEqual(wholeRun.events.map((event) => event.type));
        expect(live).toEqual(wholeRun.live);
        expect(rebuilt).toEqual(live);
      });
    },
    60_000,
  );
});
