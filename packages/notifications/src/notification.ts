import type { Severity } from '@quant/store';

/**
 * What a notification is about, each routed by its own `notifications.<kind>` config:
 * - `fill`: an order was (partly) filled;
 * - `position`: a position was opened, or closed with its P&L;
 * - `alert`: a risk limit breached, trading blocked by the daily loss limit, a service failed, reconciliation
 *   halted trading (or adopted the venue's state);
 * - `recovery`: the recovery report of a start (how the previous run ended, what reconciliation restored and found);
 * - `daily_summary`: the day's trades, P&L, open positions, watchlist, equity and drawdown.
 */
export type NotificationKind = 'fill' | 'position' | 'alert' | 'recovery' | 'daily_summary';

/** The kinds, in the order of the docs. */
export const NOTIFICATION_KINDS: readonly NotificationKind[] = [
  'fill',
  'position',
  'alert',
  'recovery',
  'daily_summary',
];

/** A table of a notification: a heading, column names, and rows of text cells. */
export interface NotificationTable {
  readonly heading: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** What the table says when it has no rows, e.g. `none`. */
  readonly empty: string;
}

/**
 * A notification before it is rendered: the same model gives the email's text and HTML parts and the webhook's
 * JSON. Every value is plain text: the renderer escapes it.
 */
export interface Notification {
  /**
   * Deterministic: from the event it reports (`<kind>:<eventId>`) or the job run (`daily_summary:<day>`), so that
   * the outbox stores it once however often it is written.
   */
  readonly id: string;
  readonly kind: NotificationKind;
  readonly severity: Severity;
  /** One line: the email's subject (after the bot's tag), the webhook's `title`. */
  readonly title: string;
  /** Label and value rows, in order. */
  readonly fields: readonly (readonly [label: string, value: string])[];
  /** Tables after the fields (the daily summary's trades, positions, watchlist). */
  readonly tables: readonly NotificationTable[];
  /** The figures as JSON values (numbers as numbers): the webhook's `data`. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Alerts with the same key are sent at most once per coalescing window; `null`: never coalesced. */
  readonly coalesceKey: string | null;
  /** When it happened, ms since epoch UTC (the event's time, or the job's due time). */
  readonly createdAt: number;
}
