import type { HttpBindings } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { BinanceRejection, reject } from './binance-rejection.js';
import type { FaultSpec, FaultTable } from './faults.js';
import { Params } from './params.js';
import { checkSignature } from './signing.js';
import type { Venue } from './venue.js';

type Env = { Bindings: HttpBindings };

/** Responses held by `delay` faults, released when the exchange closes. Internal. */
export class HeldResponses {
  readonly #held = new Set<{ timer: NodeJS.Timeout; release: () => void }>();
  #closed = false;

  hold(delayMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#held.delete(entry);
          resolve();
        }, delayMs),
        release: resolve,
      };
      entry.timer.unref();
      this.#held.add(entry);
    });
  }

  releaseAll(): void {
    this.#closed = true;
    for (const entry of this.#held) {
      clearTimeout(entry.timer);
      entry.release();
    }
    this.#held.clear();
  }
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json;charset=UTF-8', ...headers },
  });
}

function rejection(error: BinanceRejection): Response {
  return json(error.body(), error.status, { ...error.headers });
}

const GATEWAY_TEXT: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Unavailable.',
  504: 'Gateway Timeout',
};

/** A server error: 500 with Binance's `-1001` body, or a gateway's plain-text 502, 503 or 504. */
function serverError(status: number): Response {
  const text = GATEWAY_TEXT[status];
  if (text === undefined) return rejection(reject.internal(status));
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain' } });
}

function drop(c: Context<Env>): Response {
  c.env.incoming.socket.destroy();
  return new Response(null, { status: 204 });
}

/**
 * The HTTP routes: Binance's spot REST v3 subset under `/api/v3`, and the test-only admin routes under `/sim`.
 * Every `/api` request first takes a hit of a matching fault, if one is armed. Internal.
 */
export function buildApp(
  venue: Venue,
  faults: FaultTable,
  held: HeldResponses,
  speed: number | null,
  defaultApiKey: string,
): Hono<Env> {
  const app = new Hono<Env>();

  /** Runs `act` under the fault armed for this request, if any, and turns Binance rejections into responses. */
  async function serve(c: Context<Env>, act: () => unknown): Promise<Response> {
    const fault = faults.take(c.req.method, c.req.path);
    if (fault) {
      if (fault.kind === 'rate_limit') return rejection(reject.tooManyRequests(fault.retryAfterS ?? 1));
      if (fault.kind === 'server_error' && !fault.after) return serverError(fault.status ?? 500);
      if (fault.kind === 'drop' && !fault.after) return drop(c);
    }
    let response: Response;
    try {
      response = json(await act());
    } catch (error) {
      if (!(error instanceof BinanceRejection)) throw error;
      response = rejection(error);
    }
    return after(c, fault, response);
  }

  async function after(c: Context<Env>, fault: FaultSpec | undefined, response: Response): Promise<Response> {
    if (fault?.kind === 'delay') await held.hold(fault.delayMs ?? 30_000);
    if (fault?.kind === 'server_error') return serverError(fault.status ?? 500);
    if (fault?.kind === 'drop') return drop(c);
    return response;
  }

  async function paramsOf(c: Context<Env>): Promise<{ params: Params; query: string; body: string }> {
    const query = new URL(c.req.url).search.replace(/^\?/, '');
    const body = c.req.method === 'GET' ? '' : await c.req.text();
    const values = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(query)) values.set(key, value);
    for (const [key, value] of new URLSearchParams(body)) values.set(key, value);
    return { params: new Params(values), query, body };
  }

  /** A SIGNED endpoint: API key, signature and timestamp checked before `handler` runs. */
  function signed(handler: (apiKey: string, params: Params) => unknown) {
    return (c: Context<Env>) =>
      serve(c, async () => {
        const { params, query, body } = await paramsOf(c);
        const apiKey = c.req.header('X-MBX-APIKEY');
        if (apiKey === undefined || apiKey === '' || !/^[\x21-\x7e]{1,128}$/.test(apiKey)) throw reject.apiKeyFormat();
        const secret = venue.secretOf(apiKey);
        if (secret === undefined) throw reject.invalidApiKey();
        checkSignature(
          { query, body, secret, timestamp: params.string('timestamp'), recvWindow: params.string('recvWindow') },
          venue.now(),
        );
        return handler(apiKey, params);
      });
  }

  function open(handler: (params: Params) => unknown) {
    return (c: Context<Env>) =>
      serve(c, async () => {
        const { params } = await paramsOf(c);
        return handler(params);
      });
  }

  app.get(
    '/api/v3/ping',
    open(() => ({})),
  );
  app.get(
    '/api/v3/time',
    open(() => ({ serverTime: venue.now() })),
  );
  app.get(
    '/api/v3/exchangeInfo',
    open((params) => {
      const symbol = params.string('symbol');
      if (symbol !== undefined) venue.checkSymbol(symbol);
      const symbols = params.string('symbols');
      if (symbols !== undefined) {
        let list: unknown;
        try {
          list = JSON.parse(symbols);
        } catch {
          throw reject.illegal('symbols');
        }
        if (!Array.isArray(list)) throw reject.illegal('symbols');
        for (const entry of list) venue.checkSymbol(String(entry));
      }
      return venue.exchangeInfo();
    }),
  );
  app.get(
    '/api/v3/klines',
    open((params) => venue.klineRows(params)),
  );
  app.post(
    '/api/v3/order',
    signed((apiKey, params) => venue.newOrder(apiKey, params)),
  );
  app.get(
    '/api/v3/order',
    signed((apiKey, params) => venue.queryOrder(apiKey, params)),
  );
  app.delete(
    '/api/v3/order',
    signed((apiKey, params) => venue.cancelOrder(apiKey, params)),
  );
  app.get(
    '/api/v3/openOrders',
    signed((apiKey, params) => venue.openOrders(apiKey, params)),
  );
  app.get(
    '/api/v3/myTrades',
    signed((apiKey, params) => venue.myTrades(apiKey, params)),
  );
  app.get(
    '/api/v3/account',
    signed((apiKey) => venue.accountInfo(apiKey)),
  );

  // Test-only administration: no authentication; the exchange binds the loopback interface by default.
  // A client follows the exchange's clock from `now` and `speed` (data ms per real ms; null: a clock of the caller's).
  app.get('/sim/status', () => json({ now: venue.now(), speed, symbol: venue.symbol }));
  // Every order and every trade of an account (`apiKey`, the default account's by default), for tests that check
  // what a client sent: orders in placement order, a reused client order id once per order.
  const ofAccount = (list: (apiKey: string) => unknown) => (c: Context<Env>) => {
    try {
      return json(list(c.req.query('apiKey') ?? defaultApiKey));
    } catch (error) {
      if (!(error instanceof BinanceRejection)) throw error;
      return rejection(error);
    }
  };
  app.get(
    '/sim/orders',
    ofAccount((apiKey) => venue.simOrders(apiKey)),
  );
  app.get(
    '/sim/trades',
    ofAccount((apiKey) => venue.simTrades(apiKey)),
  );
  app.get('/sim/faults', () => json(faults.pending()));
  app.delete('/sim/faults', () => {
    faults.clear();
    return json({});
  });
  app.post('/sim/faults', async (c) => {
    try {
      const body = (await c.req.json()) as FaultSpec | FaultSpec[];
      for (const spec of Array.isArray(body) ? body : [body]) faults.inject(spec);
      return json(faults.pending(), 201);
    } catch (error) {
      return json({ error: error instanceof Error ? error.message : String(error) }, 400);
    }
  });
  app.notFound((c) => json({ code: -1000, msg: `Unknown endpoint ${c.req.method} ${c.req.path}.` }, 404));
  app.onError((error) => json({ code: -1000, msg: `An unknown error occurred: ${error.message}` }, 500));
  return app;
}
