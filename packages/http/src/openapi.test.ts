import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@quant/store';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from './create-api.js';
import { ENDPOINTS } from './openapi.js';
import { type ApiServer, startApiServer } from './start-api-server.js';
import { march, recordRealRuns } from './test-support/real-run.js';

const TOKEN = 'openapi-token-0123456789';
let dir: string;
let store: EventStore;
let server: ApiServer;
let document: {
  paths: Record<string, { get: { parameters: { name: string }[]; responses: Record<string, unknown> } }>;
  components: { schemas: Record<string, object> };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-http-openapi-'));
  store = await EventStore.open(join(dir, 'quant.db'));
  await recordRealRuns(store, march(1), march(3));
  server = await startApiServer({ store, token: TOKEN, disk: { path: dir, minFreeBytes: 0 } });
  const response = await fetch(`${server.url}/api/openapi.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  document = (await response.json()) as typeof document;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every route the app serves, and nothing else', () => {
    const app = createApi({ store });
    const served = new Set(app.routes.filter((route) => route.method === 'GET').map((route) => route.path));
    expect(new Set(Object.keys(document.paths))).toEqual(served);
  });

  it("lists each endpoint's parameters from the schemas that check them", () => {
    for (const endpoint of ENDPOINTS) {
      const names = document.paths[endpoint.path]?.get.parameters.map((parameter) => parameter.name);
      expect(names, endpoint.path).toEqual(Object.keys(endpoint.parameters));
    }
    const limit = document.paths['/api/events']?.get.parameters.find((parameter) => parameter.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', schema: { type: 'string', pattern: '^\\d{1,7}$' } });
    const type = document.paths['/api/events']?.get.parameters.find((parameter) => parameter.name === 'type');
    expect(type).toMatchObject({ schema: { type: 'array', items: { type: 'string' } }, explode: true });
  });

  it('describes the real responses: each body of the running API validates against its schema', async () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    }
    const cases: [string, string, number][] = [
      ['/api/events?limit=50', 'EventPage', 200],
      ['/api/events?type=OrderFilled&type=PositionClosed', 'EventPage', 200],
      ['/api/events/summary', 'EventSummary', 200],
      ['/api/orders', 'Orders', 200],
      ['/api/positions', 'Positions', 200],
      ['/api/trades', 'Trades', 200],
      ['/api/runs', 'Runs', 200],
      ['/api/health', 'Health', 200],
      ['/api/health/detailed', 'DetailedHealth', 200],
      ['/api/health/database', 'DatabaseHealth', 200],
      ['/api/health/disk', 'DiskHealth', 200],
      ['/api/health/broker', 'BrokerHealth', 503],
      ['/api/events?limit=0', 'BadParameter', 400],
      ['/api/nothing', 'Problem', 404],
    ];
    for (const [path, name, status] of cases) {
      const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status, path).toBe(status);
      const body = await response.json();
      const validate = ajv.getSchema(`#/components/schemas/${name}`);
      expect(validate?.(body), `${path}: ${JSON.stringify(validate?.errors)}`).toBe(true);
    }
    // The schemas are not vacuous: a page missing its cursor, or an event with a wrong severity, is refused.
    expect(ajv.getSchema('#/components/schemas/EventPage')?.({ events: [] })).toBe(false);
    const response = await fetch(`${server.url}/api/events?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = (await response.json()) as { events: Record<string, unknown>[]; next: number | null };
    expect(
      ajv.getSchema('#/components/schemas/EventPage')?.({
        ...page,
        events: [{ ...page.events[0], severity: 'fatal' }],
      }),
    ).toBe(false);
  });

  it('is behind the token and takes no parameters', async () => {
    expect((await fetch(`${server.url}/api/openapi.json`)).status).toBe(401);
    const withParameter = await fetch(`${server.url}/api/openapi.json?format=yaml`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(withParameter.status).toBe(400);
  });
});
