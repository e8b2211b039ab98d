import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
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

/** Appends each line to a file, creating the file and its directory when missing. */
export class FileSink implements LogSink {
  readonly #stream: WriteStream;

  /** @param path - the log file, e.g. `logs/trading_system.log`. */
  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#stream = createWriteStream(path, { flags: 'a' });
  }

  /** {@inheritDoc LogSink.write} */
  write(line: string): void {
    this.#stream.write(`${line}\n`);
  }

  /** Flushes buffered lines and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
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
