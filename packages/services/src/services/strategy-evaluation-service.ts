import type { ServicesConfig } from '@quant/config';
import {
  EventDrivenService,
  type EventOf,
  type IndicatorRow,
  type ServiceDeps,
  type TradingEventPayloads,
} from '@quant/core';
import type { PositionReader } from '../execution/position-ledger.js';
import type { Strategy } from '../ports/strategy.js';

/** Options of a {@link StrategyEvaluationService}. */
export interface StrategyEvaluationOptions {
  /** The strategies to evaluate (YAML or TypeScript). */
  readonly strategies: readonly Strategy[];
  /** The `services.strategy_evaluation` section. */
  readonly config: ServicesConfig['strategy_evaluation'];
  /** Where each strategy's position is read (the execution service's ledger); none in monitoring mode. */
  readonly positions?: PositionReader;
}

/** A signal awaiting its outcome; `acknowledged` once an executor authorized it. */
interface Pending {
  readonly kind: 'entry' | 'exit';
  acknowledged: boolean;
}

/**
 * Evaluates strategies on every `IndicatorsCalculated` once
 * `min_rows_required` rows exist (the original StrategyEvaluationService),
 * and publishes `EntrySignal` / `ExitSignal` with the strategy, symbol,
 * direction, timeframe and the rules that fired.
 *
 * Each strategy sees its position, as the position ledger has it (marked at
 * the last close of the execution timeframe), so it is asked to exit only
 * while it holds a position and to enter only while flat. While a signal
 * awaits its end (`SignalResolved`), the strategy is not asked again. A
 * signal that no executor took up (`TradingAuthorized` or `SignalResolved`)
 * by the strategy's next bar is dropped, so that in monitoring mode (trade
 * execution disabled) strategies keep signalling.
 *
 * Metrics: `strategies_evaluated`, `entry_signals_generated`, `exit_signals_generated`, `evaluation_errors`.
 */
export class StrategyEvaluationService extends EventDrivenService {
  readonly #options: StrategyEvaluationOptions;
  readonly #pending = new Map<string, Pending>();
  /** The timeframes some strategy trades. */
  readonly #timeframes: ReadonlySet<string>;

  /**
   * @param deps - bus, clock, logger.
   * @param options - strategies and config section.
   */
  constructor(deps: ServiceDeps, options: StrategyEvaluationOptions) {
    super('StrategyEvaluationService', deps);
    this.#options = options;
    this.#timeframes = new Set(options.strategies.map((strategy) => strategy.timeframe));
    this.defineMetrics(
      'strategies_evaluated',
      'entry_signals_generated',
      'exit_signals_generated',
      'evaluation_errors',
    );
  }

  protected override onStart(): void {
    this.subscribe('IndicatorsCalculated', (event) => this.#evaluate(event));
    this.subscribe('SignalResolved', ({ strategyName, symbol }) => {
      this.#pending.delete(keyOf(strategyName, symbol));
    });
    this.subscribe('TradingAuthorized', ({ strategyName, symbol }) => {
      const pending = this.#pending.get(keyOf(strategyName, symbol));
      if (pending) pending.acknowledged = true;
    });
  }

  #evaluate(event: EventOf<TradingEventPayloads, 'IndicatorsCalculated'>): void {
    // Most bars are of a timeframe no strategy trades (1m under 5m and 15m strategies): nothing to do.
    if (!this.#timeframes.has(event.timeframe)) return;
    const { symbol, timeframe, bar, recentRows, regime } = event;
    if (recentRows.length < this.#options.config.min_rows_required) return;
    /** The rows as the array strategies read, made once per event and only when a strategy is asked. */
    let rows: readonly IndicatorRow[] | undefined;
    let entries = 0;
    let exits = 0;
    for (const strategy of this.#options.strategies) {
      if (strategy.timeframe !== timeframe || (strategy.symbols !== undefined && !strategy.symbols.includes(symbol))) {
        continue;
      }
      const key = keyOf(strategy.name, symbol);
      this.increment('strategies_evaluated');
      const pending = this.#pending.get(key);
      if (pending?.acknowledged) continue;
      if (pending) {
        this.logger.debug(`No executor acknowledged the ${pending.kind} signal of ${strategy.name}; evaluating again`);
        this.#pending.delete(key);
      }
      rows ??= Object.freeze(Array.from(recentRows));
      let decision: ReturnType<Strategy['evaluate']>;
      try {
        decision = strategy.evaluate({
          symbol,
          timeframe,
          bar,
          rows,
          regime,
          position: this.#options.positions?.position(strategy.name, symbol) ?? null,
        });
      } catch (error) {
        this.increment('evaluation_errors');
        this.logger.error(`Strategy ${strategy.name} failed on ${symbol} ${timeframe}: ${(error as Error).message}`, {
          strategy: strategy.name,
        });
        continue;
      }
      if (decision === null) continue;
      const common = {
        symbol,
        strategyName: strategy.name,
        direction: decision.direction,
        timeframe,
        barOpenTime: bar.openTime,
        price: bar.close,
        reason: decision.reason,
      };
      if (decision.kind === 'entry') {
        entries++;
        this.#pending.set(key, { kind: 'entry', acknowledged: false });
        this.increment('entry_signals_generated');
        this.logger.info(
          `Entry signal ${strategy.name} ${decision.direction} ${symbol} ${timeframe}: ${decision.reason}`,
          {
            strategy: strategy.name,
          },
        );
        this.publish('EntrySignal', {
          ...common,
          sizing: decision.sizing,
          stopLoss: decision.stopLoss,
          takeProfit: decision.takeProfit,
        });
      } else {
        exits++;
        this.#pending.set(key, { kind: 'exit', acknowledged: false });
        this.increment('exit_signals_generated');
        this.logger.info(
          `Exit signal ${strategy.name} ${decision.direction} ${symbol} ${timeframe}: ${decision.reason}`,
          {
            strategy: strategy.name,
          },
        );
        this.publish('ExitSignal', common);
      }
    }
    if (this.logger.isLevelEnabled?.('info') !== false) {
      this.logger.info(`Evaluated strategies: ${entries} entries, ${exits} exits`, { symbol, timeframe });
    }
  }
}

function keyOf(strategyName: string, symbol: string): string {
  return `${strategyName}|${symbol}`;
}
