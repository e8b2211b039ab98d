import { UsageError } from './cli-error.js';

/**
 * Checks `--db`: a SQLite file path or a postgres:// URL (the store checks the rest when it opens).
 * @throws {@link UsageError} `BAD_FLAG` when it is empty.
 */
export function checkDbFlag(text: string): string {
  if (text.trim() === '') {
    throw new UsageError(
      'BAD_FLAG',
      `--db "${text}" is empty: expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL`,
    );
  }
  return text;
}
