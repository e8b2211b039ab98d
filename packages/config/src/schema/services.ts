import type * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { choice, count, flag, seconds, section } from './fields.js';

/** `services.data_fetching`: polling the market data source and detecting closed bars. */
export const dataFetchingSchema = section(
  {
    enabled: flag(true, 'Run the data fetching service.'),
    fetch_interval: seconds(5, 'Seconds between two fetches (30 recommended for 1-minute bars).'),
    retry_attempts: count(3, 0, 'Retries of a failed fetch before DataFetchFailed is published.'),
    candle_index: count(1, 1, 'Which bar counts as the last closed one: 1 = the newest closed bar.'),
    nbr_bars: count(3, 1, 'Bars fetched per timeframe on each fetch.'),
  },
  'Data fetching service.',
);

/** `services.indicator_calculation`: indicators and regime detection. */
export const indicatorCalculationSchema = section(
  {
    enabled: flag(true, 'Run the indicator calculation service.'),
    recent_rows_limit: count(6, 1, 'Indicator rows kept per symbol and timeframe and sent with IndicatorsCalculated.'),
    track_regime_changes: flag(true, 'Detect regimes and publish RegimeChanged.'),
  },
  'Indicator calculation service.',
);

/** `services.strategy_evaluation`: turning indicator rows into entry and exit signals. */
export const strategyEvaluationSchema = section(
  {
    enabled: flag(true, 'Run the strategy evaluation service.'),
    evaluation_mode: choice(['on_new_candle'], 'on_new_candle', 'When strategies are evaluated.'),
    min_rows_required: count(3, 1, 'Indicator rows needed before strategies are evaluated.'),
  },
  'Strategy evaluation service.',
);

/** `services.trade_execution`: risk checks and order submission. */
export const tradeExecutionSchema = section(
  {
    enabled: flag(true, 'Run the trade execution service (false = monitoring only, no orders).'),
    execution_mode: choice(['immediate', 'batch'], 'immediate', 'Submit each signal at once, or in batches.'),
    batch_size: count(1, 1, 'Signals per batch in batch mode.'),
  },
  'Trade execution service.',
);

/** `services`: the four services of the pipeline. */
export const servicesSchema = section(
  {
    data_fetching: dataFetchingSchema,
    indicator_calculation: indicatorCalculationSchema,
    strategy_evaluation: strategyEvaluationSchema,
    trade_execution: tradeExecutionSchema,
  },
  'The services of the trading pipeline.',
);

/** The validated `services` section. */
export type ServicesConfig = DeepReadonly<v.InferOutput<typeof servicesSchema>>;
