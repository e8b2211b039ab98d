import type { Direction, Fill, OrderType, Side, TimeInForce } from '@quant/core';

/** The version of the {@link Broker} port this package speaks. */
export const BROKER_SPECIFICATION_VERSION = 1;

/** What a venue supports, declared by its {@link Broker} implementation. */
export interface BrokerCapabilities {
  /** Order types the venue accepts; `market` at least. */
  readonly orderTypes: readonly OrderType[];
  /** Times in force the venue accepts; `GTC` at least. */
  readonly timeInForce: readonly TimeInForce[];
  /**
   * Whether the venue keeps `stop` and `take_profit` orders and honours
   * {@link SubmitOrderRequest.ocoGroup} (one fill cancels the others of the
   * group). When `true` the bot places a position's exit plan at the venue;
   * otherwise it watches the levels itself on every bar.
   */
  readonly nativeStops: boolean;
  /** Whether an order may fill in several parts. */
  readonly partialFills: boolean;
  /**
   * `spot`: the venue keeps balances only; `derivatives` (or margin): it also
   * keeps positions, served by {@link Broker.fetchPositions}.
   */
  readonly accountType: 'spot' | 'derivatives';
  /** Whether the venue pushes order and fill updates to {@link Broker.subscribe} listeners. */
  readonly streaming: boolean;
}

/** An order to send to a venue. Prices in the quote currency, quantities in base units. */
export interface SubmitOrderRequest {
  /**
   * The bot's id of the order, at most 36 characters (`[A-Za-z0-9_-]`). The
   * venue keeps it: a repeated submit with a known id places nothing new and
   * returns the existing order.
   */
  readonly clientOrderId: string;
  /** The instrument, e.g. `'BTCUSDT'`. */
  readonly symbol: string;
  /** `buy` or `sell`. */
  readonly side: Side;
  /** One of the venue's {@link BrokerCapabilities.orderTypes}. */
  readonly type: OrderType;
  /** Quantity, base units, > 0. */
  readonly quantity: number;
  /** Limit price of a `limit` order. */
  readonly limitPrice?: number;
  /** Trigger price of a `stop` or `take_profit` order. */
  readonly triggerPrice?: number;
  /** `GTC` by default. */
  readonly timeInForce?: TimeInForce;
  /** Orders sharing a group cancel each other when one fills (one-cancels-other); needs `nativeStops`. */
  readonly ocoGroup?: string;
}

/** Status of an order at the venue. */
export type VenueOrderStatus = 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

/** An order as the venue reports it. Prices in the quote currency, quantities in base units, times in ms UTC. */
export interface VenueOrder {
  /** The venue's id. */
  readonly orderId: string;
  /** The bot's id, as submitted. */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Ordered quantity. */
  readonly quantity: number;
  /** Filled so far. */
  readonly filledQuantity: number;
  /** Average fill price so far, `null` before the first fill. */
  readonly averagePrice: number | null;
  /** Limit price, `null` unless `limit`. */
  readonly limitPrice: number | null;
  /** Trigger price, `null` unless `stop` or `take_profit`. */
  readonly triggerPrice: number | null;
  readonly status: VenueOrderStatus;
  /** When the venue accepted it. */
  readonly createdAt: number;
  /** When its status or fills last changed. */
  readonly updatedAt: number;
  /** Why it was rejected, cancelled or expired, in the venue's words. */
  readonly reason?: string;
}

/** One currency's balance at the venue. */
export interface Balance {
  /** e.g. `USDT`, `BTC`. */
  readonly currency: string;
  /** Available for new orders. */
  readonly free: number;
  /** Held by open orders or positions. */
  readonly used: number;
  /** `free + used`. */
  readonly total: number;
}

/** A venue-side position (derivatives and margin venues). */
export interface VenuePosition {
  readonly symbol: string;
  /** `long` or `short` (a net position). */
  readonly direction: Direction;
  /** Base units, > 0. */
  readonly quantity: number;
  /** Average entry price, quote currency. */
  readonly entryPrice: number;
  /** At the venue's last mark, quote currency. */
  readonly unrealizedPnl: number;
}

/** What a streaming venue pushes: an order's new state, or a fill. */
export type BrokerUpdate =
  | { readonly type: 'order'; readonly order: VenueOrder }
  | { readonly type: 'fill'; readonly fill: Fill };

/** The name of a {@link Broker} method that calls the venue (every method but `subscribe`). */
export type BrokerMethod =
  | 'submitOrder'
  | 'cancelOrder'
  | 'fetchOrder'
  | 'fetchOpenOrders'
  | 'fetchFills'
  | 'fetchBalances'
  | 'fetchPositions';

/**
 * A venue that executes orders: implement it for your exchange;
 * {@link SimulatedExchange} is the simulated one shipped, and the conformance
 * kit (`@quant/services/testing`) checks an implementation against this
 * contract.
 *
 * Only venue facts: orders by client order id, fills, balances and (where
 * the venue has them) positions. The bot owns everything else — the order
 * state machine, the position ledger, stop-loss and take-profit — so a spot
 * venue with no positions works as well as a derivatives one.
 *
 * Every method rejects with a {@link BrokerError}. A transport failure whose
 * effect is not known (a timeout after the request was sent, a dropped
 * connection) is `unknown_outcome` — never `rejected`: the bot then asks
 * {@link Broker.fetchOrder} for the order by its client order id.
 *
 * Prices in the quote currency, quantities in base units, times in ms since
 * epoch, UTC.
 */
export interface Broker {
  /** The port version implemented: {@link BROKER_SPECIFICATION_VERSION}. */
  readonly specificationVersion: typeof BROKER_SPECIFICATION_VERSION;
  /** What the venue supports. */
  readonly capabilities: BrokerCapabilities;
  /**
   * Sends an order. Idempotent by client order id: a known id places nothing
   * and returns the order as it is.
   * @returns the order as the venue acknowledged it (usually `open`; a venue may answer `filled`).
   * @throws {@link BrokerError} `rejected`, `insufficient_funds`, `rate_limited`, `unsupported`, `unknown_outcome`, `unavailable`.
   */
  submitOrder(request: SubmitOrderRequest): Promise<VenueOrder>;
  /**
   * Cancels a working order; an order already final is returned as it is.
   * @throws {@link BrokerError} `not_found`, `rate_limited`, `unknown_outcome`, `unavailable`.
   */
  cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder>;
  /**
   * The order with this client order id.
   * @throws {@link BrokerError} `not_found` when the venue has no such order, `rate_limited`, `unavailable`.
   */
  fetchOrder(symbol: string, clientOrderId: string): Promise<VenueOrder>;
  /**
   * Working orders (`open` or `partially_filled`), oldest first.
   * @param symbol - one instrument, or every one when omitted.
   * @throws {@link BrokerError} `rate_limited`, `unavailable`.
   */
  fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]>;
  /**
   * Fills of the account at or after `since`, oldest first; each fill's
   * `fillId` is the venue's trade id, so a fill fetched twice is the same fill.
   * @param symbol - the instrument.
   * @param since - ms since epoch, UTC.
   * @throws {@link BrokerError} `rate_limited`, `unavailable`.
   */
  fetchFills(symbol: string, since: number): Promise<readonly Fill[]>;
  /**
   * The account's balances, one per currency held.
   * @throws {@link BrokerError} `rate_limited`, `unavailable`.
   */
  fetchBalances(): Promise<readonly Balance[]>;
  /**
   * Venue-side positions; only where {@link BrokerCapabilities.accountType} is `derivatives`.
   * @throws {@link BrokerError} `rate_limited`, `unavailable`.
   */
  fetchPositions?(): Promise<readonly VenuePosition[]>;
  /**
   * Listens to order and fill updates; only where {@link BrokerCapabilities.streaming} is `true`.
   * @returns a function that stops listening.
   */
  subscribe?(listener: (update: BrokerUpdate) => void): () => void;
}
