import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const BTCUSDT = JSON.parse(readFileSync(new URL('binance-btcusdt.json', import.meta.url), 'utf8'));

/** A request the peer received. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
}

/**
 * What the peer answers to one method and path: an HTTP status and a JSON body, one computed from the request,
 * `'drop'` (the socket is destroyed) or `'hang'` (no answer until the peer closes).
 */
export type ScriptedAnswer =
  | { readonly status: number; readonly body: unknown }
  | 'drop'
  | 'hang'
  | ((request: SeenRequest) => { readonly status: number; readonly body: unknown });

/**
 * A Binance spot API peer on loopback whose answers a test scripts, for checking how the adapter reads what
 * ccxt makes of Binance's answers: `exchangeInfo` (BTCUSDT with its real filters) and `time` are served; any
 * other method and path answers what {@link ScriptedBinance.answer} set, else 404.
 */
export interface ScriptedBinance {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request, in order (exchangeInfo and time included). */
  readonly seen: SeenRequest[];
  /** Sets the answers to `METHOD /path` (e.g. `POST /api/v3/order`), used in turn; the last one repeats. */
  answer(route: string, ...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

/** Starts a {@link ScriptedBinance} on an ephemeral loopback port. */
export async function startScriptedBinance(serverTime = Date.UTC(2023, 2, 1, 12)): Promise<ScriptedBinance> {
  const answers = new Map<string, ScriptedAnswer[]>();
  const seen: SeenRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const handle = (request: IncomingMessage, response: ServerResponse, body: string) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const seenRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, body };
    seen.push(seenRequest);
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    if (url.pathname === '/api/v3/exchangeInfo') {
      send(200, { timezone: 'UTC', serverTime, rateLimits: [], exchangeFilters: [], symbols: [BTCUSDT] });
      return;
    }
    if (url.pathname === '/api/v3/time') {
      send(200, { serverTime });
      return;
    }
    const route = `${request.method} ${url.pathname}`;
    const queue = answers.get(route);
    const next = queue === undefined ? undefined : queue.length > 1 ? queue.shift() : queue[0];
    if (next === undefined) send(404, { code: -1, msg: `no answer scripted for ${route}` });
    else if (next === 'drop') request.socket.destroy();
    else if (next === 'hang') hanging.add(response);
    else {
      const { status, body: payload } = typeof next === 'function' ? next(seenRequest) : next;
      send(status, payload);
    }
  };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => handle(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    answer(route, ...list) {
      answers.set(route, [...list]);
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
