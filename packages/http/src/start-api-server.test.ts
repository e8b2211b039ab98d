import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@quant/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import { isLoopbackHost, startApiServer } from './start-api-server.js';

const TOKEN = 'a-token-of-24-characters';
let dir: string;
let store: EventStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-http-server-'));
  store = await EventStore.open(join(dir, 'quant.db'));
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(HttpError.isInstance(error), String(error)).toBe(true);
  return error as HttpError;
}

describe('startApiServer', () => {
  it('binds 127.0.0.1 on a free port by default, with every endpoint but health behind the token, and closes (twice without harm)', async () => {
    const server = await startApiServer({ store, token: TOKEN });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/api/health`);
    expect(await response.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${server.url}/api/events`)).status).toBe(401);
    const events = await fetch(`${server.url}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await events.json()).toEqual({ events: [], next: null });
    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it.each(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::', '192.168.1.10', 'bot.example.com'])(
    'refuses to serve on %s without a token: API_TOKEN_REQUIRED',
    async (host) => {
      const error = await failure(startApiServer({ store, host }));
      expect(error.code).toBe('API_TOKEN_REQUIRED');
      expect(error.message).toContain(host);
    },
  );

  it('refuses a token too short without showing it, and a bad port: API_BAD_OPTION', async () => {
    const short = await failure(startApiServer({ store, token: 'hunter2' }));
    expect(short.code).toBe('API_BAD_OPTION');
    expect(short.message).not.toContain('hunter2');
    for (const port of [-1, 65_536, 1.5]) {
      expect((await failure(startApiServer({ store, token: TOKEN, port }))).code).toBe('API_BAD_OPTION');
    }
  });

  it('reports a port in use: API_LISTEN_FAILED', async () => {
    const first = await startApiServer({ store, token: TOKEN });
    try {
      const port = Number(new URL(first.url).port);
      const error = await failure(startApiServer({ store, token: TOKEN, port }));
      expect(error.code).toBe('API_LISTEN_FAILED');
      expect(error.message).toContain('EADDRINUSE');
    } finally {
      await first.close();
    }
  });

  it('answers 503 STORE_UNAVAILABLE when the store is closed, and hands the error to onError', async () => {
    const closed = await EventStore.open(join(dir, 'closed.db'));
    await closed.close();
    const seen: unknown[] = [];
    const server = await startApiServer({ store: closed, token: TOKEN, onError: (error) => seen.push(error) });
    try {
      const response = await fetch(`${server.url}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: { code: 'STORE_UNAVAILABLE', message: 'the event store is not available' },
      });
      expect(seen.map((error) => (error as { code?: string }).code)).toEqual(['STORE_CLOSED']);
    } finally {
      await server.close();
    }
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', '::ffff:10.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
