import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { section, text } from './fields.js';
import { timeframeSchema } from './timeframe.js';

/** `trading`: what the bot trades. */
export const tradingSchema = section(
  {
    symbol: text('EURUSD', 'Instrument traded, e.g. BTCUSDT. Legacy variable: SYMBOL.'),
    timeframes: v.optional(
      v.pipe(
        v.array(timeframeSchema),
        v.minLength(1),
        v.description(
          'Timeframes fetched and evaluated, e.g. [1m, 5m, 15m] (or the original 1, 5, 15). Legacy variable: TIMEFRAMES.',
        ),
      ),
      ['1m', '5m', '15m'],
    ),
  },
  'Trading.',
);

/** The validated `trading` section. */
export type TradingConfig = DeepReadonly<v.InferOutput<typeof tradingSchema>>;
