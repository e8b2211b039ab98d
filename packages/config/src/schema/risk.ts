import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { amount, count, section } from './fields.js';

const HOURS = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;

/**
 * A news window in ISO 8601 interval notation, `start/end`, e.g.
 * `2023-03-10T13:25:00Z/2023-03-10T14:00:00Z`; parsed to ms since epoch, UTC.
 */
export const newsWindowSchema = v.pipe(
  v.string(),
  v.transform((text) => {
    const [start = '', end = ''] = text.split('/');
    return { start: Date.parse(start.trim()), end: Date.parse(end.trim()), text };
  }),
  v.check(
    (window) => Number.isFinite(window.start) && Number.isFinite(window.end) && window.end > window.start,
    (issue) => `expected an ISO 8601 interval "start/end" with end after start, got "${issue.input.text}"`,
  ),
  v.transform(({ start, end }) => ({ start, end })),
);

/** `risk`: limits the risk manager enforces. */
export const riskSchema = section(
  {
    daily_loss_limit: amount(1000, 'Largest loss allowed per UTC day (realized plus unrealized), quote currency.'),
    max_positions: count(10, 0, 'Most positions open at once.'),
    max_position_size: amount(
      1,
      'Largest position a strategy may open on a symbol (an entry order), base units; see max_position_sizes for a symbol of its own.',
    ),
    max_position_sizes: v.optional(
      v.pipe(
        v.record(v.string(), v.pipe(v.number(), v.finite(), v.minValue(0))),
        v.description(
          'max_position_size per symbol, base units, e.g. { BTCUSDT: 0.5, ETHUSDT: 10 } (RISK_MAX_POSITION_SIZES=BTCUSDT=0.5,ETHUSDT=10); symbols not listed use max_position_size.',
        ),
      ),
      {},
    ),
    max_leverage: v.optional(
      v.pipe(
        v.number(),
        v.finite(),
        v.gtValue(0),
        v.description('Open notional allowed, as a multiple of equity (1 = no leverage).'),
      ),
      1,
    ),
    news_blocks: v.optional(
      v.pipe(
        v.array(newsWindowSchema),
        v.description(
          'Windows without new entries, as ISO 8601 intervals start/end (UTC), e.g. 2023-03-10T13:25Z/2023-03-10T14:00Z.',
        ),
      ),
      [],
    ),
    trading_hours: v.optional(
      v.pipe(
        v.string(),
        v.regex(HOURS, 'expected HH:MM-HH:MM (UTC), e.g. 08:00-22:00'),
        v.description('UTC hours in which new entries are allowed, HH:MM-HH:MM; 00:00-24:00 is always.'),
      ),
      '00:00-24:00',
    ),
  },
  'Risk limits.',
);

/** The validated `risk` section. */
export type RiskConfig = DeepReadonly<v.InferOutput<typeof riskSchema>>;
