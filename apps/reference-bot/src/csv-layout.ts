import type { CsvColumns } from '@quant/services';
import { UsageError } from './cli-error.js';

/** The layout flags of a data file: `--no-header` and `--columns`. */
export interface CsvLayoutFlags {
  /** `false` with `--no-header`: the first line is a bar. */
  readonly header?: boolean;
  /** `--columns`: the file's columns in order, e.g. `time,open,high,low,close,volume`. */
  readonly columns?: string;
}

/** What `CsvBarSource.load` is given for a file's layout. */
export interface CsvLayout {
  readonly header: boolean;
  /** Column indexes of the six fields, when `--columns` was given. */
  readonly columns?: CsvColumns;
}

const FIELDS = { time: 'openTime', open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' } as const;
const EXPECTED =
  'expected the file’s columns in order, each one of time, open, high, low, close, volume (each once) or _ for a column to skip, e.g. time,open,high,low,close,volume';

/**
 * Reads the data file layout flags. Timestamps need no flag: ISO 8601, epoch seconds and epoch milliseconds are
 * told apart value by value.
 * @throws {@link UsageError} `BAD_FLAG` for a `--columns` that does not name each field once.
 */
export function csvLayout(flags: CsvLayoutFlags): CsvLayout {
  const header = flags.header !== false;
  if (flags.columns === undefined) return { header };
  const names = flags.columns.split(',').map((name) => name.trim().toLowerCase());
  const indexes: Partial<Record<keyof CsvColumns, number>> = {};
  for (const [index, name] of names.entries()) {
    if (name === '_') continue;
    const field = FIELDS[name as keyof typeof FIELDS];
    if (field === undefined) {
      throw new UsageError('BAD_FLAG', `--columns "${flags.columns}": column ${index + 1} is "${name}": ${EXPECTED}`);
    }
    if (indexes[field] !== undefined) {
      throw new UsageError('BAD_FLAG', `--columns "${flags.columns}": ${name} is named twice: ${EXPECTED}`);
    }
    indexes[field] = index;
  }
  const missing = Object.entries(FIELDS).filter(([, field]) => indexes[field] === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      'BAD_FLAG',
      `--columns "${flags.columns}" lacks ${missing.map(([name]) => name).join(', ')}: ${EXPECTED}`,
    );
  }
  return { header, columns: indexes as CsvColumns };
}
