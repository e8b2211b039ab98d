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

/**
 * Order types: `market` fills at the next available price; `limit` at
 * `limitPrice` or better; `stop` (stop-market) becomes a market order once
 * price trades through `triggerPrice` against the position (a stop-loss);
 * `take_profit` (take-profit-market) becomes a market order once price trades
 * through `triggerPrice` in the position's favour.
 */
export type OrderType = 'market' | 'limit' | 'stop' | 'take_profit';

/**
 * How long an order works: `GTC` (good till cancelled), `IOC` (immediate or
 * cancel: what cannot fill at once is cancelled), `FOK` (fill or kill: all at
 * once or nothing).
 */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

/** Whether an order opens or adds to a position (`entry`) or reduces or closes one (`exit`). */
export type OrderIntent = 'entry' | 'exit';

/**
 * Why the bot sent an order: a strategy's signal, or one leg of a position's
 * exit plan (its stop-loss or take-profit).
 */
export type OrderPurpose = 'signal' | 'stop_loss' | 'take_profit';

/**
 * Order status, the states of the bot's order state machine
 * (`ORDER_TRANSITIONS` in `@quant/services`):
 * - `created`: known to the bot, not yet sent;
 * - `submitting`: sent, the venue has not answered;
 * - `open`: working at the venue; `partially_filled`: working, part filled;
 * - `filled`, `cancelled`, `rejected`, `expired`: final;
 * - `unknown`: the venue's answer was lost (timeout, dropped connection): the
 *   order may or may not exist; the bot asks the venue for it by client order
 *   id and moves it on. Never treated as rejected.
 */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Every {@link OrderStatus}, in the order of an order's life (for validators and query parameters). */
export const ORDER_STATUSES = [
  'created',
  'submitting',
  'open',
  'partially_filled',
  'filled',
  'cancelled',
  'rejected',
  'expired',
  'unknown',
] as const;

/**
 * An order as the bot tracks it: what the venue reports (ids, status,
 * filled quantity, average price) and what the bot knows about it (the
 * position direction, intent, purpose and strategy).
 *
 * Quantities are in base units (BTC for BTCUSDT); prices in the quote currency;
 * times in ms since epoch, UTC.
 */
export interface Order {
  /** The venue's id of the order; `null` until the venue acknowledged it. */
  readonly orderId: string | null;
  /**
   * The id chosen by the bot when submitting: deterministic for a given
   * signal (see `clientOrderIdFor` in `@quant/services`), so that a repeated
   * submission is recognised as the same order, across restarts too.
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
  /** Why the bot sent it: a signal, or a stop-loss or take-profit of an exit plan. */
  readonly purpose: OrderPurpose;
  /** `market`, `limit`, `stop` or `take_profit`. */
  readonly type: OrderType;
  /** How long it works at the venue. */
  readonly timeInForce: TimeInForce;
  /** Ordered quantity, base units, > 0. */
  readonly quantity: number;
  /** Quantity filled so far, base units. */
  readonly filledQuantity: number;
  /** Average price of the fills so far, quote currency; `null` before the first fill. */
  readonly averagePrice: number | null;
  /** Limit price of a `limit` order, quote currency; `null` otherwise. */
  readonly limitPrice: number | null;
  /** Trigger price of a `stop` or `take_profit` order, quote currency; `null` otherwise. */
  readonly triggerPrice: number | null;
  /** Current status. */
  readonly status: OrderStatus;
  /** When the bot created the order, ms since epoch, UTC. */
  readonly createdAt: number;
  /** When its status or fills last changed, ms since epoch, UTC. */
  readonly updatedAt: number;
  /** Name of the strategy whose signal (or position) the order serves, if any. */
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
 * The position of one strategy in one symbol, as the bot's position ledger
 * builds it from fills (`PositionLedger` in `@quant/services`).
 *
 * P&L is in the quote currency: for a long position
 * `unrealizedPnl = (markPrice - entryPrice) * quantity`, for a short one
 * `(entryPrice - markPrice) * quantity`; fees are not included in
 * `unrealizedPnl` and are reported separately in `fees`.
 */
export interface Position {
  /** Id of the position: `P-` and the client order id of the order whose fill opened it. */
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
  /** P&L realized so far by partial closes, quote currency, before fees. */
  readonly realizedPnl: number;
  /** The last price the position was marked at, quote currency (the entry price until the first mark). */
  readonly markPrice: number;
  /** P&L at `markPrice`, quote currency, before fees. */
  readonly unrealizedPnl: number;
  /** Fees paid on this position so far, quote currency. */
  readonly fees: number;
  /** Name of the strategy that opened it, if any. */
  readonly strategyName: string | null;
}
