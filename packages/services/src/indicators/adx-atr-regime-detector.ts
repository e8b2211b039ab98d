import type { Bar, Regime, SeriesKey, TrendRegime, VolatilityRegime } from '@quant/core';
import { ADX, ATR, EMA } from 'trading-signals';
import type { RegimeDetector } from '../ports/indicator-processor.js';
import type { RegimeSpec } from './indicator-spec.js';

interface SeriesState {
  readonly adx: ADX;
  readonly ema: EMA;
  readonly atr: ATR;
  readonly emaHistory: number[];
  readonly atrHistory: number[];
}

/**
 * The shipped {@link RegimeDetector}.
 *
 * Trend: ADX at or above `adx_threshold` (25 by default, Wilder's level for a
 * trending market, "New Concepts in Technical Trading Systems", 1978) means a
 * trend, whose direction is the sign of the EMA's change over
 * `slope_lookback` bars; below it, `range`.
 *
 * Volatility: the percentile rank of the current ATR among the last
 * `volatility_lookback` ATR values (current included): at or above
 * `high_percentile` is `high`, at or below `low_percentile` is `low`,
 * otherwise `normal`.
 *
 * It answers `null` until ADX, ATR and both histories are full, that is for
 * the first {@link AdxAtrRegimeDetector.warmupBars} − 1 bars.
 */
export class AdxAtrRegimeDetector implements RegimeDetector {
  readonly #spec: RegimeSpec;
  readonly #series = new Map<string, SeriesState>();

  /** @param spec - periods, thresholds and lookbacks, from the indicators file. */
  constructor(spec: RegimeSpec) {
    this.#spec = spec;
  }

  /**
   * Closed bars needed before {@link AdxAtrRegimeDetector.update} stops
   * answering `null` (see {@link RegimeDetector.warmupBars}). The same on
   * every timeframe: the most of ADX's required inputs
   * (trading-signals' `getRequiredInputs()`: `2 × adx_period − 1`), the EMA's
   * (`ema_period`) plus `slope_lookback` (the slope compares the EMA with its
   * value `slope_lookback` bars before), and ATR's (`atr_period`) plus
   * `volatility_lookback − 1` (the percentile needs that many ATR values).
   */
  warmupBars(): number {
    const spec = this.#spec;
    return Math.max(
      new ADX(spec.adx_period).getRequiredInputs(),
      new EMA(spec.ema_period).getRequiredInputs() + spec.slope_lookback,
      new ATR(spec.atr_period).getRequiredInputs() + spec.volatility_lookback - 1,
    );
  }

  /** {@inheritDoc RegimeDetector.update} */
  update(series: SeriesKey, bar: Bar): Regime | null {
    const state = this.#state(series);
    state.adx.add(bar);
    state.ema.add(bar.close);
    state.atr.add(bar);
    const ema = state.ema.isStable ? state.ema.getResult() : null;
    const atr = state.atr.isStable ? state.atr.getResult() : null;
    if (ema !== null) push(state.emaHistory, ema, this.#spec.slope_lookback + 1);
    if (atr !== null) push(state.atrHistory, atr, this.#spec.volatility_lookback);
    const adx = state.adx.isStable ? state.adx.getResult() : null;
    if (
      adx === null ||
      atr === null ||
      state.emaHistory.length <= this.#spec.slope_lookback ||
      state.atrHistory.length < this.#spec.volatility_lookback
    ) {
      return null;
    }
    return { trend: this.#trend(adx, state.emaHistory), volatility: this.#volatility(atr, state.atrHistory) };
  }

  #trend(adx: number, emaHistory: readonly number[]): TrendRegime {
    if (adx < this.#spec.adx_threshold) return 'range';
    const slope = (emaHistory[emaHistory.length - 1] as number) - (emaHistory[0] as number);
    if (slope > 0) return 'trend_up';
    if (slope < 0) return 'trend_down';
    return 'range';
  }

  #volatility(atr: number, history: readonly number[]): VolatilityRegime {
    let atOrBelow = 0;
    for (const value of history) if (value <= atr) atOrBelow++;
    const percentile = (atOrBelow / history.length) * 100;
    if (percentile >= this.#spec.high_percentile) return 'high';
    if (percentile <= this.#spec.low_percentile) return 'low';
    return 'normal';
  }

  #state(series: SeriesKey): SeriesState {
    const key = `${series.symbol}|${series.timeframe}`;
    let state = this.#series.get(key);
    if (!state) {
      state = {
        adx: new ADX(this.#spec.adx_period),
        ema: new EMA(this.#spec.ema_period),
        atr: new ATR(this.#spec.atr_period),
        emaHistory: [],
        atrHistory: [],
      };
      this.#series.set(key, state);
    }
    return state;
  }
}

function push(history: number[], value: number, limit: number): void {
  history.push(value);
  if (history.length > limit) history.shift();
}
