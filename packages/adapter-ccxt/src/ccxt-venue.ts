import ccxt, { type Exchange } from 'ccxt';
import { toBrokerError } from './ccxt-errors.js';
import { VenueMarkets } from './venue-markets.js';

/** How to reach a venue through ccxt: options of {@link CcxtVenue.connect}. */
export interface CcxtVenueOptions {
  /** ccxt's id of the exchange, e.g. `binance`. */
  readonly exchange: string;
  /** The API key: give it from the environment (e.g. `EXCHANGE_API_KEY`), never from a file. */
  readonly apiKey?: string;
  /** The API secret: from the environment only (e.g. `EXCHANGE_API_SECRET`). */
  readonly secret?: string;
  /** The venue's test network (ccxt's sandbox mode); `false` by default. */
  readonly sandbox?: boolean;
  /**
   * An origin (`http://127.0.0.1:8080`) that replaces the origin of every REST endpoint of the venue: a local
   * exchange speaking its protocol (`quant-bot exchange-sim`), or a proxy.
   */
  readonly url?: string;
  /** Whether ccxt spaces requests by the venue's rate limit (`enableRateLimit`); `true` by default. */
  readonly rateLimit?: boolean;
  /** How long a request may take before it fails with `RequestTimeout`, ms; 10 000 by default. */
  readonly timeoutMs?: number;
  /**
   * The clock signed requests are stamped on (their `timestamp`, which the venue checks against its own time):
   * a local exchange replaying data at its own speed; ccxt's (the machine's) by default.
   */
  readonly requestClock?: { now(): number };
  /** Extra ccxt `options` of the exchange class (merged over the adapter's). */
  readonly ccxtOptions?: Readonly<Record<string, unknown>>;
}

/** The ccxt options the adapter sets per venue: only what it uses, so a local exchange need not serve the rest. */
const VENUE_OPTIONS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  binance: { defaultType: 'spot', fetchMarkets: ['spot'], fetchMargins: false, fetchCurrencies: false },
};

/**
 * A connection to one venue through ccxt: the exchange object (one rate limiter for every request), its spot
 * markets, and the credentials to keep out of messages. {@link CcxtBroker} and {@link CcxtMarketData} share one.
 *
 * @example
 * ```ts
 * import { CcxtBroker, CcxtMarketData, CcxtVenue } from '@quant/adapter-ccxt';
 * import { LiveClock } from '@quant/core';
 *
 * const venue = await CcxtVenue.connect({
 *   exchange: 'binance',
 *   apiKey: process.env.EXCHANGE_API_KEY,
 *   secret: process.env.EXCHANGE_API_SECRET,
 *   url: 'http://127.0.0.1:8080', // a local exchange; omit for the real one
 * });
 * const broker = new CcxtBroker(venue);
 * const source = new CcxtMarketData(venue, { clock: new LiveClock() });
 * console.log(await broker.fetchBalances(), await source.fetchBars({ symbol: 'BTCUSDT', timeframe: '1m', limit: 3 }));
 * ```
 */
export class CcxtVenue {
  /** The ccxt exchange object. */
  readonly exchange: Exchange;
  /** The venue's spot markets and the bot's symbols. */
  readonly markets: VenueMarkets;
  readonly #secrets: readonly string[];

  private constructor(exchange: Exchange, secrets: readonly string[]) {
    this.exchange = exchange;
    this.markets = new VenueMarkets(exchange);
    this.#secrets = secrets;
  }

  /**
   * Creates the ccxt exchange and loads its markets.
   * @param options - the exchange's id, credentials, sandbox, URL override, rate limit, timeout.
   * @throws {@link @quant/services!BrokerError} `unsupported` when ccxt has no exchange of that id; `unavailable`
   *   (or `rejected`, e.g. bad credentials) when the markets cannot be loaded.
   */
  static async connect(options: CcxtVenueOptions): Promise<CcxtVenue> {
    const secrets = [options.apiKey ?? '', options.secret ?? ''];
    const Class = (ccxt as unknown as Record<string, unknown>)[options.exchange];
    if (typeof Class !== 'function' || !(ccxt.exchanges as readonly string[]).includes(options.exchange)) {
      throw toBrokerError(
        new ccxt.NotSupported(`ccxt has no exchange ${options.exchange}: expected one of ccxt.exchanges, e.g. binance`),
        'read',
        `connect to ${options.exchange}`,
        secrets,
      );
    }
    const exchange = new (Class as new (config: Record<string, unknown>) => Exchange)({
      apiKey: options.apiKey,
      secret: options.secret,
      enableRateLimit: options.rateLimit ?? true,
      timeout: options.timeoutMs ?? 10_000,
      options: { ...VENUE_OPTIONS[options.exchange], ...options.ccxtOptions },
    });
    if (options.sandbox === true) exchange.setSandboxMode(true);
    const requestClock = options.requestClock;
    if (requestClock !== undefined) exchange.nonce = () => requestClock.now();
    if (options.url !== undefined) redirect(exchange, options.url);
    try {
      await exchange.loadMarkets();
    } catch (error) {
      throw toBrokerError(error, 'read', `loading the markets of ${options.exchange}`, secrets);
    }
    return new CcxtVenue(exchange, secrets);
  }

  /** ccxt's id of the exchange, e.g. `binance`. */
  get id(): string {
    return this.exchange.id;
  }

  /** The credentials, for {@link toBrokerError} to keep out of messages. @internal */
  get secrets(): readonly string[] {
    return this.#secrets;
  }

  /** The venue's clock: its server time, ms since epoch, UTC. @throws {@link @quant/services!BrokerError} `unavailable`. */
  async serverTime(): Promise<number> {
    try {
      const time = await this.exchange.fetchTime();
      if (typeof time !== 'number') throw new ccxt.BadResponse(`${this.id} answered no server time`);
      return time;
    } catch (error) {
      throw toBrokerError(error, 'read', `server time of ${this.id}`, this.#secrets);
    }
  }

  /** Closes the venue's connections (ccxt's keep-alive agents). */
  async close(): Promise<void> {
    await this.exchange.close();
  }
}

/** Points every REST endpoint of the exchange at `url`'s origin, keeping each endpoint's path. */
function redirect(exchange: Exchange, url: string): void {
  const origin = new URL(url).origin;
  const api = exchange.urls.api as Record<string, unknown> | string;
  const move = (endpoint: string) => {
    const parsed = new URL(endpoint);
    return `${origin}${parsed.pathname}`.replace(/\/$/, '');
  };
  if (typeof api === 'string') {
    (exchange.urls as Record<string, unknown>).api = move(api);
    return;
  }
  for (const [name, endpoint] of Object.entries(api)) if (typeof endpoint === 'string') api[name] = move(endpoint);
}
