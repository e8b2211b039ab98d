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
 */
export interface Strategy {
  /** Unique name, used in signals, orders and reports. */
  readonly name: string;
  /** The timeframe it trades. */
  readonly timeframe: Timeframe;
  /** The symbol it trades; every configured symbol when omitted. */
  readonly symbol?: string;
  /**
   * Evaluates the strategy on a closed bar.
   * @returns a decision, or `null` for nothing to do.
   */
  evaluate(context: StrategyContext): EntryDecision | ExitDecision | null;
}
