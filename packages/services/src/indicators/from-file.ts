import type { IndicatorProcessor, RegimeDetector } from '../ports/indicator-processor.js';
import { AdxAtrRegimeDetector } from './adx-atr-regime-detector.js';
import type { IndicatorsFile } from './indicator-spec.js';
import { TradingSignalsProcessor } from './trading-signals-processor.js';

/** The indicator parts of a trading system, built from an indicators file. */
export interface IndicatorSetup {
  /** The processor of the file's indicators. */
  readonly processor: TradingSignalsProcessor & IndicatorProcessor;
  /** The regime detector with the file's regime settings. */
  readonly regimeDetector: RegimeDetector;
  /** Bars a new regime must hold. */
  readonly confirmBars: number;
}

/**
 * Builds the indicator processor and regime detector of an indicators file
 * (see `loadIndicators`).
 * @param file - the validated indicators file.
 */
export function indicatorsFromFile(file: IndicatorsFile): IndicatorSetup {
  return {
    processor: new TradingSignalsProcessor(file.indicators),
    regimeDetector: new AdxAtrRegimeDetector(file.regime),
    confirmBars: file.regime.confirm_bars,
  };
}
