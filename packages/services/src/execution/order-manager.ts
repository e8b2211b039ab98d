import {
  type Bar,
  type Clock,
  entrySide,
  exitSide,
  type Fill,
  type Logger,
  type Order,
  type OrderOrigin,
  type OrderPurpose,
  type OrderStatus,
  type SignalOutcome,
  type TradingEventPayloads,
} from '@quant/core';
import type { Balance, Broker, BrokerUpdate, VenueOrder } from '../ports/broker.js';
import type { ExecutionJournal, ExecutionRecord } from '../ports/execution-journal.js';
import { BalanceBook } from './balance-book.js';
import { BrokerError, type BrokerErrorCode } from './broker-error.js';
import { clientOrderIdFor, type SignalKey } from './client-order-id.js';
import { withDeadline } from './deadline.js';
import { ExecutionError } from './execution-error.js';
import type { ExitLevels } from './exit-level.js';
import { ExitPlans } from './exit-plans.js';
import { type NewOrder, OrderBook } from './order-book.js';
import { isFinalOrderStatus } from './order-state.js';
import type { PositionLedger } from './position-ledger.js';
import {
  DEFAULT_RECOVERY,
  FILL_OVERLAP_MS,
  type FillResult,
  Reconciler,
  type ReconcilerHost,
  type RecoverySettings,
} from './reconciler.js';

/** How long the executor waits on the venue, ms. */
export interface ExecutionTimeouts {
  /** A venue call without an answer by then is an unknown outcome (submit, cancel) or unavailable (read); 30 000 by default. */
  readonly venueCallMs?: number;
  /**
   * How long an order whose submit had an unknown outcome may stay `not_found`
   * at the venue before it is taken as never received (`rejected`); 60 000 by
   * default. Venues show a new order after a delay.
   */
  readonly notFoundGraceMs?: number;
  /**
   * On a streaming venue, how often every working order and the fills since
   * the oldest are fetched anyway (a stream can drop a message); 300 000 by
   * default. A venue that does not stream is asked every cycle.
   */
  readonly syncIntervalMs?: number;
}

/** The metrics the manager counts. */
export type OrderMetric = 'trades_executed' | 'orders_placed' | 'orders_rejected' | 'broker_errors';

/** What {@link OrderManager} needs from the service that owns it. */
export interface OrderManagerOptions {
  readonly broker: Broker;
  /** Prefix of every client order id (`trading.bot_id`): an open venue order without it is external. */
  readonly botId: string;
  /** The symbols the bot trades: reconciliation asks the venue for their fills. */
  readonly symbols: readonly string[];
  /** The ledger: the manager is its only writer. */
  readonly ledger: PositionLedger;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Publishes a trading event (the owner's bus). */
  readonly publish: <K extends keyof TradingEventPayloads>(type: K, payload: TradingEventPayloads[K]) => void;
  /** Counts a metric of the owner. */
  readonly count: (metric: OrderMetric) => void;
  readonly timeouts?: ExecutionTimeouts;
  /** Where an order is persisted before it is sent; none by default (a backtest sends at once). */
  readonly journal?: ExecutionJournal;
  /** How reconciliation with the venue behaves; {@link DEFAULT_RECOVERY} by default. */
  readonly recovery?: RecoverySettings;
}

/** What the manager keeps with each order. */
interface OrderContext {
  /** The identity the client order id was made from. */
  readonly key: SignalKey;
  /** The signal event the order serves (`purpose: 'signal'`), else `null`. */
  readonly signalId: string | null;
  /** The levels an entry's position is to be protected by. */
  readonly levels: ExitLevels | null;
  /** Whether the signal's `SignalResolved` was published. */
  resolved: boolean;
  /** When the venue says it took the order (its clock), once known. */
  venueCreatedAt?: number;
  /** When the order became `unknown` (the bot's clock). */
  unknownSince?: number;
}

/** The shape of an order to create. */
export interface OrderShape {
  readonly type: Order['type'];
  /** Base units, > 0. */
  readonly quantity: number;
  /** Trigger price of a `stop` or `take_profit` order, else `null`. */
  readonly triggerPrice: number | null;
}

/** The client order id prefix of the fills by which the bot adopted a venue's quantity (`on_mismatch: adopt`). */
const ADOPTED_PREFIX = 'reconcile-';

/** Allowance for the venue's clock being behind the bot's when fills are fetched since an order's time, ms. */
const CLOCK_SKEW_MS = 60_000;

const CLOSE_REASONS: Readonly<Record<OrderPurpose, string>> = {
  signal: 'exit_signal',
  stop_loss: 'stop_loss',
  take_profit: 'take_profit',
};

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The venue side of the executor: owns the order book, writes the position
 * ledger, keeps the exit plans, and is the only code that calls the venue.
 *
 * - Orders are created in the book and sent with a deadline; an answer lost
 *   (timeout, transport error) makes the order `unknown`, never rejected.
 * - Venue reports and fills move orders through the state machine; a fill
 *   goes into the book and the ledger before any event about it is
 *   published, so a subscriber never sees a fill the ledger lacks.
 * - A final order ends its signal (`SignalResolved`) once its fills are all
 *   in; an entry's end arms its position's exit plan.
 * - {@link OrderManager.reconcile} asks the venue about `unknown` orders,
 *   fills reported but not received, and cancels that did not go through;
 *   and, on a venue that does not stream (or every `syncIntervalMs` on one
 *   that does), about every working order and the fills since the oldest.
 *
 * Not exported: {@link TradeExecutionService} is its public face.
 */
export class OrderManager {
  readonly #options: OrderManagerOptions;
  readonly #book = new OrderBook<OrderContext>();
  readonly #exitPlans: ExitPlans;
  /** The balances the venue should report: reconciliation's expectation. */
  readonly #balances: BalanceBook;
  readonly #reconciler: Reconciler;
  /** Orders to cancel until they are final (a cancel can fail, and a leg must not outlive its position). */
  readonly #toCancel = new Set<string>();
  readonly #venueCallMs: number;
  readonly #notFoundGraceMs: number;
  readonly #syncIntervalMs: number;
  #lastSync = Number.NEGATIVE_INFINITY;
  /** The last close seen of each symbol (the price an adopted quantity is booked at when no position marks it). */
  readonly #lastPrice = new Map<string, number>();
  #unsubscribe: (() => void) | undefined;
  #lastError: string | undefined;

  /** @param options - venue, ledger, clock, logger, the owner's publish and metrics, timeouts. */
  constructor(options: OrderManagerOptions) {
    this.#options = options;
    this.#venueCallMs = options.timeouts?.venueCallMs ?? 30_000;
    this.#notFoundGraceMs = options.timeouts?.notFoundGraceMs ?? 60_000;
    this.#syncIntervalMs = options.timeouts?.syncIntervalMs ?? 300_000;
    this.#exitPlans = new ExitPlans(
      {
        send: (key, shape, ocoGroup) => {
          // A restarted bot re-arms a plan whose legs it placed before: they are in the book already.
          const existing = clientOrderIdFor(key);
          if (this.#book.get(existing)) return { clientOrderId: existing, answered: Promise.resolve() };
          const order = this.create(key, shape, null, null);
          return order && { clientOrderId: order.clientOrderId, answered: this.send(order, ocoGroup) };
        },
        cancel: (clientOrderId) => this.#cancelById(clientOrderId),
        status: (clientOrderId) => this.#book.get(clientOrderId)?.status,
        exiting: (strategyName, symbol) => this.exiting(strategyName, symbol),
        warn: (message) => this.#options.logger.warn(message),
      },
      options.broker.capabilities.nativeStops,
    );
    this.#balances = new BalanceBook(options.ledger.account().currency);
    this.#reconciler = new Reconciler(this.#reconcilerHost(), options.recovery ?? DEFAULT_RECOVERY);
  }

  /** The last venue failure, until a later call succeeds. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** The orders not yet final, oldest first. */
  working(): Order[] {
    return this.#book.working();
  }

  /**
   * How many orders are not final.
   * @param status - count only those in this state.
   */
  workingCount(status?: OrderStatus): number {
    return this.#book.workingCount(status);
  }

  /** How many final orders still wait for fills the venue reported. */
  get unsettledCount(): number {
    return this.#book.unsettledCount;
  }

  /** The order with this client order id, while the book remembers it. */
  get(clientOrderId: string): Order | undefined {
    return this.#book.get(clientOrderId);
  }

  /**
   * The account's balances at the venue.
   * @throws {@link BrokerError} whatever the venue throws; `unavailable` when it does not answer in time.
   */
  balances(): Promise<readonly Balance[]> {
    const { broker, clock } = this.#options;
    return withDeadline(clock, this.#venueCallMs, broker.fetchBalances(), 'fetchBalances', 'unavailable');
  }

  /**
   * Why the bot opens no new position (a reconciliation mismatch with `recovery.on_mismatch: halt`), once halted;
   * exits and exit plans still go out.
   */
  get halted(): string | undefined {
    return this.#reconciler.halted;
  }

  /**
   * Sets the capital the ledger starts from — the venue's balance in the account currency — and the baseline of
   * reconciliation (every balance), and publishes `CapitalSet`: at the bot's first start only.
   * @throws {@link ExecutionError} `NO_CAPITAL` when the venue reports no balance in the account currency;
   *   {@link BrokerError} whatever the venue throws.
   */
  async openAccount(): Promise<void> {
    const { ledger, publish } = this.#options;
    const currency = ledger.account().currency;
    const balances = await this.balances();
    const balance = balances.find((b) => b.currency === currency);
    if (!balance) {
      throw new ExecutionError(
        'NO_CAPITAL',
        `the venue reports no ${currency} balance (it has ${balances.map((b) => b.currency).join(', ') || 'none'})`,
      );
    }
    ledger.setCapital(balance.total);
    const totals = balances.map(({ currency: c, total }) => ({ currency: c, total }));
    this.#balances.rebase(totals);
    publish('CapitalSet', { currency, capital: balance.total, balances: totals });
  }

  /**
   * Rebuilds the book, the ledger, the reconciliation baseline and the exit plans' orders from a journal's record
   * (a restart), publishing nothing: the record has the events. Orders keep their recorded state; fills are
   * applied to the ledger in record order.
   * @returns how many orders not final and open positions were rebuilt, and from when the venue's fills are to be
   *   asked for: the later of the baseline and (less an overlap) the last fill or reconciliation recorded or the
   *   oldest order still working — what came before was seen (ms UTC; `undefined` before the bot's first start).
   */
  restore(record: ExecutionRecord): {
    readonly orders: number;
    readonly positions: number;
    readonly fillsSince: number | undefined;
  } {
    const { ledger, logger } = this.#options;
    if (record.capital !== null) {
      ledger.setCapital(record.capital.capital);
      this.#balances.rebase(record.capital.balances);
    }
    const fillsOf = new Map<string, Fill[]>();
    for (const fill of record.fills) {
      const list = fillsOf.get(fill.clientOrderId) ?? [];
      list.push(fill);
      fillsOf.set(fill.clientOrderId, list);
    }
    let working = 0;
    for (const { order, origin } of record.orders) {
      const key: SignalKey = {
        botId: this.#options.botId,
        strategyName: order.strategyName ?? '',
        symbol: order.symbol,
        timeframe: origin?.timeframe ?? '1m',
        barOpenTime: origin?.barOpenTime ?? order.createdAt,
        direction: order.direction,
        intent: order.intent,
        purpose: order.purpose,
      };
      const levels = origin && { stopLoss: origin.stopLoss, takeProfit: origin.takeProfit };
      const final = isFinalOrderStatus(order.status);
      const context: OrderContext = { key, signalId: origin?.signalId ?? null, levels, resolved: final };
      if (order.status === 'unknown') context.unknownSince = order.updatedAt;
      this.#book.restore(order, context, fillsOf.get(order.clientOrderId) ?? []);
      if (!final) working++;
    }
    const orders = new Map(record.orders.map(({ order }) => [order.clientOrderId, order]));
    let seen = record.reconciledAt ?? Number.NEGATIVE_INFINITY;
    for (const fill of record.fills) {
      seen = Math.max(seen, fill.timestamp);
      const order = orders.get(fill.clientOrderId);
      if (!order) logger.warn(`Recorded fill ${fill.fillId} of an order the record lacks: ${fill.clientOrderId}`);
      const adopted = fill.clientOrderId.startsWith(ADOPTED_PREFIX);
      ledger.apply(fill, {
        strategyName: order?.strategyName ?? null,
        closeReason: adopted ? 'reconciliation' : order ? CLOSE_REASONS[order.purpose] : 'manual',
      });
      this.#balances.apply(fill, adopted);
    }
    this.#reconciler.restoreExternal(record.externalFills);
    for (const order of this.#book.working()) seen = Math.min(seen, order.createdAt);
    const fillsSince = record.capital === null ? undefined : Math.max(record.capital.at, seen - FILL_OVERLAP_MS);
    return { orders: working, positions: ledger.positions().length, fillsSince };
  }

  /**
   * The reconciliation at start, after {@link OrderManager.restore} and {@link OrderManager.start}: asks the venue
   * for the orders the record holds as working or unknown, the fills since the baseline, the open orders and the
   * balances; applies what the venue knows (as events); re-arms the exit plans of open positions; publishes
   * `ReconciliationCompleted`.
   * @param previousRun - how the previous run ended, when the journal knows.
   * @param restored - what {@link OrderManager.restore} rebuilt.
   * @param since - when the baseline was taken, ms UTC.
   * @throws {@link ExecutionError} `RECONCILIATION_FAILED` when the venue does not answer.
   */
  async recover(
    previousRun: ExecutionRecord['previousRun'],
    restored: { readonly orders: number; readonly positions: number },
    since: number,
  ): Promise<void> {
    await this.#reconciler.startup(previousRun, restored, since);
    for (const position of this.#options.ledger.positions()) {
      const entry = this.#book.context(position.positionId.replace(/^P-/, ''));
      if (entry && position.strategyName !== null) this.#exitPlans.arm(position, entry.key, entry.levels);
    }
  }

  /** Listens to a streaming venue. */
  start(): void {
    const { broker } = this.#options;
    if (broker.capabilities.streaming && broker.subscribe && !this.#unsubscribe) {
      this.#unsubscribe = broker.subscribe((update) => this.#onVenueUpdate(update));
    }
    // A (re)start asks the venue about everything working at the next reconciliation.
    this.#lastSync = Number.NEGATIVE_INFINITY;
  }

  /** Stops listening. */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /**
   * Creates an order in the book (state `created`).
   * @param key - its identity; the client order id is made from it.
   * @param shape - type, quantity, trigger price.
   * @param signalId - the signal it serves, or `null`.
   * @param levels - for an entry: the exit plan of the position it opens.
   * @returns the order, or `undefined` when one with that client order id exists already.
   */
  create(key: SignalKey, shape: OrderShape, signalId: string | null, levels: ExitLevels | null): Order | undefined {
    const spec: NewOrder = {
      clientOrderId: clientOrderIdFor(key),
      symbol: key.symbol,
      side: key.intent === 'entry' ? entrySide(key.direction) : exitSide(key.direction),
      direction: key.direction,
      intent: key.intent,
      purpose: key.purpose,
      type: shape.type,
      timeInForce: 'GTC',
      quantity: shape.quantity,
      limitPrice: null,
      triggerPrice: shape.triggerPrice,
      strategyName: key.strategyName,
    };
    if (this.#book.get(spec.clientOrderId)) {
      this.#options.logger.warn(`Order ${spec.clientOrderId} exists already; not sending it again`);
      return undefined;
    }
    // A halt stops new exposure only: exits, stop-losses and take-profits still protect what is held.
    if (this.halted !== undefined && key.intent === 'entry') {
      this.#options.logger.warn(`Entry ${spec.clientOrderId} not created: trading is halted (${this.halted})`);
      return undefined;
    }
    return this.#book.create(spec, { key, signalId, levels, resolved: false }, this.#options.clock.now());
  }

  /**
   * Sends a created order: publishes `OrderSubmitted`, and when there is a
   * journal awaits its commit (an order that cannot be persisted is rejected,
   * never sent) and asks the venue for the client order id (an order it holds
   * from before a restart is taken as the answer, never sent twice); then
   * calls the venue. Without a journal the venue is called
   * before the first await, so that a venue answering at once (a simulation)
   * sees the order at once; the promise settles once the venue answered (or
   * the deadline passed). Never rejects: a failure moves the order on and
   * ends its signal.
   * @param order - an order in state `created`.
   * @param ocoGroup - the one-cancels-other group of an exit plan's leg.
   */
  async send(order: Order, ocoGroup?: string): Promise<void> {
    const { broker, clock, journal, publish } = this.#options;
    let failed = true;
    this.#guard('submit', () => {
      const submitting = this.#book.transition(order.clientOrderId, 'submitting', clock.now());
      publish('OrderSubmitted', { order: submitting, origin: this.#originOf(order.clientOrderId) });
      failed = false;
    });
    if (failed) return;
    if (journal !== undefined) {
      try {
        await journal.commit();
      } catch (error) {
        const reason = `not sent: the order could not be persisted before its submit (${errorMessage(error)})`;
        this.#guard('journal failure', () =>
          this.#submitFailed(order.clientOrderId, new BrokerError('rejected', reason, { cause: error })),
        );
        return;
      }
      // After a restart the book is new, and the venue may hold this id from before the crash: take its order as
      // the answer rather than send the same order twice.
      const held = await this.#heldByVenue(order);
      if (held instanceof Error) {
        // The venue cannot say: sending could duplicate an order it holds. The order is unknown, and the next cycle
        // asks again (an id still not found after the grace period is taken as never sent).
        this.#guard('venue check failure', () =>
          this.#submitFailed(
            order.clientOrderId,
            new BrokerError('unknown_outcome', `not sent yet: ${errorMessage(held)}`, { cause: held }),
          ),
        );
        return;
      }
      if (held !== 'not_found') {
        this.#options.logger.warn(
          `Order ${order.clientOrderId} is at the venue already (${held.status}): not sent again`,
        );
        this.#guard('venue answer', () => this.#applyVenueOrder(held));
        return;
      }
    }
    let venue: VenueOrder;
    try {
      const call = broker.submitOrder({
        clientOrderId: order.clientOrderId,
        symbol: order.symbol,
        side: order.side,
        type: order.type,
        quantity: order.quantity,
        timeInForce: order.timeInForce,
        ...(order.triggerPrice !== null ? { triggerPrice: order.triggerPrice } : {}),
        ...(order.limitPrice !== null ? { limitPrice: order.limitPrice } : {}),
        ...(ocoGroup !== undefined ? { ocoGroup } : {}),
      });
      venue = await withDeadline(
        clock,
        this.#venueCallMs,
        call,
        `submitOrder ${order.clientOrderId}`,
        'unknown_outcome',
      );
    } catch (error) {
      this.#guard('submit failure', () => this.#submitFailed(order.clientOrderId, error));
      return;
    }
    this.#lastError = undefined;
    this.#guard('submit answer', () => this.#applyVenueOrder(venue));
  }

  /**
   * The venue's order of this client order id: the order it holds, `not_found`, or the error that kept it from
   * saying (a venue such as Binance refuses a repeated id only while its order is open, so only `not_found` lets
   * the order be sent).
   */
  async #heldByVenue(order: Order): Promise<VenueOrder | 'not_found' | Error> {
    const { broker, clock } = this.#options;
    try {
      const call = broker.fetchOrder(order.symbol, order.clientOrderId);
      return await withDeadline(clock, this.#venueCallMs, call, `fetchOrder ${order.clientOrderId}`, 'unavailable');
    } catch (error) {
      if (BrokerError.isInstance(error) && error.code === 'not_found') return 'not_found';
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Whether a market exit of the strategy's position is working. */
  exiting(strategyName: string, symbol: string): boolean {
    return this.#hasWorking(strategyName, symbol, (order) => order.intent === 'exit' && order.type === 'market');
  }

  /** Whether the strategy has an entry order working in the symbol. */
  entering(strategyName: string, symbol: string): boolean {
    return this.#hasWorking(strategyName, symbol, (order) => order.intent === 'entry');
  }

  #hasWorking(strategyName: string, symbol: string, matches: (order: Order) => boolean): boolean {
    return this.#book
      .working()
      .some((order) => order.strategyName === strategyName && order.symbol === symbol && matches(order));
  }

  /**
   * Cancels the venue legs of a position's exit plan before the bot exits it
   * itself, so that a leg cannot fill after the exit and open the other way.
   * @returns `undefined` when no leg is working any more, else the code of the failed cancel.
   */
  async releaseLegs(strategyName: string, symbol: string): Promise<BrokerErrorCode | undefined> {
    let failure: BrokerErrorCode | undefined;
    for (const id of this.#exitPlans.legs(strategyName, symbol)) {
      const order = this.#book.get(id);
      if (!order || isFinalOrderStatus(order.status)) continue;
      const code = await this.#cancel(order);
      failure ??= code;
    }
    return failure;
  }

  /**
   * A closed bar of the execution timeframe: checks the levels the bot
   * watches itself.
   */
  onBar(symbol: string, bar: Bar): void {
    const { ledger } = this.#options;
    this.#lastPrice.set(symbol, bar.close);
    this.#exitPlans.watch(symbol, bar, (strategyName, of) => ledger.position(strategyName, of));
  }

  /**
   * See the class: what is asked of the venue each cycle.
   * @returns a promise that settles when the venue has answered; nothing when
   *   there is nothing to ask (most cycles).
   */
  reconcile(): Promise<void> | undefined {
    const { broker, clock } = this.#options;
    const full = !broker.capabilities.streaming || clock.now() - this.#lastSync >= this.#syncIntervalMs;
    const pending =
      this.#book.unsettledCount + this.#toCancel.size + this.#book.workingCount(full ? undefined : 'unknown');
    if (full) this.#lastSync = clock.now();
    const orders = pending === 0 ? undefined : this.#reconcile(full);
    if (this.#options.journal === undefined) return orders;
    // The periodic check after the per-cycle questions, never beside them: their fills would race its comparison.
    return orders === undefined ? this.#reconciler.periodic() : orders.then(() => this.#reconciler.periodic());
  }

  async #reconcile(full: boolean): Promise<void> {
    const working = this.#book.working();
    const unsettled = this.#book.unsettled();
    if (full || unsettled.length > 0) await this.#fetchFills([...working, ...unsettled]);
    for (const order of working) {
      if (full || order.status === 'unknown') await this.#refresh(order.clientOrderId);
    }
    for (const id of [...this.#toCancel]) {
      const order = this.#book.get(id);
      if (!order || isFinalOrderStatus(order.status)) this.#toCancel.delete(id);
      else if (order.status !== 'submitting' && order.status !== 'unknown') await this.#cancel(order);
    }
  }

  /**
   * Ends a signal that sent no order.
   * @param signal - the signal event's id, strategy and symbol.
   */
  resolveWithoutOrder(
    signal: { readonly id: string; readonly symbol: string; readonly strategyName: string },
    intent: 'entry' | 'exit',
    outcome: SignalOutcome,
    codes: readonly string[],
    message: string,
  ): void {
    const { id: signalId, symbol, strategyName } = signal;
    this.#options.publish('SignalResolved', {
      signalId,
      symbol,
      strategyName,
      intent,
      outcome,
      clientOrderId: null,
      codes,
      message,
    });
  }

  // --- venue reports --------------------------------------------------------------------------

  #onVenueUpdate(update: BrokerUpdate): void {
    this.#guard(`venue ${update.type} update`, () => {
      if (update.type === 'fill') this.#applyFill(update.fill);
      else this.#applyVenueOrder(update.order);
    });
  }

  #applyVenueOrder(venue: VenueOrder): void {
    const { clock, publish, count, logger } = this.#options;
    const before = this.#book.get(venue.clientOrderId);
    const context = this.#book.context(venue.clientOrderId);
    if (!before || !context) return;
    context.venueCreatedAt ??= venue.createdAt;
    const order = this.#book.applyVenueOrder(venue, clock.now());
    if (!order) return;
    const acknowledged = before.status === 'submitting' || (before.status === 'unknown' && before.orderId === null);
    if (acknowledged && order.status !== 'rejected') {
      count('orders_placed');
      logger.info(
        `Order placed: ${order.side} ${order.quantity} ${order.symbol} ${order.type} (${order.clientOrderId})`,
        {
          client_order_id: order.clientOrderId,
        },
      );
      publish('OrderPlaced', { order });
    }
    switch (order.status) {
      case 'cancelled':
        publish('OrderCancelled', { order, reason: venue.reason ?? 'cancelled' });
        break;
      case 'expired':
        publish('OrderExpired', { order });
        break;
      case 'rejected':
        count('orders_rejected');
        publish('OrderRejected', { order, reason: venue.reason ?? 'rejected by the venue' });
        break;
      default:
    }
    if (isFinalOrderStatus(order.status)) this.#settle(order, venue.reason);
  }

  #applyFill(fill: Fill): FillResult {
    const { ledger, clock, publish, count, logger } = this.#options;
    const context = this.#book.context(fill.clientOrderId);
    if (!context) {
      if (ledger.hasFill(fill.fillId)) return 'known';
      if (fill.clientOrderId.startsWith(`${this.#options.botId}-`)) {
        logger.warn(`Fill ${fill.fillId} of an order the bot does not know: ${fill.clientOrderId}`);
      }
      return 'foreign';
    }
    const order = this.#book.applyFill(fill, clock.now());
    if (!order) return 'known';
    this.#balances.apply(fill);
    const change = ledger.apply(fill, { strategyName: order.strategyName, closeReason: CLOSE_REASONS[order.purpose] });
    count('trades_executed');
    publish('OrderFilled', { order, fill });
    if (change?.closed) publish('PositionClosed', change.closed);
    if (change?.opened) {
      publish('PositionOpened', { position: change.opened, exitPlan: this.#exitPlans.describe(context.levels) });
    }
    if (change && change.position === null) this.#exitPlans.drop(order.strategyName ?? '', order.symbol);
    if (isFinalOrderStatus(order.status)) this.#settle(order);
    return 'new';
  }

  /**
   * Moves the bot's position in a symbol by `quantity` (signed base units) to what the venue holds
   * (`recovery.on_mismatch: adopt`): a fill without an order, at the position's mark (or the last fill's price),
   * no fee, closing as `reconciliation`; attributed to the strategy holding the symbol, else to the account.
   */
  #adopt(symbol: string, quantity: number): void {
    const { ledger, clock, publish } = this.#options;
    const held = ledger.positions().filter((position) => position.symbol === symbol);
    const owner = held.length === 1 ? (held[0]?.strategyName ?? null) : null;
    const price = held[0]?.markPrice ?? this.#lastPrice.get(symbol);
    if (price === undefined || quantity === 0) return;
    const id = `${ADOPTED_PREFIX}${symbol}-${clock.now()}`;
    const side = quantity > 0 ? 'buy' : 'sell';
    const reduces = held[0] !== undefined && (held[0].direction === 'long') !== (side === 'buy');
    const direction = reduces ? (held[0]?.direction ?? 'long') : side === 'buy' ? 'long' : 'short';
    const fill: Fill = {
      fillId: id,
      orderId: id,
      clientOrderId: id,
      symbol,
      side,
      quantity: Math.abs(quantity),
      price,
      fee: 0,
      timestamp: clock.now(),
    };
    // An order of its own, filled, so that the journal records the adoption and a restart replays it.
    const order: Order = {
      orderId: id,
      clientOrderId: id,
      symbol,
      side,
      direction,
      intent: reduces ? 'exit' : 'entry',
      purpose: 'signal',
      type: 'market',
      timeInForce: 'GTC',
      quantity: fill.quantity,
      filledQuantity: fill.quantity,
      averagePrice: price,
      limitPrice: null,
      triggerPrice: null,
      status: 'filled',
      createdAt: fill.timestamp,
      updatedAt: fill.timestamp,
      strategyName: owner,
    };
    const change = ledger.apply(fill, { strategyName: owner, closeReason: 'reconciliation' });
    publish('OrderFilled', { order, fill });
    if (change?.closed) publish('PositionClosed', change.closed);
    if (change?.opened) publish('PositionOpened', { position: change.opened, exitPlan: null });
    if (change && change.position === null && owner !== null) this.#exitPlans.drop(owner, symbol);
  }

  /** The host side of the {@link Reconciler}. */
  #reconcilerHost(): ReconcilerHost {
    const { broker, botId, symbols, ledger, clock, logger, publish } = this.#options;
    return {
      botId,
      broker,
      ledger,
      balances: this.#balances,
      symbols,
      now: () => clock.now(),
      warn: (message) => logger.warn(message),
      publish,
      read: (what, call) => {
        const answer = withDeadline(clock, this.#venueCallMs, call(), what, 'unavailable');
        return answer.then((value) => {
          this.#lastError = undefined;
          return value;
        });
      },
      working: () => this.#book.working(),
      get: (clientOrderId) => this.#book.get(clientOrderId),
      applyVenueOrder: (venue) => this.#guard('venue order', () => this.#applyVenueOrder(venue)),
      applyFill: (fill) => {
        let result: FillResult = 'known';
        this.#guard('venue fill', () => {
          result = this.#applyFill(fill);
        });
        return result;
      },
      notFound: (order) => this.#guard('order not found', () => this.#notFoundAfterRestart(order)),
      cancel: async (symbol, clientOrderId) => {
        try {
          await withDeadline(
            clock,
            this.#venueCallMs,
            broker.cancelOrder(symbol, clientOrderId),
            `cancelOrder ${clientOrderId}`,
            'unknown_outcome',
          );
        } catch (error) {
          this.#failed(`cancelOrder ${clientOrderId}`, error);
        }
      },
      adopt: (symbol, quantity) => this.#guard('adopted position', () => this.#adopt(symbol, quantity)),
      forget: (clientOrderId) =>
        this.#guard('forgotten order', () => {
          const order = this.#book.get(clientOrderId);
          if (!order || isFinalOrderStatus(order.status)) return;
          const cancelled = this.#book.transition(clientOrderId, 'cancelled', clock.now());
          const reason = 'the venue no longer has this order (recovery.on_mismatch: adopt)';
          publish('OrderCancelled', { order: cancelled, reason });
          this.#settle(cancelled, reason);
        }),
    };
  }

  /**
   * An order recorded before a restart as `submitting` or `unknown` that the venue does not find: `unknown` since
   * it was recorded, and `rejected` once that is longer ago than the grace period (else the next cycles ask again).
   */
  #notFoundAfterRestart(order: Order): void {
    const { clock } = this.#options;
    if (order.status === 'submitting') this.#markUnknown(order, 'not found at the venue after a restart');
    const context = this.#book.context(order.clientOrderId);
    if (context) context.unknownSince = order.updatedAt;
    const current = this.#book.get(order.clientOrderId);
    if (current?.status === 'unknown' && clock.now() - order.updatedAt >= this.#notFoundGraceMs) {
      this.#notPlaced(current, 'not_found', 'the venue has no such order: it was not sent before the bot stopped');
    }
  }

  /** What `OrderSubmitted` records of an order's origin. */
  #originOf(clientOrderId: string): OrderOrigin {
    const context = this.#book.context(clientOrderId);
    return {
      signalId: context?.signalId ?? null,
      timeframe: context?.key.timeframe ?? '1m',
      barOpenTime: context?.key.barOpenTime ?? 0,
      stopLoss: context?.levels?.stopLoss ?? null,
      takeProfit: context?.levels?.takeProfit ?? null,
    };
  }

  /**
   * Ends a final order's signal once its fills are all in the ledger (a
   * venue may report an order filled before its fills arrive).
   */
  #settle(order: Order, reason?: string): void {
    this.#toCancel.delete(order.clientOrderId);
    if (!this.#book.isSettled(order.clientOrderId)) return;
    const filled = order.filledQuantity > 0;
    const fillText = `filled ${order.filledQuantity} at ${order.averagePrice}`;
    switch (order.status) {
      case 'filled':
        this.#orderEnded(order, 'filled', [], fillText);
        return;
      case 'cancelled':
      case 'expired':
        this.#orderEnded(
          order,
          filled ? 'filled' : order.status,
          [],
          filled ? `${fillText}, then ${order.status}` : (reason ?? order.status),
        );
        return;
      case 'rejected':
        this.#orderEnded(order, 'rejected', ['rejected'], reason ?? 'rejected by the venue');
        return;
      default:
    }
  }

  /**
   * An order reached a final state with its fills in (called for every report
   * of it; acts once per order): arms the exit plan of the position an entry
   * opened, and ends its signal.
   */
  #orderEnded(order: Order, outcome: SignalOutcome, codes: readonly string[], message: string): void {
    const context = this.#book.context(order.clientOrderId);
    if (!context || context.resolved) return;
    context.resolved = true;
    if (order.intent === 'entry' && order.purpose === 'signal' && order.filledQuantity > 0) {
      const position = this.#options.ledger.position(order.strategyName, order.symbol);
      if (position) this.#exitPlans.arm(position, context.key, context.levels);
    }
    if (context.signalId === null) return;
    this.#options.publish('SignalResolved', {
      signalId: context.signalId,
      symbol: order.symbol,
      strategyName: order.strategyName ?? '',
      intent: order.intent,
      outcome,
      clientOrderId: order.clientOrderId,
      codes,
      message,
    });
  }

  // --- failures -------------------------------------------------------------------------------

  #submitFailed(clientOrderId: string, error: unknown): void {
    const code: BrokerErrorCode = BrokerError.isInstance(error) ? error.code : 'unknown_outcome';
    const message = errorMessage(error);
    this.#failed(`submitOrder ${clientOrderId}`, error);
    const order = this.#book.get(clientOrderId);
    // The venue may have told us already (a stream is faster than the answer).
    if (order?.status !== 'submitting') return;
    if (code === 'unknown_outcome') {
      this.#markUnknown(order, message);
      return;
    }
    this.#notPlaced(order, code, message);
  }

  #markUnknown(order: Order, reason: string): void {
    const { clock, logger, publish } = this.#options;
    const unknown = this.#book.transition(order.clientOrderId, 'unknown', clock.now());
    const context = this.#book.context(order.clientOrderId);
    if (context) context.unknownSince = clock.now();
    logger.warn(`Outcome for order ${order.clientOrderId} unknown (${reason}): asking the venue next cycle`, {
      client_order_id: order.clientOrderId,
    });
    publish('OrderStatusUnknown', { order: unknown, reason });
  }

  /** An order the venue does not have: `rejected`, and its signal ends. */
  #notPlaced(order: Order, code: BrokerErrorCode, message: string): void {
    const { clock, count, logger, publish } = this.#options;
    const rejected = this.#book.transition(order.clientOrderId, 'rejected', clock.now());
    count('orders_rejected');
    logger.warn(`Order ${order.clientOrderId} not placed: ${code}: ${message}`, {
      client_order_id: order.clientOrderId,
    });
    publish('OrderRejected', { order: rejected, reason: `${code}: ${message}` });
    const outcome = code === 'rejected' || code === 'insufficient_funds' ? 'rejected' : 'failed';
    this.#orderEnded(rejected, outcome, [code], message);
  }

  /** Asks the venue for one order and applies the answer; a lost order is given a grace period. */
  async #refresh(clientOrderId: string): Promise<void> {
    const { broker, clock, logger } = this.#options;
    const order = this.#book.get(clientOrderId);
    if (!order || isFinalOrderStatus(order.status) || order.status === 'created' || order.status === 'submitting') {
      return;
    }
    try {
      const call = broker.fetchOrder(order.symbol, clientOrderId);
      const venue = await withDeadline(clock, this.#venueCallMs, call, `fetchOrder ${clientOrderId}`, 'unavailable');
      this.#lastError = undefined;
      this.#guard('fetched order', () => this.#applyVenueOrder(venue));
    } catch (error) {
      // Read again: a stream may have moved the order while the venue answered.
      const current = this.#book.get(clientOrderId);
      if (!(BrokerError.isInstance(error) && error.code === 'not_found') || current?.status !== 'unknown') {
        this.#failed(`fetchOrder ${clientOrderId}`, error);
        return;
      }
      const since = this.#book.context(clientOrderId)?.unknownSince ?? clock.now();
      if (current.orderId !== null) {
        logger.error(`Order ${clientOrderId} was acknowledged but the venue no longer finds it; it stays unknown`);
      } else if (clock.now() - since >= this.#notFoundGraceMs) {
        this.#guard('lost order', () =>
          this.#notPlaced(current, 'not_found', 'the venue has no such order after an unknown outcome'),
        );
      } else {
        logger.info(`Order ${clientOrderId} not found at the venue yet; asking again next cycle`);
      }
    }
  }

  async #fetchFills(orders: readonly Order[]): Promise<void> {
    const { broker, clock } = this.#options;
    const since = new Map<string, number>();
    for (const order of orders) {
      const context = this.#book.context(order.clientOrderId);
      const from = Math.min(order.createdAt, context?.venueCreatedAt ?? order.createdAt) - CLOCK_SKEW_MS;
      since.set(order.symbol, Math.min(since.get(order.symbol) ?? from, from));
    }
    for (const [symbol, from] of since) {
      try {
        const call = broker.fetchFills(symbol, from);
        const fills = await withDeadline(clock, this.#venueCallMs, call, `fetchFills ${symbol}`, 'unavailable');
        this.#lastError = undefined;
        for (const fill of fills) this.#guard('fetched fill', () => this.#applyFill(fill));
      } catch (error) {
        this.#failed(`fetchFills ${symbol}`, error);
      }
    }
  }

  #cancelById(clientOrderId: string): void {
    const order = this.#book.get(clientOrderId);
    if (order) void this.#cancel(order);
  }

  /**
   * Asks the venue to cancel an order, and keeps asking each cycle until it
   * is final. Never rejects.
   * @returns the code of the failure, or `undefined` when the venue took the cancel.
   */
  async #cancel(order: Order): Promise<BrokerErrorCode | undefined> {
    const { broker, clock } = this.#options;
    this.#toCancel.add(order.clientOrderId);
    try {
      const call = broker.cancelOrder(order.symbol, order.clientOrderId);
      const venue = await withDeadline(
        clock,
        this.#venueCallMs,
        call,
        `cancelOrder ${order.clientOrderId}`,
        'unknown_outcome',
      );
      this.#lastError = undefined;
      this.#guard('cancel answer', () => this.#applyVenueOrder(venue));
      return undefined;
    } catch (error) {
      this.#failed(`cancelOrder ${order.clientOrderId}`, error);
      const code: BrokerErrorCode = BrokerError.isInstance(error) ? error.code : 'unknown_outcome';
      const current = this.#book.get(order.clientOrderId);
      if (
        code === 'unknown_outcome' &&
        current &&
        !isFinalOrderStatus(current.status) &&
        current.status !== 'unknown'
      ) {
        this.#guard('cancel failure', () => this.#markUnknown(current, `cancel: ${errorMessage(error)}`));
      }
      return code;
    }
  }

  #failed(what: string, error: unknown): void {
    this.#options.count('broker_errors');
    const code = BrokerError.isInstance(error) ? error.code : 'unknown_outcome';
    this.#lastError = `${what}: ${code}: ${errorMessage(error)}`;
    this.#options.logger.warn(`Broker call ${what} failed: ${code}: ${errorMessage(error)}`, { code });
  }

  /** Runs bookkeeping that must not escape as an unhandled rejection or into the venue's callback. */
  #guard(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#options.logger.error(`Could not apply the ${what}: ${errorMessage(error)}`, { error: errorMessage(error) });
    }
  }
}
