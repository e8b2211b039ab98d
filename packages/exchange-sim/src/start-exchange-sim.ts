import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { type Clock, isTimeframe, SimulatedClock, type Timeframe, timeframeToMs } from '@quant/core';
import { CsvBarSource } from '@quant/services';
import { buildApp, HeldResponses } from './app.js';
import { ExchangeSimError } from './exchange-sim-error.js';
import { type Faults, FaultTable } from './faults.js';
import { DEFAULT_FILTERS, type SymbolFilters } from './filters.js';
import { ScaledClock } from './scaled-clock.js';
import { StateStore, type StoredAccount } from './state-store.js';
import { type ClientIdReuse, Venue } from './venue.js';

/** An account of the exchange: the API key and secret a client signs with, and its starting balances. */
export interface ExchangeSimAccount {
  /** The `X-MBX-APIKEY` header's value. */
  readonly apiKey: string;
  /** The HMAC-SHA256 secret of the signatures. */
  readonly secret: string;
  /** Starting balances by asset, e.g. `{ USDT: 100_000 }`; 100 000 of the quote asset by default. */
  readonly balances?: Readonly<Record<string, number>>;
}

/** The account used when none is given: key `exchange-sim-key`, secret `exchange-sim-secret`, 100 000 USDT. */
export const DEFAULT_ACCOUNT: ExchangeSimAccount = Object.freeze({
  apiKey: 'exchange-sim-key',
  secret: 'exchange-sim-secret',
});

/**
 * Options of {@link startExchangeSim}. They map onto the CLI's flags: `--data` → `data`, `--port` → `port`,
 * `--speed` → `speed`, `--state` → `state`, `--client-id-reuse` → `clientIdReuse`.
 */
export interface ExchangeSimOptions {
  /** The 1-minute (or `timeframe`) OHLCV CSV to replay (the layout `CsvBarSource` reads by default). */
  readonly data: string;
  /** The symbol served; by default the file name up to its first `_` (`BTCUSDT_1m.csv` → `BTCUSDT`). */
  readonly symbol?: string;
  /** The base asset; by default the symbol without its quote asset (`BTC`). */
  readonly baseAsset?: string;
  /** The quote asset; by default the symbol's known quote suffix (USDT, USDC, FDUSD, BUSD, TUSD, USD, EUR, BTC, ETH, BNB). */
  readonly quoteAsset?: string;
  /** The file's bar timeframe; by default from the file name (`_1m.csv`), else `1m`. */
  readonly timeframe?: Timeframe;
  /** TCP port, 0 to 65535; 0 (the default) picks a free one, reported in {@link RunningExchangeSim.port}. */
  readonly port?: number;
  /** Interface to bind; `127.0.0.1` by default. */
  readonly host?: string;
  /** Data ms per real ms, > 0: 1 (the default) is real time, 60 a minute per second. Ignored with `clock`. */
  readonly speed?: number;
  /**
   * Exchange time at start, ms since epoch UTC; by default the first bar's open time plus one timeframe (the
   * first bar closed). With an existing state file the clock resumes at the later of this and the time saved.
   * Ignored with `clock`.
   */
  readonly startTime?: number;
  /** The exchange's clock, instead of a {@link ScaledClock} from `startTime` and `speed` (tests pass a `SimulatedClock`). */
  readonly clock?: Clock;
  /** SQLite state file, created when missing and restored when present; `:memory:` (the default) keeps nothing. */
  readonly state?: string;
  /** The accounts; {@link DEFAULT_ACCOUNT} by default. Accounts already in the state file keep their stored balances. */
  readonly accounts?: readonly ExchangeSimAccount[];
  /** Fee per fill, basis points of the notional, charged in the quote asset; 10 (0.1 %) like `paper_broker.fee_bps`. */
  readonly feeBps?: number;
  /** Slippage of market, stop and take-profit fills, basis points; 1 like `paper_broker.slippage_bps`. */
  readonly slippageBps?: number;
  /** Trading filters served and enforced; Binance's BTCUSDT ones by default (tick 0.01, step 0.00001, min notional 5). */
  readonly filters?: Partial<SymbolFilters>;
  /**
   * When a `newClientOrderId` may be used again, per account (a string choice, no units):
   * - `'never'` (the default): an id any order of the account already has is refused, `-2010 Duplicate order sent.`,
   *   whatever that order's status, so a client that sends an order twice is told so;
   * - `'binance'`: Binance's rule: refused only while the account's order with that id is open or partially
   *   filled; once it is closed (filled, cancelled, expired or rejected) the id places a new order, with a new
   *   `orderId`. `origClientOrderId` lookups (GET and DELETE `/api/v3/order`) then find the most recent order with
   *   the id; `GET /sim/orders` lists every one.
   *
   * Only new orders are checked: a state file restores the same orders whichever is given.
   */
  readonly clientIdReuse?: ClientIdReuse;
  /** Called once the exchange listens, with its URL: the "ready" signal a CLI prints and a test waits for. */
  readonly onReady?: (url: string) => void;
}

/** A running exchange. */
export interface RunningExchangeSim {
  /** Base URL, e.g. `http://127.0.0.1:41234`; Binance's spot API is under `${url}/api/v3`. */
  readonly url: string;
  /** The port bound. */
  readonly port: number;
  /** The symbol served, e.g. `BTCUSDT`. */
  readonly symbol: string;
  /** The exchange's clock: its server time, data time. */
  readonly clock: Clock;
  /** Fault injection (test-only); also at `POST /sim/faults`. */
  readonly faults: Faults;
  /** The line a CLI prints once ready: `exchange-sim ready on <url> (<symbol>)`. */
  readonly readyLine: string;
  /** Stops listening, releases held responses, closes connections and the state file. */
  close(): Promise<void>;
}

/** The choices of {@link ExchangeSimOptions.clientIdReuse}, the default first. */
export const CLIENT_ID_REUSE: readonly ClientIdReuse[] = ['never', 'binance'];

const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USD', 'EUR', 'BTC', 'ETH', 'BNB'];

function bad(message: string): ExchangeSimError {
  return new ExchangeSimError('EXSIM_BAD_OPTIONS', message);
}

function checkNumber(name: string, value: number | undefined, ok: (value: number) => boolean, expected: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || !ok(value))) {
    throw bad(`${name} must be ${expected}, got ${String(value)}`);
  }
}

/** Checks the options that need no file; returns the symbol, assets and timeframe. */
function resolveOptions(options: ExchangeSimOptions): {
  symbol: string;
  base: string;
  quote: string;
  timeframe: Timeframe;
} {
  if (typeof options.data !== 'string' || options.data === '') throw bad('data must be the path of a bar CSV file');
  checkNumber(
    'port',
    options.port,
    (v) => Number.isInteger(v) && v >= 0 && v <= 65_535,
    'an integer from 0 to 65535 (0: any free port)',
  );
  checkNumber(
    'speed',
    options.speed,
    (v) => v > 0,
    'a number > 0 (data ms per real ms: 1 real time, 60 a minute per second)',
  );
  checkNumber(
    'startTime',
    options.startTime,
    (v) => Number.isInteger(v) && v >= 0,
    'ms since epoch, UTC (an integer >= 0)',
  );
  checkNumber('feeBps', options.feeBps, (v) => v >= 0 && v < 10_000, 'basis points from 0 to 9999');
  checkNumber('slippageBps', options.slippageBps, (v) => v >= 0 && v < 10_000, 'basis points from 0 to 9999');
  if (options.clientIdReuse !== undefined && !CLIENT_ID_REUSE.includes(options.clientIdReuse)) {
    throw bad(
      `clientIdReuse must be 'never' (a client order id is never reused) or 'binance' (reusable once its order is closed), got ${String(options.clientIdReuse)}`,
    );
  }
  for (const [name, value] of Object.entries(options.filters ?? {})) {
    checkNumber(`filters.${name}`, value as number, (v) => v > 0, 'a number > 0');
  }
  const file = basename(options.data);
  const match = /^([A-Za-z0-9]+)(?:_([0-9]+[mhd]))?/.exec(file);
  const symbol = options.symbol ?? match?.[1]?.toUpperCase();
  if (symbol === undefined || !/^[A-Z0-9]{2,20}$/.test(symbol)) {
    throw bad(
      `symbol must be 2-20 of [A-Z0-9] (e.g. BTCUSDT), or the file name must start with it; got ${symbol ?? file}`,
    );
  }
  const quote = options.quoteAsset ?? QUOTES.find((candidate) => symbol.endsWith(candidate) && symbol !== candidate);
  const base =
    options.baseAsset ?? (quote !== undefined && symbol.endsWith(quote) ? symbol.slice(0, -quote.length) : undefined);
  if (quote === undefined || base === undefined || base === '') {
    throw bad(`cannot tell the base and quote assets of ${symbol}: give baseAsset and quoteAsset`);
  }
  const named = match?.[2];
  const timeframe = options.timeframe ?? (named !== undefined && isTimeframe(named) ? named : '1m');
  if (!isTimeframe(timeframe))
    throw bad(`timeframe must be one of 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 1d; got ${timeframe}`);
  const keys = new Set<string>();
  for (const account of options.accounts ?? []) {
    if (typeof account.apiKey !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(account.apiKey)) {
      throw bad('accounts[].apiKey must be 1-128 printable ASCII characters');
    }
    if (typeof account.secret !== 'string' || account.secret === '')
      throw bad(`account ${account.apiKey}: secret must not be empty`);
    if (keys.has(account.apiKey)) throw bad(`account ${account.apiKey} is given twice`);
    keys.add(account.apiKey);
    for (const [asset, amount] of Object.entries(account.balances ?? {})) {
      checkNumber(`account ${account.apiKey} balance ${asset}`, amount, (v) => v >= 0, 'a number >= 0');
    }
  }
  return { symbol, base, quote, timeframe };
}

async function loadBars(path: string, symbol: string, timeframe: Timeframe, clock: Clock): Promise<CsvBarSource> {
  let csv: CsvBarSource;
  try {
    csv = await CsvBarSource.load({ path, symbol, timeframe, clock });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ExchangeSimError('EXSIM_DATA_UNREADABLE', `cannot read the bar CSV ${path}: ${reason}`, { cause: error });
  }
  if (csv.stats.firstOpenTime === null) {
    throw new ExchangeSimError('EXSIM_DATA_UNREADABLE', `the bar CSV ${path} holds no bars`);
  }
  return csv;
}

/**
 * Starts a local Binance-compatible TEST exchange: the spot REST v3 subset ccxt's `binance` class uses (server
 * time, exchange info, klines, order create / query / cancel, open orders, my trades, account), signed and
 * checked like Binance, replaying one symbol's bars from a CSV on the exchange's own clock (server time is
 * data time) and matching orders with `@quant/services`' `SimulatedExchange` (the backtest's fill rules).
 *
 * @param options - data file, port, host, speed, start time or clock, state file, accounts, fee, slippage, filters,
 *   client order id reuse.
 * @returns the running exchange: its URL (port 0 resolved), clock, faults and `close()`.
 * @throws {@link ExchangeSimError} `EXSIM_BAD_OPTIONS` (bad port, speed, start time, fee, slippage, filters,
 *   accounts or client id reuse, or a symbol that cannot be told), `EXSIM_DATA_UNREADABLE` (missing, invalid or
 *   empty CSV), `EXSIM_STATE_UNREADABLE` (state file unusable, of another symbol, or ahead of the clock),
 *   `EXSIM_PORT_IN_USE`.
 *
 * @example
 * ```ts
 * import ccxt from 'ccxt';
 * import { startExchangeSim } from '@quant/exchange-sim';
 *
 * const sim = await startExchangeSim({
 *   data: '../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', // BTCUSDT, 1m: from the file name
 *   port: 0, // any free port
 *   speed: 60, // a data minute per real second
 *   state: 'exchange-sim.sqlite', // survives the bot's crash and the exchange's restart
 *   accounts: [{ apiKey: 'key', secret: 'secret', balances: { USDT: 100_000 } }],
 *   onReady: (url) => console.log(`ready on ${url}`),
 * });
 * const binance = new ccxt.binance({
 *   apiKey: 'key',
 *   secret: 'secret',
 *   urls: { api: { public: `${sim.url}/api/v3`, private: `${sim.url}/api/v3` } },
 *   options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false },
 * });
 * // Requests are stamped on the client's clock: at a speed other than 1, stamp them on the exchange's.
 * binance.nonce = () => sim.clock.now();
 * await binance.loadMarkets();
 * await binance.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'entry-1' });
 * await sim.close();
 * ```
 */
export async function startExchangeSim(options: ExchangeSimOptions): Promise<RunningExchangeSim> {
  const { symbol, base, quote, timeframe } = resolveOptions(options);
  const speed = options.speed ?? 1;
  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  const csv = await loadBars(options.data, symbol, timeframe, new SimulatedClock(0));
  const store = StateStore.open(options.state ?? ':memory:');
  try {
    const storedSymbol = store.meta('symbol');
    if (storedSymbol !== undefined && storedSymbol !== symbol) {
      throw new ExchangeSimError(
        'EXSIM_STATE_UNREADABLE',
        `the state file ${options.state} is of ${storedSymbol}, not ${symbol}`,
      );
    }
    store.setMeta('symbol', symbol);
    const saved = Number(store.meta('now') ?? Number.NEGATIVE_INFINITY);
    const defaultStart = (csv.stats.firstOpenTime as number) + timeframeToMs(timeframe);
    let clock: Clock;
    if (options.clock) {
      clock = options.clock;
      if (clock.now() < saved) {
        throw new ExchangeSimError(
          'EXSIM_STATE_UNREADABLE',
          `the state file ${options.state} was saved at ${new Date(saved).toISOString()}, after the clock's now (${new Date(clock.now()).toISOString()})`,
        );
      }
    } else {
      clock = new ScaledClock({ startTime: Math.max(options.startTime ?? defaultStart, saved), speed });
    }
    for (const account of options.accounts ?? [DEFAULT_ACCOUNT]) {
      store.addAccount({
        apiKey: account.apiKey,
        secret: account.secret,
        startingBalances: account.balances ?? { [quote]: 100_000 },
      });
    }
    const accounts: StoredAccount[] = store.accounts();
    const venue = new Venue({
      csv,
      symbol,
      baseAsset: base,
      quoteAsset: quote,
      clock,
      store,
      feeBps: options.feeBps ?? 10,
      slippageBps: options.slippageBps ?? 1,
      filters: { ...DEFAULT_FILTERS, ...options.filters },
      accounts,
      clientIdReuse: options.clientIdReuse ?? 'never',
    });
    await venue.replay();
    const faults = new FaultTable();
    const held = new HeldResponses();
    const app = buildApp(venue, faults, held, options.clock ? null : speed, DEFAULT_ACCOUNT.apiKey);
    const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const reason =
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is in use`
            : `cannot listen on ${host}:${port}: ${error.message}`;
        reject(
          new ExchangeSimError('EXSIM_PORT_IN_USE', `${reason}; pick another port, or 0 for any free one`, {
            cause: error,
          }),
        );
      });
      server.listen(port, host, () => resolve());
    });
    const bound = (server.address() as AddressInfo).port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    let closing: Promise<void> | undefined;
    const running: RunningExchangeSim = {
      url,
      port: bound,
      symbol,
      clock,
      faults,
      readyLine: `exchange-sim ready on ${url} (${symbol})`,
      close: () => {
        closing ??= new Promise<void>((resolve) => {
          held.releaseAll();
          const http = server as import('node:http').Server;
          http.close(() => {
            store.close();
            resolve();
          });
          http.closeAllConnections?.();
        });
        return closing;
      },
    };
    options.onReady?.(url);
    return running;
  } catch (error) {
    store.close();
    throw error;
  }
}
