import type { Fill } from '@quant/core';
import {
  type Balance,
  BROKER_SPECIFICATION_VERSION,
  type Broker,
  type BrokerCapabilities,
  BrokerError,
  type SubmitOrderRequest,
  type VenueOrder,
} from '@quant/services';
import ccxt, { type Order } from 'ccxt';
import { type RequestKind, toBrokerError } from './ccxt-errors.js';
import type { CcxtVenue } from './ccxt-venue.js';
import { toFill, toVenueOrder } from './venue-records.js';

/** The parameter that carries the client order id, per venue; ccxt's unified `clientOrderId` elsewhere. */
const CLIENT_ORDER_ID_PARAMETER: Readonly<Record<string, string>> = { binance: 'newClientOrderId' };
/** Trades asked for per `fetchMyTrades` page. */
const TRADES_PAGE = 1000;

/**
 * The `Broker` port on a venue through ccxt: market and limit orders keyed by the bot's client order id (sent in
 * the venue's own parameter, `newClientOrderId` on Binance), orders looked up and cancelled by it, open orders,
 * the account's fills (the venue's trade id is the fill id) and balances.
 *
 * Before a submit the order is fitted to its market (lot size, tick size, minimum quantity and notional): an
 * order that cannot meet them is `rejected` with what the venue requires, without a request. ccxt's errors become
 * {@link @quant/services!BrokerError}s (see {@link toBrokerError}); a submit or cancel whose answer is lost (a timeout, a 5xx, a
 * dropped connection) is `unknown_outcome`, never `rejected`: the bot then looks the order up by its client
 * order id. A submit the venue refuses as a duplicate client order id returns the order that holds it.
 *
 * Capabilities: spot (balances, no positions), market and limit orders, GTC/IOC/FOK, partial fills, no native
 * stops (the bot watches stop-loss and take-profit levels itself), no streaming (the bot polls).
 *
 * @example
 * ```ts
 * const venue = await CcxtVenue.connect({ exchange: 'binance', apiKey, secret, url: 'http://127.0.0.1:8080' });
 * const broker = new CcxtBroker(venue);
 * const order = await broker.submitOrder({
 *   clientOrderId: 'bot-1-0001',
 *   symbol: 'BTCUSDT',
 *   side: 'buy',
 *   type: 'limit',
 *   quantity: 0.01,
 *   limitPrice: 20_000,
 * });
 * console.log(order.status, await broker.fetchOrder('BTCUSDT', 'bot-1-0001'));
 * ```
 */
export class CcxtBroker implements Broker {
  /** {@inheritDoc @quant/services!Broker.specificationVersion} */
  readonly specificationVersion = BROKER_SPECIFICATION_VERSION;
  /** {@inheritDoc @quant/services!Broker.capabilities} */
  readonly capabilities: BrokerCapabilities = {
    orderTypes: ['market', 'limit'],
    timeInForce: ['GTC', 'IOC', 'FOK'],
    nativeStops: false,
    partialFills: true,
    accountType: 'spot',
    streaming: false,
  };
  readonly #venue: CcxtVenue;
  /** Client order ids by the venue's order id: trades name only the order's venue id. */
  readonly #clientOrderIds = new Map<string, string>();

  /** @param venue - the connection ({@link CcxtVenue.connect}). */
  constructor(venue: CcxtVenue) {
    this.#venue = venue;
  }

  /** {@inheritDoc @quant/services!Broker.submitOrder} */
  async submitOrder(request: SubmitOrderRequest): Promise<VenueOrder> {
    const what = `submit of order ${request.clientOrderId} (${request.side} ${request.quantity} ${request.symbol} ${request.type})`;
    if (!this.capabilities.orderTypes.includes(request.type)) {
      throw new BrokerError(
        'unsupported',
        `${what}: ${this.#venue.id} takes market and limit orders through this adapter`,
      );
    }
    const timeInForce = request.timeInForce ?? 'GTC';
    if (!this.capabilities.timeInForce.includes(timeInForce)) {
      throw new BrokerError('unsupported', `${what}: time in force ${timeInForce} is not supported`);
    }
    if (request.type === 'limit' && request.limitPrice === undefined) {
      throw new BrokerError('rejected', `${what}: a limit order needs a limitPrice`);
    }
    const fitted = this.#venue.markets.fit(request);
    const parameter = CLIENT_ORDER_ID_PARAMETER[this.#venue.id] ?? 'clientOrderId';
    const params: Record<string, unknown> = { [parameter]: request.clientOrderId };
    if (request.type === 'limit') params.timeInForce = timeInForce;
    try {
      const order = await this.#venue.exchange.createOrder(
        fitted.venueSymbol,
        request.type,
        request.side,
        fitted.quantity,
        fitted.limitPrice,
        params,
      );
      return this.#known(this.#complete(order, request));
    } catch (error) {
      if (error instanceof ccxt.DuplicateOrderId || isDuplicateMessage(error)) {
        return this.fetchOrder(request.symbol, request.clientOrderId);
      }
      throw this.#error(error, 'write', what);
    }
  }

  /** {@inheritDoc @quant/services!Broker.cancelOrder} */
  async cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder> {
    const what = `cancel of order ${clientOrderId} (${symbol})`;
    const venueSymbol = this.#venueSymbol(symbol, what);
    try {
      const order = await this.#venue.exchange.cancelOrder('', venueSymbol, { clientOrderId });
      // Binance names the cancel request's own id `clientOrderId` in its answer (the order's is `origClientOrderId`):
      // the order is the one asked for. Some venues answer a cancel with a partial order: read it back whole.
      return order.status !== undefined && order.clientOrderId
        ? this.#known(toVenueOrder({ ...order, clientOrderId }, this.#venue.markets))
        : this.fetchOrder(symbol, clientOrderId);
    } catch (error) {
      if (error instanceof ccxt.OrderNotFound) {
        // Unknown to the venue as a working order: a final one is returned as it is; none at all is not_found.
        return this.fetchOrder(symbol, clientOrderId);
      }
      throw this.#error(error, 'write', what);
    }
  }

  /** {@inheritDoc @quant/services!Broker.fetchOrder} */
  async fetchOrder(symbol: string, clientOrderId: string): Promise<VenueOrder> {
    const what = `lookup of order ${clientOrderId} (${symbol})`;
    const venueSymbol = this.#venueSymbol(symbol, what);
    try {
      const order = await this.#venue.exchange.fetchOrder('', venueSymbol, { clientOrderId });
      return this.#known(toVenueOrder(order, this.#venue.markets));
    } catch (error) {
      throw this.#error(error, 'read', what);
    }
  }

  /** {@inheritDoc @quant/services!Broker.fetchOpenOrders} */
  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    const what = `open orders${symbol === undefined ? '' : ` of ${symbol}`}`;
    const venueSymbol = symbol === undefined ? undefined : this.#venueSymbol(symbol, what);
    try {
      const orders = await this.#venue.exchange.fetchOpenOrders(venueSymbol);
      return orders
        .map((order) => this.#known(toVenueOrder(order, this.#venue.markets)))
        .sort((a, b) => a.createdAt - b.createdAt);
    } catch (error) {
      throw this.#error(error, 'read', what);
    }
  }

  /** {@inheritDoc @quant/services!Broker.fetchFills} */
  async fetchFills(symbol: string, since: number): Promise<readonly Fill[]> {
    const what = `fills of ${symbol} since ${new Date(since).toISOString()}`;
    const venueSymbol = this.#venueSymbol(symbol, what);
    const fills = new Map<string, Fill>();
    try {
      for (let from = since; ; ) {
        const trades = await this.#venue.exchange.fetchMyTrades(venueSymbol, from, TRADES_PAGE);
        let fresh = 0;
        for (const trade of trades) {
          if (trade.id === undefined || fills.has(trade.id)) continue;
          const clientOrderId = await this.#clientOrderIdOf(trade.order ?? '', venueSymbol);
          fills.set(trade.id, toFill(trade, clientOrderId, this.#venue.markets));
          fresh++;
        }
        const last = trades.at(-1)?.timestamp;
        if (trades.length < TRADES_PAGE || fresh === 0 || last == null) break;
        // The next page starts at the last trade's time: trades of that ms come again and are skipped by id.
        from = last;
      }
    } catch (error) {
      throw this.#error(error, 'read', what);
    }
    return [...fills.values()].sort((a, b) => a.timestamp - b.timestamp || compareIds(a.fillId, b.fillId));
  }

  /** {@inheritDoc @quant/services!Broker.fetchBalances} */
  async fetchBalances(): Promise<readonly Balance[]> {
    try {
      const balances = await this.#venue.exchange.fetchBalance();
      const result: Balance[] = [];
      for (const [currency, balance] of Object.entries(balances)) {
        if (['info', 'timestamp', 'datetime', 'free', 'used', 'total', 'debt'].includes(currency)) continue;
        const { free, used, total } = balance as { free?: number; used?: number; total?: number };
        if (!free && !used && !total) continue;
        const f = free ?? 0;
        const u = used ?? 0;
        result.push({ currency, free: f, used: u, total: total ?? f + u });
      }
      return result.sort((a, b) => (a.currency < b.currency ? -1 : 1));
    } catch (error) {
      throw this.#error(error, 'read', `balances of ${this.#venue.id}`);
    }
  }

  /** The client order id of a venue order: known from an answer, else read from the venue. */
  async #clientOrderIdOf(orderId: string, venueSymbol: string): Promise<string> {
    const known = this.#clientOrderIds.get(orderId);
    if (known !== undefined) return known;
    const order = await this.#venue.exchange.fetchOrder(orderId, venueSymbol);
    const clientOrderId = order.clientOrderId ?? orderId;
    this.#clientOrderIds.set(orderId, clientOrderId);
    return clientOrderId;
  }

  /** Remembers the client order id of an order the venue answered with. */
  #known(order: VenueOrder): VenueOrder {
    this.#clientOrderIds.set(order.orderId, order.clientOrderId);
    return order;
  }

  /** A create answer as a whole order: venues answer with what they know, which may lack the request's fields. */
  #complete(order: Order, request: SubmitOrderRequest): VenueOrder {
    return toVenueOrder(
      {
        ...order,
        clientOrderId: order.clientOrderId ?? request.clientOrderId,
        side: order.side ?? request.side,
        amount: order.amount ?? request.quantity,
        symbol: order.symbol ?? this.#venue.markets.venueSymbol(request.symbol),
        status: order.status ?? 'open',
      },
      this.#venue.markets,
    );
  }

  #venueSymbol(symbol: string, what: string): string {
    try {
      return this.#venue.markets.venueSymbol(symbol);
    } catch (error) {
      throw new BrokerError('rejected', `${what}: ${(error as Error).message}`, { cause: error });
    }
  }

  #error(error: unknown, kind: RequestKind, what: string): BrokerError {
    return toBrokerError(error, kind, what, this.#venue.secrets);
  }
}

/** Venue ids in their order: numeric ids (Binance's trade ids) by value, others as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Binance answers a repeated open client order id with -2010 "Duplicate order sent.", which ccxt reads as InvalidOrder. */
function isDuplicateMessage(error: unknown): boolean {
  return error instanceof ccxt.InvalidOrder && /duplicate order/i.test(error.message);
}
