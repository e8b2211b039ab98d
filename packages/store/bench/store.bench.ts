/**
 * Benchmark of @quant/store, written to bench-results/store.json.
 *
 * The events are real: the example bot (conf/ indicators and strategies, BTCUSDT on 1m, 5m and 15m, simulated
 * exchange) run over the whole shared BTCUSDT file (30 240 bars), every event it publishes, split into its cycles.
 *
 * Append throughput (events/s) on SQLite and on PostgreSQL (when QUANT_TEST_POSTGRES_URL names a server), for
 * the batches the recorder appends: `trading_cycle` (each cycle's trading events, the default `store.events`),
 * `all_cycle` (each cycle's every event, `store.events: all`), and `grouped` (whole cycles joined into batches of
 * at least 1 000 events: what group commit appends during a replay or a backtest at full speed). On SQLite, the
 * same batches through better-sqlite3 alone (`sqlite_floor`: prepared inserts, one transaction per batch, nothing
 * else) show what the machine allows. Target: at least 50 000 events/s on SQLite.
 *
 * Queries over 1 000 000 events (the run, then copies of it 21 days apart): p50 and p99 of pages of 100 events
 * for several filters from random cursors, and of the summary. Target: page p99 under 10 ms.
 *
 * The store's share of a `live --replay --speed max` run is measured by the reference bot's bench
 * (apps/reference-bot/bench/store-replay.bench.ts), in the same process as the run without a store.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDialects } from '../src/test-support/databases.js';
import { cyclesOf, march, runRealBot } from '../src/test-support/real-stream.js';
import { type AppendRate, measureAppend, measureSqliteFloor } from './append.js';
import { groupedCycles, median, quantile, tradingCycles } from './cycles.js';
import { measureQueries } from './queries.js';

const root = new URL('../../../', import.meta.url);
const cycles = cyclesOf(await runRealBot(march(1), march(21, 23, 58)));
const batchKinds = {
  trading_cycle: tradingCycles(cycles),
  all_cycle: cycles,
  grouped: groupedCycles(cycles, 1000),
};
const sizes = Object.fromEntries(
  Object.entries(batchKinds).map(([kind, batches]) => {
    const lengths = batches.map((batch) => batch.length);
    return [
      kind,
      { batches: batches.length, median: median(lengths), p90: quantile(lengths, 0.9), max: Math.max(...lengths) },
    ];
  }),
);
console.log('cycle sizes (events per append):', JSON.stringify(sizes));

const dialects = testDialects();
const append: Record<string, Record<string, AppendRate>> = {};
for (const dialect of dialects) {
  append[dialect.dialect] = {};
  for (const [kind, batches] of Object.entries(batchKinds)) {
    const rate = await measureAppend(dialect, batches);
    (append[dialect.dialect] as Record<string, AppendRate>)[kind] = rate;
    console.log(`append ${dialect.dialect} ${kind}: ${Math.round(rate.events_per_second)} events/s`);
  }
}
const floorDir = mkdtempSync(join(tmpdir(), 'quant-store-bench-'));
const sqliteFloor: Record<string, AppendRate> = {};
for (const [kind, batches] of Object.entries(batchKinds)) {
  sqliteFloor[kind] = await measureSqliteFloor(join(floorDir, `${kind}.db`), batches);
  console.log(`append sqlite floor ${kind}: ${Math.round(sqliteFloor[kind].events_per_second)} events/s`);
}
rmSync(floorDir, { recursive: true, force: true });

const queries: Record<string, Awaited<ReturnType<typeof measureQueries>>> = {};
for (const dialect of dialects) {
  queries[dialect.dialect] = await measureQueries(dialect, cycles);
  console.log(
    `queries ${dialect.dialect}: worst page p99 ${queries[dialect.dialect]?.worst_page_p99_ms.toFixed(2)} ms`,
  );
}

const sqliteGrouped = append.sqlite?.grouped?.events_per_second ?? 0;
const results = {
  package: '@quant/store',
  date: new Date().toISOString(),
  node: process.version,
  data: 'the example bot on BTCUSDT_1m.csv (30 240 bars), every event it publishes',
  events: cycles.flat().length,
  cycles: cycles.length,
  batch_sizes: sizes,
  append_events_per_second: append,
  sqlite_floor: sqliteFloor,
  postgres: dialects.some((d) => d.dialect === 'postgres') ? 'measured' : 'skipped: set QUANT_TEST_POSTGRES_URL',
  queries_at_1m_events: queries,
  targets: {
    sqlite_grouped_append_at_least_50k_events_per_second: sqliteGrouped >= 50_000,
    page_p99_under_10ms_at_1m_events: Object.values(queries).every((q) => q.targets.page_p99_under_10ms),
  },
};
const outDir = new URL('bench-results/', root);
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL('store.json', outDir), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
