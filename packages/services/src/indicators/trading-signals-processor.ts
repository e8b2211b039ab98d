import type { Bar, IndicatorRow, SeriesKey, Timeframe } from '@quant/core';
import { ADX, ATR, BollingerBands, EMA, MACD, RSI, SMA } from 'trading-signals';
import type { IndicatorProcessor } from '../ports/indicator-processor.js';
import { appliesTo, type IndicatorSpec, indicatorOutputs } from './indicator-spec.js';

/** Feeds one bar to one indicator and writes its outputs (or `null` while not stable). */
type Updater = (bar: Bar, values: Record<string, number | null>) => void;

const stable = (ready: boolean, value: unknown): number | null =>
  ready && typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * The indicator's result once it is stable, else `null`. Asking before:
 * trading-signals' `getResult()` throws and catches a `NotEnoughDataError`
 * (a stack trace per call) to return `null`.
 */
const resultOf = (indicator: { readonly isStable: boolean; getResult(): unknown }): unknown =>
  indicator.isStable ? indicator.getResult() : null;

function updaterFor(spec: IndicatorSpec): Updater {
  switch (spec.type) {
    case 'ema':
    case 'sma':
    case 'rsi': {
      const indicator =
        spec.type === 'ema' ? new EMA(spec.period) : spec.type === 'sma' ? new SMA(spec.period) : new RSI(spec.period);
      return (bar, values) => {
        indicator.add(bar.close);
        values[spec.name] = stable(indicator.isStable, resultOf(indicator));
      };
    }
    case 'atr': {
      const indicator = new ATR(spec.period);
      return (bar, values) => {
        indicator.add(bar);
        values[spec.name] = stable(indicator.isStable, resultOf(indicator));
      };
    }
    case 'adx': {
      const indicator = new ADX(spec.period);
      return (bar, values) => {
        indicator.add(bar);
        const ready = indicator.isStable;
        values[spec.name] = stable(ready, resultOf(indicator));
        // trading-signals gives ±DI as fractions; scale to percent like ADX itself.
        values[`${spec.name}.pdi`] = stable(ready, typeof indicator.pdi === 'number' ? indicator.pdi * 100 : null);
        values[`${spec.name}.mdi`] = stable(ready, typeof indicator.mdi === 'number' ? indicator.mdi * 100 : null);
      };
    }
    case 'bbands': {
      const indicator = new BollingerBands(spec.period, spec.stddev);
      return (bar, values) => {
        indicator.add(bar.close);
        const result = indicator.isStable ? indicator.getResult() : null;
        values[`${spec.name}.upper`] = stable(result !== null, result?.upper);
        values[`${spec.name}.middle`] = stable(result !== null, result?.middle);
        values[`${spec.name}.lower`] = stable(result !== null, result?.lower);
      };
    }
    case 'macd': {
      const signal = new EMA(spec.signal);
      const indicator = new MACD(new EMA(spec.fast), new EMA(spec.slow), signal);
      return (bar, values) => {
        indicator.add(bar.close);
        const result = indicator.isStable ? indicator.getResult() : null;
        // MACD is "stable" once the MACD line is; its signal line, an EMA seeded with the first MACD
        // value, is stable only after `signal` MACD values, and the histogram with it.
        const signalReady = result !== null && signal.isStable;
        values[`${spec.name}.macd`] = stable(result !== null, result?.macd);
        values[`${spec.name}.signal`] = stable(signalReady, result?.signal);
        values[`${spec.name}.histogram`] = stable(signalReady, result?.histogram);
      };
    }
  }
}

/**
 * Bars after which every output of an indicator is non-null, from
 * trading-signals' `getRequiredInputs()`: EMA, SMA, ATR, Bollinger Bands: the
 * period; RSI: the period + 1 (one change per pair of closes); ADX: twice the
 * period − 1 (ADX smooths DX, itself smoothed over the period). MACD reports
 * `slow`, which covers only the MACD line: its signal line needs `signal` − 1
 * bars more (see the updater above).
 */
function requiredBars(spec: IndicatorSpec): number {
  switch (spec.type) {
    case 'ema':
      return new EMA(spec.period).getRequiredInputs();
    case 'sma':
      return new SMA(spec.period).getRequiredInputs();
    case 'rsi':
      return new RSI(spec.period).getRequiredInputs();
    case 'atr':
      return new ATR(spec.period).getRequiredInputs();
    case 'adx':
      return new ADX(spec.period).getRequiredInputs();
    case 'bbands':
      return new BollingerBands(spec.period, spec.stddev).getRequiredInputs();
    case 'macd': {
      const signal = new EMA(spec.signal);
      const macd = new MACD(new EMA(spec.fast), new EMA(spec.slow), signal);
      return macd.getRequiredInputs() + signal.getRequiredInputs() - 1;
    }
  }
}

/**
 * The shipped {@link IndicatorProcessor}, on the trading-signals library's
 * streaming indicators (`add`, `isStable`): EMA, SMA, RSI (Wilder), ATR
 * (Wilder), ADX with +DI/−DI (Wilder, "New Concepts in Technical Trading
 * Systems", 1978), Bollinger Bands (Bollinger, 2001) and MACD (Appel, 1979).
 * A value is `null` until its indicator is stable (for MACD's signal line and
 * histogram, until the signal line's EMA is); {@link TradingSignalsProcessor.warmupBars}
 * says how many bars that takes.
 */
export class TradingSignalsProcessor implements IndicatorProcessor {
  readonly #specs: readonly IndicatorSpec[];
  readonly #series = new Map<string, Updater[]>();

  /** @param specs - the indicators to compute, from the indicators file. */
  constructor(specs: readonly IndicatorSpec[]) {
    this.#specs = specs;
  }

  /**
   * The output names computed on `timeframe`.
   * @param timeframe - a timeframe name.
   */
  outputNames(timeframe: string): string[] {
    return this.#specs.filter((spec) => appliesTo(spec, timeframe)).flatMap(indicatorOutputs);
  }

  /**
   * Closed bars needed before every output on `timeframe` is stable (see
   * {@link IndicatorProcessor.warmupBars}): the most bars any indicator
   * computed on `timeframe` needs, from trading-signals' `getRequiredInputs()`:
   * the period for EMA, SMA, ATR and Bollinger Bands, period + 1 for RSI,
   * 2 × period − 1 for ADX, and for MACD `slow + signal − 1` (the library's
   * `slow` covers only the MACD line).
   * @param timeframe - a timeframe name.
   * @returns bars, 0 when no indicator is computed on `timeframe`.
   */
  warmupBars(timeframe: Timeframe): number {
    return Math.max(0, ...this.#specs.filter((spec) => appliesTo(spec, timeframe)).map(requiredBars));
  }

  /** {@inheritDoc IndicatorProcessor.update} */
  update(series: SeriesKey, bar: Bar): IndicatorRow {
    const key = `${series.symbol}|${series.timeframe}`;
    let updaters = this.#series.get(key);
    if (!updaters) {
      updaters = this.#specs.filter((spec) => appliesTo(spec, series.timeframe)).map(updaterFor);
      this.#series.set(key, updaters);
    }
    const values: Record<string, number | null> = {};
    for (const update of updaters) update(bar, values);
    return { openTime: bar.openTime, close: bar.close, values };
  }
}
