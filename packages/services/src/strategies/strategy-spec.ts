import { timeframeSchema } from '@quant/config';
import * as v from 'valibot';

/** Comparison and cross operators of a rule. */
export const RULE_OPERATORS = ['>', '>=', '<', '<=', 'crosses_above', 'crosses_below'] as const;

/** A finite number (YAML's `.inf` and `1e400` are not). */
const finite = v.pipe(v.number(), v.finite());

/** A rule operand: an indicator output name, `close` (or `price`), or a finite number. */
export const operandSchema = v.union([v.pipe(v.string(), v.nonEmpty()), finite]);

/** `left op right`, e.g. `{ left: ema_fast, op: crosses_above, right: ema_slow }`. */
export const ruleSchema = v.object({
  left: operandSchema,
  op: v.picklist(
    RULE_OPERATORS,
    (issue) =>
      `unknown operator ${typeof issue.input === 'string' ? JSON.stringify(issue.input) : issue.received}; expected one of ${RULE_OPERATORS.join(', ')}`,
  ),
  right: operandSchema,
});

/** A rule, or `all` / `any` of conditions (nestable). */
export type Condition =
  | v.InferOutput<typeof ruleSchema>
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] };

const allSchema = v.object({ all: v.pipe(v.array(v.lazy(() => conditionSchema)), v.minLength(1)) });
const anySchema = v.object({ any: v.pipe(v.array(v.lazy(() => conditionSchema)), v.minLength(1)) });

/**
 * Schema of a {@link Condition}: a mapping with `all` or `any` is a
 * combination, any other a rule. Choosing by the keys, rather than trying each
 * form, lets a mistake be reported precisely (`unknown operator "=>"` at `op`).
 */
export const conditionSchema: v.GenericSchema<Condition> = v.lazy((input) => {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    if ('all' in input) return allSchema;
    if ('any' in input) return anySchema;
  }
  return ruleSchema;
});

const byDirection = v.object({ long: v.optional(conditionSchema), short: v.optional(conditionSchema) });

/** Stop-loss: a fixed distance (quote currency), a percent of the price, or a multiple of an ATR output. */
export const stopLossSchema = v.variant('type', [
  v.object({ type: v.literal('fixed'), distance: v.pipe(finite, v.gtValue(0)) }),
  v.object({ type: v.literal('percent'), percent: v.pipe(finite, v.gtValue(0), v.ltValue(100)) }),
  v.object({
    type: v.literal('atr'),
    multiple: v.pipe(finite, v.gtValue(0)),
    indicator: v.optional(v.string(), 'atr'),
  }),
]);

/** Take-profit: a percent of the price, or a multiple of the risk (entry to stop distance). */
export const takeProfitSchema = v.variant('type', [
  v.object({ type: v.literal('percent'), percent: v.pipe(finite, v.gtValue(0)) }),
  v.object({ type: v.literal('risk_multiple'), multiple: v.pipe(finite, v.gtValue(0)) }),
]);

/** Sizing: a fixed quantity (base units), or a percent of equity at risk down to the stop. */
export const sizingSchema = v.variant('type', [
  v.object({ type: v.literal('fixed'), quantity: v.pipe(finite, v.gtValue(0)) }),
  v.object({ type: v.literal('risk_percent'), percent: v.pipe(finite, v.gtValue(0), v.maxValue(100)) }),
]);

/** One strategy of the strategies file. */
export const strategySpecSchema = v.pipe(
  v.object({
    name: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'expected a name of letters, digits, _ and -')),
    enabled: v.optional(v.boolean(), true),
    symbol: v.optional(v.pipe(v.string(), v.nonEmpty())),
    symbols: v.optional(v.pipe(v.array(v.pipe(v.string(), v.nonEmpty())), v.minLength(1))),
    timeframe: timeframeSchema,
    regimes: v.optional(
      v.object({
        trend: v.optional(v.array(v.picklist(['trend_up', 'trend_down', 'range']))),
        volatility: v.optional(v.array(v.picklist(['high', 'normal', 'low']))),
      }),
    ),
    entry: byDirection,
    exit: v.optional(byDirection, {}),
    stop_loss: v.optional(stopLossSchema),
    take_profit: v.optional(takeProfitSchema),
    sizing: sizingSchema,
  }),
  v.check(
    (spec) => spec.symbol === undefined || spec.symbols === undefined,
    'expected symbol (one) or symbols (a list), not both',
  ),
  v.check(
    (spec) => spec.entry.long !== undefined || spec.entry.short !== undefined,
    'entry needs a long or a short condition',
  ),
  v.check(
    (spec) => spec.take_profit?.type !== 'risk_multiple' || spec.stop_loss !== undefined,
    'take_profit risk_multiple needs a stop_loss',
  ),
  v.check(
    (spec) => spec.sizing.type !== 'risk_percent' || spec.stop_loss !== undefined,
    'sizing risk_percent needs a stop_loss',
  ),
);

/** A validated strategy definition. */
export type StrategySpec = v.InferOutput<typeof strategySpecSchema>;

/**
 * The strategies file. Names must be unique too: `loadStrategies` reports a
 * repeated name at the repeat, with the place of the first.
 */
export const strategiesFileSchema = v.object({ strategies: v.pipe(v.array(strategySpecSchema), v.minLength(1)) });
