import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '@quant/core';
import type { MonitoredBroker, TradingSystem } from '@quant/services';
import { EventStore } from '@quant/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiBot } from './bot-view.js';
import { type ApiServer, startApiServer } from './start-api-server.js';
import { httpClient } from './test-support/http-client.js';
import { march, monitoredBot } from './test-support/real-run.js';

const TOKEN = 'health-token-0123456789';
const RUN_ID = 'run-health';
const MINUTE = 60_000;

let dir: string;
let store: EventStore;
let server: ApiServer;
let system: TradingSystem;
let broker: MonitoredBroker;
let clock: SimulatedClock;
let venueDown = false;
let hang: Promise<void> | undefined;
let releaseHang: () => void = () => {};
const controller = new AbortController();
let running: Promise<void>;
let bot: ApiBot;

/**
 * The example bot in its live loop (`orchestrator.run`, a cycle a minute) on the simulated clock, on real BTCUSDT
 * bars from March 1, 2023, recording into a SQLite store; its venue a simulated exchange behind a `MonitoredBroker`
 * and a switch that makes the venue unreachable. The API serves the store and the bot.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-http-health-'));
  store = await EventStore.open(join(dir, 'quant.db'));
  clock = new SimulatedClock(march(1) - MINUTE);
  ({ system, broker } = await monitoredBot(store, clock, () => venueDown));
  system.orchestrator.addCycleWork('test.hang', () => hang);
  await store.startRun({ runId: RUN_ID, botId: 'health-bot', startedAt: clock.now() });
  await system.orchestrator.start();
  running = system.orchestrator.run({ intervalMs: MINUTE, signal: controller.signal });
  // A day and a half of the live loop: the example bot trades in it.
  for (let minute = 0; minute < 2160; minute++) await clock.advanceBy(MINUTE);
  await store.heartbeat(RUN_ID, clock.now());
  bot = {
    orchestrator: system.orchestrator,
    account: () => ({ ...system.positions.account(), openPositions: system.positions.positions().length }),
    broker: () => broker.status(),
    jobs: () => [{ name: 'heartbeat', intervalMs: 30_000, lastRunAt: clock.now(), nextRunAt: clock.now() + 30_000 }],
    runId: RUN_ID,
  };
  server = await startApiServer({ store, token: TOKEN, clock, bot, disk: { path: dir, minFreeBytes: 1 } });
}, 120_000);

afterAll(async () => {
  releaseHang();
  controller.abort();
  await clock.advanceBy(MINUTE);
  await running;
  await system?.orchestrator.stop();
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = httpClient(() => server.url, TOKEN);

describe('the health endpoints of a running bot', () => {
  it('GET /api/health: every component ok, open, no details', async () => {
    const { status, body } = await get('/api/health', {});
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ok',
      checks: { database: 'ok', disk: 'ok', services: 'ok', scheduler: 'ok', broker: 'ok', heartbeat: 'ok' },
    });
  });

  it('GET /api/health/database: reachable, its size and the counts of the store', async () => {
    const { status, body } = await get('/api/health/database');
    expect(status).toBe(200);
    const stats = await store.stats();
    expect(body).toMatchObject({ status: 'ok', reachable: true, ...stats, sizeBytes: expect.any(Number) });
    expect(body.latencyMs).toBeGreaterThanOrEqual(0);
    expect(stats.ordersByStatus.filled).toBeGreaterThan(0);
  });

  it('GET /api/health/broker: the last successful call, its age and latency', async () => {
    const { status, body } = await get<Record<string, never> & { lastSuccess: { at: number; latencyMs: number } }>(
      '/api/health/broker',
    );
    expect(status).toBe(200);
    const venue = broker.status();
    expect(venue.calls).toBeGreaterThan(0);
    expect(body).toMatchObject({ status: 'ok', calls: venue.calls, consecutiveFailures: 0, lastFailure: null });
    expect(body.lastSuccess.at).toBeLessThanOrEqual(clock.now());
    expect(body.lastSuccessAge).toBeUndefined();
    expect((body as unknown as { lastSuccessAgeMs: number }).lastSuccessAgeMs).toBe(clock.now() - body.lastSuccess.at);
  });

  it("GET /api/health/scheduler: the cycle a minute, the health rounds, the bot's own jobs", async () => {
    const { status, body } = await get<{ jobs: { name: string; nextRunAt: number; lastRunAt: number }[] }>(
      '/api/health/scheduler',
    );
    expect(status).toBe(200);
    const schedule = system.orchestrator.getSchedule();
    expect(body).toMatchObject({ status: 'ok', orchestrator: 'running', lateMs: 0, stalledAfterMs: 180_000 });
    expect(body.jobs.map((job) => job.name)).toEqual(['trading_cycle', 'health_check', 'heartbeat']);
    expect(body.jobs[0]).toEqual({
      name: 'trading_cycle',
      intervalMs: MINUTE,
      lastRunAt: schedule.lastCycleAt,
      nextRunAt: (schedule.lastCycleAt as number) + MINUTE,
    });
  });

  it('GET /api/health/disk: free space above the threshold; 503 below it or on a missing path', async () => {
    const { status, body } = await get<{ freeBytes: number; totalBytes: number }>('/api/health/disk');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', path: dir, minFreeBytes: 1 });
    expect(body.freeBytes).toBeGreaterThan(0);
    expect(body.totalBytes).toBeGreaterThanOrEqual(body.freeBytes);
    const strict = await startApiServer({ store, token: TOKEN, disk: { path: dir, minFreeBytes: 2 ** 60 } });
    const gone = await startApiServer({ store, token: TOKEN, disk: { path: join(dir, 'no-such-folder') } });
    try {
      const full = await fetch(`${strict.url}/api/health/disk`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(full.status).toBe(503);
      expect(await full.json()).toMatchObject({ status: 'unhealthy', minFreeBytes: 2 ** 60 });
      const overall = await fetch(`${strict.url}/api/health`);
      expect(overall.status).toBe(503);
      expect(await overall.json()).toEqual({ status: 'unhealthy', checks: { database: 'ok', disk: 'unhealthy' } });
      const missing = await fetch(`${gone.url}/api/health/disk`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(missing.status).toBe(503);
      expect(await missing.json()).toMatchObject({ status: 'unhealthy', error: { code: 'ENOENT' } });
    } finally {
      await strict.close();
      await gone.close();
    }
  });

  it('GET /api/health/detailed: every check in full, the process, the metrics, the account, the heartbeat', async () => {
    const { status, body } = await get<{
      checks: Record<string, { status: string }>;
      process: { pid: number; threads: number; memory: { rss: number }; cpu: { userSeconds: number } };
      metrics: { orchestrator: { cycles: number } };
      account: { currency: string; equity: number };
      run: { runId: string; heartbeatAgeMs: number };
    }>('/api/health/detailed');
    expect(status).toBe(200);
    expect(Object.keys(body.checks)).toEqual(['database', 'disk', 'services', 'scheduler', 'broker', 'heartbeat']);
    expect(body.checks.heartbeat).toEqual({
      status: 'ok',
      runId: RUN_ID,
      lastHeartbeatAt: clock.now(),
      heartbeatAgeMs: 0,
      staleAfterMs: 300_000,
    });
    expect(body.checks.services).toMatchObject({ status: 'ok', services: { trade_execution: { healthy: true } } });
    expect(body.process.pid).toBe(process.pid);
    expect(body.process.memory.rss).toBeGreaterThan(0);
    expect(body.process.cpu.userSeconds).toBeGreaterThan(0);
    if (process.platform === 'linux') expect(body.process.threads).toBeGreaterThan(1);
    expect(body.metrics.orchestrator.cycles).toBe(system.orchestrator.getAllMetrics().orchestrator.cycles);
    expect(body.account).toMatchObject({ currency: 'USDT', equity: system.positions.account().equity });
    expect(body.run).toMatchObject({ runId: RUN_ID, heartbeatAgeMs: 0 });
  });

  it('refuses parameters on the health endpoints', async () => {
    for (const path of ['/api/health', '/api/health/detailed', '/api/health/disk', '/metrics']) {
      const { status, body } = await get(`${path}?verbose=1`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: { code: 'BAD_PARAMETER', reason: 'unknown', parameter: 'verbose' } });
    }
  });
});

describe('GET /metrics', () => {
  it("serves the Prometheus text format with the bot's figures, and passes promtool check metrics", async () => {
    const { status, text } = await get('/metrics');
    expect(status).toBe(200);
    const { orchestrator, services, event_bus } = system.orchestrator.getAllMetrics();
    const stats = await store.stats();
    const account = system.positions.account();
    const sample = (line: string) => expect(text.split('\n')).toContain(line);
    sample(`quant_orchestrator_cycles_total ${orchestrator.cycles}`);
    sample(`quant_orchestrator_services_healthy ${orchestrator.services_healthy}`);
    sample(`quant_service_data_fetches_total{service="data_fetching"} ${services.data_fetching?.data_fetches}`);
    sample(`quant_service_orders_placed_total{service="trade_execution"} ${services.trade_execution?.orders_placed}`);
    sample(`quant_service_healthy{service="strategy_evaluation"} 1`);
    sample(`quant_bus_events_published_total{type="OrderFilled"} ${event_bus.events_by_type.OrderFilled}`);
    sample(`quant_orders{status="filled"} ${stats.ordersByStatus.filled}`);
    sample(`quant_fills_total ${stats.fills}`);
    sample(`quant_positions_open ${stats.openPositions}`);
    sample('quant_notifications{status="dead"} 0');
    sample(`quant_equity{currency="USDT"} ${account.equity}`);
    sample(`quant_realized_pnl{currency="USDT"} ${account.realizedPnl}`);
    sample(`quant_heartbeat_age_seconds 0`);
    sample(`quant_broker_consecutive_failures 0`);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    const file = join(dir, 'metrics.txt');
    writeFileSync(file, text);
    // Debian's prometheus package (installed by .ci/run). No output at all: not an error, not a lint warning.
    const checked = execFileSync('sh', ['-c', `promtool check metrics < "${file}" 2>&1`], { encoding: 'utf8' });
    expect(checked).toBe('');
  });
});

describe('when things go wrong', () => {
  it('a venue failing three times in a row makes the broker unhealthy, then a success heals it', async () => {
    venueDown = true;
    for (let i = 0; i < 3; i++) await expect(broker.fetchBalances()).rejects.toThrow('ECONNREFUSED');
    venueDown = false;
    const { status, body } = await get('/api/health/broker');
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: 'unhealthy',
      consecutiveFailures: 3,
      lastFailure: { method: 'fetchBalances', code: 'unavailable', message: 'connect ECONNREFUSED 127.0.0.1:9' },
    });
    expect((await get('/api/health', {})).body).toMatchObject({ status: 'unhealthy', checks: { broker: 'unhealthy' } });
    expect((await get('/metrics')).text).toContain('quant_broker_consecutive_failures 3');
    await broker.fetchBalances();
    expect((await get('/api/health/broker')).status).toBe(200);
  });

  it('a cycle that hangs makes the scheduler unhealthy once it is three intervals late', async () => {
    hang = new Promise<void>((resolve) => (releaseHang = resolve));
    await clock.advanceBy(MINUTE);
    expect(system.orchestrator.getSchedule().cycleInProgress).toBe(true);
    // Due a minute after it started: three intervals late is still on time, a fourth is a stall.
    await clock.advanceBy(4 * MINUTE);
    expect((await get('/api/health/scheduler')).body).toMatchObject({ status: 'ok', lateMs: 180_000 });
    await clock.advanceBy(MINUTE);
    const { status, body } = await get('/api/health/scheduler');
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: 'unhealthy',
      cycleInProgress: true,
      reason: 'the trading loop is 240 s late',
    });
    hang = undefined;
    releaseHang();
    await clock.advanceBy(MINUTE);
    expect((await get('/api/health/scheduler')).status).toBe(200);
  });

  it('a heartbeat older than recovery.stale_after makes the bot unhealthy, and the next one heals it', async () => {
    const strict = await startApiServer({ store, token: TOKEN, clock, bot, staleAfterMs: 2 * MINUTE });
    const health = () =>
      fetch(`${strict.url}/api/health`).then(async (response) => [response.status, await response.json()]);
    try {
      await store.heartbeat(RUN_ID, clock.now());
      expect(await health()).toEqual([
        200,
        expect.objectContaining({ checks: expect.objectContaining({ heartbeat: 'ok' }) }),
      ]);
      await clock.advanceBy(3 * MINUTE);
      expect(await health()).toEqual([
        503,
        expect.objectContaining({ checks: expect.objectContaining({ heartbeat: 'unhealthy' }) }),
      ]);
      const detailed = await fetch(`${strict.url}/api/health/detailed`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(((await detailed.json()) as { checks: { heartbeat: object } }).checks.heartbeat).toMatchObject({
        status: 'unhealthy',
        heartbeatAgeMs: 3 * MINUTE,
        reason: 'no heartbeat for 180 s (stale after 120 s)',
      });
      await store.heartbeat(RUN_ID, clock.now());
      expect((await health())[0]).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('a closed store is a database that does not answer: 503 with its code', async () => {
    const other = await EventStore.open(join(dir, 'other.db'));
    const api = await startApiServer({ store: other, token: TOKEN, disk: { path: dir, minFreeBytes: 0 } });
    try {
      await other.close();
      const response = await fetch(`${api.url}/api/health/database`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        status: 'unhealthy',
        reachable: false,
        error: { code: 'STORE_CLOSED' },
      });
      expect((await fetch(`${api.url}/api/health`)).status).toBe(503);
    } finally {
      await api.close();
    }
  });
});
