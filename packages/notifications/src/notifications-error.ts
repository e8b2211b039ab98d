import { hasMarker, QuantError, type QuantErrorOptions } from '@quant/core';

const MARKER = '@quant/notifications.NotificationsError';
const marker = Symbol.for(MARKER);

/**
 * Codes of {@link NotificationsError}:
 * - `BAD_CRON`: a schedule is not a cron expression croner accepts (`30 16 * * 1-5`: minute, hour, day of month,
 *   month, weekday; an optional leading seconds field);
 * - `BAD_TIME_ZONE`: a time zone that is not an IANA name this Node.js knows (`America/New_York`, `UTC`);
 * - `BAD_DAY`: a day that is not a calendar date `YYYY-MM-DD`;
 * - `BAD_ROUTE`: a route names a channel that is not configured, or two channels share a name;
 * - `BAD_CHANNEL`: a channel's settings are incomplete (an SMTP host without a sender or recipients).
 */
export type NotificationsErrorCode = 'BAD_CRON' | 'BAD_TIME_ZONE' | 'BAD_DAY' | 'BAD_ROUTE' | 'BAD_CHANNEL';

/** Thrown by `@quant/notifications` for bad input; narrow by `code` (see {@link NotificationsErrorCode}). */
export class NotificationsError extends QuantError<NotificationsErrorCode> {
  readonly [marker] = true;

  /**
   * @param code - the stable error code.
   * @param message - what was given and what was expected.
   * @param options - `cause`: the underlying error.
   */
  constructor(code: NotificationsErrorCode, message: string, options: QuantErrorOptions = {}) {
    super(code, message, options);
  }

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is NotificationsError {
    return hasMarker(value, MARKER);
  }
}
