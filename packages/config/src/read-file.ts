import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { ConfigError } from './config-error.js';

/** The largest file read by default, in bytes (1 MiB): configuration, `.env`, strategies and indicators files. */
export const MAX_FILE_BYTES = 1024 * 1024;

const CHUNK_BYTES = 64 * 1024;

/**
 * A byte count in words, e.g. `52428800 bytes (50.0 MiB)`.
 * @param bytes - a size in bytes.
 */
function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [amount, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / (1024 * 1024), 'MiB'];
  return `${bytes} bytes (${amount.toFixed(1)} ${unit})`;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a UTF-8 text file, refusing anything that could hang or exhaust
 * memory: only regular files are read (a FIFO, `/dev/zero` or a directory is
 * refused without blocking: the file is opened non-blocking and checked with
 * `fstat`), and at most `maxBytes` bytes.
 * @param path - the file to read.
 * @param what - what the file is, for messages, e.g. `configuration file`.
 * @param shown - how to name the file in messages (the source); `path` by default.
 * @param maxBytes - the largest size accepted, in bytes; {@link MAX_FILE_BYTES} by default.
 * @returns the file's text.
 * @throws {@link ConfigError} `CONFIG_NOT_A_FILE` (a directory, FIFO, device or socket),
 *   `CONFIG_TOO_LARGE` (larger than `maxBytes`, naming the size and the limit), or
 *   `CONFIG_FILE_UNREADABLE` (missing, no permission, not UTF-8 text); the source is `shown`.
 */
export function readTextFile(path: string, what: string, shown: string = path, maxBytes = MAX_FILE_BYTES): string {
  const fail = (
    code: 'CONFIG_NOT_A_FILE' | 'CONFIG_TOO_LARGE' | 'CONFIG_FILE_UNREADABLE',
    message: string,
    cause?: unknown,
  ) => new ConfigError(code, [{ path: '', source: shown, message }], cause === undefined ? {} : { cause });
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO that has no writer must not wait for one (no effect on regular files).
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw fail('CONFIG_FILE_UNREADABLE', `cannot read the ${what}: ${(error as Error).message}`, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw fail('CONFIG_NOT_A_FILE', `the ${what} is ${kindOf(stats)}, not a regular file`);
    const limit = formatBytes(maxBytes);
    if (stats.size > maxBytes) {
      throw fail('CONFIG_TOO_LARGE', `the ${what} is too large: ${formatBytes(stats.size)}; the limit is ${limit}`);
    }
    // The size may change while reading: read at most one byte past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      let count: number;
      try {
        count = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        throw fail('CONFIG_FILE_UNREADABLE', `cannot read the ${what}: ${(error as Error).message}`, error);
      }
      if (count === 0) break;
      chunks.push(chunk.subarray(0, count));
      total += count;
      if (total > maxBytes) {
        throw fail('CONFIG_TOO_LARGE', `the ${what} is too large: it grew past the limit of ${limit} while being read`);
      }
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, total));
    } catch (error) {
      throw fail('CONFIG_FILE_UNREADABLE', `cannot read the ${what}: it is not UTF-8 text`, error);
    }
  } finally {
    closeSync(fd);
  }
}
