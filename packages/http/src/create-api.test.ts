import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventFilter, EventStore, type StoredEvent } from '@quant/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, Trade } from './create-api.js';
import { type ApiServer, startApiServer } from './start-api-server.js';
import { httpClient } from './test-support/http-client.js';
import { BOT_ID, march, RUNS, recordRealRuns } from './test-support/real-run.js';

const TOKEN = 'test-token-0123456789abcdef';
const FROM = march(1);
const TO = march(3);
/** The API's clock: a minute after the last run started (it is `running`). */
const NOW = TO + 180_000;

let dir: string;
let store: EventStore;
let server: ApiServer;
let everything: StoredEvent[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-http-'));
  store = await EventStore.open(join(dir, 'quant.db'));
  await recordRealRuns(store, FROM, TO);
  everything = [];
  for await (const event of store.scan()) everything.push(event);
  server = await startApiServer({
    store,
    token: TOKEN,
    clock: { now: () => NOW },
    disk: { path: dir, minFreeBytes: 0 },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = httpClient(() => server.url, TOKEN);

const ids = (events: readonly { readonly id: string }[]) => events.map((event) => event.id);

/** Every event a filter selects, from the store itself. */
async function expected(filter: EventFilter): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of store.scan(filter)) events.push(event);
  return events;
}

/** Every event of `/api/events` with a query, page after page (`limit` 1 000). */
async function allPages(query: string, limit = 1000): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const { status, body }: { status: number; body: { events: StoredEvent[]; next: number | null } } = await get(
      `/api/events?${query}${query === '' ? '' : '&'}limit=${limit}&after=${after}`,
    );
    expect(status).toBe(200);
    events.push(...body.events);
    after = body.next;
  }
  return events;
}

describe('the real run the API serves', () => {
  it('traded, closed positions, and left three runs', async () => {
    expect(everything.length).toBeGreaterThan(200);
    expect(everything.filter((event) => event.type === 'PositionClosed').length).toBeGreaterThan(1);
    expect((await store.runs()).map((run) => run.runId)).toEqual([RUNS.crashed, RUNS.clean, RUNS.running]);
  });
});

describe('authentication', () => {
  const paths = [
    '/api/events',
    '/api/events/summary',
    '/api/orders',
    '/api/positions',
    '/api/trades',
    '/api/runs',
    '/api/notifications',
    '/api/health/detailed',
    '/api/health/database',
    '/api/health/broker',
    '/api/health/scheduler',
    '/api/health/disk',
    '/metrics',
  ];

  it("leaves GET /api/health open: the components' states, no details (no bot attached: the store and disk)", async () => {
    const { status, body } = await get('/api/health', {});
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', checks: { database: 'ok', disk: 'ok' } });
  });

  it.each(paths)('refuses %s without a token, with a 401 that names the scheme', async (path) => {
    const { status, body, headers } = await get<{ error: { code: string } }>(path, {});
    expect(status).toBe(401);
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(headers.get('www-authenticate')).toBe('Bearer realm="quant"');
  });

  it.each(paths)('refuses %s with a wrong token, without echoing either token', async (path) => {
    for (const wrong of [`${TOKEN.slice(0, -1)}X`, 'short', `${TOKEN}${TOKEN}`]) {
      const { status, body, text, headers } = await get<{ error: { code: string } }>(path, {
        authorization: `Bearer ${wrong}`,
      });
      expect(status).toBe(401);
      expect(body.error.code).toBe('UNAUTHORIZED');
      expect(headers.get('www-authenticate')).toContain('invalid_token');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(wrong);
    }
  });

  it('refuses a token given in another scheme or in the query', async () => {
    expect((await get('/api/orders', { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    const inQuery = await get(`/api/orders?token=${TOKEN}`, {});
    expect(inQuery.status).toBe(401);
    expect(inQuery.text).not.toContain(TOKEN);
  });

  it.each(paths)('answers %s with the right token (scheme case-insensitive)', async (path) => {
    // Without a bot attached, the broker and the scheduler are not monitored: unknown, hence not healthy.
    const expected = path === '/api/health/broker' || path === '/api/health/scheduler' ? 503 : 200;
    expect((await get(path)).status).toBe(expected);
    expect((await get(path, { authorization: `bearer ${TOKEN}` })).status).toBe(expected);
  });
});

describe('GET /api/events', () => {
  it('gives the first 100 events and the cursor by default', async () => {
    const { body } = await get<{ events: StoredEvent[]; next: number | null }>('/api/events');
    expect(body).toEqual(await store.events({}, { limit: 100 }));
    expect(body.events).toHaveLength(100);
    expect(body.next).toBe(body.events.at(-1)?.seq);
  });

  it('pages to the end with no event missed or repeated', async () => {
    for (const limit of [1000, 37, 1]) {
      const paged = await allPages('', limit);
      expect(ids(paged)).toEqual(ids(everything));
      expect(new Set(ids(paged)).size).toBe(everything.length);
    }
  });

  it('pages a filtered query to the end like the store', async () => {
    const query = 'type=OrderPlaced&type=OrderFilled&symbol=BTCUSDT';
    const paged = await allPages(query, 3);
    expect(ids(paged)).toEqual(ids(await expected({ types: ['OrderPlaced', 'OrderFilled'], symbol: 'BTCUSDT' })));
    expect(paged.length).toBeGreaterThan(10);
  });

  it('filters by type (repeatable)', async () => {
    const events = await allPages('type=PositionClosed&type=PositionOpened');
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(['PositionClosed', 'PositionOpened']));
    expect(ids(events)).toEqual(ids(await expected({ types: ['PositionClosed', 'PositionOpened'] })));
  });

  it('filters by severity (repeatable)', async () => {
    const warnings = await allPages('severity=warning');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((event) => event.severity === 'warning')).toBe(true);
    expect(ids(warnings)).toEqual(ids(await expected({ severities: ['warning'] })));
    const both = await allPages('severity=info&severity=warning');
    expect(both).toHaveLength(everything.length);
  });

  it('filters by symbol, strategy and correlation id', async () => {
    const symbol = await allPages('symbol=BTCUSDT');
    expect(ids(symbol)).toEqual(ids(everything.filter((event) => event.symbol === 'BTCUSDT')));
    expect((await allPages('symbol=ETHUSDT')).length).toBe(0);

    const strategy = everything.find((event) => event.strategy !== null)?.strategy as string;
    const byStrategy = await allPages(`strategy=${encodeURIComponent(strategy)}`);
    expect(byStrategy.length).toBeGreaterThan(0);
    expect(ids(byStrategy)).toEqual(ids(everything.filter((event) => event.strategy === strategy)));

    const cycle = everything.find((event) => event.type === 'OrderFilled')?.correlationId as string;
    const byCycle = await allPages(`correlation_id=${encodeURIComponent(cycle)}`);
    expect(byCycle.length).toBeGreaterThan(1);
    expect(ids(byCycle)).toEqual(ids(everything.filter((event) => event.correlationId === cycle)));
  });

  it('filters by time, from inclusive to exclusive, in ms or ISO 8601', async () => {
    const from = march(2);
    const to = march(2, 12);
    const inWindow = everything.filter((event) => event.timestamp >= from && event.timestamp < to);
    expect(inWindow.length).toBeGreaterThan(0);
    expect(ids(await allPages(`from=${from}&to=${to}`))).toEqual(ids(inWindow));
    expect(ids(await allPages('from=2023-03-02&to=2023-03-02T12:00:00.000Z'))).toEqual(ids(inWindow));
    expect(ids(await allPages(`from=${encodeURIComponent('2023-03-02T01:00+01:00')}&to=2023-03-02T12:00Z`))).toEqual(
      ids(inWindow),
    );
  });
});

describe('GET /api/events/summary', () => {
  it('gives the store’s summary, by type, severity and hour', async () => {
    const { status, body } = await get('/api/events/summary');
    expect(status).toBe(200);
    expect(body).toEqual(await store.summary());
    expect(body.total).toBe(everything.length);
  });

  it('takes the same filters', async () => {
    const { body } = await get(
      '/api/events/summary?type=OrderFilled&type=OrderCancelled&severity=info&symbol=BTCUSDT&from=2023-03-01&to=2023-03-02',
    );
    expect(body).toEqual(
      await store.summary({
        types: ['OrderFilled', 'OrderCancelled'],
        severities: ['info'],
        symbol: 'BTCUSDT',
        fromMs: march(1),
        toMs: march(2),
      }),
    );
  });

  it('has no paging', async () => {
    const { status, body } = await get<{ error: { parameter: string } }>('/api/events/summary?limit=10');
    expect(status).toBe(400);
    expect(body.error.parameter).toBe('limit');
  });
});

describe('GET /api/orders and /api/positions', () => {
  it('lists every order, or those of some statuses and a symbol', async () => {
    const orders = await store.orders();
    expect((await get('/api/orders')).body).toEqual({ orders });
    const filled = (await get<{ orders: { status: string }[] }>('/api/orders?status=filled')).body.orders;
    expect(filled).toEqual(orders.filter((order) => order.status === 'filled'));
    expect(filled.length).toBeGreaterThan(0);
    const two = (await get<{ orders: unknown[] }>('/api/orders?status=filled&status=cancelled&symbol=BTCUSDT')).body;
    expect(two.orders).toEqual(orders.filter((order) => ['filled', 'cancelled'].includes(order.status)));
    expect((await get<{ orders: unknown[] }>('/api/orders?symbol=ETHUSDT')).body.orders).toEqual([]);
  });

  it('lists every position, or the open or closed ones of a symbol', async () => {
    const positions = await store.positions();
    expect((await get('/api/positions')).body).toEqual({ positions });
    for (const status of ['open', 'closed'] as const) {
      expect((await get(`/api/positions?status=${status}&symbol=BTCUSDT`)).body).toEqual({
        positions: positions.filter((position) => position.status === status),
      });
    }
    expect(positions.some((position) => position.status === 'closed')).toBe(true);
    expect((await get<{ positions: unknown[] }>('/api/positions?symbol=ETHUSDT')).body.positions).toEqual([]);
  });
});

describe('GET /api/trades', () => {
  const trades = async (query = '') => {
    const all: Trade[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const { status, body }: { status: number; body: { trades: Trade[]; next: number | null } } = await get(
        `/api/trades?limit=2&after=${after}${query}`,
      );
      expect(status).toBe(200);
      all.push(...body.trades);
      after = body.next;
    }
    return all;
  };

  it('lists each PositionClosed as a trade, paged, with P&L that adds up to the positions’', async () => {
    const closes = everything.filter((event) => event.type === 'PositionClosed');
    const listed = await trades();
    expect(listed.map((trade) => trade.seq)).toEqual(closes.map((event) => event.seq));
    for (const trade of listed) {
      expect(trade.quantity).toBeGreaterThan(0);
      expect(trade.exitPrice).toBeGreaterThan(0);
      expect(trade.closedAt).toBeGreaterThanOrEqual(trade.openedAt);
    }
    for (const position of (await store.positions()).filter((p) => p.status === 'closed')) {
      const ofPosition = listed.filter((trade) => trade.positionId === position.positionId);
      expect(ofPosition.length).toBeGreaterThan(0);
      expect(ofPosition.reduce((sum, trade) => sum + trade.realizedPnl, 0)).toBeCloseTo(position.closedPnl, 9);
      expect(ofPosition[0]?.entryPrice).toBe(position.entryPrice);
      expect(ofPosition[0]?.direction).toBe(position.direction);
    }
  });

  it('filters by symbol, strategy and time', async () => {
    const listed = await trades();
    const strategy = listed[0]?.strategyName as string;
    expect(await trades(`&strategy=${strategy}&symbol=BTCUSDT`)).toEqual(
      listed.filter((trade) => trade.strategyName === strategy),
    );
    expect(await trades('&symbol=ETHUSDT')).toEqual([]);
    const cut = listed[1]?.seq as number;
    const cutAt = everything.find((event) => event.seq === cut)?.timestamp as number;
    expect((await trades(`&from=${cutAt}`)).map((trade) => trade.seq)).toEqual(
      listed.filter((trade) => trade.seq >= cut).map((trade) => trade.seq),
    );
    expect((await trades(`&to=${cutAt}`)).map((trade) => trade.seq)).toEqual(
      listed.filter((trade) => trade.seq < cut).map((trade) => trade.seq),
    );
  });
});

describe('GET /api/notifications', () => {
  interface Listed {
    counts: Record<string, number>;
    notifications: { id: string; status: string; attempts: number; lastError: string | null }[];
  }

  it('lists the outbox newest first with its counts, and the dead letters alone with ?status=dead', async () => {
    const all = await get<Listed>('/api/notifications');
    expect(all.status).toBe(200);
    expect(all.body.counts).toEqual({ pending: 0, sent: 1, dead: 1 });
    expect(all.body.notifications.map((entry) => entry.status)).toEqual(['dead', 'sent']);
    const dead = await get<Listed>('/api/notifications?status=dead&channel=email');
    expect(dead.body.notifications).toMatchObject([
      { status: 'dead', attempts: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:587' },
    ]);
    expect((await get<Listed>('/api/notifications?channel=webhook')).body.notifications).toEqual([]);
    expect((await get<Listed>('/api/notifications?limit=1')).body.notifications).toHaveLength(1);
    const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const lines = (await metrics.text()).split('\n');
    for (const line of ['quant_notifications{status="pending"} 0', 'quant_notifications{status="sent"} 1']) {
      expect(lines).toContain(line);
    }
    expect(lines).toContain('quant_notifications{status="dead"} 1');
  });

  it('refuses an unknown status, naming the parameter and what it accepts', async () => {
    const { status, body } = await get<{ error: { parameter: string; expected: string } }>(
      '/api/notifications?status=lost',
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      parameter: 'status',
      expected: 'pending, sent or dead (dead: the dead letters)',
    });
  });
});

describe('GET /api/runs', () => {
  it('lists the runs with how each ended, its liveness and its recovery log with the summary', async () => {
    const { status, body } = await get<{ runs: RunReport[] }>('/api/runs');
    expect(status).toBe(200);
    const [crashed, clean, running] = body.runs;
    expect(body.runs).toHaveLength(3);
    expect(crashed).toMatchObject({ runId: RUNS.crashed, endReason: 'crashed', liveness: { state: 'ended' } });
    expect(crashed?.recovery).toEqual([]);
    expect(clean).toMatchObject({
      runId: RUNS.clean,
      botId: BOT_ID,
      endReason: 'clean',
      endedAt: TO + 60_000,
      liveness: { state: 'ended' },
      recoverySummary: { phase: 'startup', action: 'none', mismatches: [] },
    });
    expect(clean?.recovery.map((entry) => entry.kind).sort()).toEqual(['recovery_summary', 'run_crashed']);
    expect(clean?.recovery.find((entry) => entry.kind === 'run_crashed')?.detail).toMatchObject({
      crashedRunId: RUNS.crashed,
    });
    expect(running).toMatchObject({
      runId: RUNS.running,
      endReason: null,
      liveness: { state: 'running', heartbeatAgeMs: 60_000 },
      recovery: [],
      recoverySummary: null,
    });
  });

  it('filters by bot id', async () => {
    expect((await get<{ runs: unknown[] }>(`/api/runs?bot_id=${BOT_ID}`)).body.runs).toHaveLength(3);
    expect((await get<{ runs: unknown[] }>('/api/runs?bot_id=other')).body.runs).toEqual([]);
  });
});

describe('bad requests', () => {
  const bad = async (query: string) => {
    const { status, body } = await get<{ error: Record<string, unknown> }>(query);
    expect(status, query).toBe(400);
    return body.error;
  };

  it('refuses a value of the wrong type or outside its choices', async () => {
    expect(await bad('/api/events?severity=fatal')).toMatchObject({
      code: 'BAD_PARAMETER',
      reason: 'invalid',
      parameter: 'severity',
      given: 'fatal',
      expected: expect.stringContaining('info, warning, error, critical'),
    });
    expect(await bad('/api/events?limit=ten')).toMatchObject({ parameter: 'limit', given: 'ten' });
    expect(await bad('/api/events?after=-1')).toMatchObject({ parameter: 'after' });
    expect(await bad('/api/events?type=Order%20Filled')).toMatchObject({ parameter: 'type' });
    expect(await bad('/api/events?symbol=')).toMatchObject({ parameter: 'symbol', given: '' });
    expect(await bad('/api/orders?status=done')).toMatchObject({ parameter: 'status', given: 'done' });
    expect(await bad('/api/positions?status=open%2Cclosed')).toMatchObject({ parameter: 'status' });
  });

  it('refuses a limit out of range', async () => {
    for (const limit of ['0', '1001', '100000000']) {
      expect(await bad(`/api/events?limit=${limit}`)).toMatchObject({
        parameter: 'limit',
        given: limit,
        expected: 'an integer from 1 to 1000 (100 by default)',
      });
    }
    expect(await bad('/api/trades?limit=1001')).toMatchObject({ parameter: 'limit' });
    expect((await get('/api/events?limit=1000')).status).toBe(200);
  });

  it('refuses a bad time, and a to not after from', async () => {
    for (const from of ['yesterday', '2023-02-30', '2023-03-01T12:00', '2023-03-01T25:00Z', '1.5', '03/01/2023']) {
      expect(await bad(`/api/events?from=${encodeURIComponent(from)}`)).toMatchObject({
        parameter: 'from',
        given: from,
      });
    }
    expect(await bad('/api/events/summary?to=2023-13-01')).toMatchObject({ parameter: 'to' });
    expect(await bad(`/api/events?from=${march(2)}&to=${march(1)}`)).toMatchObject({
      parameter: 'to',
      expected: 'a time after from',
    });
  });

  it('refuses an unknown parameter, naming it without echoing its value', async () => {
    const error = await bad('/api/events?types=OrderFilled');
    expect(error).toMatchObject({ reason: 'unknown', parameter: 'types', given: null });
    expect(error.expected).toContain('type, severity');
    const secret = await bad('/api/runs?api_key=do-not-echo-me');
    expect(JSON.stringify(secret)).not.toContain('do-not-echo-me');
    expect(await bad('/api/health?verbose=1')).toMatchObject({ parameter: 'verbose', expected: 'no parameters' });
  });

  it('refuses a single parameter given twice', async () => {
    expect(await bad('/api/events?symbol=BTCUSDT&symbol=ETHUSDT')).toMatchObject({
      reason: 'repeated',
      parameter: 'symbol',
      given: ['BTCUSDT', 'ETHUSDT'],
    });
    expect(await bad('/api/events?limit=10&limit=10')).toMatchObject({ reason: 'repeated', parameter: 'limit' });
    expect(await bad('/api/positions?status=open&status=closed')).toMatchObject({ parameter: 'status' });
  });

  it('refuses a query string over 4 KiB with a 414', async () => {
    const long = `/api/events?strategy=${'x'.repeat(4100)}`;
    const { status, body } = await get<{ error: { code: string } }>(long);
    expect(status).toBe(414);
    expect(body.error.code).toBe('QUERY_TOO_LONG');
    expect((await get(long, {})).status).toBe(414);
  });

  it('refuses other methods and request bodies', async () => {
    const post = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{}',
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const withBody = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${server.url}/api/events`, {
        method: 'GET',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': '2' },
      });
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      request.end('{}');
    });
    expect(withBody.status).toBe(413);
    expect(JSON.parse(withBody.body)).toMatchObject({ error: { code: 'BODY_NOT_ALLOWED' } });
  });

  it('answers an unknown path with a JSON 404, and no-store everywhere', async () => {
    const { status, body, headers } = await get<{ error: { code: string } }>('/api/nothing');
    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
    expect(headers.get('cache-control')).toBe('no-store');
    expect((await get('/api/health')).headers.get('cache-control')).toBe('no-store');
  });
});
