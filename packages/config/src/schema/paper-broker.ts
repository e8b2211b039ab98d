import type * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { amount, flag, section, text } from './fields.js';

/** `paper_broker`: the simulated account of backtests and paper trading. */
export const paperBrokerSchema = section(
  {
    currency: text('USDT', 'Account currency: the quote currency of the symbol traded.'),
    initial_cash: amount(100_000, 'Starting cash, quote currency.'),
    fee_bps: amount(10, 'Fee per fill, basis points of the notional (10 = 0.1 %).'),
    slippage_bps: amount(1, 'Slippage per fill against the order, basis points.'),
    native_stops: flag(
      true,
      'The simulated venue keeps stop-loss and take-profit orders and fills them at their level; false: the bot watches the levels and exits at the next bar, as on a venue without native stops (live --exchange).',
    ),
  },
  'Paper broker.',
);

/** The validated `paper_broker` section. */
export type PaperBrokerConfig = DeepReadonly<v.InferOutput<typeof paperBrokerSchema>>;
