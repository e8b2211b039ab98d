import type { Direction, Fill, Order, OrderIntent, Position, Side, TradingEventPayloads } from '@quant/core';

/** A trading account's balances, in its currency (the quote currency of the symbols traded). */
export interface Account {
  /** Currency of every amount below, e.g. `USDT`. */
  readonly currency: string;
  /** Cash, after fees and realized P&L. */
  readonly cash: number;
  /** Cash plus the unrealized P&L of open positions at the last mark. */
  readonly equity: number;
  /** Realized P&L since the account was opened, after fees. */
  readonly realizedPnl: number;
  /** Unrealized P&L of open positions at the last mark, before exit fees. */
  readonly unrealizedPnl: number;
  /** Fees paid since the account was opened. */
  readonly fees: number;
}

/** A market order to submit. */
export interface OrderRequest {
  /** Deterministic id chosen by the client; a repeated id returns the existing order. */
  readonly clientOrderId: string;
  /** The instrument. */
  readonly symbol: string;
  /** `buy` or `sell`. */
  readonly side: Side;
  /** Direction of the position opened or closed. */
  readonly direction: Direction;
  /** `entry` opens a position; `exit` closes (part of) `positionId`. */
  readonly intent: OrderIntent;
  /** Quantity, base units, > 0. */
  readonly quantity: number;
  /** Stop-loss price for the position opened, quote currency. */
  readonly stopLoss: number | null;
  /** Take-profit price for the position opened, quote currency. */
  readonly takeProfit: number | null;
  /** The strategy behind the order. */
  readonly strategyName: string | null;
  /** The position an exit order closes. */
  readonly positionId?: string;
}

/**
 * How a position was closed, in full or in part: the payload of the
 * `PositionClosed` event (position before the close, quantity, exit price,
 * P&L after fees, fees, reason).
 */
export type PositionClosure = TradingEventPayloads['PositionClosed'];

/**
 * What a broker reports as it happens: an order's new status (with the
 * reason of a rejection or cancellation), a fill, a position opened or closed.
 */
export type BrokerUpdate =
  | { readonly type: 'order'; readonly order: Order; readonly reason?: string }
  | { readonly type: 'fill'; readonly order: Order; readonly fill: Fill }
  | { readonly type: 'position_opened'; readonly position: Position }
  | { readonly type: 'position_closed'; readonly closure: PositionClosure };

/**
 * A venue that executes orders: implement it for your exchange; {@link PaperBroker}
 * is the simulated one shipped. Prices in the quote currency, quantities in
 * base units, times in ms since epoch, UTC.
 */
export interface Broker {
  /** The account's balances. */
  getAccount(): Promise<Account>;
  /** Open positions. */
  getPositions(): Promise<readonly Position[]>;
  /** Orders not yet filled, cancelled or rejected. */
  getOpenOrders(): Promise<readonly Order[]>;
  /**
   * Submits an order. Submitting a client order id that the broker already
   * knows returns that order and places nothing new.
   * @returns the order, `pending`/`open`, or `rejected` with no fill.
   */
  submitOrder(request: OrderRequest): Promise<Order>;
  /**
   * Cancels an open order.
   * @throws when the order is unknown.
   */
  cancelOrder(orderId: string): Promise<Order>;
  /**
   * Closes (part of) a position with a market order.
   * @param positionId - the position.
   * @param clientOrderId - id of the closing order.
   * @param quantity - how much to close, base units; all by default.
   * @throws when the position is unknown.
   */
  closePosition(positionId: string, clientOrderId: string, quantity?: number): Promise<Order>;
  /**
   * Listens to order, fill and position updates.
   * @returns a function that stops listening.
   */
  subscribe(listener: (update: BrokerUpdate) => void): () => void;
}
