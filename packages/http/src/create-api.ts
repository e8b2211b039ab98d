import { type Clock, LiveClock, type TradingEventPayloads } from '@quant/core';
import {
  type EventFilter,
  type EventStore,
  type RecoveryEvent,
  type RunLiveness,
  type RunRecord,
  runLiveness,
  type StoredEvent,
  StoreError,
} from '@quant/store';
import { type Context, Hono } from 'hono';
import { bearerAuth } from './bearer-auth.js';
import type { ApiBot } from './bot-view.js';
import { checkBroker, checkDatabase, checkDisk, checkScheduler } from './health-checks.js';
import { checkAll, detailedHealth, type HealthSources, overallStatus } from './health-report.js';
import { HttpError } from './http-error.js';
import { type OpenApiDocument, openApiDocument } from './openapi.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import {
  DEFAULT_PAGE_LIMIT,
  EVENTS_PARAMETERS,
  NO_PARAMETERS,
  NOTIFICATIONS_PARAMETERS,
  ORDERS_PARAMETERS,
  type ParameterSet,
  POSITIONS_PARAMETERS,
  type QueryValues,
  RUNS_PARAMETERS,
  readQuery,
  SUMMARY_PARAMETERS,
  TRADES_PARAMETERS,
} from './query-parameters.js';

/** The store queries the API serves: an {@link @quant/store!EventStore}, or anything with these methods. */
export type ApiStore = Pick<
  EventStore,
  'events' | 'summary' | 'orders' | 'positions' | 'runs' | 'recoveryEvents' | 'stats'
> & { readonly outbox: Pick<EventStore['outbox'], 'list' | 'counts'> };

/** The free space below which the disk is unhealthy by default, bytes (1 GiB, `api.disk_min_free_mb`'s default). */
export const DEFAULT_MIN_FREE_BYTES = 1024 * 1024 * 1024;

/** The shortest bearer token accepted, in characters. */
export const MIN_TOKEN_LENGTH = 16;

/** The longest query string accepted by default, bytes (longer: 414). */
export const DEFAULT_MAX_QUERY_BYTES = 4096;

/** Options of {@link createApi}. */
export interface ApiOptions {
  /** The store to serve (read only: the API never writes). */
  readonly store: ApiStore;
  /**
   * The bearer token every endpoint but `GET /api/health` requires (`Authorization: Bearer <token>`), at least
   * {@link MIN_TOKEN_LENGTH} characters. `undefined`: no authentication, for an app mounted behind a host's own
   * authentication; {@link startApiServer} refuses to serve without a token (`API_TOKEN_REQUIRED`).
   */
  readonly token?: string | undefined;
  /**
   * The running bot (its orchestrator, account, venue calls, jobs, run id): the health endpoints other than
   * `database` and `disk`, and most of `/metrics`, read it. Without it those report `unknown` (503).
   */
  readonly bot?: ApiBot;
  /**
   * The disk `/api/health/disk` watches: a path on it (the event store's folder, say; the working directory by
   * default) and the free space below which it is unhealthy, bytes ({@link DEFAULT_MIN_FREE_BYTES} by default).
   */
  readonly disk?: { readonly path?: string; readonly minFreeBytes?: number };
  /** The clock heartbeats' age is judged by (`GET /api/runs`, health, metrics): the bot's; a `LiveClock` by default. */
  readonly clock?: Pick<Clock, 'now'>;
  /**
   * How long without a heartbeat makes a run that has not ended `stale`, ms (`recovery.stale_after` × 1000);
   * 300 000 (5 minutes, the configuration's default) by default.
   */
  readonly staleAfterMs?: number;
  /** The longest query string accepted, bytes, at least 256; {@link DEFAULT_MAX_QUERY_BYTES} by default. */
  readonly maxQueryBytes?: number;
  /**
   * Called with any error a request met (the response is then a 500 `INTERNAL`, or a 503 `STORE_UNAVAILABLE` for
   * a closed or unreachable store, without details): where to log it.
   */
  readonly onError?: (error: unknown) => void;
}

/** A closed position's close, as `GET /api/trades` lists it. Prices and amounts in quote currency, times ms UTC. */
export interface Trade {
  /** Sequence number of its `PositionClosed` event (the paging cursor). */
  readonly seq: number;
  /** The position closed (in full, or in part: a position closed in two steps is two trades). */
  readonly positionId: string;
  /** The instrument. */
  readonly symbol: string;
  /** `long` or `short`. */
  readonly direction: 'long' | 'short';
  /** The strategy that opened the position, or `null`. */
  readonly strategyName: string | null;
  /** Quantity closed, base units. */
  readonly quantity: number;
  /** Average entry price of the position. */
  readonly entryPrice: number;
  /** Average exit price of this close. */
  readonly exitPrice: number;
  /** P&L realized by this close, after `fees`. */
  readonly realizedPnl: number;
  /** Fees of the entry share and the exit of the quantity closed. */
  readonly fees: number;
  /** Why it closed: `exit_signal`, `stop_loss`, `take_profit`, `manual`, … */
  readonly reason: string;
  /** When the position was opened. */
  readonly openedAt: number;
  /** Time of the closing fill. */
  readonly closedAt: number;
}

/** A run as `GET /api/runs` lists it: the store's record, its liveness now, and its recovery log. */
export interface RunReport extends RunRecord {
  /** `ended`, `running` or `stale` by its heartbeat (see {@link @quant/store!runLiveness}), at the API's clock. */
  readonly liveness: RunLiveness;
  /** The recovery log entries this run recorded (`run_crashed`, `recovery_summary`, `reconciliation`, …), oldest first. */
  readonly recovery: readonly RecoveryEvent[];
  /** The `detail` of its `recovery_summary` entry (the reconciliation with the venue at its start), or `null`. */
  readonly recoverySummary: Readonly<Record<string, unknown>> | null;
}

type Problem = { readonly code: string; readonly message?: string };

const problem = (c: Context, status: 400 | 404 | 405 | 413 | 414 | 500 | 503, error: Problem) =>
  c.json({ error }, status);

function check(ok: boolean, message: string): void {
  if (!ok) throw new HttpError('API_BAD_OPTION', message);
}

/** Checks the options {@link createApi} and {@link startApiServer} share. @internal */
export function checkApiOptions(options: ApiOptions): void {
  const { token, staleAfterMs, maxQueryBytes, disk } = options;
  check(
    token === undefined || (typeof token === 'string' && token.length >= MIN_TOKEN_LENGTH),
    `the API token must be at least ${MIN_TOKEN_LENGTH} characters (the one given is shorter; it is not shown)`,
  );
  check(
    staleAfterMs === undefined || (Number.isFinite(staleAfterMs) && staleAfterMs >= 0),
    `staleAfterMs must be a number of ms >= 0, got ${String(staleAfterMs)}`,
  );
  check(
    maxQueryBytes === undefined || (Number.isInteger(maxQueryBytes) && maxQueryBytes >= 256),
    `maxQueryBytes must be an integer >= 256, got ${String(maxQueryBytes)}`,
  );
  check(
    disk?.minFreeBytes === undefined || (Number.isFinite(disk.minFreeBytes) && disk.minFreeBytes >= 0),
    `disk.minFreeBytes must be a number of bytes >= 0, got ${String(disk?.minFreeBytes)}`,
  );
}

const filterOf = (values: QueryValues<typeof EVENTS_PARAMETERS>): EventFilter => ({
  ...(values.type === undefined ? {} : { types: values.type }),
  ...(values.severity === undefined ? {} : { severities: values.severity }),
  ...(values.symbol === undefined ? {} : { symbol: values.symbol }),
  ...(values.strategy === undefined ? {} : { strategy: values.strategy }),
  ...(values.correlation_id === undefined ? {} : { correlationId: values.correlation_id }),
  ...(values.from === undefined ? {} : { fromMs: values.from }),
  ...(values.to === undefined ? {} : { toMs: values.to }),
});

function tradeOf(event: StoredEvent): Trade {
  const close = event.payload as unknown as TradingEventPayloads['PositionClosed'];
  return {
    seq: event.seq,
    positionId: close.position.positionId,
    symbol: close.position.symbol,
    direction: close.position.direction,
    strategyName: close.position.strategyName,
    quantity: close.quantity,
    entryPrice: close.position.entryPrice,
    exitPrice: close.exitPrice,
    realizedPnl: close.realizedPnl,
    fees: close.fees,
    reason: close.reason,
    openedAt: close.position.openedAt,
    closedAt: close.closedAt,
  };
}

/**
 * The HTTP operations API over an event store, as a hono app (serve it with {@link startApiServer}, or call
 * `app.request(path)` in a test). Read only, JSON, times in ms since epoch UTC. Every endpoint but
 * `GET /api/health` requires `Authorization: Bearer <token>` when a token is given (401 `UNAUTHORIZED` otherwise).
 *
 * - `GET /api/health` → `{ status, checks }`: each component's state (open, no parameters; 200 or 503);
 * - `GET /api/events` → `{ events: StoredEvent[], next: number | null }`, in sequence order: filters `type` and
 *   `severity` (repeatable), `symbol`, `strategy`, `correlation_id`, `from` (inclusive) and `to` (exclusive) (ms or
 *   ISO 8601); `limit` 1 to 1 000 (100 by default); `after`: the previous page's `next` (`null`: the last page);
 * - `GET /api/events/summary` → the store's `EventSummary` (`total`, `byType`, `bySeverity`, `byHour`) of the same
 *   filters, without paging;
 * - `GET /api/orders` → `{ orders: StoredOrder[] }`: filters `status` (repeatable), `symbol`;
 * - `GET /api/positions` → `{ positions: StoredPosition[] }`: filters `status` (`open` or `closed`), `symbol`;
 * - `GET /api/trades` → `{ trades: Trade[], next }`: one per `PositionClosed` event, paged like events: filters
 *   `symbol`, `strategy`, `from`, `to` (the event's time), `limit`, `after`. From the events rather than the
 *   positions projection: a closed position there has no exit price nor closed quantity (its quantity is 0), and
 *   a position closed in parts is one row; each `PositionClosed` carries its quantity, exit price, fees, P&L after
 *   fees and reason, is never pruned (not market data), and pages by sequence number;
 * - `GET /api/runs` → `{ runs: RunReport[] }`, oldest first, each with how it ended, its liveness, and its
 *   recovery log entries (with the `recovery_summary`): filter `bot_id`;
 * - `GET /api/health/detailed`, `/database`, `/broker`, `/scheduler`, `/disk` → each component's check (200 when
 *   healthy, 503 when not; see docs/API.md), and `GET /api/health` their states only, open (no token);
 * - `GET /metrics` → the Prometheus text format: the orchestrator's, the services', the bus's, trading and process
 *   metrics (prom-client, a registry of its own);
 * - `GET /api/openapi.json` → the OpenAPI 3.1 description of all of these.
 *
 * A bad parameter is a 400 `{ error: { code: 'BAD_PARAMETER', reason, parameter, given, expected } }`: `reason` is
 * `invalid`, `unknown` (parameters an endpoint does not know are refused, not ignored; their value is not echoed)
 * or `repeated` (a single parameter given twice). A query string over `maxQueryBytes` is a 414 `QUERY_TOO_LONG`; a
 * request with a body a 413 `BODY_NOT_ALLOWED`; a method other than GET or HEAD a 405; an unknown path a 404
 * `NOT_FOUND`. Every response has `Cache-Control: no-store`.
 * @param options - the store, the token, the clock, the liveness threshold, the query limit, the error hook.
 * @returns the hono app.
 * @throws {@link HttpError} `API_BAD_OPTION` (a token shorter than {@link MIN_TOKEN_LENGTH}, a bad limit).
 */
export function createApi(options: ApiOptions): Hono {
  checkApiOptions(options);
  const { store, token, onError } = options;
  const clock = options.clock ?? new LiveClock();
  const staleAfterMs = options.staleAfterMs ?? 300_000;
  const maxQueryBytes = options.maxQueryBytes ?? DEFAULT_MAX_QUERY_BYTES;
  const app = new Hono();

  app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    const url = c.req.url;
    const at = url.indexOf('?');
    const queryBytes = at < 0 ? 0 : Buffer.byteLength(url.slice(at + 1));
    if (queryBytes > maxQueryBytes) {
      return problem(c, 414, {
        code: 'QUERY_TOO_LONG',
        message: `the query string is ${queryBytes} bytes, more than the ${maxQueryBytes} accepted`,
      });
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      c.header('Allow', 'GET, HEAD');
      return problem(c, 405, { code: 'METHOD_NOT_ALLOWED', message: 'the API is read only: GET or HEAD' });
    }
    // hono's bodyLimit cannot see the body of a GET (the node adapter builds its Request without one), so the
    // headers that announce a body are refused here, before anything reads it.
    const length = c.req.header('content-length');
    if (c.req.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0')) {
      return problem(c, 413, { code: 'BODY_NOT_ALLOWED', message: 'requests to the API carry no body' });
    }
    await next();
    return;
  });
  /** Reads the query, or answers 400. */
  const query = <S extends ParameterSet>(c: Context, parameters: S) => {
    const read = readQuery(new URL(c.req.url).searchParams, parameters);
    return 'problem' in read
      ? { ok: false as const, response: problem(c, 400, read.problem) }
      : { ok: true as const, values: read.values };
  };

  const sources: HealthSources = {
    store,
    bot: options.bot,
    clock,
    disk: {
      path: options.disk?.path ?? process.cwd(),
      minFreeBytes: options.disk?.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES,
    },
    staleAfterMs,
  };
  /** A health answer: 200 when `ok`, 503 otherwise. */
  const health = <B extends { readonly status: string }>(c: Context, body: B) =>
    c.json(body, body.status === 'ok' ? 200 : 503);

  // Open: a load balancer or systemd watchdog asks it without a token; the components' states only, no details.
  app.get('/api/health', async (c) => {
    const read = query(c, NO_PARAMETERS);
    if (!read.ok) return read.response;
    const checks = await checkAll(sources);
    return health(c, {
      status: overallStatus(checks),
      checks: Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check.status])),
    });
  });
  if (token !== undefined) {
    const auth = bearerAuth(token);
    app.use('/api/*', auth);
    app.use('/metrics', auth);
  }

  const healthRoute = (path: string, read: () => Promise<{ readonly status: string }> | { readonly status: string }) =>
    app.get(path, async (c) => {
      const parameters = query(c, NO_PARAMETERS);
      return parameters.ok ? health(c, await read()) : parameters.response;
    });
  healthRoute('/api/health/detailed', () => detailedHealth(sources));
  healthRoute('/api/health/database', () => checkDatabase(store));
  healthRoute('/api/health/broker', () => checkBroker(options.bot));
  healthRoute('/api/health/scheduler', () => checkScheduler(options.bot));
  healthRoute('/api/health/disk', () => checkDisk(sources.disk.path, sources.disk.minFreeBytes));

  // Made at the first scrape: its process collectors (an event-loop delay monitor among them) cost nothing until then.
  let metrics: PrometheusMetrics | undefined;
  app.get('/metrics', async (c) => {
    const read = query(c, NO_PARAMETERS);
    if (!read.ok) return read.response;
    metrics ??= new PrometheusMetrics(store, options.bot, clock);
    return c.body(await metrics.text(), 200, { 'Content-Type': metrics.contentType });
  });

  let openApi: OpenApiDocument | undefined;
  app.get('/api/openapi.json', (c) => {
    const read = query(c, NO_PARAMETERS);
    if (!read.ok) return read.response;
    openApi ??= openApiDocument({ bearer: token !== undefined });
    return c.json(openApi);
  });

  app.get('/api/events', async (c) => {
    const read = query(c, EVENTS_PARAMETERS);
    if (!read.ok) return read.response;
    const { after = 0, limit = DEFAULT_PAGE_LIMIT } = read.values;
    return c.json(await store.events(filterOf(read.values), { after, limit }));
  });

  app.get('/api/events/summary', async (c) => {
    const read = query(c, SUMMARY_PARAMETERS);
    if (!read.ok) return read.response;
    return c.json(await store.summary(filterOf(read.values)));
  });

  app.get('/api/orders', async (c) => {
    const read = query(c, ORDERS_PARAMETERS);
    if (!read.ok) return read.response;
    const { status, symbol } = read.values;
    const orders = (await store.orders()).filter(
      (order) =>
        (status === undefined || status.includes(order.status)) && (symbol === undefined || order.symbol === symbol),
    );
    return c.json({ orders });
  });

  app.get('/api/positions', async (c) => {
    const read = query(c, POSITIONS_PARAMETERS);
    if (!read.ok) return read.response;
    const { status, symbol } = read.values;
    const positions = (await store.positions()).filter(
      (position) =>
        (status === undefined || position.status === status) && (symbol === undefined || position.symbol === symbol),
    );
    return c.json({ positions });
  });

  app.get('/api/trades', async (c) => {
    const read = query(c, TRADES_PARAMETERS);
    if (!read.ok) return read.response;
    const { after = 0, limit = DEFAULT_PAGE_LIMIT, ...filters } = read.values;
    const page = await store.events({ ...filterOf(filters), types: ['PositionClosed'] }, { after, limit });
    return c.json({ trades: page.events.map(tradeOf), next: page.next });
  });

  app.get('/api/runs', async (c) => {
    const read = query(c, RUNS_PARAMETERS);
    if (!read.ok) return read.response;
    const { bot_id: botId } = read.values;
    const runs = (await store.runs()).filter((run) => botId === undefined || run.botId === botId);
    const recovery = await store.recoveryEvents();
    const nowMs = clock.now();
    const reports: RunReport[] = runs.map((run) => {
      const entries = recovery.filter((entry) => entry.runId === run.runId);
      return {
        ...run,
        liveness: runLiveness(run, nowMs, staleAfterMs),
        recovery: entries,
        recoverySummary: entries.find((entry) => entry.kind === 'recovery_summary')?.detail ?? null,
      };
    });
    return c.json({ runs: reports });
  });

  app.get('/api/notifications', async (c) => {
    const read = query(c, NOTIFICATIONS_PARAMETERS);
    if (!read.ok) return read.response;
    const { status, channel, limit = DEFAULT_PAGE_LIMIT } = read.values;
    const notifications = await store.outbox.list(
      { ...(status === undefined ? {} : { status }), ...(channel === undefined ? {} : { channel }) },
      limit,
    );
    return c.json({ counts: await store.outbox.counts(), notifications });
  });

  app.notFound((c) => problem(c, 404, { code: 'NOT_FOUND', message: 'no such endpoint' }));
  app.onError((error, c) => {
    onError?.(error);
    if (StoreError.isInstance(error) && (error.code === 'STORE_CLOSED' || error.code === 'STORE_UNREACHABLE')) {
      return problem(c, 503, { code: 'STORE_UNAVAILABLE', message: 'the event store is not available' });
    }
    return problem(c, 500, { code: 'INTERNAL', message: 'the request failed' });
  });
  return app;
}
