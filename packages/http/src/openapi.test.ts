import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '@quant/core';
import type { MonitoredBroker, TradingSystem } from '@quant/services';
import { EventStore } from '@quant/store';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiBot } from './bot-view.js';
import { createApi } from './create-api.js';
import { ENDPOINTS, type OpenApiDocument, openApiDocument } from './openapi.js';
import {
  EVENTS_PARAMETERS,
  NO_PARAMETERS,
  NOTIFICATIONS_PARAMETERS,
  ORDERS_PARAMETERS,
  POSITIONS_PARAMETERS,
  RUNS_PARAMETERS,
  SUMMARY_PARAMETERS,
  TRADES_PARAMETERS,
} from './query-parameters.js';
import { type ApiServer, startApiServer } from './start-api-server.js';
import { march, monitoredBot, recordRealRuns } from './test-support/real-run.js';

const TOKEN = 'openapi-token-0123456789';
const MINUTE = 60_000;
const auth = { authorization: `Bearer ${TOKEN}` };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Operation = { parameters: { name: string; schema: Json }[]; responses: Record<string, Json> };

let dir: string;
let store: EventStore;
let server: ApiServer;
let document: OpenApiDocument;

// A second API, of a running bot: the example bot in its live loop on the simulated clock, recording into a store
// of its own, its venue behind a MonitoredBroker and a switch that makes the venue unreachable.
let botStore: EventStore;
let botServer: ApiServer;
let system: TradingSystem;
let clock: SimulatedClock;
let monitored: MonitoredBroker;
let venueDown = false;
const controller = new AbortController();
let running: Promise<void>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-http-openapi-'));
  store = await EventStore.open(join(dir, 'quant.db'));
  await recordRealRuns(store, march(1), march(3));
  // Built here first so that a schema without a JSON Schema equivalent fails with its message, not as a 500.
  openApiDocument();
  server = await startApiServer({ store, token: TOKEN, disk: { path: dir, minFreeBytes: 0 } });
  const response = await fetch(`${server.url}/api/openapi.json`, { headers: auth });
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApiDocument;

  botStore = await EventStore.open(join(dir, 'bot.db'));
  clock = new SimulatedClock(march(1) - MINUTE);
  ({ system, broker: monitored } = await monitoredBot(botStore, clock, () => venueDown));
  await botStore.startRun({ runId: 'run-openapi', botId: 'openapi-bot', startedAt: clock.now() });
  await system.orchestrator.start();
  running = system.orchestrator.run({ intervalMs: MINUTE, signal: controller.signal });
  for (let minute = 0; minute < 600; minute++) await clock.advanceBy(MINUTE);
  await botStore.heartbeat('run-openapi', clock.now());
  const bot: ApiBot = {
    orchestrator: system.orchestrator,
    account: () => ({ ...system.positions.account(), openPositions: system.positions.positions().length }),
    broker: () => monitored.status(),
    jobs: () => [
      { name: 'heartbeat', intervalMs: 30_000, lastRunAt: clock.now(), nextRunAt: clock.now() + 30_000 },
      { name: 'daily_summary', intervalMs: null, schedule: '0 0 * * * UTC', lastRunAt: null, nextRunAt: null },
    ],
    runId: 'run-openapi',
  };
  botServer = await startApiServer({ store: botStore, token: TOKEN, clock, bot, disk: { path: dir, minFreeBytes: 0 } });
}, 120_000);

afterAll(async () => {
  controller.abort();
  await clock?.advanceBy(MINUTE);
  await running;
  await system?.orchestrator.stop();
  await botServer?.close();
  await botStore?.close();
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const operation = (path: string): Operation => document.paths[path]?.get as unknown as Operation;

const BODIES = 'https://quant.test/bodies.json';

/**
 * A copy of a schema of the document with every object closed (`additionalProperties: false` where it lists
 * properties and says nothing of others), and its `$ref`s pointing into {@link BODIES}: a body with a field the
 * document does not describe fails.
 */
function closed(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, Json> = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', `${BODIES}#/$defs/`)
        : key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).map(([name, property]) => [name, closed(property)]))
          : closed(value);
  }
  if ('properties' in copy && !('additionalProperties' in copy)) copy.additionalProperties = false;
  return copy;
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/** The validator of a schema of the document, strict (every schema must be plain JSON Schema 2020-12). */
function validatorOf(schema: Json): ValidateFunction {
  if (ajv === undefined) {
    ajv = new Ajv2020({ strict: true, allErrors: true });
    ajv.addSchema({ $id: BODIES, $defs: closed(document.components.schemas as unknown as Json) });
  }
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajv.compile(closed(schema) as object);
    compiled.set(key, validate);
  }
  return validate;
}

/** The JSON schema the document gives for a path's answer with this status (`components.responses` resolved). */
function responseSchema(path: string, status: number): Json {
  // `*`: any path (the 404 of an unknown path, the 405 of another method).
  const shared = { 404: 'NotFound', 405: 'MethodNotAllowed' }[status as 404 | 405];
  let response =
    path === '*' ? ({ $ref: `#/components/responses/${shared}` } as Json) : operation(path).responses[status];
  expect(response, `${path} documents ${status}`).toBeDefined();
  const target = (response as { $ref?: string }).$ref;
  if (target !== undefined) {
    response = (document.components.responses as Record<string, Json>)[
      target.replace('#/components/responses/', '')
    ] as Json;
  }
  const content = (response as { content: Record<string, { schema: Json }> }).content['application/json'];
  expect(content, `${path} ${status} is JSON`).toBeDefined();
  return content?.schema as Json;
}

/** Checks an answer's body against the schema the document gives for its route and status. */
function expectDocumented(route: string, status: number, body: Json, what: string): void {
  const validate = validatorOf(responseSchema(route, status));
  expect(validate(body), `${what} ${status}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

/**
 * GETs (or sends `method` to) a path of `base` with the token (or the headers given), checks the status, and the
 * body against the document (`documented`: the route it is documented under, `*` for any path).
 */
async function answersAsDocumented(
  base: string,
  path: string,
  status: number,
  init: RequestInit & { documented?: string } = {},
): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { headers: auth, ...init });
  expect(response.status, path).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as Json;
  expectDocumented(init.documented ?? path.split('?')[0] ?? path, status, body, path);
  return body;
}

/** A GET with a body (fetch cannot send one): status and JSON body. */
function getWithBody(url: string): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'GET',
      headers: { ...auth, 'content-type': 'application/json', 'content-length': '2' },
    });
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Json }));
    });
    request.on('error', reject);
    request.end('{}');
  });
}

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, with a token and without', async () => {
    for (const candidate of [document, openApiDocument({ bearer: false })]) {
      const validator = new Validator();
      const result = await validator.validate(candidate as unknown as Parameters<Validator['validate']>[0]);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
    }
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: '/' }]);
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    // Every body schema is plain JSON Schema 2020-12 (Ajv in strict mode refuses unknown keywords).
    for (const name of Object.keys(document.components.schemas)) {
      expect(() => validatorOf({ $ref: `#/components/schemas/${name}` }), name).not.toThrow();
    }
  });

  it('lists every route the app serves, each with its GET, and nothing else', () => {
    const app = createApi({ store });
    const served = app.routes.filter((route) => route.method !== 'ALL');
    expect(new Set(served.map((route) => route.method))).toEqual(new Set(['GET']));
    expect(new Set(Object.keys(document.paths))).toEqual(new Set(served.map((route) => route.path)));
    for (const [path, item] of Object.entries(document.paths)) expect(Object.keys(item), path).toEqual(['get']);
  });

  it('is behind the token, takes no parameters, and says which endpoint is open', async () => {
    await answersAsDocumented(server.url, '/api/openapi.json', 401, { headers: {} });
    await answersAsDocumented(server.url, '/api/openapi.json?format=yaml', 400);
    expect(operation('/api/health')).toMatchObject({ security: [] });
    expect(operation('/api/health').responses['401']).toBeUndefined();
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    for (const path of Object.keys(document.paths).filter((path) => path !== '/api/health')) {
      expect(operation(path).responses['401'], path).toEqual({ $ref: '#/components/responses/Unauthorized' });
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(401);
    }
  });

  it('describes an API without a token as such: no security, no 401', async () => {
    const app = createApi({ store, disk: { path: dir, minFreeBytes: 0 } });
    const open = (await (await app.request('/api/openapi.json')).json()) as OpenApiDocument;
    expect(open.security).toBeUndefined();
    expect(open.components.securitySchemes).toBeUndefined();
    for (const [path, item] of Object.entries(open.paths)) {
      expect((item.get as { responses: object }).responses, path).not.toHaveProperty('401');
    }
    expect(open.paths).toEqual(JSON.parse(JSON.stringify(openApiDocument({ bearer: false }).paths)));
  });
});

describe("the document's parameters", () => {
  it('are those of the ParameterSets, with their names and descriptions', () => {
    const sets = {
      '/api/events': EVENTS_PARAMETERS,
      '/api/events/summary': SUMMARY_PARAMETERS,
      '/api/orders': ORDERS_PARAMETERS,
      '/api/positions': POSITIONS_PARAMETERS,
      '/api/trades': TRADES_PARAMETERS,
      '/api/runs': RUNS_PARAMETERS,
      '/api/notifications': NOTIFICATIONS_PARAMETERS,
    };
    for (const path of Object.keys(document.paths)) {
      const set = sets[path as keyof typeof sets] ?? NO_PARAMETERS;
      const parameters = operation(path).parameters;
      expect(
        parameters.map(({ name }) => name),
        path,
      ).toEqual(Object.keys(set));
      for (const [name, parameter] of Object.entries(set)) {
        expect(
          parameters.find((documented) => documented.name === name),
          `${path} ${name}`,
        ).toMatchObject({ in: 'query', required: false, description: parameter.expected });
      }
    }
    expect(ENDPOINTS.map((endpoint) => endpoint.path)).toEqual(Object.keys(document.paths));
    const events = operation('/api/events').parameters;
    expect(events.find(({ name }) => name === 'type')).toMatchObject({
      schema: { type: 'array', items: { type: 'string' } },
      style: 'form',
      explode: true,
    });
    expect(events.find(({ name }) => name === 'limit')?.schema).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 100,
    });
    expect(events.find(({ name }) => name === 'from')?.schema).toMatchObject({ type: 'string' });
  });

  it('are the ones each running endpoint knows (its 400 for an unknown parameter lists them)', async () => {
    for (const path of Object.keys(document.paths)) {
      const response = await fetch(`${server.url}${path}?not_a_parameter=1`, { headers: auth });
      expect(response.status, path).toBe(400);
      const { error } = (await response.json()) as { error: { reason: string; expected: string } };
      const names = operation(path).parameters.map(({ name }) => name);
      expect(error, path).toMatchObject({
        reason: 'unknown',
        expected: names.length === 0 ? 'no parameters' : `one of: ${names.join(', ')}`,
      });
    }
  });

  it('accept the values the API accepts and refuse those it refuses', async () => {
    const ajvParameters = new Ajv2020({ strict: true });
    const cases: [path: string, name: string, values: string[]][] = [
      ['/api/events', 'limit', ['1', '100', '1000', '0', '1001', '-1', '1.5', 'ten', '']],
      ['/api/events', 'after', ['0', '72', '-1', 'x', '1e3']],
      [
        '/api/events',
        'from',
        [
          '1677628800000',
          '2023-03-01',
          '2023-03-01T12:00Z',
          '2023-03-01T13:00:00.000+01:00',
          'yesterday',
          '2023-03-01T12:00',
          '2023-3-1',
        ],
      ],
      ['/api/events', 'type', ['OrderFilled', 'Order_Filled2', '1x', 'a b']],
      ['/api/events', 'severity', ['warning', 'critical', 'fatal', 'WARNING']],
      ['/api/events', 'symbol', ['BTCUSDT', 'BTC/USDT', 'BTC-PERP:1', '-BTC', 'BTC USDT', 'x'.repeat(41)]],
      ['/api/events', 'strategy', ['rsi_reversion', 'x'.repeat(100), 'x'.repeat(101), '']],
      ['/api/events', 'correlation_id', ['c-1', 'x'.repeat(200), 'x'.repeat(201)]],
      ['/api/orders', 'status', ['filled', 'partially_filled', 'done']],
      ['/api/positions', 'status', ['open', 'closed', 'opened']],
      ['/api/runs', 'bot_id', ['reference-bot', 'x'.repeat(201), '']],
      ['/api/notifications', 'status', ['dead', 'sent', 'pending', 'lost']],
      ['/api/notifications', 'limit', ['1', '1000', '1001', '0']],
    ];
    for (const [path, name, values] of cases) {
      const parameter = operation(path).parameters.find((documented) => documented.name === name) as unknown as {
        schema: { type: string; items?: { type?: string } };
      };
      const validate = ajvParameters.compile(parameter.schema);
      for (const value of values) {
        // The document's value: a number where it says integer (what a client sends as digits), an array for a
        // repeatable parameter given once.
        const itemType = parameter.schema.type === 'array' ? parameter.schema.items?.type : parameter.schema.type;
        const item = itemType === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
        const documentSays = validate(parameter.schema.type === 'array' ? [item] : item);
        const response = await fetch(`${server.url}${path}?${new URLSearchParams({ [name]: value })}`, {
          headers: auth,
        });
        expect(response.status, `${path}?${name}=${value}`).toBe(documentSays ? 200 : 400);
      }
    }
  });
});

describe('the real answers of the running API validate against the document', () => {
  it('the event log, the projections, the runs', async () => {
    for (const path of [
      '/api/events',
      '/api/events?limit=1000',
      '/api/events?type=OrderFilled&type=PositionClosed&severity=info',
      '/api/events?severity=warning',
      '/api/events/summary',
      '/api/events/summary?from=2023-03-02&to=2023-03-02T12:00Z',
      '/api/orders',
      '/api/orders?status=cancelled',
      '/api/positions',
      '/api/positions?status=open',
      '/api/trades',
      '/api/trades?limit=2&after=65',
      '/api/runs',
      '/api/runs?bot_id=nobody',
      '/api/notifications',
      '/api/notifications?status=dead',
    ]) {
      await answersAsDocumented(server.url, path, 200);
    }
    const page = (await answersAsDocumented(server.url, '/api/events?limit=5', 200)) as { events: unknown[] };
    expect(page.events).toHaveLength(5);
    const orders = (await answersAsDocumented(server.url, '/api/orders', 200)) as { orders: unknown[] };
    expect(orders.orders.length).toBeGreaterThan(0);
  });

  it('the health endpoints, without a bot and with one (healthy, then its venue down)', async () => {
    await answersAsDocumented(server.url, '/api/health', 200, { headers: {} });
    for (const path of ['/api/health/detailed', '/api/health/database', '/api/health/disk']) {
      await answersAsDocumented(server.url, path, 200);
    }
    for (const path of ['/api/health/broker', '/api/health/scheduler']) {
      expect(await answersAsDocumented(server.url, path, 503)).toMatchObject({ status: 'unknown' });
    }
    for (const path of Object.keys(document.paths).filter((path) => path.startsWith('/api/health'))) {
      await answersAsDocumented(botServer.url, path, 200);
    }
    const detailed = await answersAsDocumented(botServer.url, '/api/health/detailed', 200);
    expect(Object.keys(detailed as object)).toEqual(
      expect.arrayContaining(['checks', 'process', 'metrics', 'account', 'run']),
    );
    venueDown = true;
    for (let i = 0; i < 3; i++) await expect(monitored.fetchBalances()).rejects.toThrow('ECONNREFUSED');
    venueDown = false;
    const broker = await answersAsDocumented(botServer.url, '/api/health/broker', 503);
    expect(broker).toMatchObject({ status: 'unhealthy', lastFailure: { code: 'unavailable' } });
    await answersAsDocumented(botServer.url, '/api/health/detailed', 503);
    await answersAsDocumented(botServer.url, '/api/health', 503, { headers: {} });
    await monitored.fetchBalances();
    // The loop stopped: the scheduler unhealthy, with its reason.
    controller.abort();
    await clock.advanceBy(MINUTE);
    await running;
    const scheduler = await answersAsDocumented(botServer.url, '/api/health/scheduler', 503);
    expect(scheduler).toMatchObject({ status: 'unhealthy', reason: 'the trading loop is not running' });
  });

  it('the errors: 400, 401, 404, 405, 413, 414, and a closed store (503)', async () => {
    const bad = await answersAsDocumented(server.url, '/api/events?limit=0', 400);
    expect(bad).toMatchObject({ error: { code: 'BAD_PARAMETER', reason: 'invalid', parameter: 'limit' } });
    await answersAsDocumented(server.url, '/api/events?limit=1&limit=2', 400);
    await answersAsDocumented(server.url, '/api/orders?status=filled&status=nope', 400);
    await answersAsDocumented(server.url, '/api/trades', 401, {
      headers: { authorization: 'Bearer wrong-token-000000' },
    });
    await answersAsDocumented(server.url, '/api/nothing', 404, { documented: '*' });
    await answersAsDocumented(server.url, '/api/events', 405, { method: 'POST', documented: '*' });
    const withBody = await getWithBody(`${server.url}/api/events`);
    expect(withBody.status).toBe(413);
    expectDocumented('/api/events', 413, withBody.body, 'a GET with a body');
    await answersAsDocumented(server.url, `/api/events?symbol=${'x'.repeat(5000)}`, 414);
    const closing = await EventStore.open(join(dir, 'closed.db'));
    const closedApi = await startApiServer({ store: closing, token: TOKEN, disk: { path: dir, minFreeBytes: 0 } });
    try {
      await closing.close();
      await answersAsDocumented(closedApi.url, '/api/events', 503);
      await answersAsDocumented(closedApi.url, '/api/health/database', 503);
    } finally {
      await closedApi.close();
    }
  });

  it('the schemas are not vacuous: a field missing, a wrong value or a field not documented is refused', async () => {
    const page = (await answersAsDocumented(server.url, '/api/events?limit=1', 200)) as {
      events: Record<string, Json>[];
      next: number | null;
    };
    const validate = validatorOf(responseSchema('/api/events', 200));
    const [event] = page.events;
    expect(validate({ events: [] })).toBe(false);
    expect(validate({ ...page, events: [{ ...event, severity: 'fatal' }] })).toBe(false);
    expect(validate({ ...page, events: [{ ...event, extra: 1 }] })).toBe(false);
    expect(validate(page)).toBe(true);
  });

  it('/metrics: the Prometheus text, of the media type documented; HEAD answers as GET', async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: auth });
    expect(response.status).toBe(200);
    const [mediaType] = Object.keys(
      (operation('/metrics').responses['200'] as { content: Record<string, unknown> }).content,
    );
    expect(response.headers.get('content-type')).toBe(mediaType);
    expect(await response.text()).toMatch(/^# HELP /m);
    const head = await fetch(`${server.url}/api/events`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
  });
});
