import type { ServicesConfig } from '@quant/config';
import {
  EventDrivenService,
  type EventOf,
  entrySide,
  exitSide,
  type Fill,
  type HealthAssessment,
  type Order,
  type OrderPurpose,
  type ServiceDeps,
  type SignalOutcome,
  type Timeframe,
  type TradingEventPayloads,
} from '@quant/core';
import { BrokerError, type BrokerErrorCode } from '../execution/broker-error.js';
import { clientOrderIdFor, type SignalKey } from '../execution/client-order-id.js';
import { ExecutionError } from '../execution/execution-error.js';
import type { ExitLevels } from '../execution/exit-level.js';
import { ExitPlans } from '../execution/exit-plans.js';
import { type NewOrder, OrderBook } from '../execution/order-book.js';
import { isFinalOrderStatus } from '../execution/order-state.js';
import type { PositionLedger } from '../execution/position-ledger.js';
import { BROKER_SPECIFICATION_VERSION, type Broker, type BrokerUpdate, type VenueOrder } from '../ports/broker.js';
import type { EntryManager, RiskManager } from '../ports/risk.js';

/** Options of a {@link TradeExecutionService}. */
export interface TradeExecutionOptions {
  /** The venue. */
  readonly broker: Broker;
  /** The position ledger this service owns and writes; others read it. */
  readonly ledger: PositionLedger;
  /** Judges each order. */
  readonly riskManager: RiskManager;
  /** Sizes entries. */
  readonly entryManager: EntryManager;
  /** The timeframe whose bars mark positions and drive bot-side stops (the finest one). */
  readonly executionTimeframe: Timeframe;
  /** Prefix of every client order id (`trading.bot_id`). */
  readonly botId: string;
  /** The `services.trade_execution` section. */
  readonly config: ServicesConfig['trade_execution'];
}

type Signal = EventOf<TradingEventPayloads, 'EntrySignal'> | EventOf<TradingEventPayloads, 'ExitSignal'>;

/** What the service keeps with each order. */
interface OrderContext {
  /** The identity the client order id was made from. */
  readonly key: SignalKey;
  /** The signal event the order serves (`purpose: 'signal'`), else `null`. */
  readonly signalId: string | null;
  /** The levels an entry's position is to be protected by. */
  readonly levels: ExitLevels | null;
  /** Whether the signal's `SignalResolved` was published. */
  resolved: boolean;
}

/** Signal ids remembered to ignore a repeated delivery. */
const SIGNALS_REMEMBERED = 1024;

const CLOSE_REASONS: Readonly<Record<OrderPurpose, string>> = {
  signal: 'exit_signal',
  stop_loss: 'stop_loss',
  take_profit: 'take_profit',
};

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Turns signals into orders and owns them (the original
 * TradeExecutionService), through one order book (the order state machine)
 * and one position ledger built from fills.
 *
 * For each `EntrySignal`: plan the order (entry manager), ask the risk
 * manager, then publish `TradingBlocked`, or `TradingAuthorized` and submit
 * with a deterministic client order id. For each `ExitSignal`: close the
 * strategy's position from the ledger. Every signal ends in exactly one
 * `SignalResolved`: `filled`, `rejected` (the venue's reason), `blocked`,
 * `failed` (a broker error code), `cancelled` or `expired`. A broker error
 * never stops a strategy: it ends that signal only.
 *
 * Venue answers move orders through the state machine and publish
 * `OrderPlaced`, `OrderFilled`, `OrderCancelled`, `OrderExpired`,
 * `OrderRejected`; a lost answer (timeout) makes the order `unknown`
 * (`OrderStatusUnknown`), and {@link TradeExecutionService.reconcile}, run
 * every cycle, asks the venue for it by client order id. Fills update the
 * ledger, which publishes `PositionOpened` and `PositionClosed`.
 *
 * Stop-loss and take-profit are the bot's: an exit plan per position. Where
 * the venue declares `nativeStops`, the plan is placed there as a stop and a
 * take-profit order in one OCO group when the entry fills; otherwise the bot
 * checks each closed bar of the execution timeframe (stop first when both
 * levels lie inside it) and sends a market exit.
 *
 * On each closed bar of the execution timeframe (`NewCandle`) positions are
 * marked at the close and equity recorded with the risk manager; a newly
 * crossed limit publishes `RiskLimitBreached`. In `batch` mode, signals are
 * submitted `batch_size` at a time, or at the next such bar.
 *
 * Metrics: `trades_executed` (fills), `orders_placed`, `orders_rejected`,
 * `risk_breaches` (blocked signals and breached limits), `broker_errors`.
 * Health: degraded while an order is `unknown` or the last venue call failed.
 */
export class TradeExecutionService extends EventDrivenService {
  readonly #options: TradeExecutionOptions;
  readonly #book = new OrderBook<OrderContext>();
  readonly #exitPlans: ExitPlans;
  readonly #signalsSeen: string[] = [];
  #queue: Signal[] = [];
  #unsubscribeBroker: (() => void) | undefined;
  #lastBrokerError: string | undefined;

  /**
   * @param deps - bus, clock, logger.
   * @param options - broker, ledger, risk and entry managers, execution timeframe, bot id, config section.
   * @throws {@link ExecutionError} `UNSUPPORTED_BROKER` when the broker speaks another port version.
   */
  constructor(deps: ServiceDeps, options: TradeExecutionOptions) {
    super('TradeExecutionService', deps);
    if (options.broker.specificationVersion !== BROKER_SPECIFICATION_VERSION) {
      throw new ExecutionError(
        'UNSUPPORTED_BROKER',
        `the broker implements port version ${String(options.broker.specificationVersion)}; this executor speaks ${BROKER_SPECIFICATION_VERSION}`,
      );
    }
    this.#options = options;
    this.#exitPlans = new ExitPlans(
      {
        send: (key, order, ocoGroup) => {
          const created = this.#createOrder(key, order, null, null);
          return created && { clientOrderId: created.clientOrderId, answered: this.#send(created, ocoGroup) };
        },
        cancel: (clientOrderId) => {
          const order = this.#book.get(clientOrderId);
          if (order) void this.#cancel(order);
        },
        status: (clientOrderId) => this.#book.get(clientOrderId)?.status,
        exiting: (strategyName, symbol) => this.#exiting(strategyName, symbol),
        warn: (message) => this.logger.warn(message),
      },
      options.broker.capabilities.nativeStops,
    );
    this.defineMetrics('trades_executed', 'orders_placed', 'orders_rejected', 'risk_breaches', 'broker_errors');
  }

  /** The orders not yet final, oldest first. */
  workingOrders(): readonly Order[] {
    return this.#book.working();
  }

  /**
   * The order with this client order id, while the book remembers it.
   * @param clientOrderId - the bot's id of the order.
   */
  order(clientOrderId: string): Order | undefined {
    return this.#book.get(clientOrderId);
  }

  /**
   * Asks the venue about what the bot does not know (run every cycle by the
   * orchestrator): each `unknown` order is fetched by client order id and
   * moved on (to `rejected` when the venue never received it); on a venue
   * that does not stream, fills since the oldest working order and the state
   * of every working order are fetched too, as are the fills of an order the
   * venue reported filled before they arrived.
   */
  async reconcile(): Promise<void> {
    if (this.state !== 'running' && this.state !== 'degraded') return;
    const { broker } = this.#options;
    const idle =
      this.#book.unsettledCount === 0 &&
      this.#book.workingCount(broker.capabilities.streaming ? 'unknown' : undefined) === 0;
    if (idle) return;
    const working = this.#book.working();
    const unsettled = this.#book.unsettled();
    if (!broker.capabilities.streaming || unsettled.length > 0) {
      const pending = [...working, ...unsettled];
      const symbols = new Set(pending.map((order) => order.symbol));
      const since = Math.min(...pending.map((order) => order.createdAt));
      for (const symbol of symbols) {
        const fills = await this.#call(() => broker.fetchFills(symbol, since));
        for (const fill of fills ?? []) this.#applyFill(fill);
      }
    }
    for (const order of working) {
      const current = this.#book.get(order.clientOrderId);
      if (!current || isFinalOrderStatus(current.status)) continue;
      if (current.status === 'created' || current.status === 'submitting') continue;
      if (broker.capabilities.streaming && current.status !== 'unknown') continue;
      try {
        const venue = await broker.fetchOrder(current.symbol, current.clientOrderId);
        this.#lastBrokerError = undefined;
        this.#applyVenueOrder(venue);
      } catch (error) {
        if (BrokerError.isInstance(error) && error.code === 'not_found' && current.status === 'unknown') {
          this.#notSent(current, 'not_found', 'the venue has no such order after an unknown outcome');
        } else {
          this.#brokerFailed(`fetchOrder ${current.clientOrderId}`, error);
        }
      }
    }
  }

  protected override async onStart(): Promise<void> {
    const { broker, ledger } = this.#options;
    if (ledger.capital === undefined) {
      const balances = await broker.fetchBalances();
      const balance = balances.find((b) => b.currency === ledger.account().currency);
      if (!balance) {
        throw new ExecutionError(
          'NO_CAPITAL',
          `the venue reports no ${ledger.account().currency} balance (it has ${balances.map((b) => b.currency).join(', ') || 'none'})`,
        );
      }
      ledger.setCapital(balance.total);
    }
    if (broker.capabilities.streaming && broker.subscribe) {
      this.#unsubscribeBroker = broker.subscribe((update) => this.#onVenueUpdate(update));
    }
    this.subscribe('NewCandle', (event) => this.#onBar(event));
    this.subscribe('EntrySignal', (event) => this.#enqueue(event));
    this.subscribe('ExitSignal', (event) => this.#enqueue(event));
  }

  protected override onStop(): void {
    this.#unsubscribeBroker?.();
    this.#unsubscribeBroker = undefined;
  }

  protected override checkHealth(): HealthAssessment {
    const unknown = this.#book.workingCount('unknown');
    const details = {
      working_orders: this.#book.workingCount(),
      unknown_orders: unknown,
      ...(this.#lastBrokerError ? { last_broker_error: this.#lastBrokerError } : {}),
    };
    if (unknown > 0 || this.#lastBrokerError) return { status: 'degraded', details };
    return { details };
  }

  // --- bars -------------------------------------------------------------------------------------

  #onBar(event: EventOf<TradingEventPayloads, 'NewCandle'>): Promise<void> | undefined {
    const { executionTimeframe, ledger, riskManager } = this.#options;
    if (event.timeframe !== executionTimeframe) return undefined;
    const { symbol, bar } = event;
    ledger.mark(symbol, bar.close);
    for (const breach of riskManager.recordEquity(this.clock.now(), ledger.account().equity)) {
      this.increment('risk_breaches');
      this.logger.warn(`Risk limit ${breach.limit} breached: ${breach.value.toFixed(2)} >= ${breach.threshold}`, {
        ...breach,
      });
      this.publish('RiskLimitBreached', { symbol, ...breach });
    }
    this.#exitPlans.watch(symbol, bar, (strategyName, of) => ledger.position(strategyName, of));
    return this.#queue.length > 0 ? this.#flush() : undefined;
  }

  // --- signals ----------------------------------------------------------------------------------

  async #enqueue(signal: Signal): Promise<void> {
    if (this.#signalsSeen.includes(signal.id)) {
      this.logger.warn(`Ignored a repeated ${signal.type} ${signal.id} of ${signal.strategyName}`);
      return;
    }
    this.#signalsSeen.push(signal.id);
    if (this.#signalsSeen.length > SIGNALS_REMEMBERED) this.#signalsSeen.shift();
    this.#queue.push(signal);
    const { execution_mode, batch_size } = this.#options.config;
    if (execution_mode === 'immediate' || this.#queue.length >= batch_size) await this.#flush();
  }

  async #flush(): Promise<void> {
    const signals = this.#queue;
    this.#queue = [];
    const sends: Promise<void>[] = [];
    for (const signal of signals) {
      const sent = signal.type === 'EntrySignal' ? this.#enter(signal) : this.#exit(signal);
      if (sent) sends.push(sent);
    }
    await Promise.all(sends);
  }

  #enter(signal: EventOf<TradingEventPayloads, 'EntrySignal'>): Promise<void> | undefined {
    const { entryManager, ledger } = this.#options;
    const key = this.#signalKey(signal, 'entry');
    if (this.#book.get(clientOrderIdFor(key))) return this.#repeated(signal, key);
    const account = ledger.account();
    const plan = entryManager.plan(signal, account);
    if ('rejected' in plan) {
      this.increment('orders_rejected');
      this.logger.warn(`No order for ${signal.strategyName} ${signal.direction} ${signal.symbol}: ${plan.rejected}`);
      this.publish('TradingBlocked', {
        symbol: signal.symbol,
        strategyName: signal.strategyName,
        reasons: ['invalid_order'],
      });
      this.#resolveSignal(signal, 'entry', 'blocked', null, ['invalid_order'], plan.rejected);
      return undefined;
    }
    if (!this.#authorize(signal, 'entry', plan.quantity, 'all risk checks passed')) return undefined;
    const order = this.#createOrder(key, { type: 'market', quantity: plan.quantity, triggerPrice: null }, signal.id, {
      stopLoss: plan.stopLoss,
      takeProfit: plan.takeProfit,
    });
    return order ? this.#send(order) : undefined;
  }

  #exit(signal: EventOf<TradingEventPayloads, 'ExitSignal'>): Promise<void> | undefined {
    const key = this.#signalKey(signal, 'exit');
    if (this.#book.get(clientOrderIdFor(key))) return this.#repeated(signal, key);
    const position = this.#options.ledger.position(signal.strategyName, signal.symbol);
    if (!position || position.direction !== signal.direction) {
      this.logger.warn(`Exit signal of ${signal.strategyName} ${signal.symbol}: no open ${signal.direction} position`);
      this.#resolveSignal(signal, 'exit', 'blocked', null, ['no_position'], `no open ${signal.direction} position`);
      return undefined;
    }
    if (this.#exiting(signal.strategyName, signal.symbol)) {
      this.#resolveSignal(signal, 'exit', 'blocked', null, ['exit_in_progress'], 'an exit order is already working');
      return undefined;
    }
    if (!this.#authorize(signal, 'exit', position.quantity, 'exit reduces risk')) return undefined;
    const order = this.#createOrder(
      key,
      { type: 'market', quantity: position.quantity, triggerPrice: null },
      signal.id,
      null,
    );
    return order ? this.#send(order) : undefined;
  }

  /** Whether a market exit of the strategy's position is working. */
  #exiting(strategyName: string, symbol: string): boolean {
    return this.#book
      .working()
      .some(
        (order) =>
          order.intent === 'exit' &&
          order.type === 'market' &&
          order.strategyName === strategyName &&
          order.symbol === symbol,
      );
  }

  #repeated(signal: Signal, key: SignalKey): undefined {
    this.logger.warn(
      `Ignored a repeated ${signal.type} of ${signal.strategyName} (client order id ${clientOrderIdFor(key)})`,
    );
    return undefined;
  }

  #signalKey(signal: Signal, intent: 'entry' | 'exit'): SignalKey {
    return {
      botId: this.#options.botId,
      strategyName: signal.strategyName,
      symbol: signal.symbol,
      timeframe: signal.timeframe,
      barOpenTime: signal.barOpenTime,
      direction: signal.direction,
      intent,
      purpose: 'signal',
    };
  }

  /** Asks the risk manager; publishes TradingBlocked (every reason, and the signal's end) or TradingAuthorized. */
  #authorize(signal: Signal, intent: 'entry' | 'exit', quantity: number, reason: string): boolean {
    const { ledger, riskManager } = this.#options;
    const decision = riskManager.check({
      now: this.clock.now(),
      symbol: signal.symbol,
      intent,
      quantity,
      price: signal.price,
      account: ledger.account(),
      positions: ledger.positions(),
    });
    const { symbol, strategyName } = signal;
    if (!decision.allowed) {
      this.increment('risk_breaches');
      this.logger.info(`Trading blocked for ${strategyName} ${symbol}: ${decision.reasons.join(', ')}`);
      this.publish('TradingBlocked', { symbol, strategyName, reasons: decision.reasons });
      this.#resolveSignal(signal, intent, 'blocked', null, decision.reasons, 'blocked by risk');
      return false;
    }
    this.publish('TradingAuthorized', { symbol, strategyName, reason });
    return true;
  }

  /** Ends a signal that sent no order. */
  #resolveSignal(
    signal: Signal,
    intent: 'entry' | 'exit',
    outcome: SignalOutcome,
    clientOrderId: string | null,
    codes: readonly string[],
    message: string,
  ): void {
    const { id: signalId, symbol, strategyName } = signal;
    this.publish('SignalResolved', { signalId, symbol, strategyName, intent, outcome, clientOrderId, codes, message });
  }

  // --- orders -----------------------------------------------------------------------------------

  #createOrder(
    key: SignalKey,
    shape: { readonly type: Order['type']; readonly quantity: number; readonly triggerPrice: number | null },
    signalId: string | null,
    levels: OrderContext['levels'],
  ): Order | undefined {
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
      this.logger.warn(`Order ${spec.clientOrderId} exists already; not sending it again`);
      return undefined;
    }
    return this.#book.create(spec, { key, signalId, levels, resolved: false }, this.clock.now());
  }

  /**
   * Sends an order. The venue is called before the first await, so that a
   * venue answering synchronously (a simulation) sees the order at once.
   */
  async #send(order: Order, ocoGroup?: string): Promise<void> {
    this.#book.transition(order.clientOrderId, 'submitting', this.clock.now());
    let venue: VenueOrder;
    try {
      venue = await this.#options.broker.submitOrder({
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
    } catch (error) {
      this.#submitFailed(order.clientOrderId, error);
      return;
    }
    this.#lastBrokerError = undefined;
    this.#applyVenueOrder(venue);
  }

  #submitFailed(clientOrderId: string, error: unknown): void {
    const code: BrokerErrorCode = BrokerError.isInstance(error) ? error.code : 'unknown_outcome';
    const message = errorMessage(error);
    this.#brokerFailed(`submitOrder ${clientOrderId}`, error);
    const order = this.#book.get(clientOrderId);
    // The venue may have told us already (a stream is faster than the answer).
    if (order?.status !== 'submitting') return;
    if (code === 'unknown_outcome') {
      const unknown = this.#book.transition(clientOrderId, 'unknown', this.clock.now());
      this.logger.warn(`Outcome of order ${clientOrderId} unknown (${message}): asking the venue next cycle`, {
        client_order_id: clientOrderId,
      });
      this.publish('OrderStatusUnknown', { order: unknown, reason: message });
      return;
    }
    this.#notSent(order, code, message);
  }

  /** An order the venue does not have: `rejected`, and its signal ends. */
  #notSent(order: Order, code: BrokerErrorCode, message: string): void {
    const rejected = this.#book.transition(order.clientOrderId, 'rejected', this.clock.now());
    this.increment('orders_rejected');
    this.logger.warn(`Order ${order.clientOrderId} not placed: ${code}: ${message}`, {
      client_order_id: order.clientOrderId,
    });
    this.publish('OrderRejected', { order: rejected, reason: `${code}: ${message}` });
    this.#orderEnded(
      rejected,
      code === 'rejected' || code === 'insufficient_funds' ? 'rejected' : 'failed',
      [code],
      message,
    );
  }

  #onVenueUpdate(update: BrokerUpdate): void {
    try {
      if (update.type === 'fill') this.#applyFill(update.fill);
      else this.#applyVenueOrder(update.order);
    } catch (error) {
      this.logger.error(`Venue update could not be applied: ${errorMessage(error)}`, { update: update.type });
    }
  }

  #applyVenueOrder(venue: VenueOrder): void {
    const before = this.#book.get(venue.clientOrderId);
    if (!before) return;
    const order = this.#book.applyVenueOrder(venue, this.clock.now());
    if (!order) return;
    if ((before.status === 'submitting' || before.status === 'unknown') && order.status !== 'rejected') {
      this.increment('orders_placed');
      this.logger.info(
        `Order placed: ${order.side} ${order.quantity} ${order.symbol} ${order.type} (${order.clientOrderId})`,
        {
          client_order_id: order.clientOrderId,
        },
      );
      this.publish('OrderPlaced', { order });
    }
    switch (order.status) {
      case 'cancelled':
        this.publish('OrderCancelled', { order, reason: venue.reason ?? 'cancelled' });
        break;
      case 'expired':
        this.publish('OrderExpired', { order });
        break;
      case 'rejected':
        this.increment('orders_rejected');
        this.publish('OrderRejected', { order, reason: venue.reason ?? 'rejected by the venue' });
        break;
      default:
    }
    if (isFinalOrderStatus(order.status)) this.#settle(order, venue.reason);
  }

  /**
   * Ends a final order's signal once its fills are all in the ledger (a
   * venue may report an order filled before its fills arrive).
   */
  #settle(order: Order, reason?: string): void {
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

  #applyFill(fill: Fill): void {
    const { ledger } = this.#options;
    const context = this.#book.context(fill.clientOrderId);
    if (!context) {
      if (!ledger.hasFill(fill.fillId))
        this.logger.warn(`Fill ${fill.fillId} of an order the bot does not know: ${fill.clientOrderId}`);
      return;
    }
    const order = this.#book.applyFill(fill, this.clock.now());
    if (!order) return;
    this.increment('trades_executed');
    this.publish('OrderFilled', { order, fill });
    const change = ledger.apply(fill, {
      strategyName: order.strategyName,
      closeReason: CLOSE_REASONS[order.purpose],
    });
    if (change?.closed) this.publish('PositionClosed', change.closed);
    if (change?.opened) {
      this.publish('PositionOpened', { position: change.opened, exitPlan: this.#exitPlans.describe(context.levels) });
    }
    if (change && change.position === null) this.#exitPlans.drop(order.strategyName ?? '', order.symbol);
    if (isFinalOrderStatus(order.status)) this.#settle(order);
  }

  /**
   * An order reached a final state (called for every report of it; acts once
   * per order): ends its signal, and arms the exit plan of the position an
   * entry opened.
   */
  #orderEnded(order: Order, outcome: SignalOutcome, codes: readonly string[], message: string): void {
    const context = this.#book.context(order.clientOrderId);
    if (!context) return;
    if (order.intent === 'entry' && order.purpose === 'signal' && order.filledQuantity > 0) {
      const position = this.#options.ledger.position(order.strategyName, order.symbol);
      if (position) this.#exitPlans.arm(position, context.key, context.levels);
    }
    if (context.signalId === null || context.resolved) return;
    context.resolved = true;
    this.publish('SignalResolved', {
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

  async #cancel(order: Order): Promise<void> {
    try {
      const venue = await this.#options.broker.cancelOrder(order.symbol, order.clientOrderId);
      this.#applyVenueOrder(venue);
    } catch (error) {
      this.#brokerFailed(`cancelOrder ${order.clientOrderId}`, error);
      const current = this.#book.get(order.clientOrderId);
      if (current && !isFinalOrderStatus(current.status) && current.status !== 'unknown') {
        const unknown = this.#book.transition(order.clientOrderId, 'unknown', this.clock.now());
        this.publish('OrderStatusUnknown', { order: unknown, reason: `cancel failed: ${errorMessage(error)}` });
      }
    }
  }

  /** Calls the venue for a read; a failure is logged and counted, and answers `undefined`. */
  async #call<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await read();
      this.#lastBrokerError = undefined;
      return result;
    } catch (error) {
      this.#brokerFailed('read', error);
      return undefined;
    }
  }

  #brokerFailed(what: string, error: unknown): void {
    this.increment('broker_errors');
    const code = BrokerError.isInstance(error) ? error.code : 'unknown_outcome';
    this.#lastBrokerError = `${what}: ${code}: ${errorMessage(error)}`;
    this.logger.warn(`Broker call ${what} failed: ${code}: ${errorMessage(error)}`, { code });
  }
}
