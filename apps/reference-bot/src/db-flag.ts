import { storeUrlProblem } from '@quant/config';
import { UsageError } from './cli-error.js';

/**
 * Checks `--db`: a SQLite file path or a postgres:// URL without a password, by the rules of `store.url` (the
 * store checks the rest, e.g. that the server answers, when it opens). The value is not echoed: it may hold a
 * password.
 * @throws {@link UsageError} `BAD_FLAG` naming `--db` and what was expected.
 */
export function checkDbFlag(text: string): string {
  const problem = storeUrlProblem(text);
  if (problem !== undefined) throw new UsageError('BAD_FLAG', `--db: ${problem}`);
  return text;
}
