import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventFilter, EventStore, type StoredEvent, type StoredOrder, type StoredPosition } from '@quant/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_LINE } from './commands/live.js';
import { BTCUSDC, BTCUSDT, type CliProcess, runCli, startCli } from './test-support/run-cli.js';

const TOKEN = 'e2e-api-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'quant-bot-api-'));
const db = join(dir, 'quant.db');

let bot: CliProcess;
let url: string;
let store: EventStore;
/** The first run's stdout: a whole-file replay of BTCUSDT at full speed. */
let firstRun: string;

/**
 * A real life of the store: `live --replay` of the whole BTCUSDT file at full speed, then a second `live --replay`
 * on BTCUSDC, slowly, serving the API on the same store while it trades. Filters name BTCUSDT, whose events the
 * running bot does not add to, so the API's answers can be compared with the store's own queries.
 */
beforeAll(async () => {
  const first = await runCli(['live', '--replay', BTCUSDT, '--speed', 'max', '--log-level', 'warn', '--db', db]);
  expect(first.code, first.stderr).toBe(0);
  firstRun = first.stdout;
  bot = startCli(
    ['live', '--replay', BTCUSDC, '--speed', '60', '--log-level', 'warn', '--db', db, '--api', '127.0.0.1:0'],
    { API_TOKEN: TOKEN },
  );
  await bot.waitFor(READY_LINE);
  url = /API: (http:\/\/127\.0\.0\.1:\d+)/.exec(bot.output())?.[1] ?? '';
  expect(url).not.toBe('');
  store = await EventStore.open(db);
}, 120_000);

afterAll(async () => {
  if (bot.child.exitCode === null) bot.child.kill('SIGINT');
  await bot.done;
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get<T = Record<string, unknown>>(
  path: string,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
): Promise<{ status: number; body: T; text: string }> {
  const response = await fetch(`${url}${path}`, { headers });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json') === true;
  return { status: response.status, body: (json ? JSON.parse(text) : text) as T, text };
}

type Page = { events: StoredEvent[]; next: number | null };

/** Every event of a query, page after page, checking each page's size and cursor. */
async function pages(path: string, query: string, limit: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const { status, body }: { status: number; body: Page } = await get(
      `${path}?${query}&limit=${limit}&after=${after}`,
    );
    expect(status).toBe(200);
    expect(body.events.length).toBeLessThanOrEqual(limit);
    if (body.next !== null) expect(body.next).toBe(body.events.at(-1)?.seq);
    events.push(...body.events);
    after = body.next;
  }
  return events;
}

async function scan(filter: EventFilter): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of store.scan(filter)) events.push(event);
  return events;
}

describe('quant-bot live --api, on the store of real live --replay runs', () => {
  it('answers /api/health without a token: every component ok', async () => {
    const { status, body } = await get('/api/health', {});
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ok',
      checks: { database: 'ok', disk: 'ok', services: 'ok', scheduler: 'ok', broker: 'ok', heartbeat: 'ok' },
    });
  });

  it('refuses the other endpoints without the token, or with a wrong one', async () => {
    for (const path of ['/api/events', '/api/health/detailed', '/metrics', '/api/runs']) {
      expect((await get(path, {})).status).toBe(401);
      const wrong = await get(path, { authorization: `Bearer ${TOKEN.replace('e2e', 'xyz')}` });
      expect(wrong.status).toBe(401);
      expect(wrong.text).not.toContain(TOKEN);
    }
  });

  it('pages through the whole log to its end, with no event missed or repeated, while the bot appends', async () => {
    const paged = await pages('/api/events', '', 1000);
    const seqs = paged.map((event) => event.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // The store as the API's pages saw it: the same events, in the same order, up to the last one served.
    const stored = (await scan({})).filter((event) => event.seq <= (seqs.at(-1) as number));
    expect(paged.map((event) => event.id)).toEqual(stored.map((event) => event.id));
    expect(paged.length).toBeGreaterThan(1000);
  });

  it('filters by type (repeated), severity, symbol, strategy, correlation id and time as the store does', async () => {
    const fills = await scan({ symbol: 'BTCUSDT', types: ['OrderFilled'] });
    const firstFill = fills[0] as StoredEvent;
    const cases: [string, EventFilter][] = [
      [
        'symbol=BTCUSDT&type=OrderFilled&type=PositionClosed',
        { symbol: 'BTCUSDT', types: ['OrderFilled', 'PositionClosed'] },
      ],
      ['symbol=BTCUSDT&severity=warning&severity=error', { symbol: 'BTCUSDT', severities: ['warning', 'error'] }],
      ['symbol=BTCUSDT&strategy=rsi_reversion', { symbol: 'BTCUSDT', strategy: 'rsi_reversion' }],
      [`correlation_id=${firstFill.correlationId}`, { correlationId: firstFill.correlationId as string }],
      [
        'symbol=BTCUSDT&from=2023-03-10&to=2023-03-12T12:00:00Z',
        { symbol: 'BTCUSDT', fromMs: Date.UTC(2023, 2, 10), toMs: Date.UTC(2023, 2, 12, 12) },
      ],
      [`symbol=BTCUSDT&from=${Date.UTC(2023, 2, 20)}`, { symbol: 'BTCUSDT', fromMs: Date.UTC(2023, 2, 20) }],
    ];
    for (const [query, filter] of cases) {
      const expected = await scan(filter);
      expect(expected.length, query).toBeGreaterThan(0);
      expect(
        (await pages('/api/events', query, 37)).map((event) => event.id),
        query,
      ).toEqual(expected.map((event) => event.id));
    }
  });

  it('summarises a range by type, severity and hour as the store does', async () => {
    const { status, body } = await get('/api/events/summary?symbol=BTCUSDT&from=2023-03-01&to=2023-03-08');
    expect(status).toBe(200);
    expect(body).toEqual(
      await store.summary({ symbol: 'BTCUSDT', fromMs: Date.UTC(2023, 2, 1), toMs: Date.UTC(2023, 2, 8) }),
    );
  });

  it("lists orders and positions by status and symbol, and the trades whose P&L adds up to the run's", async () => {
    const orders = await get<{ orders: StoredOrder[] }>('/api/orders?symbol=BTCUSDT&status=filled&status=cancelled');
    expect(orders.body.orders).toEqual(
      (await store.orders()).filter(
        (o) => o.symbol === 'BTCUSDT' && (o.status === 'filled' || o.status === 'cancelled'),
      ),
    );
    expect(orders.body.orders.length).toBeGreaterThan(0);
    const positions = await get<{ positions: StoredPosition[] }>('/api/positions?symbol=BTCUSDT&status=closed');
    expect(positions.body.positions).toEqual(
      (await store.positions()).filter((p) => p.symbol === 'BTCUSDT' && p.status === 'closed'),
    );
    const trades: { realizedPnl: number; symbol: string }[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: { body: { trades: typeof trades; next: number | null } } = await get(
        `/api/trades?symbol=BTCUSDT&limit=25&after=${after}`,
      );
      trades.push(...page.body.trades);
      after = page.body.next;
    }
    expect(trades).toHaveLength((await scan({ symbol: 'BTCUSDT', types: ['PositionClosed'] })).length);
    const realized = Number(/Realized P&L: (-?[\d.]+) USDT/.exec(firstRun)?.[1]);
    expect(trades.reduce((sum, trade) => sum + trade.realizedPnl, 0)).toBeCloseTo(realized, 2);
  });

  it('lists the runs: the first ended clean, the one serving the API is running', async () => {
    const { body } = await get<{ runs: { endReason: string | null; liveness: { state: string } }[] }>('/api/runs');
    expect(body.runs.map((run) => [run.endReason, run.liveness.state])).toEqual([
      ['clean', 'ended'],
      [null, 'running'],
    ]);
  });

  it('serves the five detailed health endpoints of the running bot', async () => {
    for (const part of ['detailed', 'database', 'broker', 'scheduler', 'disk']) {
      const { status, body } = await get(`/api/health/${part}`);
      expect(status, part).toBe(200);
      expect(body.status, part).toBe('ok');
    }
    const scheduler = await get<{ jobs: { name: string }[] }>('/api/health/scheduler');
    expect(scheduler.body.jobs.map((job) => job.name)).toEqual([
      'trading_cycle',
      'health_check',
      'heartbeat',
      'store_maintenance',
    ]);
    const database = await get('/api/health/database');
    expect(database.body).toMatchObject({ reachable: true, runs: 2, dialect: 'sqlite' });
  });

  it("serves /metrics that promtool accepts, with the running bot's counters", async () => {
    const { status, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(text).toMatch(/^quant_orchestrator_cycles_total [1-9]\d*$/m);
    expect(text).toMatch(/^quant_service_data_fetches_total\{service="data_fetching"\} [1-9]\d*$/m);
    expect(text).toMatch(/^quant_equity\{currency="USDC"\} [\d.e+]+$/m);
    const file = join(dir, 'metrics.txt');
    writeFileSync(file, text);
    expect(execFileSync('sh', ['-c', `promtool check metrics < "${file}" 2>&1`], { encoding: 'utf8' })).toBe('');
  });

  it('answers a bad parameter with 400 naming it: invalid, unknown, repeated', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['/api/events?limit=5000', { reason: 'invalid', parameter: 'limit', given: '5000' }],
      ['/api/events?from=yesterday', { reason: 'invalid', parameter: 'from', given: 'yesterday' }],
      ['/api/orders?status=lost', { reason: 'invalid', parameter: 'status', given: 'lost' }],
      ['/api/events?sort=desc', { reason: 'unknown', parameter: 'sort', given: null }],
      ['/api/trades?symbol=BTCUSDT&symbol=ETHUSDT', { reason: 'repeated', parameter: 'symbol' }],
    ];
    for (const [path, error] of cases) {
      const { status, body } = await get(path);
      expect(status, path).toBe(400);
      expect(body, path).toMatchObject({ error: { code: 'BAD_PARAMETER', ...error } });
    }
  });

  it('closes the API with the bot on SIGINT; the run ends clean', async () => {
    bot.child.kill('SIGINT');
    const result = await bot.done;
    expect(result.code, result.stderr).toBe(0);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    const runs = await store.runs();
    expect(runs.map((run) => run.endReason)).toEqual(['clean', 'clean']);
  });
});

describe('quant-bot live --api: bad addresses', () => {
  const live = (api: string, env: Record<string, string> = { API_TOKEN: TOKEN }, extra: string[] = []) =>
    runCli(['live', '--replay', BTCUSDT, '--speed', 'max', '--db', join(dir, 'bad.db'), '--api', api, ...extra], env);

  it.each([
    ['nope', {}, '--api "nope" is not valid: expected [host:]port'],
    ['127.0.0.1:99999', {}, 'expected [host:]port, e.g. 8080 or 127.0.0.1:8080 (port 0 to 65535)'],
    ['127.0.0.1:0', { API_TOKEN: '' }, '--api "127.0.0.1:0" needs API_TOKEN in the environment'],
    ['0.0.0.0:0', { API_TOKEN: '' }, '--api "0.0.0.0:0" needs API_TOKEN in the environment'],
  ])('refuses --api %s with exit 2 before anything runs', async (api, env, message) => {
    const result = await live(api, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('refuses --api with --no-db, a short API_TOKEN (without showing it), and a port in use', async () => {
    const noDb = await runCli(['live', '--replay', BTCUSDT, '--no-db', '--api', '0'], { API_TOKEN: TOKEN });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('--no-db does not go with --api');
    const short = await live('0', { API_TOKEN: 'tiny-secret' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('api.token');
    expect(short.stderr).not.toContain('tiny-secret');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const busy = await live(`127.0.0.1:${port}`);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`--api: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      taken.close();
    }
  });
});
