import type { ServicesConfig } from '@quant/config';
import {
  EventDrivenService,
  type EventOf,
  type HealthAssessment,
  type Order,
  type ServiceDeps,
  type Timeframe,
  type TradingEventPayloads,
} from '@quant/core';
import { clientOrderIdFor, type SignalKey } from '../execution/client-order-id.js';
import { ExecutionError } from '../execution/execution-error.js';
import { type ExecutionTimeouts, OrderManager } from '../execution/order-manager.js';
import type { PositionLedger } from '../execution/position-ledger.js';
import type { RecoverySettings } from '../execution/reconciler.js';
import { BROKER_SPECIFICATION_VERSION, type Broker } from '../ports/broker.js';
import type { ExecutionJournal, ExecutionRecord } from '../ports/execution-journal.js';
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
  /** The symbols traded (`trading.symbols`): reconciliation asks the venue for their fills. */
  readonly symbols: readonly string[];
  /** How reconciliation with the venue behaves (the `recovery` section); its defaults otherwise. */
  readonly recovery?: RecoverySettings;
  /** The `services.trade_execution` section. */
  readonly config: ServicesConfig['trade_execution'];
  /** How long to wait on the venue; see {@link ExecutionTimeouts}. */
  readonly timeouts?: ExecutionTimeouts;
  /** Where an order is persisted before it is sent; see {@link ExecutionJournal}. */
  readonly journal?: ExecutionJournal;
}

type Signal = EventOf<TradingEventPayloads, 'EntrySignal'> | EventOf<TradingEventPayloads, 'ExitSignal'>;

/** Signal ids remembered to ignore a repeated delivery. */
const SIGNALS_REMEMBERED = 1024;

/**
 * Turns signals into orders and owns them (the original
 * TradeExecutionService), through one order book (the order state machine)
 * and one position ledger built from fills.
 *
 * For each `EntrySignal`: plan the order (entry manager), ask the risk
 * manager, then publish `TradingBlocked`, or `TradingAuthorized` and submit
 * with a deterministic client order id. For each `ExitSignal`: close the
 * strategy's position from the ledger (after taking back the venue orders of
 * its exit plan). Every signal that reaches the executor ends in exactly one
 * `SignalResolved`: `filled`, `rejected` (the venue's reason), `blocked`,
 * `failed` (a broker error code), `cancelled` or `expired` — except a repeat
 * of a signal already handled (the same client order id), which is ignored.
 * A broker error never stops a strategy: it ends that signal only. An entry
 * is blocked while its strategy holds a position or has an entry working.
 *
 * Venue answers move orders through the state machine and publish
 * `OrderPlaced`, `OrderFilled`, `OrderCancelled`, `OrderExpired`,
 * `OrderRejected`; a lost answer (timeout, or no answer within
 * `timeouts.venueCallMs`) makes the order `unknown` (`OrderStatusUnknown`),
 * and {@link TradeExecutionService.reconcile}, run every cycle, asks the
 * venue for it by client order id. Fills update the ledger, which publishes
 * `PositionOpened` and `PositionClosed`.
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
  readonly #orders: OrderManager;
  readonly #signalsSeen: string[] = [];
  /** What was rebuilt from the journal (once per process), and from when the venue's fills are asked for. */
  #restored:
    | (ReturnType<OrderManager['restore']> & { readonly previousRun: ExecutionRecord['previousRun'] })
    | undefined;
  /** Whether the reconciliation at start succeeded. */
  #recovered = false;
  #queue: Signal[] = [];

  /**
   * @param deps - bus, clock, logger.
   * @param options - broker, ledger, risk and entry managers, execution timeframe, bot id, config section, timeouts.
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
    this.#orders = new OrderManager({
      broker: options.broker,
      ledger: options.ledger,
      clock: this.clock,
      logger: this.logger,
      publish: (type, payload) => {
        this.publish(type, payload);
      },
      count: (metric) => this.increment(metric),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.journal ? { journal: options.journal } : {}),
      ...(options.recovery ? { recovery: options.recovery } : {}),
      botId: options.botId,
      symbols: options.symbols,
    });
    this.defineMetrics('trades_executed', 'orders_placed', 'orders_rejected', 'risk_breaches', 'broker_errors');
  }

  /** The orders not yet final, oldest first. */
  workingOrders(): readonly Order[] {
    return this.#orders.working();
  }

  /**
   * The order with this client order id, while the book remembers it.
   * @param clientOrderId - the bot's id of the order.
   */
  order(clientOrderId: string): Order | undefined {
    return this.#orders.get(clientOrderId);
  }

  /**
   * Asks the venue about what the bot does not know (run every cycle by the
   * orchestrator): each `unknown` order is fetched by client order id and
   * moved on — to `rejected` when the venue still has no such order
   * `timeouts.notFoundGraceMs` after its submit was lost; fills the venue
   * reported but the bot has not received; cancels that did not go through.
   * On a venue that does not stream, and every `timeouts.syncIntervalMs` on
   * one that does, every working order and the fills since the oldest are
   * fetched too.
   * @returns a promise that settles when it is done; nothing when there was
   *   nothing to ask (most cycles) or the service is not running. `await` takes either.
   */
  reconcile(): Promise<void> | undefined {
    return this.state === 'running' || this.state === 'degraded' ? this.#orders.reconcile() : undefined;
  }

  /**
   * Without a journal: reads the capital from the venue's balance. With one, at the service's first start: rebuilds
   * orders, positions and exit plans from the journal, reads the capital from the venue only at the bot's first
   * start, and reconciles with the venue before the first cycle (`ReconciliationCompleted`).
   * @throws {@link ExecutionError} `NO_CAPITAL`; `RECONCILIATION_FAILED` when the venue does not answer.
   */
  protected override async onStart(): Promise<void> {
    const { journal, ledger } = this.#options;
    // Rebuilt once per process, reconciled until that succeeded: a service the orchestrator restarts keeps its book.
    if (journal !== undefined && this.#restored === undefined) {
      const record = await journal.load();
      this.#restored = { ...this.#orders.restore(record), previousRun: record.previousRun };
    }
    if (ledger.capital === undefined) {
      // The bot's first start: the fills before the balances were read are in them.
      const readAt = this.clock.now();
      await this.#orders.openAccount();
      if (this.#restored) this.#restored = { ...this.#restored, fillsSince: readAt };
    }
    this.#orders.start();
    const restored = this.#restored;
    if (restored !== undefined && !this.#recovered) {
      await this.#orders.recover(restored.previousRun, restored, restored.fillsSince ?? this.clock.now());
      this.#recovered = true;
    }
    this.subscribe('NewCandle', (event) => this.#onBar(event));
    this.subscribe('EntrySignal', (event) => this.#enqueue(event));
    this.subscribe('ExitSignal', (event) => this.#enqueue(event));
  }

  protected override onStop(): void {
    this.#orders.stop();
  }

  protected override checkHealth(): HealthAssessment {
    const unknown = this.#orders.workingCount('unknown');
    const unsettled = this.#orders.unsettledCount;
    const lastError = this.#orders.lastError;
    const details = {
      working_orders: this.#orders.workingCount(),
      unknown_orders: unknown,
      unsettled_orders: unsettled,
      ...(lastError ? { last_broker_error: lastError } : {}),
    };
    const halted = this.#orders.halted;
    if (halted !== undefined) return { status: 'degraded', details: { ...details, halted } };
    if (unknown > 0 || unsettled > 0 || lastError) return { status: 'degraded', details };
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
    this.#orders.onBar(symbol, bar);
    return this.#queue.length > 0 ? this.#flush() : undefined;
  }

  // --- signals ----------------------------------------------------------------------------------

  /**
   * Queues a signal and, unless batching, handles it. The returned promise
   * (which the cycle waits for) covers the decision and the calls made
   * before an order is sent — never the venue's answer to it, which comes
   * in the background, bounded by `timeouts.venueCallMs`.
   */
  #enqueue(signal: Signal): Promise<void> | undefined {
    if (this.#signalsSeen.includes(signal.id)) {
      this.logger.warn(`Ignored a repeated ${signal.type} ${signal.id} of ${signal.strategyName}`);
      return undefined;
    }
    this.#signalsSeen.push(signal.id);
    if (this.#signalsSeen.length > SIGNALS_REMEMBERED) this.#signalsSeen.shift();
    this.#queue.push(signal);
    const { execution_mode, batch_size } = this.#options.config;
    return execution_mode === 'immediate' || this.#queue.length >= batch_size ? this.#flush() : undefined;
  }

  #flush(): Promise<void> | undefined {
    const signals = this.#queue;
    this.#queue = [];
    const exits: Promise<void>[] = [];
    for (const signal of signals) {
      if (signal.type === 'EntrySignal') this.#enter(signal);
      else {
        const exit = this.#exit(signal);
        if (exit) exits.push(exit);
      }
    }
    return exits.length > 0 ? Promise.all(exits).then(() => undefined) : undefined;
  }

  #enter(signal: EventOf<TradingEventPayloads, 'EntrySignal'>): void {
    const { entryManager, ledger } = this.#options;
    const key = this.#signalKey(signal, 'entry');
    if (this.#orders.get(clientOrderIdFor(key))) {
      this.#repeated(signal, key);
      return;
    }
    if (this.#haltedFor(signal)) return;
    const { strategyName, symbol } = signal;
    const holding = ledger.position(strategyName, symbol) !== undefined;
    if (holding || this.#orders.entering(strategyName, symbol)) {
      this.logger.warn(
        `Entry signal of ${strategyName} ${symbol} while it ${holding ? 'holds a position' : 'is entering'}`,
      );
      const code = holding ? 'position_open' : 'entry_in_progress';
      this.#orders.resolveWithoutOrder(signal, 'entry', 'blocked', [code], `the strategy ${code.replace('_', ' ')}`);
      return;
    }
    const plan = entryManager.plan(signal, ledger.account());
    if ('rejected' in plan) {
      this.increment('orders_rejected');
      this.logger.warn(`No order for ${strategyName} ${signal.direction} ${symbol}: ${plan.rejected}`);
      this.publish('TradingBlocked', { symbol, strategyName, reasons: ['invalid_order'] });
      this.#orders.resolveWithoutOrder(signal, 'entry', 'blocked', ['invalid_order'], plan.rejected);
      return;
    }
    if (!this.#authorize(signal, 'entry', plan.quantity, 'all risk checks passed')) return;
    const order = this.#orders.create(key, { type: 'market', quantity: plan.quantity, triggerPrice: null }, signal.id, {
      stopLoss: plan.stopLoss,
      takeProfit: plan.takeProfit,
    });
    if (order) void this.#orders.send(order);
  }

  #exit(signal: EventOf<TradingEventPayloads, 'ExitSignal'>): Promise<void> | undefined {
    const key = this.#signalKey(signal, 'exit');
    if (this.#orders.get(clientOrderIdFor(key))) return this.#repeated(signal, key);
    const { strategyName, symbol } = signal;
    const position = this.#options.ledger.position(strategyName, symbol);
    if (!position || position.direction !== signal.direction) {
      this.logger.warn(`Exit signal of ${strategyName} ${symbol}: no open ${signal.direction} position`);
      this.#orders.resolveWithoutOrder(
        signal,
        'exit',
        'blocked',
        ['no_position'],
        `no open ${signal.direction} position`,
      );
      return undefined;
    }
    if (this.#orders.exiting(strategyName, symbol)) {
      this.#orders.resolveWithoutOrder(signal, 'exit', 'blocked', ['exit_in_progress'], 'an exit order is working');
      return undefined;
    }
    if (!this.#authorize(signal, 'exit', position.quantity, 'exit reduces risk')) return undefined;
    return this.#exitPosition(signal, key, position.quantity);
  }

  /** Takes back the exit plan's venue orders, then sends the market exit. */
  async #exitPosition(signal: Signal, key: SignalKey, quantity: number): Promise<void> {
    const failure = await this.#orders.releaseLegs(signal.strategyName, signal.symbol);
    if (failure) {
      this.#orders.resolveWithoutOrder(
        signal,
        'exit',
        'failed',
        [failure],
        "the venue did not cancel the exit plan's orders, so no exit was sent (the position stays protected)",
      );
      return;
    }
    const order = this.#orders.create(key, { type: 'market', quantity, triggerPrice: null }, signal.id, null);
    if (order) void this.#orders.send(order);
  }

  /** Ends an entry signal while reconciliation halted trading (`reconciliation_halt`); `false` when trading goes on. */
  #haltedFor(signal: Signal): boolean {
    const halted = this.#orders.halted;
    if (halted === undefined) return false;
    this.#orders.resolveWithoutOrder(
      signal,
      'entry',
      'blocked',
      ['reconciliation_halt'],
      `trading is halted: ${halted}`,
    );
    return true;
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
      workingEntries: this.#orders.working().filter((order) => order.intent === 'entry'),
    });
    const { symbol, strategyName } = signal;
    if (!decision.allowed) {
      this.increment('risk_breaches');
      this.logger.info(`Trading blocked for ${strategyName} ${symbol}: ${decision.reasons.join(', ')}`);
      this.publish('TradingBlocked', { symbol, strategyName, reasons: decision.reasons });
      this.#orders.resolveWithoutOrder(signal, intent, 'blocked', decision.reasons, 'blocked by risk');
      return false;
    }
    this.publish('TradingAuthorized', { symbol, strategyName, reason });
    return true;
  }
}
