import { type Bar, type Clock, type Fill, type OrderType, type Side, type Timeframe, timeframeToMs } from '@quant/core';
import type {
  Balance,
  Broker,
  BrokerCapabilities,
  BrokerUpdate,
  SubmitOrderRequest,
  VenueOrder,
  VenuePosition,
} from '../ports/broker.js';
import { BROKER_SPECIFICATION_VERSION } from '../ports/broker.js';
import type { BarRequest, MarketDataSource } from '../ports/market-data-source.js';
import { BrokerError } from './broker-error.js';

/** Options of a {@link SimulatedExchange}. */
export interface SimulatedExchangeOptions {
  /** The clock that stamps orders received between bars. */
  readonly clock: Clock;
  /** The timeframe whose bars drive matching (the bot's finest); `1m` by default. */
  readonly timeframe?: Timeframe;
  /** Account currency (the quote currency); `USDT` by default. */
  readonly currency?: string;
  /** Starting balance, quote currency; 100 000 by default. */
  readonly initialCash?: number;
  /** Fee per fill, basis points of the notional; 10 (0.1 %) by default. */
  readonly feeBps?: number;
  /** Slippage of market, stop and take-profit fills, basis points, against the order; 0 by default. */
  readonly slippageBps?: number;
  /** Whether `stop` and `take_profit` orders and OCO groups are offered; `true` by default. */
  readonly nativeStops?: boolean;
  /**
   * Partial fills: an order fills at most this share of a bar's volume per
   * bar (e.g. 0.1 = 10 %); the rest waits for later bars (`IOC`: expires).
   * Off (whole fills) by default.
   */
  readonly maxVolumeShare?: number;
}

interface Working {
  order: VenueOrder;
  readonly ocoGroup: string | undefined;
  /** Open time of the first bar the order was matched against; `IOC` and `FOK` orders expire at its end. */
  firstBar?: number;
}

interface NetPosition {
  /** Signed: > 0 long, < 0 short. */
  quantity: number;
  entryPrice: number;
}

const EPSILON = 1e-12;
const CLIENT_ORDER_ID = /^[A-Za-z0-9_-]{1,36}$/;

/**
 * A simulated exchange behind the {@link Broker} port, for backtests and
 * paper trading: a margin account in one currency with net positions per
 * symbol, matching orders against the bars it is given
 * ({@link SimulatedExchange.processBar}, or a source wrapped by
 * {@link SimulatedExchange.feedFrom}). It streams order and fill updates.
 *
 * Fill rules, for each bar, in this order:
 * 1. `market` orders received before the bar opened fill at its open, with
 *    `slippageBps` against the order (buys higher, sells lower);
 * 2. `limit` orders fill when the bar trades through the limit, at the limit
 *    or at the open when the bar gaps past it (never worse; no slippage);
 * 3. `stop` orders, then `take_profit` orders, fill when the bar trades
 *    through their trigger, at the trigger or at the open when the bar gaps
 *    past it, with slippage: when a stop and a take-profit of one OCO group
 *    both lie inside one bar, the stop is assumed hit first (the conservative
 *    assumption) and the take-profit is cancelled.
 * Orders received while a bar is being matched (from a listener reacting to
 * a fill) take part in the phases of that bar still to come: a stop or a
 * take-profit placed when an entry filled at the open is matched against
 * that bar; a market or limit order waits for the next bar.
 * Fee per fill: `quantity × price × feeBps / 10 000`. `IOC` orders that cannot
 * fill on the first bar they are matched against expire (the rest of a
 * partial fill too); `FOK` orders fill whole on that bar or expire.
 *
 * Ids are sequential (`sim-o-1`, `sim-f-1`), so two runs over the same data
 * produce the same ids.
 *
 * @example
 * The exchange on its own: a market entry with a stop and a take-profit in
 * one OCO group, matched against an hour of 1-minute bars. In a bot, pass
 * `exchange.feedFrom(csv)` as the data source and `exchange` as the broker
 * of `createTradingSystem`.
 * ```ts
 * import { SimulatedClock } from '@quant/core';
 * import { CsvBarSource, SimulatedExchange } from '@quant/services';
 *
 * const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
 * const csv = await CsvBarSource.load({ path: 'data/BTCUSDT_1m.csv', symbol: 'BTCUSDT', clock });
 * const exchange = new SimulatedExchange({
 *   clock,
 *   timeframe: '1m', // the bars that drive matching: the bot's finest timeframe
 *   currency: 'USDT',
 *   initialCash: 10_000,
 *   feeBps: 10, // 0.1 % of each fill's notional
 *   slippageBps: 2, // market, stop and take-profit fills 0.02 % worse
 * });
 * exchange.subscribe((update) => {
 *   if (update.type === 'fill') console.log(`${update.fill.clientOrderId} filled at ${update.fill.price}`);
 *   else console.log(`${update.order.clientOrderId} ${update.order.status}`);
 * });
 * // The source the bot reads: each fetch first matches the orders against the bars closed since the last one.
 * const source = exchange.feedFrom(csv);
 *
 * const order = { symbol: 'BTCUSDT', quantity: 0.1 } as const;
 * await exchange.submitOrder({ ...order, clientOrderId: 'entry-1', side: 'buy', type: 'market' });
 * await exchange.submitOrder({
 *   ...order,
 *   clientOrderId: 'stop-1',
 *   side: 'sell',
 *   type: 'stop',
 *   triggerPrice: 23_000,
 *   ocoGroup: 'exit-1', // whichever of stop-1 and target-1 fills cancels the other
 * });
 * await exchange.submitOrder({
 *   ...order,
 *   clientOrderId: 'target-1',
 *   side: 'sell',
 *   type: 'take_profit',
 *   triggerPrice: 23_200,
 *   ocoGroup: 'exit-1',
 * });
 *
 * clock.tickTo(Date.UTC(2023, 2, 1, 1)); // an hour later
 * // Matches the bars 00:00 to 00:59 in order: on the March 2023 Binance data, entry-1 fills at the 00:00 bar's
 * // open plus slippage, target-1 at 23 200 minus slippage in the 00:22 bar, and stop-1 is cancelled.
 * await source.fetchBars({ symbol: 'BTCUSDT', timeframe: '1m', limit: 60 });
 * console.log(await exchange.fetchPositions(), await exchange.fetchBalances(), await exchange.fetchFills('BTCUSDT', 0));
 * ```
 */
export class SimulatedExchange implements Broker {
  /** {@inheritDoc Broker.specificationVersion} */
  readonly specificationVersion = BROKER_SPECIFICATION_VERSION;
  /** {@inheritDoc Broker.capabilities} */
  readonly capabilities: BrokerCapabilities;
  readonly #clock: Clock;
  readonly #timeframe: Timeframe;
  readonly #currency: string;
  readonly #feeRate: number;
  readonly #slippage: number;
  readonly #maxVolumeShare: number | undefined;
  #cash: number;
  readonly #orders = new Map<string, VenueOrder>();
  #working: Working[] = [];
  /** Fills per symbol, in time order (bars of a symbol are matched in order). */
  readonly #fills = new Map<string, Fill[]>();
  readonly #positions = new Map<string, NetPosition>();
  readonly #marks = new Map<string, number>();
  readonly #lastBar = new Map<string, number>();
  readonly #listeners = new Set<(update: BrokerUpdate) => void>();
  #matchingTime: number | undefined;
  #sequence = { order: 0, fill: 0 };

  /** @param options - clock, timeframe, currency, initial cash, fee, slippage, stops, partial fills. */
  constructor(options: SimulatedExchangeOptions) {
    this.#clock = options.clock;
    this.#timeframe = options.timeframe ?? '1m';
    this.#currency = options.currency ?? 'USDT';
    this.#cash = options.initialCash ?? 100_000;
    this.#feeRate = (options.feeBps ?? 10) / 10_000;
    this.#slippage = (options.slippageBps ?? 0) / 10_000;
    this.#maxVolumeShare = options.maxVolumeShare;
    const nativeStops = options.nativeStops ?? true;
    const orderTypes: OrderType[] = nativeStops ? ['market', 'limit', 'stop', 'take_profit'] : ['market', 'limit'];
    this.capabilities = Object.freeze<BrokerCapabilities>({
      orderTypes,
      timeInForce: ['GTC', 'IOC', 'FOK'],
      nativeStops,
      partialFills: options.maxVolumeShare !== undefined,
      accountType: 'derivatives',
      streaming: true,
    });
  }

  /**
   * A market data source that serves `source`'s bars after the exchange has
   * matched its orders against every newly closed bar of its timeframe: as on
   * a real venue, orders fill as the market trades, and the bot learns of a
   * bar only once the venue has traded it.
   * @param source - where the bars come from.
   */
  feedFrom(source: MarketDataSource): MarketDataSource {
    const tfMs = timeframeToMs(this.#timeframe);
    const match = (request: BarRequest, bars: readonly Bar[]): readonly Bar[] => {
      if (request.timeframe === this.#timeframe) {
        const now = this.#clock.now();
        for (const bar of bars) if (bar.openTime + tfMs <= now) this.processBar(request.symbol, bar);
      }
      return bars;
    };
    return {
      // Synchronous when `source` is (a file): no promise per fetch.
      fetchBars: (request: BarRequest) => {
        const bars = source.fetchBars(request);
        return 'then' in bars ? bars.then((fetched) => match(request, fetched)) : match(request, bars);
      },
    };
  }

  /**
   * Matches the working orders of `symbol` against one closed bar of the
   * exchange's timeframe (see the class's fill rules) and marks positions at
   * its close. A bar at or before the last one matched is ignored.
   * @param symbol - the instrument.
   * @param bar - the bar.
   */
  processBar(symbol: string, bar: Bar): void {
    if (bar.openTime <= (this.#lastBar.get(symbol) ?? Number.NEGATIVE_INFINITY)) return;
    this.#lastBar.set(symbol, bar.openTime);
    this.#matchingTime = bar.openTime;
    const budget = { left: this.#maxVolumeShare === undefined ? Infinity : bar.volume * this.#maxVolumeShare };
    try {
      if (this.#working.length > 0) {
        this.#matchPhase(symbol, bar, budget, (type) => type === 'market' || type === 'limit');
        this.#matchPhase(symbol, bar, budget, (type) => type === 'stop');
        this.#matchPhase(symbol, bar, budget, (type) => type === 'take_profit');
        this.#expireImmediate(symbol, bar);
      }
    } finally {
      this.#matchingTime = undefined;
    }
    this.#marks.set(symbol, bar.close);
  }

  /** {@inheritDoc Broker.submitOrder} */
  submitOrder(request: SubmitOrderRequest): Promise<VenueOrder> {
    const known = this.#orders.get(request.clientOrderId);
    if (known) return Promise.resolve(known);
    const problem = this.#validate(request);
    if (problem) return Promise.reject(problem);
    const now = this.#now();
    const order: VenueOrder = {
      orderId: `sim-o-${++this.#sequence.order}`,
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      timeInForce: request.timeInForce ?? 'GTC',
      quantity: request.quantity,
      filledQuantity: 0,
      averagePrice: null,
      limitPrice: request.type === 'limit' ? (request.limitPrice as number) : null,
      triggerPrice: request.type === 'stop' || request.type === 'take_profit' ? (request.triggerPrice as number) : null,
      status: 'open',
      createdAt: now,
      updatedAt: now,
    };
    this.#orders.set(order.clientOrderId, order);
    this.#working.push({ order, ocoGroup: request.ocoGroup });
    this.#emit({ type: 'order', order });
    return Promise.resolve(order);
  }

  /** {@inheritDoc Broker.cancelOrder} */
  cancelOrder(_symbol: string, clientOrderId: string): Promise<VenueOrder> {
    const order = this.#orders.get(clientOrderId);
    if (!order) return Promise.reject(new BrokerError('not_found', `no order ${clientOrderId}`));
    const working = this.#working.find((entry) => entry.order.clientOrderId === clientOrderId);
    if (!working) return Promise.resolve(order);
    return Promise.resolve(this.#finish(working, 'cancelled', 'cancelled by the client'));
  }

  /** {@inheritDoc Broker.fetchOrder} */
  fetchOrder(_symbol: string, clientOrderId: string): Promise<VenueOrder> {
    const order = this.#orders.get(clientOrderId);
    return order ? Promise.resolve(order) : Promise.reject(new BrokerError('not_found', `no order ${clientOrderId}`));
  }

  /** {@inheritDoc Broker.fetchOpenOrders} */
  fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    return Promise.resolve(
      this.#working.map((entry) => entry.order).filter((order) => symbol === undefined || order.symbol === symbol),
    );
  }

  /** {@inheritDoc Broker.fetchFills} */
  fetchFills(symbol: string, since: number): Promise<readonly Fill[]> {
    const fills = this.#fills.get(symbol) ?? [];
    // In time order: find the first at or after `since` by bisection.
    let low = 0;
    let high = fills.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((fills[middle] as Fill).timestamp < since) low = middle + 1;
      else high = middle;
    }
    return Promise.resolve(fills.slice(low));
  }

  /** {@inheritDoc Broker.fetchBalances} */
  fetchBalances(): Promise<readonly Balance[]> {
    return Promise.resolve([{ currency: this.#currency, free: this.#cash, used: 0, total: this.#cash }]);
  }

  /** {@inheritDoc Broker.fetchPositions} */
  fetchPositions(): Promise<readonly VenuePosition[]> {
    const positions: VenuePosition[] = [];
    for (const [symbol, net] of this.#positions) {
      const mark = this.#marks.get(symbol) ?? net.entryPrice;
      positions.push({
        symbol,
        direction: net.quantity > 0 ? 'long' : 'short',
        quantity: Math.abs(net.quantity),
        entryPrice: net.entryPrice,
        unrealizedPnl: (mark - net.entryPrice) * net.quantity,
      });
    }
    return Promise.resolve(positions);
  }

  /** {@inheritDoc Broker.subscribe} */
  subscribe(listener: (update: BrokerUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #now(): number {
    return this.#matchingTime ?? this.#clock.now();
  }

  #validate(request: SubmitOrderRequest): BrokerError | undefined {
    if (!CLIENT_ORDER_ID.test(request.clientOrderId)) {
      return new BrokerError(
        'rejected',
        `client order id must be 1-36 of [A-Za-z0-9_-], got "${request.clientOrderId}"`,
      );
    }
    if (request.side !== 'buy' && request.side !== 'sell') {
      return new BrokerError('rejected', `side must be buy or sell, got ${request.side}`);
    }
    if (!this.capabilities.orderTypes.includes(request.type)) {
      return new BrokerError('unsupported', `order type ${request.type} is not supported`);
    }
    if (request.timeInForce !== undefined && !this.capabilities.timeInForce.includes(request.timeInForce)) {
      return new BrokerError('unsupported', `time in force ${request.timeInForce} is not supported`);
    }
    if (!(request.quantity > 0) || !Number.isFinite(request.quantity)) {
      return new BrokerError('rejected', `quantity must be > 0, got ${request.quantity}`);
    }
    if (request.type === 'limit' && !(Number(request.limitPrice) > 0)) {
      return new BrokerError('rejected', `a limit order needs a limit price > 0, got ${request.limitPrice}`);
    }
    if ((request.type === 'stop' || request.type === 'take_profit') && !(Number(request.triggerPrice) > 0)) {
      return new BrokerError(
        'rejected',
        `a ${request.type} order needs a trigger price > 0, got ${request.triggerPrice}`,
      );
    }
    if (this.#cash <= 0) return new BrokerError('insufficient_funds', `balance ${this.#cash} ${this.#currency}`);
    return undefined;
  }

  #matchPhase(symbol: string, bar: Bar, budget: { left: number }, types: (type: OrderType) => boolean): void {
    for (const entry of [...this.#working]) {
      const { order } = entry;
      if (order.symbol !== symbol || order.createdAt > bar.openTime || !types(order.type)) continue;
      if (!this.#working.includes(entry)) continue; // cancelled by an earlier fill's OCO group or by a listener
      entry.firstBar ??= bar.openTime;
      const price = this.#fillPrice(order, bar);
      if (price === undefined) continue;
      const remaining = order.quantity - order.filledQuantity;
      const quantity = Math.min(remaining, budget.left);
      if (order.timeInForce === 'FOK' && quantity < remaining - EPSILON) continue;
      if (quantity <= EPSILON) continue;
      budget.left -= quantity;
      this.#fill(entry, quantity, price, bar.openTime);
    }
  }

  /** The price `order` fills at in `bar`, or `undefined` when the bar does not reach it. */
  #fillPrice(order: VenueOrder, bar: Bar): number | undefined {
    const buy = order.side === 'buy';
    const slipped = (price: number) => price * (buy ? 1 + this.#slippage : 1 - this.#slippage);
    switch (order.type) {
      case 'market':
        return slipped(bar.open);
      case 'limit': {
        const limit = order.limitPrice as number;
        if (buy) return bar.low <= limit ? Math.min(bar.open, limit) : undefined;
        return bar.high >= limit ? Math.max(bar.open, limit) : undefined;
      }
      case 'stop': {
        // A buy stop triggers as price rises through it; a sell stop as it falls.
        const trigger = order.triggerPrice as number;
        if (buy) return bar.high >= trigger ? slipped(Math.max(bar.open, trigger)) : undefined;
        return bar.low <= trigger ? slipped(Math.min(bar.open, trigger)) : undefined;
      }
      case 'take_profit': {
        // A buy take-profit (closing a short) triggers as price falls to it; a sell one as it rises.
        const trigger = order.triggerPrice as number;
        if (buy) return bar.low <= trigger ? slipped(Math.min(bar.open, trigger)) : undefined;
        return bar.high >= trigger ? slipped(Math.max(bar.open, trigger)) : undefined;
      }
    }
  }

  #fill(entry: Working, quantity: number, price: number, timestamp: number): void {
    const { order } = entry;
    const fee = quantity * price * this.#feeRate;
    this.#cash -= fee;
    this.#applyToPosition(order.symbol, order.side, quantity, price);
    const fill: Fill = {
      fillId: `sim-f-${++this.#sequence.fill}`,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      quantity,
      price,
      fee,
      timestamp,
    };
    const fills = this.#fills.get(fill.symbol);
    if (fills) fills.push(fill);
    else this.#fills.set(fill.symbol, [fill]);
    const filledQuantity = order.filledQuantity + quantity;
    const averagePrice = ((order.averagePrice ?? 0) * order.filledQuantity + price * quantity) / filledQuantity;
    const complete = filledQuantity >= order.quantity - EPSILON;
    const updated: VenueOrder = {
      ...order,
      filledQuantity,
      averagePrice,
      status: complete ? 'filled' : 'partially_filled',
      updatedAt: timestamp,
    };
    this.#orders.set(order.clientOrderId, updated);
    entry.order = updated;
    if (complete) this.#working = this.#working.filter((other) => other !== entry);
    this.#emit({ type: 'fill', fill });
    this.#emit({ type: 'order', order: updated });
    if (complete && entry.ocoGroup !== undefined) {
      for (const other of this.#working.filter((w) => w.ocoGroup === entry.ocoGroup)) {
        this.#finish(other, 'cancelled', `one-cancels-other: ${order.clientOrderId} filled`);
      }
    }
  }

  #applyToPosition(symbol: string, side: Side, quantity: number, price: number): void {
    const signed = side === 'buy' ? quantity : -quantity;
    const net = this.#positions.get(symbol);
    if (!net) {
      this.#positions.set(symbol, { quantity: signed, entryPrice: price });
      return;
    }
    if (Math.sign(net.quantity) === Math.sign(signed)) {
      const total = net.quantity + signed;
      net.entryPrice = (net.entryPrice * Math.abs(net.quantity) + price * quantity) / Math.abs(total);
      net.quantity = total;
      return;
    }
    const closing = Math.min(Math.abs(net.quantity), quantity);
    this.#cash += (price - net.entryPrice) * closing * Math.sign(net.quantity);
    const after = net.quantity + signed;
    if (Math.abs(after) <= EPSILON) this.#positions.delete(symbol);
    else if (Math.sign(after) === Math.sign(net.quantity)) net.quantity = after;
    else this.#positions.set(symbol, { quantity: after, entryPrice: price });
  }

  #expireImmediate(symbol: string, bar: Bar): void {
    for (const entry of [...this.#working]) {
      const { order } = entry;
      // An order received during this bar's matching after its phase had passed has its first bar still to come.
      if (order.symbol !== symbol || entry.firstBar !== bar.openTime || order.timeInForce === 'GTC') continue;
      this.#finish(entry, 'expired', `${order.timeInForce}: not filled on its first bar`);
    }
  }

  #finish(entry: Working, status: 'cancelled' | 'expired', reason: string): VenueOrder {
    this.#working = this.#working.filter((other) => other !== entry);
    const updated: VenueOrder = { ...entry.order, status, reason, updatedAt: this.#now() };
    this.#orders.set(updated.clientOrderId, updated);
    entry.order = updated;
    this.#emit({ type: 'order', order: updated });
    return updated;
  }

  #emit(update: BrokerUpdate): void {
    for (const listener of this.#listeners) listener(update);
  }
}
