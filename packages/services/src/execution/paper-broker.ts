import type { Bar, Clock, Fill, Order, Position } from '@quant/core';
import { ServicesError } from '../errors.js';
import type { Account, Broker, BrokerUpdate, OrderRequest, PositionClosure } from '../ports/broker.js';

/** Options of a {@link PaperBroker}. */
export interface PaperBrokerOptions {
  /** The clock that stamps orders. */
  readonly clock: Clock;
  /** Account currency (the quote currency), `USDT` by default. */
  readonly currency?: string;
  /** Starting cash, quote currency; 100 000 by default. */
  readonly initialCash?: number;
  /** Fee per fill, basis points of the notional; 10 (0.1 %) by default. */
  readonly feeBps?: number;
  /** Slippage per fill, basis points, against the order's side; 0 by default. */
  readonly slippageBps?: number;
}

interface PositionState {
  position: Position;
  /** Entry fee not yet attributed to a closed share. */
  entryFeeLeft: number;
}

const EPSILON = 1e-12;

/**
 * A simulated broker in the quote currency, driven bar by bar by
 * {@link PaperBroker.processBar} (the execution service feeds it the bars of
 * the finest timeframe). It models a margin account: cash changes by realized
 * P&L and fees, equity is cash plus unrealized P&L.
 *
 * - Market orders fill at the open of the first bar that opens at or after
 *   the order's time (the next bar: no look-ahead), with `slippageBps` against
 *   the order (buys higher, sells lower).
 * - Fee per fill: `quantity × price × feeBps / 10 000`.
 * - Stop-loss and take-profit are checked against each bar's low and high;
 *   when both lie inside one bar the stop is assumed hit first (the
 *   conservative assumption). A bar that opens beyond the stop fills at the
 *   open.
 * - P&L of a close: `(exit − entry) × quantity` for a long,
 *   `(entry − exit) × quantity` for a short, minus the entry fee's share of
 *   the closed quantity and the exit fee.
 * - Partial closes reduce the position; a repeated client order id returns the
 *   existing order and places nothing.
 * Ids are sequential (`paper-o-1`, `paper-p-1`, `paper-f-1`), so two runs over
 * the same data produce the same ids.
 */
export class PaperBroker implements Broker {
  readonly #clock: Clock;
  readonly #currency: string;
  readonly #feeRate: number;
  readonly #slippage: number;
  #cash: number;
  #realized = 0;
  #fees = 0;
  readonly #orders = new Map<string, Order>();
  readonly #byClientId = new Map<string, Order>();
  readonly #requests = new Map<string, OrderRequest>();
  #pending: Order[] = [];
  readonly #positions = new Map<string, PositionState>();
  readonly #marks = new Map<string, number>();
  readonly #listeners = new Set<(update: BrokerUpdate) => void>();
  #sequence = { order: 0, position: 0, fill: 0 };

  /** @param options - clock, currency, initial cash, fee and slippage. */
  constructor(options: PaperBrokerOptions) {
    this.#clock = options.clock;
    this.#currency = options.currency ?? 'USDT';
    this.#cash = options.initialCash ?? 100_000;
    this.#feeRate = (options.feeBps ?? 10) / 10_000;
    this.#slippage = (options.slippageBps ?? 0) / 10_000;
  }

  /** {@inheritDoc Broker.getAccount} */
  getAccount(): Promise<Account> {
    return Promise.resolve(this.account());
  }

  /** The account's balances, synchronously. */
  account(): Account {
    const unrealizedPnl = [...this.#positions.values()].reduce((sum, state) => sum + state.position.unrealizedPnl, 0);
    return {
      currency: this.#currency,
      cash: this.#cash,
      equity: this.#cash + unrealizedPnl,
      realizedPnl: this.#realized,
      unrealizedPnl,
      fees: this.#fees,
    };
  }

  /** {@inheritDoc Broker.getPositions} */
  getPositions(): Promise<readonly Position[]> {
    return Promise.resolve(this.positions());
  }

  /** Open positions, synchronously. */
  positions(): Position[] {
    return [...this.#positions.values()].map((state) => state.position);
  }

  /** {@inheritDoc Broker.getOpenOrders} */
  getOpenOrders(): Promise<readonly Order[]> {
    return Promise.resolve([...this.#pending]);
  }

  /** {@inheritDoc Broker.subscribe} */
  subscribe(listener: (update: BrokerUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Submits a market order; it fills at the open of the next bar fed by
   * {@link PaperBroker.processBar}. A client order id already known returns
   * that order and places nothing new. An order whose quantity is not > 0,
   * or an exit without a known position, is returned `rejected`.
   * @param request - the order.
   * @returns the order, `open` or `rejected`.
   */
  submitOrder(request: OrderRequest): Promise<Order> {
    const existing = this.#byClientId.get(request.clientOrderId);
    if (existing) return Promise.resolve(existing);
    const problem =
      !(request.quantity > 0) || !Number.isFinite(request.quantity)
        ? `quantity must be > 0, got ${request.quantity}`
        : request.intent === 'exit' && !(request.positionId && this.#positions.has(request.positionId))
          ? `no open position ${request.positionId ?? '(none given)'} to exit`
          : undefined;
    const order: Order = {
      orderId: `paper-o-${++this.#sequence.order}`,
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      direction: request.direction,
      intent: request.intent,
      type: 'market',
      quantity: request.quantity,
      filledQuantity: 0,
      price: null,
      status: problem ? 'rejected' : 'open',
      createdAt: this.#clock.now(),
      strategyName: request.strategyName,
    };
    this.#store(order);
    this.#byClientId.set(order.clientOrderId, order);
    this.#requests.set(order.orderId, request);
    if (!problem) this.#pending.push(order);
    this.#emit(problem ? { type: 'order', order, reason: problem } : { type: 'order', order });
    return Promise.resolve(order);
  }

  /**
   * {@inheritDoc Broker.cancelOrder}
   * @throws {@link ServicesError} `UNKNOWN_ORDER`.
   */
  cancelOrder(orderId: string): Promise<Order> {
    const order = this.#orders.get(orderId);
    if (!order) throw new ServicesError('UNKNOWN_ORDER', `no order ${orderId}`);
    if (order.status !== 'open') return Promise.resolve(order);
    return Promise.resolve(this.#cancel(order));
  }

  /**
   * {@inheritDoc Broker.closePosition}
   * @throws {@link ServicesError} `UNKNOWN_POSITION`.
   */
  closePosition(positionId: string, clientOrderId: string, quantity?: number): Promise<Order> {
    const state = this.#positions.get(positionId);
    if (!state) {
      const existing = this.#byClientId.get(clientOrderId);
      if (existing) return Promise.resolve(existing);
      throw new ServicesError('UNKNOWN_POSITION', `no open position ${positionId}`);
    }
    const { position } = state;
    return this.submitOrder({
      clientOrderId,
      symbol: position.symbol,
      side: position.direction === 'long' ? 'sell' : 'buy',
      direction: position.direction,
      intent: 'exit',
      quantity: Math.min(quantity ?? position.quantity, position.quantity),
      stopLoss: null,
      takeProfit: null,
      strategyName: position.strategyName,
      positionId,
    });
  }

  /**
   * Advances the simulation by one closed bar of `symbol`: fills the orders
   * placed before the bar opened at its open, then checks stop-losses and
   * take-profits against its range, then marks positions at its close.
   * @param symbol - the instrument.
   * @param bar - the bar, after every bar already processed for the symbol.
   */
  processBar(symbol: string, bar: Bar): void {
    const due = this.#pending.filter((order) => order.symbol === symbol && order.createdAt <= bar.openTime);
    if (due.length > 0) {
      this.#pending = this.#pending.filter((order) => !due.includes(order));
      for (const order of due) this.#fill(order, bar);
    }
    for (const state of [...this.#positions.values()]) {
      if (state.position.symbol === symbol) this.#checkProtection(state, bar);
    }
    this.#marks.set(symbol, bar.close);
    for (const state of this.#positions.values()) {
      if (state.position.symbol === symbol) this.#mark(state, bar.close);
    }
  }

  #fill(order: Order, bar: Bar): void {
    const request = this.#requests.get(order.orderId) as OrderRequest;
    const buy = order.side === 'buy';
    const price = bar.open * (buy ? 1 + this.#slippage : 1 - this.#slippage);
    if (order.intent === 'exit') {
      const state = request.positionId ? this.#positions.get(request.positionId) : undefined;
      if (!state) {
        this.#cancel(order, 'position already closed');
        return;
      }
      const quantity = Math.min(order.quantity, state.position.quantity);
      const filled = this.#recordFill(order, quantity, price, bar.openTime);
      this.#close(state, quantity, price, filled.fill.fee, 'exit_signal');
      return;
    }
    const { fill } = this.#recordFill(order, order.quantity, price, bar.openTime);
    const position: Position = {
      positionId: `paper-p-${++this.#sequence.position}`,
      symbol: order.symbol,
      direction: order.direction,
      quantity: order.quantity,
      entryPrice: price,
      openedAt: bar.openTime,
      stopLoss: request.stopLoss,
      takeProfit: request.takeProfit,
      realizedPnl: 0,
      unrealizedPnl: 0,
      fees: fill.fee,
      strategyName: order.strategyName,
    };
    const state = { position, entryFeeLeft: fill.fee };
    this.#positions.set(position.positionId, state);
    this.#emit({ type: 'position_opened', position: state.position });
  }

  #recordFill(order: Order, quantity: number, price: number, timestamp: number): { order: Order; fill: Fill } {
    const fee = quantity * price * this.#feeRate;
    this.#cash -= fee;
    this.#fees += fee;
    const fill: Fill = {
      fillId: `paper-f-${++this.#sequence.fill}`,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      quantity,
      price,
      fee,
      timestamp,
    };
    const filled: Order = { ...order, filledQuantity: quantity, price, status: 'filled' };
    this.#store(filled);
    this.#emit({ type: 'fill', order: filled, fill });
    return { order: filled, fill };
  }

  #checkProtection(state: PositionState, bar: Bar): void {
    const { position } = state;
    const long = position.direction === 'long';
    const stop = position.stopLoss;
    const target = position.takeProfit;
    const stopHit = stop !== null && (long ? bar.low <= stop : bar.high >= stop);
    const targetHit = target !== null && (long ? bar.high >= target : bar.low <= target);
    if (!stopHit && !targetHit) return;
    // Both inside one bar: assume the stop was hit first.
    const reason = stopHit ? 'stop_loss' : 'take_profit';
    const level = (stopHit ? stop : target) as number;
    const gapped = long
      ? stopHit
        ? bar.open < level
        : bar.open > level
      : stopHit
        ? bar.open > level
        : bar.open < level;
    const raw = gapped ? bar.open : level;
    const price = raw * (long ? 1 - this.#slippage : 1 + this.#slippage);
    const order: Order = {
      orderId: `paper-o-${++this.#sequence.order}`,
      clientOrderId: `${position.positionId}-${reason}`,
      symbol: position.symbol,
      side: long ? 'sell' : 'buy',
      direction: position.direction,
      intent: 'exit',
      type: 'stop',
      quantity: position.quantity,
      filledQuantity: 0,
      price: level,
      status: 'open',
      createdAt: bar.openTime,
      strategyName: position.strategyName,
    };
    this.#store(order);
    this.#byClientId.set(order.clientOrderId, order);
    const { fill } = this.#recordFill(order, position.quantity, price, bar.openTime);
    this.#close(state, position.quantity, price, fill.fee, reason);
  }

  #close(state: PositionState, quantity: number, exitPrice: number, exitFee: number, reason: string): void {
    const before = state.position;
    const sign = before.direction === 'long' ? 1 : -1;
    const gross = sign * (exitPrice - before.entryPrice) * quantity;
    const entryFeeShare = state.entryFeeLeft * (quantity / before.quantity);
    state.entryFeeLeft -= entryFeeShare;
    const fees = entryFeeShare + exitFee;
    this.#cash += gross;
    this.#realized += gross - fees;
    const remaining = before.quantity - quantity;
    const closure: PositionClosure = {
      position: before,
      quantity,
      exitPrice,
      realizedPnl: gross - fees,
      fees,
      reason,
    };
    if (remaining <= EPSILON) {
      this.#positions.delete(before.positionId);
    } else {
      state.position = {
        ...before,
        quantity: remaining,
        realizedPnl: before.realizedPnl + gross,
        fees: before.fees + exitFee,
      };
      this.#mark(state, this.#marks.get(before.symbol) ?? exitPrice);
    }
    this.#emit({ type: 'position_closed', closure });
  }

  #mark(state: PositionState, price: number): void {
    const { position } = state;
    const sign = position.direction === 'long' ? 1 : -1;
    state.position = { ...position, unrealizedPnl: sign * (price - position.entryPrice) * position.quantity };
  }

  #cancel(order: Order, reason = 'cancelled'): Order {
    this.#pending = this.#pending.filter((pending) => pending.orderId !== order.orderId);
    const cancelled: Order = { ...order, status: 'cancelled' };
    this.#store(cancelled);
    this.#emit({ type: 'order', order: cancelled, reason });
    return cancelled;
  }

  #store(order: Order): void {
    this.#orders.set(order.orderId, order);
    this.#byClientId.set(order.clientOrderId, order);
  }

  #emit(update: BrokerUpdate): void {
    for (const listener of this.#listeners) listener(update);
  }
}
