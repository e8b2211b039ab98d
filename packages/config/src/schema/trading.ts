import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { section, text } from './fields.js';
import { timeframeSchema } from './timeframe.js';

/** `trading`: what the bot trades. */
export const tradingSchema = section(
  {
    bot_id: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^[A-Za-z0-9]{1,12}$/, 'a bot id of 1 to 12 letters or digits'),
        v.description(
          'Prefix of every client order id this bot sends (1 to 12 letters or digits): give each bot on one account its own.',
        ),
      ),
      'quant',
    ),
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
