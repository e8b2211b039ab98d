import { ConfigError, type ConfigErrorCode, formatConfigError } from '@quant/config';
import { hasMarker, QuantError } from '@quant/core';
import type { ExchangeSimErrorCode } from '@quant/exchange-sim';
import type { NotificationsErrorCode } from '@quant/notifications';
import type { ServicesErrorCode } from '@quant/services';
import type { StoreErrorCode } from '@quant/store';
import { CommanderError } from 'commander';

const MARKER = '@quant/reference-bot.UsageError';
const marker = Symbol.for(MARKER);

/**
 * Codes of {@link UsageError}:
 * - `BAD_FLAG`: a flag's value is not valid (the message names the flag and what was expected);
 * - `DATA_FILE_NOT_FOUND`: no data file was given and none was found, or the one given does not exist;
 * - `NOT_A_FILE`: an input path (`--config`, `--strategies`, `--indicators`) is a directory, FIFO or device;
 * - `NO_BARS`: the data file holds no bar, or `--from`/`--to` select none;
 * - `OUTPUT_UNWRITABLE`: the `--out` folder cannot be created or written;
 * - `BACKUP_UNSUPPORTED`: `quant-bot db backup` on PostgreSQL (pg_dump is the tool);
 * - `DB_NOT_FOUND`: `quant-bot db status` or `db backup` on a SQLite file that does not exist;
 * - `VENUE_UNREACHABLE`: the venue (or its `--exchange-url`) does not answer at start.
 */
export type UsageErrorCode =
  | 'BAD_FLAG'
  | 'DATA_FILE_NOT_FOUND'
  | 'NOT_A_FILE'
  | 'NO_BARS'
  | 'OUTPUT_UNWRITABLE'
  | 'BACKUP_UNSUPPORTED'
  | 'DB_NOT_FOUND'
  | 'VENUE_UNREACHABLE';

/**
 * Thrown for a bad command line or missing input: the message is shown as it
 * is (it names the flag or file and what was expected), exit code 2.
 */
export class UsageError extends QuantError<UsageErrorCode> {
  readonly [marker] = true;

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is UsageError {
    return hasMarker(value, MARKER);
  }
}

/**
 * The codes that mean bad input (exit code 2): the user can fix the command
 * line, a file or the configuration. Every other error is internal (exit 1).
 * This is the one place that decides.
 */
export const BAD_INPUT_CODES: ReadonlySet<string> = new Set(
  // Records, not lists: a code added to one of these unions fails to compile until it is classified here.
  Object.keys({
    BAD_FLAG: true,
    DATA_FILE_NOT_FOUND: true,
    NOT_A_FILE: true,
    NO_BARS: true,
    OUTPUT_UNWRITABLE: true,
    BACKUP_UNSUPPORTED: true,
    DB_NOT_FOUND: true,
    VENUE_UNREACHABLE: true,
  } satisfies Record<UsageErrorCode, true>).concat(
    Object.keys({
      CONFIG_INVALID: true,
      CONFIG_YAML_SYNTAX: true,
      CONFIG_YAML_ALIASES: true,
      CONFIG_FILE_UNREADABLE: true,
      CONFIG_NOT_A_FILE: true,
      CONFIG_TOO_LARGE: true,
      ENV_FILE_INVALID: true,
    } satisfies Record<ConfigErrorCode, true>),
    Object.keys({
      CSV_UNREADABLE: true,
      CSV_NOT_A_FILE: true,
      CSV_INVALID: true,
      UNKNOWN_SYMBOL: true,
      INVALID_ANALYSIS_INPUT: true,
    } satisfies Record<ServicesErrorCode, true>),
    // The test exchange's start-up: every one is the user's to fix (a file, a port, a state file of another run).
    Object.keys({
      EXSIM_BAD_OPTIONS: true,
      EXSIM_DATA_UNREADABLE: true,
      EXSIM_PORT_IN_USE: true,
      EXSIM_STATE_UNREADABLE: true,
    } satisfies Record<ExchangeSimErrorCode, true>),
    // Notifications: a schedule, a time zone, a day, a channel or a route the user wrote.
    Object.keys({
      BAD_CRON: true,
      BAD_TIME_ZONE: true,
      BAD_DAY: true,
      BAD_ROUTE: true,
      BAD_CHANNEL: true,
    } satisfies Record<NotificationsErrorCode, true>),
    // The store's: a bad store.url or --db, a database that cannot be reached, or one a newer version wrote, and a
    // backup file that exists are the user's to fix; a failed write or migration is not.
    Object.entries({
      STORE_BAD_URL: true,
      STORE_UNREACHABLE: true,
      STORE_DATABASE_NEWER: true,
      STORE_BACKUP_FAILED: true,
      STORE_MIGRATION_FAILED: false,
      STORE_WRITE_FAILED: false,
      STORE_CLOSED: false,
    } satisfies Record<StoreErrorCode, boolean>)
      .filter(([, bad]) => bad)
      .map(([code]) => code),
  ),
);

/**
 * Tells whether `error` is bad input: a typed error (a `@quant` error or a
 * {@link UsageError}) whose `code` is one of {@link BAD_INPUT_CODES}.
 * @param error - anything thrown.
 */
export function isBadInput(error: unknown): boolean {
  return QuantError.isInstance(error) && BAD_INPUT_CODES.has(error.code);
}

/**
 * Formats an error for the terminal. Bad input (see {@link isBadInput}:
 * configuration, strategy or indicator files, data files, flags, output
 * paths) gets its message, which names the file, line, key or flag and what
 * was expected; anything else is an internal error. A command-line error from
 * commander was already printed by commander: its text is empty. The stack is
 * shown only when `debug` is set.
 * @returns the text to print (nothing when empty) and the exit code: 0 for
 *   help, 2 for bad input, 1 otherwise.
 */
export function describeFailure(error: unknown, debug: boolean): { readonly text: string; readonly exitCode: number } {
  if (error instanceof CommanderError) return { text: '', exitCode: error.exitCode === 0 ? 0 : 2 };
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  if (ConfigError.isInstance(error)) {
    return { text: `${formatConfigError(error)}${stack}`, exitCode: isBadInput(error) ? 2 : 1 };
  }
  if (QuantError.isInstance(error)) {
    return { text: `Error [${error.code}]: ${error.message}${stack}`, exitCode: isBadInput(error) ? 2 : 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    text: `Internal error: ${message}${stack || (error instanceof Error && error.stack ? `\n${error.stack}` : '')}`,
    exitCode: 1,
  };
}
