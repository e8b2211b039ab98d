/** The side of an order or fill: `buy` or `sell`. */
export type Side = 'buy' | 'sell';

/** The direction of a position or signal: `long` profits when price rises, `short` when it falls. */
export type Direction = 'long' | 'short';

/** The side of the order that opens a position of `direction`. */
export function entrySide(direction: Direction): Side {
  return direction === 'long' ? 'buy' : 'sell';
}

/** The side of the order that closes a position of `direction`. */
export function exitSide(direction: Direction): Side {
  return direction === 'long' ? 'sell' : 'buy';
}

/** Order types: `market` fills at the next available price; `limit` and `stop` wait for a price. */
export type OrderType = 'market' | 'limit' | 'stop';

/** Whether an order opens or adds to a position (`entry`) or reduces or closes one (`exit`). */
export type OrderIntent = 'entry' | 'exit';

/**
 * Order status: `pending` (submitted, not yet acknowledged), `open` (working at
 * the venue), `partially_filled`, `filled`, `cancelled`, `rejected`.
 */
export type OrderStatus = 'pending' | 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected';

/**
 * An order as submitted to, and tracked by, a broker.
 *
 * Quantities are in base units (BTC for BTCUSDT); prices in the quote currency;
 * times in ms since epoch, UTC.
 */
export interface Order {
  /** The broker's id of the order. */
  readonly orderId: string;
  /**
   * The id chosen by the client when submitting. Deterministic for a given
   * signal, so that a repeated submission is recognised as the same order.
   */
  readonly clientOrderId: string;
  /** The instrument, e.g. `'BTCUSDT'`. */
  readonly symbol: string;
  /** `buy` or `sell`. */
  readonly side: Side;
  /** Direction of the position this order opens or closes. */
  readonly direction: Direction;
  /** Whether the order opens (`entry`) or closes (`exit`) a position. */
  readonly intent: OrderIntent;
  /** `market`, `limit` or `stop`. */
  readonly type: OrderType;
  /** Ordered quantity, base units, > 0. */
  readonly quantity: number;
  /** Quantity filled so far, base units. */
  readonly filledQuantity: number;
  /** Limit price for `limit` orders, trigger price for `stop` orders, quote currency; `null` for `market`. */
  readonly price: number | null;
  /** Current status. */
  readonly status: OrderStatus;
  /** When the order was submitted, ms since epoch, UTC. */
  readonly createdAt: number;
  /** Name of the strategy whose signal created the order, if any. */
  readonly strategyName: string | null;
}

/**
 * One execution of (part of) an order.
 *
 * Fee model: `fee = quantity * price * feeBps / 10_000`, in the quote currency;
 * the broker adapter states its fee rate.
 */
export interface Fill {
  /** Unique id of this fill. */
  readonly fillId: string;
  /** The broker's id of the filled order. */
  readonly orderId: string;
  /** The client order id of the filled order. */
  readonly clientOrderId: string;
  /** The instrument. */
  readonly symbol: string;
  /** `buy` or `sell`. */
  readonly side: Side;
  /** Filled quantity, base units, > 0. */
  readonly quantity: number;
  /** Execution price including slippage, quote currency. */
  readonly price: number;
  /** Fee charged for this fill, quote currency, >= 0. */
  readonly fee: number;
  /** Execution time, ms since epoch, UTC. */
  readonly timestamp: number;
}

/**
 * An open (or just closed) position in one symbol.
 *
 * P&L is in the quote currency: for a long position
 * `unrealizedPnl = (markPrice - entryPrice) * quantity`, for a short one
 * `(entryPrice - markPrice) * quantity`; fees are not included in
 * `unrealizedPnl` and are reported separately in `fees`.
 */
export interface Position {
  /** Unique id of the position. */
  readonly positionId: string;
  /** The instrument. */
  readonly symbol: string;
  /** `long` or `short`. */
  readonly direction: Direction;
  /** Open quantity, base units, > 0 while open. */
  readonly quantity: number;
  /** Average entry price, quote currency. */
  readonly entryPrice: number;
  /** When the position was opened, ms since epoch, UTC. */
  readonly openedAt: number;
  /** Stop-loss trigger price, quote currency, or `null` when none. */
  readonly stopLoss: number | null;
  /** Take-profit trigger price, quote currency, or `null` when none. */
  readonly takeProfit: number | null;
  /** P&L realized so far by partial closes, quote currency, before fees. */
  readonly realizedPnl: number;
  /** P&L at the last mark price, quote currency, before fees. */
  readonly unrealizedPnl: number;
  /** Fees paid on this position so far, quote currency. */
  readonly fees: number;
  /** Name of the strategy that opened it, if any. */
  readonly strategyName: string | null;
}
