import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { section } from './fields.js';
import { timeframeSchema } from './timeframe.js';

/** A symbol as the venue names it: 1 to 40 letters, digits and `._/:-`, e.g. `BTCUSDT`, `BTC/USDT`, `BTC/USDT:USDT`. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9._/:-]{1,40}$/;

const symbolSchema = v.pipe(
  v.string(),
  v.regex(SYMBOL_PATTERN, 'expected a symbol of 1 to 40 letters, digits or ._/:- (e.g. BTCUSDT or BTC/USDT)'),
);

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
    symbol: v.optional(
      v.pipe(
        symbolSchema,
        v.description(
          'The instrument traded, when there is one, e.g. BTCUSDT. Legacy variable: SYMBOL. See trading.symbols for several; after loading, this is the first of them.',
        ),
      ),
      'EURUSD',
    ),
    symbols: v.optional(
      v.pipe(
        v.array(symbolSchema),
        v.description(
          'The instruments traded, e.g. [BTCUSDT, ETHUSDT] (TRADING_SYMBOLS=BTCUSDT,ETHUSDT). When both this and trading.symbol are set, the more specific source wins (environment over code over file); both in one source is an error. After loading, always the list traded (trading.symbol alone gives a list of one).',
        ),
      ),
      [],
    ),
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
