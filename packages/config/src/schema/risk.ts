import type * as v from 'valibot';
import { amount, count, section } from './fields.js';

/** `risk`: limits the risk manager enforces. */
export const riskSchema = section(
  {
    daily_loss_limit: amount(1000, 'Largest loss allowed per UTC day (realized plus unrealized), quote currency.'),
    max_positions: count(10, 0, 'Most positions open at once.'),
    max_position_size: amount(1, 'Largest position, base units.'),
  },
  'Risk limits.',
);

/** The validated `risk` section. */
export type RiskConfig = v.InferOutput<typeof riskSchema>;
