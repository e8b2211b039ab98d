import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
import type { Bar } from '@quant/core';
import { UsageError } from './cli-error.js';

/** The header of the bar files `download-data` writes: the documented CSV format. */
export const BAR_FILE_HEADER = 'open_time,open,high,low,close,volume';
/** How much of a file's end is read to find its last bar. */
const TAIL_BYTES = 64 * 1024;

/** One bar as a line of the documented CSV format (`2023-03-01 00:00:00+00:00,23140.48,…`), newline included. */
export function barLine(bar: Bar): string {
  const time = new Date(bar.openTime)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '+00:00');
  return `${time},${bar.open},${bar.high},${bar.low},${bar.close},${bar.volume}\n`;
}

/** Reads a line's open time: ISO 8601 (UTC without an offset) or epoch seconds or milliseconds. */
function openTimeOf(line: string): number {
  const cell = line.slice(0, line.indexOf(',')).trim();
  if (/^\d+(\.\d+)?$/.test(cell)) return Number(cell) < 1e11 ? Number(cell) * 1000 : Number(cell);
  const iso = cell.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
}

/**
 * The state of an output bar file before a download resumes it: the open time of its last bar, or `undefined` for
 * a file that does not exist or holds only its header. A last line without its newline (a download killed while
 * it wrote) is cut off first, so the file holds whole bars only.
 * @param file - the `--out` path.
 * @throws {@link UsageError} `BAD_FLAG` when the file exists and is not a bar file of the documented format.
 */
export function lastBarOf(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  if (!statSync(file).isFile())
    throw new UsageError('BAD_FLAG', `--out "${file}" is not a file: expected a CSV file path`);
  const fd = openSync(file, 'r');
  let text: string;
  let size: number;
  try {
    size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    text = buffer.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    const head = Buffer.alloc(Math.min(size, BAR_FILE_HEADER.length + 2));
    readSync(fd, head, 0, head.length, 0);
    if (size > 0 && !head.toString('utf8').startsWith(BAR_FILE_HEADER)) {
      throw new UsageError(
        'BAD_FLAG',
        `--out "${file}" exists and is not a bar file of the documented format: expected its first line to be ${BAR_FILE_HEADER} (to resume it), or another --out`,
      );
    }
  } finally {
    closeSync(fd);
  }
  if (size > 0 && !text.endsWith('\n')) {
    const cut = text.lastIndexOf('\n');
    truncateSync(file, size - (text.length - cut - 1));
    text = text.slice(0, cut + 1);
  }
  const lines = text.split('\n').filter((line) => line !== '' && line !== BAR_FILE_HEADER);
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  const time = openTimeOf(last);
  if (!Number.isFinite(time)) {
    throw new UsageError(
      'BAD_FLAG',
      `--out "${file}": its last line does not start with a time: "${last.slice(0, 60)}"`,
    );
  }
  return time;
}
