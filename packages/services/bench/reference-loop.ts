/**
 * The reference loop of the services benchmark: the pipeline's work on a file
 * of 1-minute bars, written as one plain loop, with no event bus, no
 * services, no orchestrator, no order book. It is the floor the pipeline is
 * measured against (`bench/pipeline.bench.ts` runs both, alternately, in one
 * process) and reproduces the pipeline's trades exactly
 * (`src/reference-loop.test.ts`).
 *
 * Parsing: the file is read with {@link CsvBarSource} (the same parser and
 * validation as the pipeline, so the bars are the same numbers), then turned
 * into bar objects once ({@link loadReferenceBars}, timed apart as the parse
 * time). {@link runReferenceLoop} times only its per-bar loop.
 *
 * What the loop reuses from the library, called directly: the indicators
 * file's {@link TradingSignalsProcessor} and regime detector
 * (`indicatorsFromFile`), {@link RegimeConfirmation}, the YAML strategies
 * (`YamlStrategy.evaluate`) and {@link DefaultEntryManager}. What it writes
 * by hand, following the library's rules to the operation (so that every
 * float comes out the same):
 * - resampling: 5m and 15m bars (the configured timeframes) built from the
 *   1-minute bars as they close, aligned to UTC, as `resample` builds them;
 * - the indicator service: the last `recent_rows_limit` rows per timeframe,
 *   regimes confirmed over `confirm_bars`, strategies evaluated from
 *   `min_rows_required` rows, and not while their last order works;
 * - the paper broker (`SimulatedExchange` with native stops): market orders
 *   fill on the next 1-minute bar's open with slippage; an entry's fill places
 *   its stop-loss and take-profit as one-cancels-other orders, matched from
 *   that same bar on: stops, then take-profits (so the stop first when both
 *   lie inside a bar), at the level or the open when the bar gaps past it,
 *   with slippage; fees in basis points of each fill's notional; an exit
 *   signal cancels the levels and sends a market exit;
 * - the position ledger (cash, fees, P&L on the entry price, positions marked
 *   at each 1-minute close) and the risk checks, by the library's own
 *   `DefaultRiskManager` fed the equity at each 1-minute close and the
 *   entries still working.
 *
 * Not covered, and refused where the configuration asks for it: several
 * symbols, `batch` execution, a disabled service. Bot-side stop watching is
 * left out: the paper broker keeps native stops, so the pipeline never uses it.
 * Orders made in one cycle are sent in timeframe order; the pipeline sends
 * an exit only after the venue took back its levels (a few promise turns),
 * so an exit on 5m and an entry on 15m in the same minute could reach its
 * venue the other way round (fills on the same open; only the order in
 * which their fees add up could differ). The example run has no such minute.
 */
import type { SystemConfig } from '@quant/config';
import {
  type Bar,
  barOpenTime,
  type Direction,
  type IndicatorRow,
  type Order,
  type Position,
  type SeriesKey,
  SimulatedClock,
  type Timeframe,
  timeframeToMs,
} from '@quant/core';
import {
  type Account,
  type ClosedTrade,
  CsvBarSource,
  DefaultEntryManager,
  DefaultRiskManager,
  type IndicatorsFile,
  indicatorsFromFile,
  loadStrategies,
  RegimeConfirmation,
  type RegimeDetector,
  type Strategy,
  type TradingSignalsProcessor,
} from '../src/index.js';

/** The venue's matching phases after market orders: stops (`true`), then take-profits. */
const PHASES = [true, false] as const;

/** The 1-minute bars of a file and how long reading them took. */
export interface ReferenceBars {
  /** The bars, oldest first. */
  readonly bars: readonly Bar[];
  /** Time to parse and validate the file and build the bar objects, ms. */
  readonly parseMs: number;
}

/**
 * Reads a CSV file of 1-minute bars with {@link CsvBarSource} and returns its
 * bars as objects, with the time it took.
 * @param path - the CSV file.
 * @param symbol - the symbol it holds.
 */
export async function loadReferenceBars(path: string, symbol: string): Promise<ReferenceBars> {
  const t0 = performance.now();
  const source = await CsvBarSource.load({ path, symbol, clock: new SimulatedClock(0) });
  const bars = source.allBars('1m');
  return { bars, parseMs: performance.now() - t0 };
}

/** What the reference loop runs: the pipeline's configuration, indicators, strategies and paper broker. */
export interface ReferenceSettings {
  /** A loaded configuration: `trading`, `services` and `risk` are read. */
  readonly config: SystemConfig;
  /** The indicators file (`loadIndicators`). */
  readonly indicators: IndicatorsFile;
  /** The strategies file. */
  readonly strategiesPath: string;
  /** The paper account's starting cash; `config.paper_broker.initial_cash` by default. */
  readonly initialCash?: number;
  /** Fee per fill, basis points; `config.paper_broker.fee_bps` by default. */
  readonly feeBps?: number;
  /** Slippage of market, stop and take-profit fills, basis points; `config.paper_broker.slippage_bps` by default. */
  readonly slippageBps?: number;
}

/** A closed trade of the reference loop: the library's {@link ClosedTrade}, as the pipeline's `PositionClosed` gives it. */
export type ReferenceTrade = ClosedTrade;

/** What a run of the reference loop gives. */
export interface ReferenceResult {
  /** The closed trades, in the order they closed. */
  readonly trades: readonly ReferenceTrade[];
  /** The account at the end, marked at the last close. */
  readonly account: Account;
  /** 1-minute bars processed. */
  readonly bars: number;
  /** Time of the per-bar loop, ms. */
  readonly loopMs: number;
}

/** A market order waiting for the next bar's open. */
interface MarketOrder {
  readonly strategy: StrategyState;
  readonly intent: 'entry' | 'exit';
  readonly direction: Direction;
  readonly quantity: number;
  readonly createdAt: number;
  readonly stopLoss: number | null;
  readonly takeProfit: number | null;
}

/** A stop-loss or take-profit order of a position's exit plan, working at the venue. */
interface Leg {
  readonly strategy: StrategyState;
  readonly stop: boolean;
  /** Whether it buys (closes a short). */
  readonly buy: boolean;
  readonly trigger: number;
  readonly createdAt: number;
  working: boolean;
}

/** An open position with what the ledger keeps beside it. */
interface OpenPosition extends Position {
  markPrice: number;
  unrealizedPnl: number;
  entryFeeLeft: number;
}

interface StrategyState {
  readonly strategy: Strategy;
  position: OpenPosition | null;
  /** An order of the strategy is working: it is not evaluated until it ends. */
  working: boolean;
  /** The stop-loss and take-profit orders of its position. */
  legs: Leg[];
}

interface SeriesState {
  readonly key: SeriesKey;
  readonly ms: number;
  readonly rows: IndicatorRow[];
  readonly confirmation: RegimeConfirmation;
  readonly strategies: readonly StrategyState[];
  /** The bar being built (coarser timeframes); `open` is NaN when none. */
  readonly bucket: { openTime: number; open: number; high: number; low: number; close: number; volume: number };
}

/**
 * Runs the pipeline's work over 1-minute bars as one plain loop (see the
 * module's description) and times the loop.
 * @param bars - the 1-minute bars, oldest first ({@link loadReferenceBars}).
 * @param settings - configuration, indicators, strategies, paper account.
 * @throws Error when the configuration asks for what the loop does not do
 *   (several symbols, batch execution, a disabled service, a first timeframe other than 1m).
 */
export function runReferenceLoop(bars: readonly Bar[], settings: ReferenceSettings): ReferenceResult {
  const { config } = settings;
  const { services } = config;
  const symbol = config.trading.symbols[0] as string;
  const timeframes = config.trading.timeframes as readonly Timeframe[];
  if (
    config.trading.symbols.length !== 1 ||
    timeframes[0] !== '1m' ||
    services.trade_execution.execution_mode !== 'immediate' ||
    !services.data_fetching.enabled ||
    !services.indicator_calculation.enabled ||
    !services.strategy_evaluation.enabled ||
    !services.trade_execution.enabled
  ) {
    throw new Error('the reference loop runs one symbol on 1m first, every service enabled, immediate execution');
  }
  const { processor, regimeDetector, confirmBars } = indicatorsFromFile(settings.indicators);
  const strategies = loadStrategies(settings.strategiesPath, {
    outputsFor: (timeframe) => processor.outputNames(timeframe),
  }).map((strategy): StrategyState => ({ strategy, position: null, working: false, legs: [] }));
  const series: SeriesState[] = timeframes.map((timeframe) => ({
    key: { symbol, timeframe },
    ms: timeframeToMs(timeframe),
    rows: [],
    confirmation: new RegimeConfirmation(confirmBars),
    strategies: strategies.filter(({ strategy }) => strategy.timeframe === timeframe),
    bucket: { openTime: 0, open: Number.NaN, high: 0, low: 0, close: 0, volume: 0 },
  }));
  const run = new Run(settings, symbol, processor, regimeDetector);

  const t0 = performance.now();
  const base = series[0] as SeriesState;
  for (const bar of bars) {
    const closeTime = bar.openTime + base.ms;
    // Coarser bars whose period ended in a gap of the file closed at their end, before this bar.
    for (let s = 1; s < series.length; s++) {
      const state = series[s] as SeriesState;
      if (!Number.isNaN(state.bucket.open) && state.bucket.openTime + state.ms <= bar.openTime) {
        run.closeBucket(state, state.bucket.openTime + state.ms);
      }
    }
    run.match(bar);
    run.markAndRecord(bar.close, closeTime);
    run.onBar(base, bar, closeTime);
    for (let s = 1; s < series.length; s++) {
      const state = series[s] as SeriesState;
      const bucket = state.bucket;
      if (Number.isNaN(bucket.open)) {
        bucket.openTime = barOpenTime(bar.openTime, state.key.timeframe);
        bucket.open = bar.open;
        bucket.high = bar.high;
        bucket.low = bar.low;
        bucket.close = bar.close;
        bucket.volume = bar.volume;
      } else {
        bucket.high = Math.max(bucket.high, bar.high);
        bucket.low = Math.min(bucket.low, bar.low);
        bucket.close = bar.close;
        bucket.volume += bar.volume;
      }
      if (bucket.openTime + state.ms <= closeTime) run.closeBucket(state, closeTime);
    }
  }
  const loopMs = performance.now() - t0;
  return { trades: run.trades, account: run.account(), bars: bars.length, loopMs };
}

/** The state of one run: the paper venue's orders, the ledger, the risk manager's day. */
class Run {
  readonly trades: ReferenceTrade[] = [];
  readonly #symbol: string;
  readonly #processor: TradingSignalsProcessor;
  readonly #detector: RegimeDetector;
  readonly #entries = new DefaultEntryManager();
  readonly #recentRows: number;
  readonly #minRows: number;
  readonly #trackRegimes: boolean;
  readonly #risk: DefaultRiskManager;
  readonly #currency: string;
  readonly #feeRate: number;
  readonly #slippage: number;
  #market: MarketOrder[] = [];
  #legs: Leg[] = [];
  /** Open positions in the order they were opened (the ledger's order). */
  #open: OpenPosition[] = [];
  #cash: number;
  #realized = 0;
  #fees = 0;

  constructor(
    settings: ReferenceSettings,
    symbol: string,
    processor: TradingSignalsProcessor,
    detector: RegimeDetector,
  ) {
    const { config } = settings;
    this.#symbol = symbol;
    this.#processor = processor;
    this.#detector = detector;
    this.#recentRows = config.services.indicator_calculation.recent_rows_limit;
    this.#minRows = config.services.strategy_evaluation.min_rows_required;
    this.#trackRegimes = config.services.indicator_calculation.track_regime_changes;
    this.#risk = new DefaultRiskManager(config.risk);
    this.#currency = config.paper_broker.currency;
    this.#cash = settings.initialCash ?? config.paper_broker.initial_cash;
    this.#feeRate = (settings.feeBps ?? config.paper_broker.fee_bps) / 10_000;
    this.#slippage = (settings.slippageBps ?? config.paper_broker.slippage_bps) / 10_000;
  }

  /** The account as the ledger has it: cash, and equity with the open positions at their last mark. */
  account(): Account {
    let unrealizedPnl = 0;
    for (const position of this.#open) unrealizedPnl += position.unrealizedPnl;
    return {
      currency: this.#currency,
      cash: this.#cash,
      equity: this.#cash + unrealizedPnl,
      realizedPnl: this.#realized,
      unrealizedPnl,
      fees: this.#fees,
    };
  }

  /** The paper venue's matching of one 1-minute bar: market orders at the open, then stops, then take-profits. */
  match(bar: Bar): void {
    if (this.#market.length > 0) {
      const orders = this.#market;
      this.#market = [];
      for (const order of orders) {
        if (order.createdAt > bar.openTime) {
          this.#market.push(order);
          continue;
        }
        const buy = order.intent === 'entry' ? order.direction === 'long' : order.direction === 'short';
        const price = bar.open * (buy ? 1 + this.#slippage : 1 - this.#slippage);
        if (order.intent === 'entry') this.#openPosition(order, price, bar.openTime);
        else this.#closePosition(order.strategy, price, bar.openTime, 'exit_signal');
      }
    }
    if (this.#legs.length === 0) return;
    for (const stops of PHASES) {
      for (const leg of this.#legs) {
        if (!leg.working || leg.stop !== stops || leg.createdAt > bar.openTime) continue;
        const { buy, trigger } = leg;
        // A stop triggers as the price moves against the position, a take-profit as it moves for it.
        const rising = buy === stops;
        if (rising ? bar.high < trigger : bar.low > trigger) continue;
        const level = rising ? Math.max(bar.open, trigger) : Math.min(bar.open, trigger);
        const price = level * (buy ? 1 + this.#slippage : 1 - this.#slippage);
        this.#closePosition(leg.strategy, price, bar.openTime, stops ? 'stop_loss' : 'take_profit');
      }
    }
    this.#legs = this.#legs.filter((leg) => leg.working);
  }

  /** Marks the open positions at a 1-minute close and records the equity with the daily loss limit. */
  markAndRecord(price: number, now: number): void {
    for (const position of this.#open) {
      position.markPrice = price;
      position.unrealizedPnl =
        (position.direction === 'long' ? 1 : -1) * (price - position.entryPrice) * position.quantity;
    }
    this.#risk.recordEquity(now, this.account().equity);
  }

  /** A coarser timeframe's bar closed at `now`: it goes through {@link Run.onBar} and a new one starts. */
  closeBucket(state: SeriesState, now: number): void {
    const { openTime, open, high, low, close, volume } = state.bucket;
    state.bucket.open = Number.NaN;
    this.onBar(state, { openTime, open, high, low, close, volume }, now);
  }

  /** A closed bar of a timeframe: indicators, regime, then the timeframe's strategies. */
  onBar(state: SeriesState, bar: Bar, now: number): void {
    const { rows, key } = state;
    rows.push(this.#processor.update(key, bar));
    if (rows.length > this.#recentRows) rows.shift();
    if (this.#trackRegimes) state.confirmation.update(this.#detector.update(key, bar));
    if (rows.length < this.#minRows || state.strategies.length === 0) return;
    for (const strategy of state.strategies) {
      if (strategy.working) continue;
      const decision = strategy.strategy.evaluate({
        symbol: this.#symbol,
        timeframe: key.timeframe,
        bar,
        rows,
        regime: state.confirmation.current,
        position: strategy.position,
      });
      if (decision === null) continue;
      if (decision.kind === 'exit') {
        const { position } = strategy;
        if (!position || position.direction !== decision.direction) continue;
        for (const leg of strategy.legs) leg.working = false;
        strategy.legs = [];
        strategy.working = true;
        this.#market.push({
          strategy,
          intent: 'exit',
          direction: position.direction,
          quantity: position.quantity,
          createdAt: now,
          stopLoss: null,
          takeProfit: null,
        });
        continue;
      }
      if (strategy.position) continue;
      const plan = this.#entries.plan({ ...decision, price: bar.close }, this.account());
      if ('rejected' in plan || !this.#allows(now, plan.quantity, bar.close)) continue;
      strategy.working = true;
      this.#market.push({
        strategy,
        intent: 'entry',
        direction: decision.direction,
        quantity: plan.quantity,
        createdAt: now,
        stopLoss: plan.stopLoss,
        takeProfit: plan.takeProfit,
      });
    }
  }

  /** The risk manager's checks of an entry, with the entries still working as the executor gives them. */
  #allows(now: number, quantity: number, price: number): boolean {
    const workingEntries: Order[] = [];
    for (const order of this.#market) if (order.intent === 'entry') workingEntries.push(this.#asOrder(order));
    const decision = this.#risk.check({
      now,
      symbol: this.#symbol,
      intent: 'entry',
      quantity,
      price,
      account: this.account(),
      positions: this.#open,
      workingEntries,
    });
    return decision.allowed;
  }

  /** A market order as the order book would hold it while it works. */
  #asOrder(order: MarketOrder): Order {
    return {
      orderId: null,
      clientOrderId: '',
      symbol: this.#symbol,
      side: (order.direction === 'long') === (order.intent === 'entry') ? 'buy' : 'sell',
      direction: order.direction,
      intent: order.intent,
      purpose: 'signal',
      type: 'market',
      timeInForce: 'GTC',
      quantity: order.quantity,
      filledQuantity: 0,
      averagePrice: null,
      limitPrice: null,
      triggerPrice: null,
      status: 'submitting',
      createdAt: order.createdAt,
      updatedAt: order.createdAt,
      strategyName: order.strategy.strategy.name,
    };
  }

  /** An entry's fill: the position opens and its stop-loss and take-profit are placed. */
  #openPosition(order: MarketOrder, price: number, time: number): void {
    const { strategy, quantity, direction } = order;
    const fee = quantity * price * this.#feeRate;
    this.#cash -= fee;
    this.#fees += fee;
    const position: OpenPosition = {
      positionId: `P-${strategy.strategy.name}-${time}`,
      symbol: this.#symbol,
      direction,
      quantity,
      entryPrice: price,
      openedAt: time,
      realizedPnl: 0,
      markPrice: price,
      unrealizedPnl: 0,
      fees: fee,
      strategyName: strategy.strategy.name,
      entryFeeLeft: fee,
    };
    strategy.position = position;
    strategy.working = false;
    this.#open.push(position);
    const buy = direction === 'short';
    for (const [stop, trigger] of [
      [true, order.stopLoss],
      [false, order.takeProfit],
    ] as const) {
      if (trigger === null) continue;
      const leg: Leg = { strategy, stop, buy, trigger, createdAt: time, working: true };
      strategy.legs.push(leg);
      this.#legs.push(leg);
    }
  }

  /** A fill that closes a strategy's position (a market exit, a stop or a take-profit). */
  #closePosition(strategy: StrategyState, price: number, time: number, reason: string): void {
    const position = strategy.position as OpenPosition;
    const { quantity } = position;
    const fee = quantity * price * this.#feeRate;
    this.#cash -= fee;
    this.#fees += fee;
    const gross = (position.direction === 'long' ? 1 : -1) * (price - position.entryPrice) * quantity;
    const fees = position.entryFeeLeft * (quantity / quantity) + fee;
    this.#cash += gross;
    this.#realized += gross - fees;
    this.#open = this.#open.filter((open) => open !== position);
    strategy.position = null;
    strategy.working = false;
    for (const leg of strategy.legs) leg.working = false;
    strategy.legs = [];
    this.trades.push({
      strategy: strategy.strategy.name,
      symbol: this.#symbol,
      direction: position.direction,
      quantity,
      entryTime: position.openedAt,
      entryPrice: position.entryPrice,
      exitTime: time,
      exitPrice: price,
      pnl: gross - fees,
      fees,
      reason,
    });
  }
}
