import { type CONFIG_TIMEFRAMES, timeframeSchema } from '@quant/config';
import * as v from 'valibot';

const period = (fallback: number) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), fallback);
const common = {
  name: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]*$/, 'expected a lower-case name such as ema_fast')),
  timeframes: v.optional(v.array(timeframeSchema)),
};

/**
 * One indicator of the indicators file: its output name, its type and
 * parameters, and the timeframes it is computed on (all when omitted).
 * Outputs: `ema`, `sma`, `rsi`, `atr` give `name`; `adx` gives `name`,
 * `name.pdi`, `name.mdi` (percent); `bbands` gives `name.upper`,
 * `name.middle`, `name.lower`; `macd` gives `name.macd`, `name.signal`,
 * `name.histogram`.
 */
export const indicatorSpecSchema = v.variant('type', [
  v.object({ ...common, type: v.literal('ema'), period: period(20) }),
  v.object({ ...common, type: v.literal('sma'), period: period(20) }),
  v.object({ ...common, type: v.literal('rsi'), period: period(14) }),
  v.object({ ...common, type: v.literal('atr'), period: period(14) }),
  v.object({ ...common, type: v.literal('adx'), period: period(14) }),
  v.object({
    ...common,
    type: v.literal('bbands'),
    period: period(20),
    stddev: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 2),
  }),
  v.object({ ...common, type: v.literal('macd'), fast: period(12), slow: period(26), signal: period(9) }),
]);

/** A validated indicator definition. */
export type IndicatorSpec = v.InferOutput<typeof indicatorSpecSchema>;

/**
 * Settings of the regime detector (see {@link AdxAtrRegimeDetector}):
 * trend from ADX and the slope of an EMA, volatility from the percentile of
 * ATR over a lookback, and how many bars a new regime must hold.
 */
export const regimeSpecSchema = v.object({
  adx_period: period(14),
  adx_threshold: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100)), 25),
  ema_period: period(50),
  slope_lookback: period(5),
  atr_period: period(14),
  volatility_lookback: period(100),
  high_percentile: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100)), 80),
  low_percentile: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100)), 20),
  confirm_bars: period(3),
});

/** Validated regime settings. */
export type RegimeSpec = v.InferOutput<typeof regimeSpecSchema>;

/**
 * The indicators file: a list of indicators and the regime settings.
 * `loadIndicators` also checks what one value cannot tell: unique names (a
 * repeat is reported at the repeat, naming the first), a MACD's `fast` below
 * its `slow`, `high_percentile` not below `low_percentile`.
 */
export const indicatorsFileSchema = v.object({
  indicators: v.pipe(v.array(indicatorSpecSchema), v.minLength(1)),
  regime: v.optional(regimeSpecSchema, {}),
});

/** A validated indicators file. */
export type IndicatorsFile = v.InferOutput<typeof indicatorsFileSchema>;

/**
 * The output names of an indicator, e.g. `['adx', 'adx.pdi', 'adx.mdi']`.
 * @param spec - the indicator.
 */
export function indicatorOutputs(spec: IndicatorSpec): string[] {
  switch (spec.type) {
    case 'adx':
      return [spec.name, `${spec.name}.pdi`, `${spec.name}.mdi`];
    case 'bbands':
      return [`${spec.name}.upper`, `${spec.name}.middle`, `${spec.name}.lower`];
    case 'macd':
      return [`${spec.name}.macd`, `${spec.name}.signal`, `${spec.name}.histogram`];
    default:
      return [spec.name];
  }
}

/**
 * Whether an indicator is computed on `timeframe`.
 * @param spec - the indicator.
 * @param timeframe - a timeframe name.
 */
export function appliesTo(spec: IndicatorSpec, timeframe: string): boolean {
  return spec.timeframes === undefined || spec.timeframes.includes(timeframe as (typeof CONFIG_TIMEFRAMES)[number]);
}
