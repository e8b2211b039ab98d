import type { Bar, Direction, IndicatorRow, Position, Regime, Sizing, Timeframe } from '@quant/core';

/** What a strategy sees when it is evaluated on a closed bar. */
export interface StrategyContext {
  /** The instrument. */
  readonly symbol: string;
  /** The timeframe of the bar. */
  readonly timeframe: Timeframe;
  /** The closed bar. */
  readonly bar: Bar;
  /** The recent indicator rows, oldest first; the last is `bar`'s. */
  readonly rows: readonly IndicatorRow[];
  /** The confirmed regime of the series, or `null` while unknown. */
  readonly regime: Regime | null;
  /** This strategy's open position on the symbol, or `null`. */
  readonly position: Position | null;
}

/** A strategy's wish to open a position. */
export interface EntryDecision {
  readonly kind: 'entry';
  readonly direction: Direction;
  /** Which rules fired, with their values. */
  readonly reason: string;
  /** Stop-loss price, quote currency, or `null`. */
  readonly stopLoss: number | null;
  /** Take-profit price, quote currency, or `null`. */
  readonly takeProfit: number | null;
  /** How the executor sizes the order. */
  readonly sizing: Sizing;
}

/** A strategy's wish to close its position. */
export interface ExitDecision {
  readonly kind: 'exit';
  /** Direction of the position to close. */
  readonly direction: Direction;
  /** Which rules fired, with their values. */
  readonly reason: string;
}

/**
 * A trading strategy: given the indicator rows of a closed bar, decide to
 * enter, to exit, or nothing. Implement it in TypeScript, or describe it in
 * YAML (see {@link loadStrategies}). The evaluation service calls it only
 * for bars of its `timeframe` and `symbol`, once enough rows exist.
 *
 * @example
 * A trend follower on 15-minute bars: long when the fast EMA crosses above
 * the slow one, with a stop two ATRs below the close and a take-profit at
 * three times that risk, out when the fast EMA crosses back below. The
 * indicator names are the processor's outputs; a value is `null` while its
 * indicator warms up.
 * ```ts
 * import { buildConfig } from '@quant/config';
 * import { type IndicatorRow, LogManager, SimulatedClock, type Timeframe } from '@quant/core';
 * import {
 *   CsvBarSource,
 *   createTradingSystem,
 *   type EntryDecision,
 *   type ExitDecision,
 *   runSimulation,
 *   SimulatedExchange,
 *   type Strategy,
 *   type StrategyContext,
 *   TradingSignalsProcessor,
 * } from '@quant/services';
 *
 * // ema_fast − ema_slow on a row, or null while either is warming up.
 * const spread = (row: IndicatorRow | undefined): number | null => {
 *   const fast = row?.values.ema_fast;
 *   const slow = row?.values.ema_slow;
 *   return typeof fast === 'number' && typeof slow === 'number' ? fast - slow : null;
 * };
 *
 * export class EmaCrossStrategy implements Strategy {
 *   readonly name = 'ema_cross';
 *   readonly timeframe: Timeframe = '15m';
 *
 *   evaluate({ bar, rows, position }: StrategyContext): EntryDecision | ExitDecision | null {
 *     const before = spread(rows.at(-2));
 *     const now = spread(rows.at(-1));
 *     if (before === null || now === null) return null;
 *     if (position) {
 *       const crossedBelow = before >= 0 && now < 0;
 *       return crossedBelow
 *         ? { kind: 'exit', direction: position.direction, reason: `ema_fast crossed below ema_slow (${now.toFixed(2)})` }
 *         : null;
 *     }
 *     const crossedAbove = before <= 0 && now > 0;
 *     const atr = rows.at(-1)?.values.atr;
 *     if (!crossedAbove || typeof atr !== 'number') return null;
 *     const stopLoss = bar.close - 2 * atr;
 *     return {
 *       kind: 'entry',
 *       direction: 'long',
 *       reason: `ema_fast crossed above ema_slow (${now.toFixed(2)}), atr ${atr.toFixed(2)}`,
 *       stopLoss,
 *       takeProfit: bar.close + 3 * (bar.close - stopLoss),
 *       sizing: { mode: 'risk_percent', percent: 0.1 }, // a stop hit loses 0.1 % of equity
 *     };
 *   }
 * }
 *
 * // Run it: the strategy's timeframe must be one of trading.timeframes.
 * const config = buildConfig({ trading: { symbol: 'BTCUSDT', timeframes: ['1m', '15m'] } });
 * const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
 * const csv = await CsvBarSource.load({ path: 'data/BTCUSDT_1m.csv', symbol: 'BTCUSDT', clock });
 * const exchange = new SimulatedExchange({ clock });
 * const system = createTradingSystem(config, {
 *   clock,
 *   source: exchange.feedFrom(csv),
 *   broker: exchange,
 *   strategies: [new EmaCrossStrategy()],
 *   processor: new TradingSignalsProcessor([
 *     { name: 'ema_fast', type: 'ema', period: 12 },
 *     { name: 'ema_slow', type: 'ema', period: 26 },
 *     { name: 'atr', type: 'atr', period: 14 },
 *   ]),
 *   logs: new LogManager({ clock, level: 'warn' }),
 * });
 * system.bus.subscribe('EntrySignal', (signal) => console.log(signal.strategyName, signal.direction, signal.reason));
 * await system.orchestrator.start();
 * await runSimulation(system.orchestrator, clock, {
 *   start: Date.UTC(2023, 2, 1, 0, 1),
 *   end: Date.UTC(2023, 2, 8),
 *   stepMs: 60_000,
 * });
 * await system.orchestrator.stop();
 * ```
 */
export interface Strategy {
  /** Unique name, used in signals, orders and reports. */
  readonly name: string;
  /** The timeframe it trades. */
  readonly timeframe: Timeframe;
  /**
   * The symbols it trades, each with its own indicators, regime and position;
   * every configured symbol (`trading.symbols`) when omitted.
   */
  readonly symbols?: readonly string[];
  /**
   * Evaluates the strategy on a closed bar.
   * @returns a decision, or `null` for nothing to do.
   */
  evaluate(context: StrategyContext): EntryDecision | ExitDecision | null;
}
