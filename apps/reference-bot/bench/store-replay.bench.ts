/**
 * The event store's cost in a live replay, written to bench-results/reference-bot-store.json: the whole
 * `quant-bot live --replay <BTCUSDT> --speed max` process (30 240 bars, the example strategies, a simulated
 * exchange), without a store (`--no-db`) and persisting to a fresh SQLite file (`--db`, the default
 * `store.events: trading`), alternately in this process's children, 7 pairs after a warm-up of each. Reported:
 * the wall time of each (medians), the store's added share (the median of the pairs' ratios, minus one), and
 * peak RSS. Also, once each, the store with `store.events: all` (every market-data event too) and on the local
 * PostgreSQL server when QUANT_TEST_POSTGRES_URL names one (its own database, created and dropped here).
 * Target: the store adds at most 30 % with the default settings.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withPostgresDatabase } from '../src/test-support/postgres.js';
import { median } from './median.js';

const root = new URL('../../../', import.meta.url);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const DATA = fileURLToPath(new URL('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', root));
const PAIRS = 7;
const dir = mkdtempSync(join(tmpdir(), 'quant-bot-store-bench-'));

interface Run {
  readonly wall_ms: number;
  readonly peak_rss_mb: number;
  readonly events_stored: number;
}

let runCount = 0;
/** One whole `live` process; `db` is `--no-db` when undefined. */
function replay(db: string | undefined, env: Record<string, string> = {}): Run {
  const store = db === undefined ? ['--no-db'] : ['--db', db];
  const t0 = performance.now();
  const child = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'peak_rss_kb=%M',
      process.execPath,
      CLI,
      'live',
      '--replay',
      DATA,
      '--speed',
      'max',
      '--log-level',
      'warn',
      ...store,
    ],
    { cwd: fileURLToPath(root), env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const wallMs = performance.now() - t0;
  if (child.status !== 0) throw new Error(`live exited ${child.status}: ${child.stderr}`);
  runCount++;
  return {
    wall_ms: wallMs,
    peak_rss_mb: Number(/peak_rss_kb=(\d+)/.exec(child.stderr)?.[1] ?? Number.NaN) / 1024,
    events_stored: Number(/Events Stored: (\d+)/.exec(child.stdout)?.[1] ?? 0),
  };
}

const sqliteFile = () => join(dir, `run-${runCount}.db`);

replay(undefined);
replay(sqliteFile());
const off: Run[] = [];
const on: Run[] = [];
for (let pair = 0; pair < PAIRS; pair++) {
  off.push(replay(undefined));
  on.push(replay(sqliteFile()));
}
const ratios = on.map((run, index) => run.wall_ms / (off[index]?.wall_ms ?? Number.NaN));
const all = replay(sqliteFile(), { STORE_EVENTS: 'all', STORE_RETENTION_DAYS: '0' });

let postgres: Run | string = 'skipped: set QUANT_TEST_POSTGRES_URL';
const serverUrl = process.env.QUANT_TEST_POSTGRES_URL;
if (serverUrl !== undefined && serverUrl !== '') {
  postgres = await withPostgresDatabase(serverUrl, 'quant_bench', async (url) => replay(url));
}
rmSync(dir, { recursive: true, force: true });

const addedShare = median(ratios) - 1;
const results = {
  app: '@quant/reference-bot',
  date: new Date().toISOString(),
  node: process.version,
  run: 'quant-bot live --replay BTCUSDT_1m.csv --speed max (30 240 bars), whole process',
  pairs: PAIRS,
  without_store: { median_wall_ms: median(off.map((r) => r.wall_ms)), runs: off },
  with_sqlite_store: { median_wall_ms: median(on.map((r) => r.wall_ms)), runs: on },
  ratios,
  store_added_share: addedShare,
  with_sqlite_store_all_events: all,
  with_postgres_store: postgres,
  targets: { store_adds_at_most_30pct: addedShare <= 0.3 },
};
const outDir = new URL('bench-results/', root);
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL('reference-bot-store.json', outDir), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
