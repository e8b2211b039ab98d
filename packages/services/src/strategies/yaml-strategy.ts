import type { Direction, Timeframe } from '@quant/core';
import type { EntryDecision, ExitDecision, Strategy, StrategyContext } from '../ports/strategy.js';
import { evaluateCondition } from './conditions.js';
import type { StrategySpec } from './strategy-spec.js';

const DIRECTIONS: readonly Direction[] = ['long', 'short'];

/**
 * A {@link Strategy} described in YAML: entry and exit conditions per
 * direction over indicator values and the close, allowed regimes for entries,
 * stop-loss, take-profit and sizing. Levels are computed from the signal
 * bar's close: a long's stop is `close − distance` (fixed), `close × (1 − p/100)`
 * (percent) or `close − k × ATR` (ATR multiple); its take-profit
 * `close × (1 + p/100)` or `close + m × (close − stop)` (risk multiple);
 * mirrored for a short.
 */
export class YamlStrategy implements Strategy {
  /** {@inheritDoc Strategy.name} */
  readonly name: string;
  /** {@inheritDoc Strategy.timeframe} */
  readonly timeframe: Timeframe;
  /** {@inheritDoc Strategy.symbols} */
  readonly symbols: readonly string[] | undefined;
  readonly #spec: StrategySpec;

  /** @param spec - the validated definition. */
  constructor(spec: StrategySpec) {
    this.#spec = spec;
    this.name = spec.name;
    this.timeframe = spec.timeframe;
    this.symbols = spec.symbols ?? (spec.symbol === undefined ? undefined : [spec.symbol]);
  }

  /** {@inheritDoc Strategy.evaluate} */
  evaluate(context: StrategyContext): EntryDecision | ExitDecision | null {
    if (context.position) {
      const condition = this.#spec.exit[context.position.direction];
      const reason = condition ? evaluateCondition(condition, context.rows) : null;
      return reason === null ? null : { kind: 'exit', direction: context.position.direction, reason };
    }
    if (!this.#regimeAllows(context)) return null;
    for (const direction of DIRECTIONS) {
      const condition = this.#spec.entry[direction];
      const reason = condition ? evaluateCondition(condition, context.rows) : null;
      if (reason === null) continue;
      const levels = this.#levels(direction, context);
      if (levels === null) continue;
      const regime = context.regime ? ` [regime ${context.regime.trend}/${context.regime.volatility}]` : '';
      return { kind: 'entry', direction, reason: `${reason}${regime}`, ...levels, sizing: this.#sizing() };
    }
    return null;
  }

  #regimeAllows(context: StrategyContext): boolean {
    const allowed = this.#spec.regimes;
    if (!allowed) return true;
    if (!context.regime) return false;
    return (
      (allowed.trend === undefined || allowed.trend.includes(context.regime.trend)) &&
      (allowed.volatility === undefined || allowed.volatility.includes(context.regime.volatility))
    );
  }

  #levels(
    direction: Direction,
    context: StrategyContext,
  ): { stopLoss: number | null; takeProfit: number | null } | null {
    const price = context.bar.close;
    const sign = direction === 'long' ? 1 : -1;
    let stopLoss: number | null = null;
    const stop = this.#spec.stop_loss;
    if (stop?.type === 'fixed') stopLoss = price - sign * stop.distance;
    else if (stop?.type === 'percent') stopLoss = price * (1 - (sign * stop.percent) / 100);
    else if (stop?.type === 'atr') {
      const atr = context.rows[context.rows.length - 1]?.values[stop.indicator];
      if (atr === null || atr === undefined) return null;
      stopLoss = price - sign * stop.multiple * atr;
    }
    let takeProfit: number | null = null;
    const target = this.#spec.take_profit;
    if (target?.type === 'percent') takeProfit = price * (1 + (sign * target.percent) / 100);
    else if (target?.type === 'risk_multiple' && stopLoss !== null) {
      takeProfit = price + sign * target.multiple * Math.abs(price - stopLoss);
    }
    return { stopLoss, takeProfit };
  }

  #sizing(): EntryDecision['sizing'] {
    const sizing = this.#spec.sizing;
    return sizing.type === 'fixed'
      ? { mode: 'fixed', quantity: sizing.quantity }
      : { mode: 'risk_percent', percent: sizing.percent };
  }
}
