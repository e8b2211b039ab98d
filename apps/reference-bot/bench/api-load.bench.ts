/**
 * The operations API under load, written to bench-results/api-load.json. Loopback only; about two minutes.
 *
 * 1. **Event pages over 1 million events.** A real run fills a SQLite store: `quant-bot live --replay` of the
 *    whole BTCUSDT file with `store.events: all` (every event, market data included); copies of its events, with
 *    new ids and times shifted by 21 days each, are appended until the log holds 1 000 000 events. This process
 *    serves it with `startApiServer` (a bearer token); autocannon runs in a child process (so load generation does
 *    not share the server's event loop), 10 connections, 10 s per scenario: pages of 100 events from cursors spread
 *    over the whole log, pages of `type=OrderFilled`, pages of 1 000, and `/api/health`. Reported: requests/s,
 *    p50 and p99 latency, non-2xx answers (any is a failure of the bench).
 *    Target: at least 500 requests/s at a p99 under 50 ms for event pages of 100 (the default `limit`); pages of
 *    1 000 carry ten times the data and are reported without a target.
 * 2. **The bot's cycle time while it is queried.** The whole `quant-bot live --replay <BTCUSDT> --speed max --api
 *    127.0.0.1:0` process (30 240 bars, a fresh SQLite store each run): unqueried, asked `/api/health` at
 *    100 requests/s (the original system's load-test rate) for as long as it runs, and asked `/api/health` and
 *    pages of 100 events (9 in 10 requests) at the same rate; in alternating rounds after a warm-up of each, in this
 *    run (the machine is shared and noisy). The cycles are the same in all three, so the ratio of wall times is the
 *    ratio of cycle times.
 *    Target: with `/api/health` asked, the cycle time within 10 % of the unqueried run (median ratio <= 1.10); the
 *    event pages' share is reported.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaseEvent } from '@quant/core';
import { startApiServer } from '@quant/http';
import { EventStore } from '@quant/store';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { median } from './median.js';

const root = new URL('../../../', import.meta.url);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('./load-client.cjs', import.meta.url));
const DATA = fileURLToPath(new URL('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', root));
const LOG_EVENTS = 1_000_000;
const SHIFT_MS = 21 * 86_400_000;
const SCENARIO_S = 10;
const PAIRS = 5;
const TOKEN = 'bench-token-0123456789abcdef';
const DIR_PREFIX = 'quant-bot-api-bench-';

/** Whether the process `pid` runs (one of another user counts as running). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// The stores take about 2 GB. They are removed when this process exits (a failed run or Ctrl+C included); but tsx
// kills with SIGKILL a script that does not answer a signal within 60 ms, as a busy SQLite append does not, and such
// a run cannot clean up: the next run removes the folders whose bench process is gone (each names its own in `pid`).
// A folder without `pid` (being created, or not this bench's) is left alone.
for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(DIR_PREFIX))) {
  const pidFile = join(tmpdir(), name, 'pid');
  const pid = existsSync(pidFile) ? Number.parseInt(readFileSync(pidFile, 'utf8'), 10) : Number.NaN;
  if (Number.isInteger(pid) && !running(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
}
const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
writeFileSync(join(dir, 'pid'), String(process.pid));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.once('SIGINT', () => process.exit(130));

/** What autocannon measured (see load-client.cjs). */
interface Load {
  readonly requests: number;
  readonly requests_per_s: number;
  readonly latency_p50_ms: number;
  readonly latency_p99_ms: number;
  readonly latency_max_ms: number;
  readonly non_2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** Starts the load client on `paths`; `done` resolves with its figures when it ends or is sent SIGTERM. */
function startLoad(job: {
  /** The server's URL; without it, the client waits for it on stdin (see {@link replay}). */
  url?: string;
  paths: readonly string[];
  connections: number;
  duration: number;
  overallRate?: number;
  bailout?: number;
}): { child: ChildProcess; done: Promise<Load> } {
  const child = spawn(process.execPath, [CLIENT], {
    env: { ...process.env, LOAD: JSON.stringify({ ...job, token: TOKEN }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const done = new Promise<Load>((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0 || (job.url !== undefined && out.trim() === '')) {
        reject(new Error(`the load client exited ${code}: ${out}`));
      } else resolve(out.trim() === '' ? IDLE : (JSON.parse(out) as Load));
    }),
  );
  return { child, done };
}

/** The figures of a client that was never given a server (the unqueried runs' idle client). */
const IDLE: Load = {
  requests: 0,
  requests_per_s: 0,
  latency_p50_ms: 0,
  latency_p99_ms: 0,
  latency_max_ms: 0,
  non_2xx: 0,
  errors: 0,
  timeouts: 0,
};

/** Fails the bench when a request did not get a 2xx answer: a figure of errors is no figure. */
function checked(name: string, load: Load): Load {
  if (load.non_2xx > 0 || load.errors > 0 || load.timeouts > 0) {
    throw new Error(`${name}: ${load.non_2xx} non-2xx answers, ${load.errors} errors, ${load.timeouts} timeouts`);
  }
  return load;
}

// --- 1. Event pages over 1M events -------------------------------------------------------------------------------
const seedDb = join(dir, 'seed.db');
const seed = spawnSync(
  process.execPath,
  [CLI, 'live', '--replay', DATA, '--speed', 'max', '--log-level', 'warn', '--db', seedDb],
  {
    cwd: fileURLToPath(root),
    env: { ...process.env, STORE_EVENTS: 'all', STORE_RETENTION_DAYS: '0' },
    encoding: 'utf8',
  },
);
if (seed.status !== 0) throw new Error(`the seed replay exited ${seed.status}: ${seed.stderr}`);
const run: BaseEvent[] = [];
const seedStore = await EventStore.open(seedDb);
for await (const event of seedStore.scan({}, { pageSize: 10_000 })) {
  run.push({
    ...event.payload,
    id: event.id,
    type: event.type,
    timestamp: event.timestamp,
    correlationId: event.correlationId,
    causationId: event.causationId,
  } as BaseEvent);
}
await seedStore.close();

const store = await EventStore.open(join(dir, 'million.db'));
const fillStart = performance.now();
await store.startRun({ runId: 'bench', botId: 'bench', startedAt: 0 });
for (let copy = 0, appended = 0; appended < LOG_EVENTS; copy++) {
  const suffix = copy === 0 ? '' : `#${copy}`;
  for (let start = 0; start < run.length && appended < LOG_EVENTS; start += 5000) {
    const batch = run.slice(start, Math.min(start + 5000, start + LOG_EVENTS - appended)).map((event) => ({
      ...event,
      id: `${event.id}${suffix}`,
      correlationId: `${event.correlationId}${suffix}`,
      causationId: event.causationId === null ? null : `${event.causationId}${suffix}`,
      timestamp: event.timestamp + copy * SHIFT_MS,
    }));
    appended += (await store.append(batch)).appended;
  }
}
await store.optimize();
const fillMs = performance.now() - fillStart;
const lastSeq = await store.lastSeq();

const rng = xoroshiro128plus(15);
const cursors = Array.from({ length: 2000 }, () => uniformInt(rng, 0, lastSeq - 1000));
const server = await startApiServer({ store, token: TOKEN, disk: { path: dir, minFreeBytes: 0 } });
const scenarios: Record<string, readonly string[]> = {
  events_page_100: cursors.map((after) => `/api/events?limit=100&after=${after}`),
  events_order_filled_page_100: cursors.map((after) => `/api/events?type=OrderFilled&limit=100&after=${after}`),
  events_page_1000: cursors.map((after) => `/api/events?limit=1000&after=${after}`),
  health: ['/api/health'],
};
const pages: Record<string, Load & { readonly meets_target?: boolean }> = {};
for (const [name, paths] of Object.entries(scenarios)) {
  const load = checked(name, await startLoad({ url: server.url, paths, connections: 10, duration: SCENARIO_S }).done);
  // The target is for pages of 100 (the default); a page of 1 000 carries ten times the data and is reported.
  pages[name] = name.endsWith('page_100')
    ? { ...load, meets_target: load.requests_per_s >= 500 && load.latency_p99_ms < 50 }
    : load;
  console.log(name, JSON.stringify(pages[name]));
}
await server.close();
await store.close();

// --- 2. The bot's cycle time while it is queried -----------------------------------------------------------------
let runs = 0;
/** What a replay is asked while it runs: nothing, `/api/health`, or pages of `/api/events` too. */
type Query = 'none' | 'health' | 'health_and_events';
const QUERY_PATHS: Record<Exclude<Query, 'none'>, readonly string[]> = {
  health: ['/api/health'],
  health_and_events: [
    '/api/health',
    ...cursors.slice(0, 9).map((after) => `/api/events?limit=100&after=${after % 2000}`),
  ],
};

/**
 * One whole `live --replay --api` process; unless `query` is `none`, the load client asks it at 100 requests/s from
 * its API address until the process ends (the client stops at the first refused connection: the bot has closed).
 */
async function replay(query: Query): Promise<{ wall_ms: number; load: Load | null }> {
  runs++;
  // Every run has its client process started before the bot, idle until told the URL (never, unqueried): starting
  // Node.js for the client then costs the measured process nothing, and the same in every run.
  const load = startLoad({
    paths: QUERY_PATHS[query === 'none' ? 'health' : query],
    connections: 4,
    duration: 120,
    overallRate: 100,
    bailout: 1,
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'live',
      '--replay',
      DATA,
      '--speed',
      'max',
      '--log-level',
      'warn',
      '--db',
      join(dir, `replay-${runs}.db`),
    ].concat(['--api', '127.0.0.1:0']),
    { cwd: fileURLToPath(root), env: { ...process.env, API_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let told = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const url = /API: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    if (query !== 'none' && !told && url !== undefined) {
      told = true;
      load.child.stdin?.write(`${url}\n`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - t0;
  // An untold client ends on the empty line; a told one ends at the first refused connection.
  load.child.stdin?.end(told ? undefined : '\n');
  if (code !== 0) throw new Error(`live exited ${code}: ${stderr}`);
  if (query !== 'none' && !told) throw new Error(`live never printed its API address:\n${stdout}`);
  const measured = await load.done;
  if (measured.non_2xx > 0) throw new Error(`${measured.non_2xx} non-2xx answers during a replay`);
  return { wall_ms: wallMs, load: query === 'none' ? null : measured };
}

for (const query of ['none', 'health', 'health_and_events'] as const) await replay(query);
const walls: Record<Query, number[]> = { none: [], health: [], health_and_events: [] };
const loads: Record<Exclude<Query, 'none'>, Load[]> = { health: [], health_and_events: [] };
for (let round = 0; round < PAIRS; round++) {
  for (const query of ['none', 'health', 'health_and_events'] as const) {
    const result = await replay(query);
    walls[query].push(result.wall_ms);
    if (query !== 'none' && result.load !== null) loads[query].push(result.load);
  }
}
const ratiosOf = (query: Exclude<Query, 'none'>) =>
  walls[query].map((ms, index) => ms / (walls.none[index] ?? Number.NaN));
const armOf = (query: Exclude<Query, 'none'>) => ({
  paths: QUERY_PATHS[query].length === 1 ? QUERY_PATHS[query] : ['/api/health', '/api/events?limit=100&after=…'],
  wall_ms: walls[query],
  median_wall_ms: median(walls[query]),
  ratios: ratiosOf(query),
  median_ratio: median(ratiosOf(query)),
  // The target is for `/api/health` (what a monitor asks); the arm with event pages is reported.
  ...(query === 'health' ? { meets_target: median(ratiosOf(query)) <= 1.1 } : {}),
  requests: loads[query].map((load) => load.requests),
  requests_per_s: loads[query].map((load) => load.requests_per_s),
  latency_p99_ms: loads[query].map((load) => load.latency_p99_ms),
});
const ratio = median(ratiosOf('health'));

const results = {
  app: '@quant/reference-bot',
  date: new Date().toISOString(),
  node: process.version,
  event_pages: {
    store: 'SQLite, 1 000 000 events (a live --replay with store.events: all, copied with shifted times)',
    fill_ms: fillMs,
    last_seq: lastSeq,
    client: `autocannon in a child process, 10 connections, ${SCENARIO_S} s per scenario, loopback`,
    scenarios: pages,
  },
  cycle_time_under_load: {
    run: 'quant-bot live --replay BTCUSDT_1m.csv --speed max --api 127.0.0.1:0 (30 240 bars), whole process',
    load: '100 requests/s, 4 connections, from the API address until the process ends',
    rounds: PAIRS,
    unqueried_wall_ms: walls.none,
    unqueried_median_wall_ms: median(walls.none),
    queried_health: armOf('health'),
    queried_health_and_event_pages: armOf('health_and_events'),
  },
  targets: {
    event_pages_of_100_500_per_s_p99_under_50ms: Object.entries(pages)
      .filter(([name]) => name.endsWith('page_100'))
      .every(([, load]) => load.meets_target === true),
    cycle_time_within_10pct: ratio <= 1.1,
  },
};
const outDir = new URL('bench-results/', root);
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL('api-load.json', outDir), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
