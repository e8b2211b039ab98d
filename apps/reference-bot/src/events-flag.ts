import { UsageError } from './cli-error.js';

/**
 * What `events.jsonl` holds (`--events`): `trading` (every event but the
 * per-bar market data: orders, fills, positions, signals, risk, regime
 * changes, service lifecycle, data failures), `all` (every event), or
 * `none` (no file).
 */
export type EventsChoice = 'trading' | 'all' | 'none';

/** The choices of `--events`, the default first. */
export const EVENTS_CHOICES: readonly EventsChoice[] = ['trading', 'all', 'none'];

/**
 * The per-bar market-data events left out of `events.jsonl` by
 * `--events trading`: they are about 99.5 % of its bytes, and follow from
 * the data file and the indicators.
 */
export const MARKET_DATA_EVENTS: ReadonlySet<string> = new Set([
  'DataFetched',
  'HistoryLoaded',
  'NewCandle',
  'IndicatorsCalculated',
]);

/**
 * Parses `--events`.
 * @param text - the flag's value, or `undefined` for the default (`trading`).
 * @throws {@link UsageError} `BAD_FLAG` for another value.
 */
export function parseEventsFlag(text: string | undefined): EventsChoice {
  if (text === undefined) return 'trading';
  if ((EVENTS_CHOICES as readonly string[]).includes(text)) return text as EventsChoice;
  throw new UsageError(
    'BAD_FLAG',
    `--events "${text}" is not valid: expected trading (orders, fills, positions, signals, risk, regimes, lifecycle), all (every event, per bar too) or none`,
  );
}
