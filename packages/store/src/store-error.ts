import { hasMarker, QuantError, type QuantErrorOptions } from '@quant/core';

const STORE_MARKER = '@quant/store.StoreError';
const storeMarker = Symbol.for(STORE_MARKER);

/**
 * Codes of {@link StoreError}:
 * - `STORE_BAD_URL`: `store.url` is neither a SQLite file path nor a `postgres://` / `postgresql://` URL, or it
 *   carries a password (give it in the environment: `PGPASSWORD`);
 * - `STORE_UNREACHABLE`: the database could not be opened or connected to (the message names the database
 *   without any password);
 * - `STORE_DATABASE_NEWER`: the database holds migrations this version of `@quant/store` does not know: it was
 *   written by a newer version; upgrade the bot rather than open it;
 * - `STORE_MIGRATION_FAILED`: a migration failed (the database stays at the last migration that succeeded);
 * - `STORE_WRITE_FAILED`: an append, a run update, a rebuild or a prune failed and was rolled back as a whole;
 * - `STORE_BACKUP_FAILED`: the backup could not be written (the target exists, the store is PostgreSQL, …);
 * - `STORE_CLOSED`: the store was used after {@link EventStore.close}.
 */
export type StoreErrorCode =
  | 'STORE_BAD_URL'
  | 'STORE_UNREACHABLE'
  | 'STORE_DATABASE_NEWER'
  | 'STORE_MIGRATION_FAILED'
  | 'STORE_WRITE_FAILED'
  | 'STORE_BACKUP_FAILED'
  | 'STORE_CLOSED';

/**
 * Thrown by the event store; narrow by `code` (see {@link StoreErrorCode}). `cause` keeps the driver's error
 * (better-sqlite3's `SqliteError`, pg's `DatabaseError`).
 */
export class StoreError extends QuantError<StoreErrorCode> {
  readonly [storeMarker] = true;

  /**
   * @param code - the stable error code.
   * @param message - what went wrong and where.
   * @param options - `cause`: the driver's error.
   */
  constructor(code: StoreErrorCode, message: string, options: QuantErrorOptions = {}) {
    super(code, message, options);
  }

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is StoreError {
    return hasMarker(value, STORE_MARKER);
  }
}

/**
 * A write's failure as `STORE_WRITE_FAILED` (a {@link StoreError} already is one is passed through).
 * @param error - what the driver threw.
 * @param what - the write, e.g. `append of 12 events`.
 * @internal
 */
export function writeFailed(error: unknown, what: string): StoreError {
  if (StoreError.isInstance(error)) return error;
  return new StoreError('STORE_WRITE_FAILED', `${what} failed and was rolled back: ${message(error)}`, {
    cause: error,
  });
}

/**
 * The message of anything thrown.
 * @internal
 */
export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
