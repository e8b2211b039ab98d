import { type Bar, type Clock, type Fill, SimulatedClock, type TimeInForce, timeframeToMs } from '@quant/core';
import {
  BrokerError,
  type CsvBarSource,
  SimulatedExchange,
  type SubmitOrderRequest,
  type VenueOrder,
} from '@quant/services';
import { reject } from './binance-rejection.js';
import { checkFilters, DEFAULT_FILTERS, decimal8, filtersJson, type SymbolFilters } from './filters.js';
import { type KlineRow, Klines } from './klines.js';
import type { Params } from './params.js';
import type { StateStore, StoredAccount } from './state-store.js';

type BinanceType = 'MARKET' | 'LIMIT' | 'STOP_LOSS' | 'TAKE_PROFIT';
const BINANCE_TYPES: readonly BinanceType[] = ['MARKET', 'LIMIT', 'STOP_LOSS', 'TAKE_PROFIT'];
const TO_SIM_TYPE = { MARKET: 'market', LIMIT: 'limit', STOP_LOSS: 'stop', TAKE_PROFIT: 'take_profit' } as const;
const STATUS = {
  open: 'NEW',
  partially_filled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  cancelled: 'CANCELED',
  expired: 'EXPIRED',
  rejected: 'REJECTED',
} as const;
const MAX_TRADES = 1000;

/**
 * When a client order id may be used again: `never` (any id an order of the account already has is refused), or
 * `binance` (refused only while the account's order with that id is open or partially filled, as on Binance).
 */
export type ClientIdReuse = 'never' | 'binance';

/** An order as `GET /sim/orders` lists it: Binance's names and statuses, numbers as numbers, ms of data time. */
export interface SimOrderRow {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: 'MARKET' | 'LIMIT' | 'STOP_LOSS' | 'TAKE_PROFIT';
  readonly status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
  readonly quantity: number;
  readonly filledQuantity: number;
  /** When the exchange accepted it, ms UTC, data time. */
  readonly createdAt: number;
}

/** A trade (fill) as `GET /sim/trades` lists it: fee in the quote asset, ms of data time. */
export interface SimTradeRow {
  readonly tradeId: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly quantity: number;
  readonly price: number;
  readonly fee: number;
  readonly time: number;
}

/** What the venue needs to run. Internal. */
export interface VenueOptions {
  readonly csv: CsvBarSource;
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly clock: Clock;
  readonly store: StateStore;
  readonly feeBps: number;
  readonly slippageBps: number;
  readonly filters?: SymbolFilters;
  readonly accounts: readonly StoredAccount[];
  readonly clientIdReuse: ClientIdReuse;
}

interface OrderRecord {
  readonly orderId: number;
  readonly type: BinanceType;
  /** The client order id the client gave (or was given); `venue.clientOrderId` is the matcher's key. */
  readonly clientOrderId: string;
  venue: VenueOrder;
  cumulativeQuote: number;
  readonly fills: TradeRecord[];
}

interface TradeRecord {
  readonly id: number;
  readonly orderId: number;
  readonly fill: Fill;
  readonly isMaker: boolean;
}

interface Account {
  readonly apiKey: string;
  readonly secret: string;
  readonly matcher: SimulatedExchange;
  readonly balances: Map<string, number>;
  readonly orders: Map<number, OrderRecord>;
  /** Client order id → the orderId of the account's most recent order with it. */
  readonly byClientId: Map<string, number>;
  /** The matcher's keys (its client order ids) in use: a reused client id gets another one. */
  readonly matcherKeys: Set<string>;
  readonly trades: TradeRecord[];
  pendingType?: BinanceType;
  pendingClientId?: string;
}

/** The parts of a submit kept in the command log. */
interface SubmitCommand {
  readonly type: BinanceType;
  /** `request.clientOrderId` is the matcher's key. */
  readonly request: SubmitOrderRequest;
  /** The client's id, when not the matcher's key (a reused id); absent in logs written before reuse existed. */
  readonly clientOrderId?: string;
}

const idOf = (id: string): number => Number(id.slice(id.lastIndexOf('-') + 1));

/**
 * The exchange behind the HTTP routes: one symbol's bars on the exchange clock, one {@link SimulatedExchange} per
 * account as the matcher, spot-style balances per asset kept from the fills, everything written through to the
 * state store. Before any request is answered, the bars closed since the last one are matched, in order. Internal.
 */
export class Venue {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly filters: SymbolFilters;
  readonly klines: Klines;
  readonly #clock: Clock;
  readonly #matcherClock: SimulatedClock;
  readonly #store: StateStore;
  readonly #bars: Bar[];
  readonly #barMs: number;
  readonly #feeRate: number;
  readonly #options: VenueOptions;
  readonly #accounts = new Map<string, Account>();
  #cursor = 0;

  constructor(options: VenueOptions) {
    this.#options = options;
    this.symbol = options.symbol;
    this.baseAsset = options.baseAsset;
    this.quoteAsset = options.quoteAsset;
    this.filters = options.filters ?? DEFAULT_FILTERS;
    this.klines = new Klines(options.csv);
    this.#clock = options.clock;
    this.#store = options.store;
    this.#bars = this.klines.base;
    this.#barMs = timeframeToMs(options.csv.timeframe);
    this.#feeRate = options.feeBps / 10_000;
    this.#matcherClock = new SimulatedClock(this.#bars[0]?.openTime ?? 0);
    for (const account of options.accounts) this.#addAccount(account);
  }

  /** Exchange time, ms UTC: data time. */
  now(): number {
    return this.#clock.now();
  }

  /** Rebuilds the matchers from the stored command log (a restart on an existing state file). */
  async replay(): Promise<void> {
    this.#store.replaying = true;
    try {
      for (const command of this.#store.commands()) {
        const account = this.#accounts.get(command.apiKey);
        if (!account) continue;
        this.#advanceTo(command.time);
        if (command.kind === 'submit') {
          const { type, request, clientOrderId } = command.payload as SubmitCommand;
          account.pendingType = type;
          account.pendingClientId = clientOrderId ?? request.clientOrderId;
          await account.matcher.submitOrder(request);
        } else {
          await account.matcher.cancelOrder(this.symbol, command.payload as string);
        }
      }
    } finally {
      this.#store.replaying = false;
    }
  }

  /** The secret of an API key, or `undefined` for an unknown key. */
  secretOf(apiKey: string): string | undefined {
    return this.#accounts.get(apiKey)?.secret;
  }

  /** Matches every bar closed by now that was not matched yet, in order, for every account. */
  advance(): void {
    this.#advanceTo(this.now());
  }

  exchangeInfo(): unknown {
    const filters = this.filters;
    return {
      timezone: 'UTC',
      serverTime: this.now(),
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
      ],
      exchangeFilters: [],
      symbols: [
        {
          symbol: this.symbol,
          status: 'TRADING',
          baseAsset: this.baseAsset,
          baseAssetPrecision: 8,
          quoteAsset: this.quoteAsset,
          quotePrecision: 8,
          quoteAssetPrecision: 8,
          baseCommissionPrecision: 8,
          quoteCommissionPrecision: 8,
          orderTypes: [...BINANCE_TYPES],
          icebergAllowed: false,
          ocoAllowed: false,
          otoAllowed: false,
          quoteOrderQtyMarketAllowed: false,
          allowTrailingStop: false,
          cancelReplaceAllowed: false,
          amendAllowed: false,
          isSpotTradingAllowed: true,
          isMarginTradingAllowed: false,
          filters: filtersJson(filters),
          permissions: [],
          permissionSets: [['SPOT']],
          defaultSelfTradePreventionMode: 'NONE',
          allowedSelfTradePreventionModes: ['NONE'],
        },
      ],
    };
  }

  klineRows(params: Params): KlineRow[] {
    this.checkSymbol(params.requiredString('symbol'));
    return this.klines.query(
      params.requiredString('interval'),
      this.now(),
      params.integer('startTime'),
      params.integer('endTime'),
      params.integer('limit'),
    );
  }

  /** @throws BinanceRejection -1121 for another symbol. */
  checkSymbol(symbol: string): void {
    if (symbol !== this.symbol) throw reject.invalidSymbol();
  }

  async newOrder(apiKey: string, params: Params): Promise<unknown> {
    const account = this.#account(apiKey);
    this.checkSymbol(params.requiredString('symbol'));
    const sideText = params.requiredString('side');
    if (sideText !== 'BUY' && sideText !== 'SELL') throw reject.invalidSide();
    const side = sideText === 'BUY' ? 'buy' : 'sell';
    const type = params.requiredString('type') as BinanceType;
    if (!BINANCE_TYPES.includes(type)) throw reject.invalidType();
    if (params.has('quoteOrderQty')) throw reject.notRequired('quoteOrderQty');
    const quantity = params.requiredDecimal('quantity');
    let timeInForce: TimeInForce | undefined;
    if (type === 'LIMIT') {
      const tif = params.requiredString('timeInForce');
      if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') throw reject.invalidTimeInForce();
      timeInForce = tif;
    } else if (params.has('timeInForce')) throw reject.notRequired('timeInForce');
    const price = type === 'LIMIT' ? params.requiredDecimal('price') : undefined;
    if (type !== 'LIMIT' && params.has('price')) throw reject.notRequired('price');
    const stopPrice = type === 'STOP_LOSS' || type === 'TAKE_PROFIT' ? params.requiredDecimal('stopPrice') : undefined;
    if (stopPrice === undefined && params.has('stopPrice')) throw reject.notRequired('stopPrice');
    const respType = params.string('newOrderRespType') ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
    if (respType !== 'ACK' && respType !== 'RESULT' && respType !== 'FULL')
      throw reject.invalidData('newOrderRespType');
    const clientOrderId =
      params.string('newClientOrderId') ?? `sim${this.now().toString(36)}${account.orders.size + 1}`;
    if (!/^[A-Za-z0-9_-]{1,36}$/.test(clientOrderId)) throw reject.illegal('newClientOrderId');

    this.advance();
    const last = this.#lastPrice();
    const priceForChecks = price ?? stopPrice ?? last;
    checkFilters(this.filters, {
      quantity,
      prices: [price, stopPrice].filter((value): value is number => value !== undefined),
      notionalPrice: priceForChecks,
      market: type !== 'LIMIT',
    });
    if (this.#clientIdTaken(account, clientOrderId)) throw reject.duplicateOrder();
    const quote = this.#balances(account).get(this.quoteAsset) ?? { free: 0, locked: 0 };
    const cost = quantity * priceForChecks * (1 + this.#feeRate);
    if (side === 'buy' ? cost > quote.free + 1e-9 : quote.free <= 0) throw reject.insufficientBalance();

    const key = this.#matcherKey(account, clientOrderId);
    const request: SubmitOrderRequest = {
      clientOrderId: key,
      symbol: this.symbol,
      side,
      type: TO_SIM_TYPE[type],
      quantity,
      ...(price === undefined ? {} : { limitPrice: price }),
      ...(stopPrice === undefined ? {} : { triggerPrice: stopPrice }),
      ...(timeInForce === undefined ? {} : { timeInForce }),
    };
    // The matcher's clock stays at the forming bar's open (advance() left it there): the exchange knows whole bars
    // only, so an order is matched from the bar it arrives in, as a backtest matches an order placed at a bar's
    // close from the next bar — the same fill rule, whatever the client's delay within the bar.
    account.pendingType = type;
    account.pendingClientId = clientOrderId;
    let order: VenueOrder;
    try {
      order = await account.matcher.submitOrder(request);
    } catch (error) {
      if (BrokerError.isInstance(error) && error.code === 'insufficient_funds') throw reject.insufficientBalance();
      throw reject.invalidData('newClientOrderId');
    }
    const command: SubmitCommand = key === clientOrderId ? { type, request } : { type, request, clientOrderId };
    this.#store.appendCommand({ apiKey, time: this.now(), kind: 'submit', payload: command });
    const record = account.orders.get(idOf(order.orderId)) as OrderRecord;
    const ack = {
      symbol: this.symbol,
      orderId: record.orderId,
      orderListId: -1,
      clientOrderId,
      transactTime: order.createdAt,
    };
    if (respType === 'ACK') return ack;
    const result = { ...ack, ...this.#orderBody(record, false) };
    delete (result as { time?: number }).time;
    delete (result as { updateTime?: number }).updateTime;
    delete (result as { isWorking?: boolean }).isWorking;
    if (respType === 'RESULT') return result;
    return { ...result, fills: record.fills.map((trade) => this.#orderFill(trade)) };
  }

  queryOrder(apiKey: string, params: Params): unknown {
    const account = this.#account(apiKey);
    this.checkSymbol(params.requiredString('symbol'));
    this.advance();
    const record = this.#find(account, params);
    if (!record) throw reject.noSuchOrder();
    return this.#orderBody(record, true);
  }

  async cancelOrder(apiKey: string, params: Params): Promise<unknown> {
    const account = this.#account(apiKey);
    this.checkSymbol(params.requiredString('symbol'));
    this.advance();
    const record = this.#find(account, params);
    if (!record || (record.venue.status !== 'open' && record.venue.status !== 'partially_filled')) {
      throw reject.unknownOrder();
    }
    await account.matcher.cancelOrder(this.symbol, record.venue.clientOrderId);
    this.#store.appendCommand({ apiKey, time: this.now(), kind: 'cancel', payload: record.venue.clientOrderId });
    const body = this.#orderBody(record, false) as Record<string, unknown>;
    return {
      symbol: this.symbol,
      origClientOrderId: record.clientOrderId,
      orderId: record.orderId,
      orderListId: -1,
      clientOrderId: params.string('newClientOrderId') ?? `cancel-${record.orderId}`,
      transactTime: this.now(),
      price: body.price,
      origQty: body.origQty,
      executedQty: body.executedQty,
      origQuoteOrderQty: body.origQuoteOrderQty,
      cummulativeQuoteQty: body.cummulativeQuoteQty,
      status: body.status,
      timeInForce: body.timeInForce,
      type: body.type,
      side: body.side,
      selfTradePreventionMode: 'NONE',
    };
  }

  openOrders(apiKey: string, params: Params): unknown[] {
    const account = this.#account(apiKey);
    const symbol = params.string('symbol');
    if (symbol !== undefined) this.checkSymbol(symbol);
    this.advance();
    return this.#working(account).map((record) => this.#orderBody(record, true));
  }

  myTrades(apiKey: string, params: Params): unknown[] {
    const account = this.#account(apiKey);
    this.checkSymbol(params.requiredString('symbol'));
    const orderId = params.integer('orderId');
    const startTime = params.integer('startTime');
    const endTime = params.integer('endTime');
    const fromId = params.integer('fromId');
    const limit = Math.min(params.integer('limit') ?? 500, MAX_TRADES);
    if (limit < 1) throw reject.invalidData('limit');
    this.advance();
    const trades = account.trades.filter(
      (trade) =>
        (orderId === undefined || trade.orderId === orderId) &&
        (fromId === undefined || trade.id >= fromId) &&
        (startTime === undefined || trade.fill.timestamp >= startTime) &&
        (endTime === undefined || trade.fill.timestamp <= endTime),
    );
    const chosen = fromId === undefined && startTime === undefined ? trades.slice(-limit) : trades.slice(0, limit);
    return chosen.map((trade) => this.#tradeBody(trade));
  }

  /**
   * Every order of an account ever placed, in placement order (a reused client order id once per order), as of
   * now. For tests: `GET /sim/orders`.
   * @throws BinanceRejection -2015 (404) for an unknown API key.
   */
  simOrders(apiKey: string): SimOrderRow[] {
    const account = this.#known(apiKey);
    this.advance();
    return [...account.orders.values()].map((record) => ({
      orderId: record.orderId,
      clientOrderId: record.clientOrderId,
      side: record.venue.side === 'buy' ? 'BUY' : 'SELL',
      type: record.type,
      status: STATUS[record.venue.status],
      quantity: record.venue.quantity,
      filledQuantity: record.venue.filledQuantity,
      createdAt: record.venue.createdAt,
    }));
  }

  /**
   * Every trade (fill) of an account, in the order they happened, as of now. For tests: `GET /sim/trades`.
   * @throws BinanceRejection -2015 (404) for an unknown API key.
   */
  simTrades(apiKey: string): SimTradeRow[] {
    const account = this.#known(apiKey);
    this.advance();
    return account.trades.map((trade) => ({
      tradeId: trade.id,
      orderId: trade.orderId,
      clientOrderId: (account.orders.get(trade.orderId) as OrderRecord).clientOrderId,
      side: trade.fill.side === 'buy' ? 'BUY' : 'SELL',
      quantity: trade.fill.quantity,
      price: trade.fill.price,
      fee: trade.fill.fee,
      time: trade.fill.timestamp,
    }));
  }

  accountInfo(apiKey: string): unknown {
    const account = this.#account(apiKey);
    this.advance();
    const commission = decimal8(this.#feeRate);
    return {
      makerCommission: this.#options.feeBps,
      takerCommission: this.#options.feeBps,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: commission, taker: commission, buyer: '0.00000000', seller: '0.00000000' },
      canTrade: true,
      canWithdraw: false,
      canDeposit: false,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: this.now(),
      accountType: 'SPOT',
      balances: [...this.#balances(account)].map(([asset, { free, locked }]) => ({
        asset,
        free: decimal8(free),
        locked: decimal8(locked),
      })),
      permissions: ['SPOT'],
      uid: 1,
    };
  }

  #addAccount(stored: StoredAccount): void {
    const balances = new Map<string, number>([
      [this.baseAsset, 0],
      [this.quoteAsset, 0],
    ]);
    for (const [asset, amount] of Object.entries(stored.startingBalances)) balances.set(asset, amount);
    const matcher = new SimulatedExchange({
      clock: this.#matcherClock,
      timeframe: this.#options.csv.timeframe,
      currency: this.quoteAsset,
      initialCash: balances.get(this.quoteAsset) ?? 0,
      feeBps: this.#options.feeBps,
      slippageBps: this.#options.slippageBps,
    });
    const account: Account = {
      apiKey: stored.apiKey,
      secret: stored.secret,
      matcher,
      balances,
      orders: new Map(),
      byClientId: new Map(),
      matcherKeys: new Set(),
      trades: [],
    };
    matcher.subscribe((update) => {
      if (update.type === 'order') this.#onOrder(account, update.order);
      else this.#onFill(account, update.fill);
    });
    this.#accounts.set(stored.apiKey, account);
    for (const [asset, total] of balances) this.#store.putBalance(stored.apiKey, asset, total);
  }

  #onOrder(account: Account, order: VenueOrder): void {
    const orderId = idOf(order.orderId);
    let record = account.orders.get(orderId);
    if (!record) {
      record = {
        orderId,
        type: account.pendingType ?? 'MARKET',
        clientOrderId: account.pendingClientId ?? order.clientOrderId,
        venue: order,
        cumulativeQuote: 0,
        fills: [],
      };
      account.orders.set(orderId, record);
      account.byClientId.set(record.clientOrderId, orderId);
      account.matcherKeys.add(order.clientOrderId);
    }
    record.venue = order;
    this.#store.putOrder(
      account.apiKey,
      orderId,
      record.clientOrderId,
      STATUS[order.status],
      this.#orderBody(record, true),
    );
  }

  #onFill(account: Account, fill: Fill): void {
    const orderId = idOf(fill.orderId);
    const record = account.orders.get(orderId) as OrderRecord;
    const trade: TradeRecord = { id: idOf(fill.fillId), orderId, fill, isMaker: record.type === 'LIMIT' };
    record.fills.push(trade);
    record.cumulativeQuote += fill.price * fill.quantity;
    account.trades.push(trade);
    const notional = fill.price * fill.quantity;
    const sign = fill.side === 'buy' ? 1 : -1;
    const base = (account.balances.get(this.baseAsset) ?? 0) + sign * fill.quantity;
    const quote = (account.balances.get(this.quoteAsset) ?? 0) - sign * notional - fill.fee;
    account.balances.set(this.baseAsset, base);
    account.balances.set(this.quoteAsset, quote);
    this.#store.putTrade(account.apiKey, trade.id, orderId, fill.timestamp, this.#tradeBody(trade));
    this.#store.putBalance(account.apiKey, this.baseAsset, base);
    this.#store.putBalance(account.apiKey, this.quoteAsset, quote);
  }

  #advanceTo(now: number): void {
    const bars = this.#bars;
    let moved = false;
    while (this.#cursor < bars.length && (bars[this.#cursor] as Bar).openTime + this.#barMs <= now) {
      const bar = bars[this.#cursor] as Bar;
      this.#matcherClock.tickTo(bar.openTime + this.#barMs);
      for (const account of this.#accounts.values()) account.matcher.processBar(this.symbol, bar);
      this.#cursor++;
      moved = true;
    }
    if (moved) this.#store.setMeta('now', String(now));
  }

  #lastPrice(): number {
    const bar = this.#bars[this.#cursor - 1] ?? this.#bars[0];
    return bar ? (this.#cursor === 0 ? bar.open : bar.close) : 0;
  }

  #account(apiKey: string): Account {
    const account = this.#accounts.get(apiKey);
    if (!account) throw reject.invalidApiKey();
    return account;
  }

  /** The account of an unsigned `/sim` request: 404 for an unknown key. */
  #known(apiKey: string): Account {
    const account = this.#accounts.get(apiKey);
    if (!account) throw reject.unknownAccount();
    return account;
  }

  /**
   * Whether a new order may not take `clientOrderId`: with `never`, when any order of the account has had it; with
   * `binance`, while the account's most recent order with it is open or partially filled (an earlier one is closed:
   * it was when that one was accepted).
   */
  #clientIdTaken(account: Account, clientOrderId: string): boolean {
    const orderId = account.byClientId.get(clientOrderId);
    if (orderId === undefined) return false;
    if (this.#options.clientIdReuse === 'never') return true;
    const status = (account.orders.get(orderId) as OrderRecord).venue.status;
    return status === 'open' || status === 'partially_filled';
  }

  /**
   * The matcher's key for a new order: the client order id itself when the matcher has not seen it (always, unless
   * the id is reused), else `<id>_r<n>` (cut to 36 characters) with the first `n` from the next orderId that is
   * free. The matcher answers a key it knows with its order, so each order needs its own key; the key is logged
   * with the submit, so a replay gives the same one.
   */
  #matcherKey(account: Account, clientOrderId: string): string {
    if (!account.matcherKeys.has(clientOrderId)) return clientOrderId;
    for (let n = account.orders.size + 1; ; n++) {
      const suffix = `_r${n}`;
      const key = `${clientOrderId.slice(0, 36 - suffix.length)}${suffix}`;
      if (!account.matcherKeys.has(key)) return key;
    }
  }

  #find(account: Account, params: Params): OrderRecord | undefined {
    const orderId = params.integer('orderId');
    if (orderId !== undefined) return account.orders.get(orderId);
    const clientOrderId = params.string('origClientOrderId');
    if (clientOrderId === undefined) throw reject.either('origClientOrderId', 'orderId');
    const id = account.byClientId.get(clientOrderId);
    return id === undefined ? undefined : account.orders.get(id);
  }

  #working(account: Account): OrderRecord[] {
    return [...account.orders.values()].filter(
      (record) => record.venue.status === 'open' || record.venue.status === 'partially_filled',
    );
  }

  /** Totals with what working orders hold: buys hold quote at their price, sells hold the base held. */
  #balances(account: Account): Map<string, { free: number; locked: number }> {
    let quoteLocked = 0;
    let baseSold = 0;
    const last = this.#lastPrice();
    for (const record of this.#working(account)) {
      const remaining = record.venue.quantity - record.venue.filledQuantity;
      if (record.venue.side === 'buy') {
        const price = record.venue.limitPrice ?? record.venue.triggerPrice ?? last;
        quoteLocked += remaining * price * (1 + this.#feeRate);
      } else baseSold += remaining;
    }
    const result = new Map<string, { free: number; locked: number }>();
    for (const [asset, total] of account.balances) {
      let locked = 0;
      if (asset === this.quoteAsset) locked = Math.min(quoteLocked, Math.max(total, 0));
      if (asset === this.baseAsset) locked = Math.min(baseSold, Math.max(total, 0));
      result.set(asset, { free: total - locked, locked });
    }
    return result;
  }

  #orderBody(record: OrderRecord, query: boolean): Record<string, unknown> {
    const order = record.venue;
    const working = order.status === 'open' || order.status === 'partially_filled';
    return {
      symbol: this.symbol,
      orderId: record.orderId,
      orderListId: -1,
      clientOrderId: record.clientOrderId,
      price: decimal8(order.limitPrice ?? 0),
      origQty: decimal8(order.quantity),
      executedQty: decimal8(order.filledQuantity),
      cummulativeQuoteQty: decimal8(record.cumulativeQuote),
      status: STATUS[order.status],
      timeInForce: order.timeInForce,
      type: record.type,
      side: order.side === 'buy' ? 'BUY' : 'SELL',
      ...(order.triggerPrice === null && !query ? {} : { stopPrice: decimal8(order.triggerPrice ?? 0) }),
      ...(query
        ? { icebergQty: '0.00000000', time: order.createdAt, updateTime: order.updatedAt, isWorking: working }
        : {}),
      workingTime: order.createdAt,
      origQuoteOrderQty: '0.00000000',
      selfTradePreventionMode: 'NONE',
    };
  }

  #orderFill(trade: TradeRecord): unknown {
    return {
      price: decimal8(trade.fill.price),
      qty: decimal8(trade.fill.quantity),
      commission: decimal8(trade.fill.fee),
      commissionAsset: this.quoteAsset,
      tradeId: trade.id,
    };
  }

  #tradeBody(trade: TradeRecord): unknown {
    const { fill } = trade;
    return {
      symbol: this.symbol,
      id: trade.id,
      orderId: trade.orderId,
      orderListId: -1,
      price: decimal8(fill.price),
      qty: decimal8(fill.quantity),
      quoteQty: decimal8(fill.price * fill.quantity),
      commission: decimal8(fill.fee),
      commissionAsset: this.quoteAsset,
      time: fill.timestamp,
      isBuyer: fill.side === 'buy',
      isMaker: trade.isMaker,
      isBestMatch: true,
    };
  }
}
