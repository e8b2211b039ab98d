import type { Bar } from '../domain/bar.js';
import type { IndicatorRow, RecentRows, Regime } from '../domain/regime.js';
import type { Timeframe } from '../domain/timeframe.js';
import type { Direction, Fill, Order, OrderIntent, OrderStatus, Position, Side } from '../domain/trading.js';
import type { AnyEventOf } from './event.js';

/**
 * Reasons a trade can be refused, carried by {@link TradingEventPayloads.TradingBlocked}:
 * the daily loss limit was reached, too many positions are open, the order is
 * larger than the maximum position size, a news window is blocked, the market
 * is outside trading hours, the account cannot pay for the order, or no valid
 * order could be made from the signal (`invalid_order`: e.g. its stop-loss
 * equals its price, or its size rounds to 0).
 */
export type TradingBlockReason =
  | 'daily_loss_limit'
  | 'max_positions'
  | 'max_position_size'
  | 'news_block'
  | 'outside_trading_hours'
  | 'insufficient_funds'
  | 'invalid_order';

/**
 * How an entry is sized: `fixed` buys or sells `quantity` base units;
 * `risk_percent` sizes the order so that a stop-loss hit loses `percent` of
 * equity: `quantity = equity × percent / 100 / |entry − stopLoss|` (the
 * fixed-fractional position sizing of Van Tharp, "Trade Your Way to Financial
 * Freedom", ch. 14); it needs a stop-loss.
 */
export type Sizing =
  | { readonly mode: 'fixed'; readonly quantity: number }
  | { readonly mode: 'risk_percent'; readonly percent: number };

/** The fields shared by `EntrySignal` and `ExitSignal`. */
export interface SignalFields {
  readonly symbol: string;
  readonly strategyName: string;
  /** Direction of the position to open (entry) or close (exit). */
  readonly direction: Direction;
  readonly timeframe: Timeframe;
  /** Open time of the bar that triggered the signal, ms since epoch, UTC. */
  readonly barOpenTime: number;
  /** The bar's close, quote currency: the reference price of the signal. */
  readonly price: number;
  /** Which rules fired, with their values, e.g. `ema_fast crosses_above ema_slow (27012.5 > 27001.2)`. */
  readonly reason: string;
}

/**
 * How a signal ended, carried by {@link TradingEventPayloads.SignalResolved}:
 * its order `filled`; `rejected` by the venue (with its reason); `blocked`
 * before any order was sent (risk rules, no valid order, no position to exit);
 * `failed`: the order could not be placed (a broker error code such as
 * `rate_limited`, or an order lost after an unknown outcome); `cancelled` or
 * `expired` at the venue before it filled.
 */
export type SignalOutcome = 'filled' | 'rejected' | 'blocked' | 'failed' | 'cancelled' | 'expired';

/** A position's exit plan: the stop-loss and take-profit the bot keeps for it. */
export interface ExitPlan {
  /** Stop-loss trigger price, quote currency, or `null`. */
  readonly stopLoss: number | null;
  /** Take-profit trigger price, quote currency, or `null`. */
  readonly takeProfit: number | null;
  /**
   * Who watches the levels: `venue` (native stop and take-profit orders, one
   * cancelling the other) or `bot` (checked on every bar of the execution
   * timeframe, then a market exit).
   */
  readonly placement: 'venue' | 'bot';
}

/**
 * Where an order comes from, recorded with it (`OrderSubmitted`) so that a restarted bot rebuilds what it
 * needs to go on with the order: the signal it serves, the bar whose signal made its client order id, and the
 * exit plan of the position an entry opens.
 */
export interface OrderOrigin {
  /** The `id` of the `EntrySignal` or `ExitSignal` the order serves, or `null` (an exit plan's order). */
  readonly signalId: string | null;
  /** The timeframe of the signal (for an exit plan's order: of the entry's signal). */
  readonly timeframe: Timeframe;
  /** Open time of the bar its client order id was made from, ms since epoch, UTC. */
  readonly barOpenTime: number;
  /** For an entry: the stop-loss of the position it opens, quote currency, or `null`. */
  readonly stopLoss: number | null;
  /** For an entry: the take-profit of the position it opens, quote currency, or `null`. */
  readonly takeProfit: number | null;
}

/** One currency's total balance at the venue, as {@link TradingEventPayloads.CapitalSet} records it. */
export interface BalanceTotal {
  /** e.g. `USDT`, `BTC`. */
  readonly currency: string;
  /** Free plus held, in that currency. */
  readonly total: number;
}

/**
 * Something the venue and the bot's record disagree on, found by reconciliation
 * ({@link TradingEventPayloads.ReconciliationCompleted}):
 * - `balance`: a currency's balance at the venue differs from what the bot's fills explain (`subject` the
 *   currency; `expected` and `actual` in that currency);
 * - `position`: a venue-side position (derivatives) differs from the bot's net position (`subject` the symbol;
 *   signed base units, short negative);
 * - `order`: the venue no longer knows an order it acknowledged (`subject` its client order id; quantities in
 *   base units), or holds one with the bot's prefix that the bot has no record of.
 */
export interface ReconciliationMismatch {
  readonly kind: 'balance' | 'position' | 'order';
  /** The currency, symbol or client order id. */
  readonly subject: string;
  /** What the bot's record says, or `null` when it has none. */
  readonly expected: number | null;
  /** What the venue says, or `null` when it has none. */
  readonly actual: number | null;
  /** In words, with the figures. */
  readonly message: string;
}

/** An open venue order the bot did not place (its client order id lacks the bot's prefix). */
export interface ExternalOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  /** Base units. */
  readonly quantity: number;
  /** `ignored` (never touched, the default) or `cancelled` (`recovery.cancel_external_orders`). */
  readonly handling: 'ignored' | 'cancelled';
}

/**
 * The events of the trading system, by name, with their payloads (the fields
 * beyond {@link EventMeta}). Names and fields follow the original system's
 * event types; see `docs/EVENTS.md` for who publishes and who consumes each.
 *
 * To add events of your own, extend this interface and give the result to
 * `new EventBus<MyEvents>()`:
 *
 * ```ts
 * interface MyEvents extends TradingEventPayloads {
 *   HeartbeatSent: { readonly sequence: number };
 * }
 * ```
 */
export interface TradingEventPayloads {
  /** Bars were fetched for one symbol and timeframe (every fetch, new bar or not). */
  DataFetched: {
    readonly symbol: string;
    readonly timeframe: Timeframe;
    /** The fetched bars, oldest first. */
    readonly bars: readonly Bar[];
    /** `bars.length`. */
    readonly numBars: number;
  };
  /** A fetch still failed after every retry. */
  DataFetchFailed: {
    readonly symbol: string;
    readonly timeframe: Timeframe;
    /** The last error's message. */
    readonly error: string;
    /** How many attempts were made, retries included. */
    readonly attempts: number;
  };
  /**
   * History fetched at a fresh start to warm up indicators and the regime
   * detector: fed through them without trading on it, so that strategies
   * trade on the first live bar. Published once per timeframe, before that
   * timeframe's first `NewCandle`.
   */
  HistoryLoaded: {
    readonly symbol: string;
    readonly timeframe: Timeframe;
    /** The closed bars before the first live bar, oldest first. */
    readonly bars: readonly Bar[];
    /** `bars.length`. */
    readonly numBars: number;
  };
  /** A bar closed: published exactly once per closed bar, in time order. */
  NewCandle: {
    readonly symbol: string;
    readonly timeframe: Timeframe;
    /** The closed bar. */
    readonly bar: Bar;
  };
  /** Indicators were updated with a new closed bar. */
  IndicatorsCalculated: {
    readonly symbol: string;
    readonly timeframe: Timeframe;
    /** The bar the indicators were updated with. */
    readonly bar: Bar;
    /** `bar`'s indicator row: what this bar added (the last of `recentRows`). */
    readonly row: IndicatorRow;
    /**
     * The last `recent_rows_limit` indicator rows, oldest first; the last is
     * `row`. A window over the rows the indicator service keeps, not a copy
     * per event; serialized as an array.
     */
    readonly recentRows: RecentRows;
    /** The current (confirmed) regime, or `null` until one is known. */
    readonly regime: Regime | null;
  };
  /** A new regime held long enough to be confirmed. */
  RegimeChanged: {
    readonly symbol: string;
    readonly timeframe: Timeframe;
    /** The previous confirmed regime, `null` for the first one. */
    readonly oldRegime: Regime | null;
    readonly newRegime: Regime;
    /** Open time of the bar that confirmed the change, ms since epoch, UTC. */
    readonly barOpenTime: number;
  };
  /** A strategy wants to open a position. */
  EntrySignal: SignalFields & {
    /** How the executor sizes the order: a fixed quantity, or a percent of equity put at risk down to the stop-loss. */
    readonly sizing: Sizing;
    /** Stop-loss price, quote currency, or `null`. */
    readonly stopLoss: number | null;
    /** Take-profit price, quote currency, or `null`. */
    readonly takeProfit: number | null;
  };
  /** A strategy wants to close its position (`direction` is the position's). */
  ExitSignal: SignalFields;
  /**
   * An order is about to be sent to the venue (`submitting`): the write-ahead record of its client order id. A
   * bot that journals its orders persists this event before the venue is called, so that after a crash it knows
   * every order it may have sent.
   */
  OrderSubmitted: {
    readonly order: Order;
    /** What the order serves: signal, bar, exit plan (what a restarted bot needs to go on with it). */
    readonly origin: OrderOrigin;
  };
  /** The venue acknowledged an order: it is working (`open`). */
  OrderPlaced: { readonly order: Order };
  /** The venue refused an order. */
  OrderRejected: {
    readonly order: Order;
    /** The broker's reason. */
    readonly reason: string;
  };
  /** An order was (partly) executed. */
  OrderFilled: { readonly order: Order; readonly fill: Fill };
  /** An order was cancelled before it filled completely. */
  OrderCancelled: { readonly order: Order; readonly reason: string };
  /** An order's time in force ran out before it filled completely. */
  OrderExpired: { readonly order: Order };
  /**
   * The venue's answer to a submit or cancel was lost (timeout, dropped
   * connection): the order is `unknown` until the next cycle asks the venue
   * for it by client order id. Not a rejection.
   */
  OrderStatusUnknown: {
    readonly order: Order;
    /** What was lost, e.g. the transport's error message. */
    readonly reason: string;
  };
  /** A position was opened (the first fill of a flat strategy and symbol). */
  PositionOpened: {
    readonly position: Position;
    /** The exit plan kept for it, or `null` when the signal set no stop-loss or take-profit. */
    readonly exitPlan: ExitPlan | null;
  };
  /** A position was closed, in full or in part. */
  PositionClosed: {
    /** The position as it was just before this close. */
    readonly position: Position;
    /** Closed quantity, base units. */
    readonly quantity: number;
    /** Average exit price, quote currency. */
    readonly exitPrice: number;
    /** P&L realized by this close, quote currency, after the fees below. */
    readonly realizedPnl: number;
    /** Fees of the entry share and the exit of the closed quantity, quote currency. */
    readonly fees: number;
    /** Why it closed: `exit_signal`, `stop_loss`, `take_profit`, `manual`, … */
    readonly reason: string;
    /** Time of the closing fill, ms since epoch, UTC. */
    readonly closedAt: number;
  };
  /**
   * A signal ended: exactly one per `EntrySignal` or `ExitSignal` that reached
   * the executor.
   */
  SignalResolved: {
    /** The `id` of the `EntrySignal` or `ExitSignal` event. */
    readonly signalId: string;
    readonly symbol: string;
    readonly strategyName: string;
    /** `entry` or `exit`. */
    readonly intent: OrderIntent;
    readonly outcome: SignalOutcome;
    /** The signal's order, or `null` when none was sent. */
    readonly clientOrderId: string | null;
    /**
     * Codes of the outcome: the `TradingBlockReason`s of a signal blocked by
     * risk or `invalid_order`; for a blocked entry, `position_open` (the
     * strategy already holds a position in the symbol) or `entry_in_progress`
     * (an entry order of the strategy is still working); for a blocked exit,
     * `no_position` (nothing to close) or `exit_in_progress` (an exit order is
     * already working); the `BrokerErrorCode` of a `failed` or `rejected` one
     * (for an exit not sent because a cancel of its exit-plan legs failed, the
     * cancel's code); empty otherwise.
     */
    readonly codes: readonly string[];
    /** In words: the venue's reason, the error's message, the fill. */
    readonly message: string;
  };
  /**
   * The capital the bot's account starts from, set once, at the bot's first start (the venue's balance in the
   * account currency), with every balance the venue reported then: the baseline that reconciliation compares the
   * venue's balances against (baseline plus the effect of every fill since). A restarted bot reads it back
   * instead of the venue's balance, which its trades have changed.
   */
  CapitalSet: {
    /** The account (quote) currency. */
    readonly currency: string;
    /** The starting capital, in `currency`. */
    readonly capital: number;
    /** Every balance at the venue then. */
    readonly balances: readonly BalanceTotal[];
  };
  /**
   * The bot compared its record of orders, fills and balances with the venue's: at start (`startup`, before the
   * first cycle, every start) and while running (`runtime`, published only when it found something). What it
   * found, what it did, and whether it trades on.
   */
  ReconciliationCompleted: {
    /** `startup` (before the first cycle) or `runtime` (the periodic check). */
    readonly phase: 'startup' | 'runtime';
    /** How the previous run ended, at startup when the journal knows (`clean` or `crashed`), else `null`. */
    readonly previousRun: { readonly runId: string; readonly end: 'clean' | 'crashed' } | null;
    /** Orders not final in the bot's record, rebuilt from it (startup). */
    readonly ordersRestored: number;
    /** Open positions rebuilt from the recorded fills (startup). */
    readonly positionsRestored: number;
    /** Orders whose state the venue changed since the bot last knew it (a fill, a cancel while the bot was down). */
    readonly ordersResolved: readonly {
      readonly clientOrderId: string;
      readonly from: OrderStatus;
      readonly to: OrderStatus;
    }[];
    /** Venue fills of the bot's orders that its record lacked, now applied (published as `OrderFilled`). */
    readonly fillsRecovered: number;
    /** Open venue orders the bot did not place. */
    readonly externalOrders: readonly ExternalOrder[];
    /**
     * Venue fills of orders the bot did not place, first seen by this check (they explain part of the balances;
     * a restarted bot reads them back from here).
     */
    readonly externalFills: readonly Fill[];
    /** Net quantities the external fills hold, by symbol (signed base units, short negative): never touched. */
    readonly externalPositions: readonly { readonly symbol: string; readonly quantity: number }[];
    /** What differs beyond the tolerance. */
    readonly mismatches: readonly ReconciliationMismatch[];
    /**
     * `trade`: nothing differs (or nothing unresolved); `halt`: the bot places no new order until an operator
     * restarts it (`recovery.on_mismatch: halt`); `adopt`: the venue's quantities replaced the bot's.
     */
    readonly action: 'trade' | 'halt' | 'adopt';
  };
  /** The risk manager allowed a signal to trade. */
  TradingAuthorized: {
    readonly symbol: string;
    readonly strategyName: string;
    readonly reason: string;
  };
  /** The risk manager refused a signal. */
  TradingBlocked: {
    readonly symbol: string;
    readonly strategyName: string;
    /** Every rule that refused it. */
    readonly reasons: readonly TradingBlockReason[];
  };
  /** A risk limit was breached (e.g. the daily loss limit). */
  RiskLimitBreached: {
    readonly symbol: string;
    /** The limit's name, e.g. `daily_loss_limit`. */
    readonly limit: string;
    /** The measured value, in the limit's unit (quote currency for loss limits). */
    readonly value: number;
    /** The configured limit, same unit. */
    readonly threshold: number;
  };
  /** A service reached `running`. */
  ServiceStarted: { readonly service: string };
  /** A service reached `stopped`. */
  ServiceStopped: { readonly service: string };
  /**
   * A service failed: its health check threw or reported it unhealthy, its
   * restart's start threw, or its stop threw or timed out. Published once per
   * failure; `willRestart` tells whether auto-restart will try again (alert
   * on `willRestart: false`: the service stays `failed` until an operator acts).
   */
  ServiceFailed: {
    readonly service: string;
    /** The failure's message. */
    readonly error: string;
    /** Restarts attempted in the current window, before this failure. */
    readonly restarts: number;
    /** `true` when a restart is scheduled; `false` when auto-restart is off, the limit is reached, or the bot is stopping. */
    readonly willRestart: boolean;
  };
  /** The orchestrator restarted a service. */
  ServiceRestarted: {
    readonly service: string;
    /** 1 for the first restart in the current window, 2 for the next, … */
    readonly attempt: number;
  };
}

/** Any event of the trading system: a union narrowed by `type`. */
export type TradingEvent = AnyEventOf<TradingEventPayloads>;
