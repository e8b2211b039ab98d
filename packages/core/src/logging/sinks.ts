import { createWriteStream, mkdirSync, openSync, statSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LoggingError } from '../errors/core-errors.js';
import type { LogRecord } from './log-record.js';

/** Where formatted log lines go. */
export interface LogSink {
  /**
   * Writes one formatted line (without its newline).
   * @param line - the formatted line.
   * @param record - the record it was formatted from.
   */
  write(line: string, record: LogRecord): void;
  /** Flushes and releases the sink. */
  close?(): Promise<void>;
}

/** Writes each line to a stream, `process.stdout` by default. */
export class StreamSink implements LogSink {
  readonly #stream: NodeJS.WritableStream;

  /** @param stream - the stream to write to. */
  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.#stream = stream;
  }

  /** {@inheritDoc LogSink.write} */
  write(line: string): void {
    this.#stream.write(`${line}\n`);
  }
}

/** Why a file system call failed, in words. */
function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTREGULAR':
      return 'it is a FIFO or a socket, not a regular file';
    case 'ENOENT':
      return 'the file system does not allow creating it there';
    default:
      return code ? `${code}: ${(error as Error).message}` : String(error);
  }
}

/**
 * Creates the missing directories of `dir` one by one from the nearest existing
 * one. (`mkdirSync(dir, { recursive: true })` loops for ever under `/proc`.)
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    try {
      statSync(current);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(current) === current) throw error;
      missing.unshift(current);
    }
  }
  for (const path of missing) mkdirSync(path);
}

/**
 * Appends each line to a file, creating the file and its directory when
 * missing. The file is opened in the constructor, so a path that cannot be
 * written fails at once, before anything runs, rather than as an `'error'`
 * event later; a write error after that is kept and reported by
 * {@link FileSink.close}.
 */
export class FileSink implements LogSink {
  readonly #path: string;
  readonly #stream: WriteStream;
  #error: Error | undefined;

  /**
   * @param path - the log file, e.g. `logs/trading_system.log`.
   * @throws {@link LoggingError} `LOG_FILE_UNWRITABLE` when the file cannot be
   *   opened for appending (a directory, no permission, a read-only or virtual
   *   file system such as `/proc`, a parent that is a file); the message names
   *   the path and why.
   */
  constructor(path: string) {
    this.#path = path;
    let fd: number;
    try {
      // Opening a FIFO for writing blocks until a reader comes: refuse it first.
      const kind = statSync(path, { throwIfNoEntry: false });
      if (kind?.isFIFO() || kind?.isSocket()) {
        throw Object.assign(new Error(`${path} is a FIFO or socket`), { code: 'ENOTREGULAR' });
      }
      makeDirectories(dirname(path));
      fd = openSync(path, 'a');
    } catch (error) {
      throw new LoggingError('LOG_FILE_UNWRITABLE', `cannot append to ${path}: ${reasonOf(error)}`, { cause: error });
    }
    this.#stream = createWriteStream(path, { fd, flags: 'a' });
    this.#stream.on('error', (error) => {
      this.#error ??= error;
    });
  }

  /** {@inheritDoc LogSink.write} */
  write(line: string): void {
    if (this.#error === undefined) this.#stream.write(`${line}\n`);
  }

  /**
   * Flushes buffered lines and closes the file.
   * @throws {@link LoggingError} `LOG_FILE_UNWRITABLE` when a write failed (e.g. the disk is full).
   */
  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#stream.end(() => {
        const error = this.#error;
        if (error === undefined) resolve();
        else
          reject(
            new LoggingError('LOG_FILE_UNWRITABLE', `cannot write to ${this.#path}: ${reasonOf(error)}`, {
              cause: error,
            }),
          );
      }),
    );
  }
}

/** Keeps every line in memory; for tests and for showing recent logs. */
export class MemorySink implements LogSink {
  /** The lines written so far, oldest first. */
  readonly lines: string[] = [];
  /** The records written so far, oldest first. */
  readonly records: LogRecord[] = [];

  /** {@inheritDoc LogSink.write} */
  write(line: string, record: LogRecord): void {
    this.lines.push(line);
    this.records.push(record);
  }
}
