import type { ServicesConfig } from '@quant/config';
import {
  type Bar,
  EventDrivenService,
  type EventOf,
  type IndicatorRow,
  type ServiceDeps,
  type Timeframe,
  type TradingEventPayloads,
} from '@quant/core';
import { type RegimeChange, RegimeConfirmation } from '../indicators/regime-confirmation.js';
import { RowHistory } from '../indicators/row-history.js';
import type { IndicatorProcessor, RegimeDetector } from '../ports/indicator-processor.js';

/** Options of an {@link IndicatorCalculationService}. */
export interface IndicatorCalculationOptions {
  /** Computes the indicator rows. */
  readonly processor: IndicatorProcessor;
  /** Classifies regimes; without one, no regime is tracked. */
  readonly regimeDetector?: RegimeDetector;
  /** Bars a new regime must hold before `RegimeChanged` is published; 3 by default. */
  readonly confirmBars?: number;
  /** The `services.indicator_calculation` section. */
  readonly config: ServicesConfig['indicator_calculation'];
}

interface SeriesState {
  readonly rows: RowHistory;
  lastOpenTime: number;
  readonly confirmation: RegimeConfirmation;
}

/**
 * Updates indicators and the regime on every `NewCandle` (the original
 * IndicatorCalculationService): keeps the last `recent_rows_limit` rows per
 * symbol and timeframe, publishes `IndicatorsCalculated` with the new row,
 * a window of the recent rows (a view of the rows kept, not a copy) and the
 * confirmed regime, and `RegimeChanged` when a new regime held for
 * `confirmBars` bars. A bar already processed (delivered twice) is ignored.
 * Indicator state survives restarts, so a restart loses no warm-up.
 *
 * The bars of `HistoryLoaded` (history fetched at a fresh start) go through
 * the indicators, the regime detector and the confirmation the same way, but
 * silently: no `IndicatorsCalculated`, no `RegimeChanged`. So the first live
 * `IndicatorsCalculated` already carries full rows and the confirmed regime,
 * and strategies trade on the first live bar.
 *
 * Metrics: `indicators_calculated` (live bars), `regime_changes_detected`, `processing_errors`.
 */
export class IndicatorCalculationService extends EventDrivenService {
  readonly #options: IndicatorCalculationOptions;
  readonly #series = new Map<string, Map<Timeframe, SeriesState>>();

  /**
   * @param deps - bus, clock, logger.
   * @param options - processor, regime detector, config section.
   */
  constructor(deps: ServiceDeps, options: IndicatorCalculationOptions) {
    super('IndicatorCalculationService', deps);
    this.#options = options;
    this.defineMetrics('indicators_calculated', 'regime_changes_detected', 'processing_errors');
  }

  protected override onStart(): void {
    this.subscribe('HistoryLoaded', (event) => this.#onHistoryLoaded(event));
    this.subscribe('NewCandle', (event) => this.#onNewCandle(event));
  }

  #onHistoryLoaded(event: EventOf<TradingEventPayloads, 'HistoryLoaded'>): void {
    const { symbol, timeframe, bars } = event;
    const state = this.#state(symbol, timeframe);
    let fed = 0;
    for (const bar of bars) {
      if (bar.openTime <= state.lastOpenTime) continue;
      this.#feed(state, symbol, timeframe, bar);
      fed++;
    }
    const tracked = this.#tracksRegimes();
    const regime = state.confirmation.current;
    const regimeName = regime ? `${regime.trend}/${regime.volatility}` : 'unknown';
    this.logger.info(`Warmed up ${symbol} ${timeframe} on ${fed} bars${tracked ? `: regime ${regimeName}` : ''}`, {
      symbol,
      timeframe,
      bars: fed,
      ...(tracked ? { regime: regimeName } : {}),
    });
  }

  #onNewCandle(event: EventOf<TradingEventPayloads, 'NewCandle'>): void {
    const { symbol, timeframe, bar } = event;
    const state = this.#state(symbol, timeframe);
    if (bar.openTime <= state.lastOpenTime) {
      this.logger.debug(`Ignored ${symbol} ${timeframe} bar ${bar.openTime}: already processed`);
      return;
    }
    const { row, change } = this.#feed(state, symbol, timeframe, bar);
    this.increment('indicators_calculated');
    if (change) {
      this.increment('regime_changes_detected');
      this.logger.info(
        `Regime changed for ${symbol} ${timeframe}: ${change.newRegime.trend}/${change.newRegime.volatility}`,
        { symbol, timeframe },
      );
      this.publish('RegimeChanged', { symbol, timeframe, ...change, barOpenTime: bar.openTime });
    }
    if (this.logger.isLevelEnabled?.('info') !== false) {
      this.logger.info(`Calculated indicators for ${symbol} ${timeframe}`, { symbol, timeframe });
    }
    this.publish('IndicatorsCalculated', {
      symbol,
      timeframe,
      bar,
      row,
      recentRows: state.rows.window(),
      regime: state.confirmation.current,
    });
  }

  #state(symbol: string, timeframe: Timeframe): SeriesState {
    // By symbol, then timeframe: no key string to build and hash per bar.
    let bySymbol = this.#series.get(symbol);
    if (!bySymbol) {
      bySymbol = new Map();
      this.#series.set(symbol, bySymbol);
    }
    let state = bySymbol.get(timeframe);
    if (!state) {
      state = {
        rows: new RowHistory(this.#options.config.recent_rows_limit),
        lastOpenTime: Number.NEGATIVE_INFINITY,
        confirmation: new RegimeConfirmation(this.#options.confirmBars ?? 3),
      };
      bySymbol.set(timeframe, state);
    }
    return state;
  }

  #tracksRegimes(): boolean {
    return this.#options.regimeDetector !== undefined && this.#options.config.track_regime_changes;
  }

  /**
   * Feeds a bar newer than the series' last one through the processor (keeping
   * its row) and, when regimes are tracked, the detector and the confirmation.
   * @returns the bar's row, and the regime change the bar confirmed, if any.
   */
  #feed(
    state: SeriesState,
    symbol: string,
    timeframe: Timeframe,
    bar: Bar,
  ): { row: IndicatorRow; change: RegimeChange | undefined } {
    let row: IndicatorRow;
    try {
      row = this.#options.processor.update({ symbol, timeframe }, bar);
    } catch (error) {
      this.increment('processing_errors');
      throw error;
    }
    state.lastOpenTime = bar.openTime;
    state.rows.push(row);
    const detector = this.#options.regimeDetector;
    if (!detector || !this.#options.config.track_regime_changes) return { row, change: undefined };
    return { row, change: state.confirmation.update(detector.update({ symbol, timeframe }, bar)) };
  }
}
