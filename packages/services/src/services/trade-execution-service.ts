import type { ServicesConfig } from '@quant/config';
import {
  type Bar,
  EventDrivenService,
  type EventOf,
  entrySide,
  type Order,
  type Position,
  type ServiceDeps,
  type Timeframe,
  type TradingEventPayloads,
  timeframeToMs,
} from '@quant/core';
import { clientOrderIdFor } from '../execution/client-order-id.js';
import type { Account, Broker, BrokerUpdate } from '../ports/broker.js';
import type { EntryManager, RiskManager } from '../ports/risk.js';

/** A simulated broker driven by bars, such as {@link PaperBroker}: the execution service feeds it. */
export interface BarDrivenBroker extends Broker {
  /** Advances the simulation by one closed bar. */
  processBar(symbol: string, bar: Bar): void;
  /** The account's balances, synchronously (a simulation has them at hand). */
  account(): Account;
}

/** Options of a {@link TradeExecutionService}. */
export interface TradeExecutionOptions {
  /** Where orders go. A {@link BarDrivenBroker} is fed the bars of `executionTimeframe`. */
  readonly broker: Broker;
  /** Judges each order. */
  readonly riskManager: RiskManager;
  /** Sizes entries. */
  readonly entryManager: EntryManager;
  /** The timeframe whose bars drive a bar-driven broker and equity marks (the finest one). */
  readonly executionTimeframe: Timeframe;
  /** The `services.trade_execution` section. */
  readonly config: ServicesConfig['trade_execution'];
}

type Signal = EventOf<TradingEventPayloads, 'EntrySignal'> | EventOf<TradingEventPayloads, 'ExitSignal'>;

const isBarDriven = (broker: Broker): broker is BarDrivenBroker =>
  typeof (broker as Partial<BarDrivenBroker>).processBar === 'function';

/**
 * Turns signals into orders (the original TradeExecutionService). For each
 * `EntrySignal`: plan the order (entry manager), ask the risk manager, then
 * publish `TradingBlocked` with every reason, or `TradingAuthorized` and
 * submit with a deterministic client order id, publishing `OrderPlaced` or
 * `OrderRejected`. For each `ExitSignal`: close the strategy's position.
 * Broker updates become `OrderFilled`, `OrderCancelled`, `PositionOpened`
 * and `PositionClosed`. A bar-driven broker is fed each closed bar of the
 * execution timeframe (from `DataFetched`, so before strategies see that
 * bar's close); equity is marked on each such bar and a newly crossed limit
 * publishes `RiskLimitBreached`.
 *
 * A signal delivered twice yields one order: its client order id is
 * remembered (across restarts too) and the broker dedupes it as well.
 * In `batch` mode, signals are submitted `batch_size` at a time, or at the
 * next bar of the execution timeframe.
 *
 * Metrics: `trades_executed` (fills), `orders_placed`, `orders_rejected`,
 * `risk_breaches` (blocked signals and breached limits).
 */
export class TradeExecutionService extends EventDrivenService {
  readonly #options: TradeExecutionOptions;
  readonly #submitted = new Set<string>();
  readonly #rejectedReported = new Set<string>();
  readonly #lastBar = new Map<string, number>();
  #queue: Signal[] = [];
  #unsubscribeBroker: (() => void) | undefined;

  /**
   * @param deps - bus, clock, logger.
   * @param options - broker, risk and entry managers, execution timeframe, config section.
   */
  constructor(deps: ServiceDeps, options: TradeExecutionOptions) {
    super('TradeExecutionService', deps);
    this.#options = options;
    this.defineMetrics('trades_executed', 'orders_placed', 'orders_rejected', 'risk_breaches');
  }

  protected override onStart(): void {
    this.#unsubscribeBroker = this.#options.broker.subscribe((update) => this.#onBrokerUpdate(update));
    this.subscribe('DataFetched', (event) => this.#onBars(event));
    this.subscribe('EntrySignal', (event) => this.#enqueue(event));
    this.subscribe('ExitSignal', (event) => this.#enqueue(event));
  }

  protected override onStop(): void {
    this.#unsubscribeBroker?.();
    this.#unsubscribeBroker = undefined;
  }

  /**
   * Feeds a bar-driven broker every newly closed bar of the execution
   * timeframe, from `DataFetched`, which is published before the bars'
   * `NewCandle`: fills and stops of a bar are known before strategies look at
   * its close, whatever the order of the subscriptions.
   */
  #onBars(event: EventOf<TradingEventPayloads, 'DataFetched'>): Promise<void> | undefined {
    const { broker, executionTimeframe } = this.#options;
    if (event.timeframe !== executionTimeframe) return undefined;
    const now = this.clock.now();
    const tfMs = timeframeToMs(executionTimeframe);
    const last = this.#lastBar.get(event.symbol) ?? Number.NEGATIVE_INFINITY;
    const fresh = event.bars.filter((bar) => bar.openTime > last && bar.openTime + tfMs <= now);
    if (fresh.length === 0) return undefined;
    this.#lastBar.set(event.symbol, (fresh[fresh.length - 1] as Bar).openTime);
    if (isBarDriven(broker)) {
      for (const bar of fresh) broker.processBar(event.symbol, bar);
      // A simulated broker answers at once: mark equity without a round trip through a promise.
      this.#markEquity(event.symbol, broker.account().equity);
      return this.#queue.length > 0 ? this.#flush() : undefined;
    }
    return this.#afterBars(event.symbol);
  }

  async #afterBars(symbol: string): Promise<void> {
    if (this.#queue.length > 0) await this.#flush();
    this.#markEquity(symbol, (await this.#options.broker.getAccount()).equity);
  }

  #markEquity(symbol: string, equity: number): void {
    for (const breach of this.#options.riskManager.recordEquity(this.clock.now(), equity)) {
      this.increment('risk_breaches');
      this.logger.warn(`Risk limit ${breach.limit} breached: ${breach.value.toFixed(2)} >= ${breach.threshold}`, {
        ...breach,
      });
      this.publish('RiskLimitBreached', { symbol, ...breach });
    }
  }

  async #enqueue(signal: Signal): Promise<void> {
    this.#queue.push(signal);
    const { execution_mode, batch_size } = this.#options.config;
    if (execution_mode === 'immediate' || this.#queue.length >= batch_size) await this.#flush();
  }

  async #flush(): Promise<void> {
    const signals = this.#queue;
    this.#queue = [];
    for (const signal of signals) {
      if (signal.type === 'EntrySignal') await this.#enter(signal);
      else await this.#exit(signal);
    }
  }

  #claim(signal: Signal, intent: 'entry' | 'exit'): string | undefined {
    const clientOrderId = clientOrderIdFor({ ...signal, intent });
    if (this.#submitted.has(clientOrderId)) {
      this.logger.warn(
        `Ignored a repeated ${signal.type} of ${signal.strategyName} (client order id ${clientOrderId})`,
      );
      return undefined;
    }
    this.#submitted.add(clientOrderId);
    return clientOrderId;
  }

  async #enter(signal: EventOf<TradingEventPayloads, 'EntrySignal'>): Promise<void> {
    const clientOrderId = this.#claim(signal, 'entry');
    if (!clientOrderId) return;
    const { broker, entryManager } = this.#options;
    const [account, positions] = await Promise.all([broker.getAccount(), broker.getPositions()]);
    const plan = entryManager.plan(signal, account);
    if ('rejected' in plan) {
      this.increment('orders_rejected');
      this.logger.warn(`No order for ${signal.strategyName} ${signal.direction} ${signal.symbol}: ${plan.rejected}`);
      this.publish('TradingBlocked', {
        symbol: signal.symbol,
        strategyName: signal.strategyName,
        reasons: ['invalid_order'],
      });
      return;
    }
    const allowed = this.#authorize(signal, 'entry', plan.quantity, account, positions, 'all risk checks passed');
    if (!allowed) return;
    const order = await broker.submitOrder({
      clientOrderId,
      symbol: signal.symbol,
      side: entrySide(signal.direction),
      direction: signal.direction,
      intent: 'entry',
      quantity: plan.quantity,
      stopLoss: plan.stopLoss,
      takeProfit: plan.takeProfit,
      strategyName: signal.strategyName,
    });
    this.#reportSubmission(order, 'rejected by the broker');
  }

  async #exit(signal: EventOf<TradingEventPayloads, 'ExitSignal'>): Promise<void> {
    const { broker } = this.#options;
    const positions = await broker.getPositions();
    const position = positions.find(
      (p) => p.symbol === signal.symbol && p.strategyName === signal.strategyName && p.direction === signal.direction,
    );
    if (!position) {
      this.logger.warn(`Exit signal of ${signal.strategyName} ${signal.symbol}: no open ${signal.direction} position`);
      return;
    }
    const clientOrderId = this.#claim(signal, 'exit');
    if (!clientOrderId) return;
    const allowed = this.#authorize(
      signal,
      'exit',
      position.quantity,
      await broker.getAccount(),
      positions,
      'exit reduces risk',
    );
    if (!allowed) return;
    const order = await broker.closePosition(position.positionId, clientOrderId);
    this.#reportSubmission(order, 'rejected by the broker');
  }

  /** Asks the risk manager; publishes TradingBlocked (every reason) or TradingAuthorized. */
  #authorize(
    signal: Signal,
    intent: 'entry' | 'exit',
    quantity: number,
    account: Account,
    positions: readonly Position[],
    reason: string,
  ): boolean {
    const decision = this.#options.riskManager.check({
      now: this.clock.now(),
      symbol: signal.symbol,
      intent,
      quantity,
      price: signal.price,
      account,
      positions,
    });
    const { symbol, strategyName } = signal;
    if (!decision.allowed) {
      this.increment('risk_breaches');
      this.logger.info(`Trading blocked for ${strategyName} ${symbol}: ${decision.reasons.join(', ')}`);
      this.publish('TradingBlocked', { symbol, strategyName, reasons: decision.reasons });
      return false;
    }
    this.publish('TradingAuthorized', { symbol, strategyName, reason });
    return true;
  }

  #reportSubmission(order: Order, reason: string): void {
    if (order.status === 'rejected') {
      if (this.#rejectedReported.has(order.orderId)) return;
      this.#rejectedReported.add(order.orderId);
      this.increment('orders_rejected');
      this.publish('OrderRejected', { order, reason });
      return;
    }
    this.increment('orders_placed');
    this.logger.info(`Order placed: ${order.side} ${order.quantity} ${order.symbol} (${order.clientOrderId})`, {
      client_order_id: order.clientOrderId,
    });
    this.publish('OrderPlaced', { order });
  }

  #onBrokerUpdate(update: BrokerUpdate): void {
    switch (update.type) {
      case 'order':
        if (update.order.status === 'cancelled') {
          this.publish('OrderCancelled', { order: update.order, reason: update.reason ?? 'cancelled' });
        } else if (update.order.status === 'rejected' && !this.#rejectedReported.has(update.order.orderId)) {
          this.#rejectedReported.add(update.order.orderId);
          this.increment('orders_rejected');
          this.publish('OrderRejected', { order: update.order, reason: update.reason ?? 'rejected by the broker' });
        }
        return;
      case 'fill':
        this.increment('trades_executed');
        this.publish('OrderFilled', { order: update.order, fill: update.fill });
        return;
      case 'position_opened':
        this.publish('PositionOpened', { position: update.position });
        return;
      case 'position_closed':
        this.publish('PositionClosed', update.closure);
        return;
    }
  }
}
