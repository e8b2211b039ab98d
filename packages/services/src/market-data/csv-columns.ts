import { closeSync, openSync, readSync } from 'node:fs';
import { ServicesError } from '../errors.js';
import type { CsvColumns } from './csv-bar-source.js';
import { excerpt } from './parse-bar-row.js';

const DEFAULT_NAMES: CsvColumns = {
  openTime: 'open_time',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
};
const FIELD_ORDER = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;
const LABELS = ['open time', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Where the six fields are in a record, or which one a header lacks. */
export type ColumnMatch =
  /** The 0-based indexes of open time, open, high, low, close and volume. */
  | { readonly indexes: number[] }
  /** The first field (0 for open time, 5 for volume) not in the header, and the name looked for. */
  | { readonly missing: number; readonly name: string };

/**
 * Finds the six fields in a record: where `columns` says, else under the
 * default header names (with a header row) or in columns 0 to 5 (without).
 * Header names are matched trimmed and in any case.
 * @param columns - the caller's mapping.
 * @param headerRow - the header record, or `undefined` for a file without one.
 */
export function matchColumns(
  columns: Partial<CsvColumns> | undefined,
  headerRow: readonly string[] | undefined,
): ColumnMatch {
  const indexes: number[] = [];
  for (const [position, field] of FIELD_ORDER.entries()) {
    const wanted = columns?.[field] ?? (headerRow ? DEFAULT_NAMES[field] : position);
    if (typeof wanted === 'number') {
      indexes.push(wanted);
      continue;
    }
    const index = headerRow?.findIndex((name) => name.trim().toLowerCase() === wanted.toLowerCase()) ?? -1;
    if (index < 0) return { missing: position, name: wanted };
    indexes.push(index);
  }
  return { indexes };
}

/**
 * The error for a header without one of the six fields.
 * @param columns - the caller's mapping.
 * @param match - what {@link matchColumns} found missing.
 * @param file - the file.
 * @param line - the header's line (0 for a file without a header).
 * @returns a {@link ServicesError} `CSV_INVALID` naming `file:line`, the
 *   column missing, the header expected and the file's start.
 */
export function missingColumnError(
  columns: Partial<CsvColumns> | undefined,
  match: { readonly missing: number; readonly name: string },
  file: string,
  line: number,
): ServicesError {
  return new ServicesError(
    'CSV_INVALID',
    `${file}:${line}: no column "${excerpt(match.name)}" for the ${LABELS[match.missing]}: ${expectedHeader(columns)}; the file starts with "${fileStart(file)}"`,
    { file, line },
  );
}

/** How messages name the six cells: `low (column 4)`. */
export function columnLabels(indexes: readonly number[]): string[] {
  return indexes.map((index, position) => `${LABELS[position]} (column ${index + 1})`);
}

/** What the header should be, in words. */
export function expectedHeader(columns: Partial<CsvColumns> | undefined): string {
  const names = FIELD_ORDER.map((field) => columns?.[field] ?? DEFAULT_NAMES[field]);
  return names.every((name) => typeof name === 'string')
    ? `expected a header line naming the columns ${names.join(',')}`
    : `expected the columns ${FIELD_ORDER.map((field, i) => `${field}=${names[i]}`).join(', ')}`;
}

/** The file's first line (at most 40 characters), escaped for a message; `''` if it cannot be read. */
export function fileStart(file: string): string {
  const buffer = Buffer.alloc(256);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const bytes = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
    const end = bytes.findIndex((byte) => byte === 0x0a || byte === 0x0d);
    // latin1 maps each byte to one character, so excerpt() shows non-ASCII bytes as \xNN.
    return excerpt((end < 0 ? bytes : bytes.subarray(0, end)).toString('latin1'));
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
