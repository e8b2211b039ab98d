import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { Parser } from 'csv-parse';

/** No line of an OHLCV file comes near this; a longer one is not such a file (e.g. binary data). */
const MAX_RECORD_CHARS = 65_536;
/**
 * Bytes read at a time: Node's default for file streams, as the loader
 * always read (see {@link forEachCsvRecordWithLine} for why it matters).
 * csv-parse parses a chunk at once: its records (about 250 KB of arrays and
 * strings for 64 KiB of bars) may be held together.
 */
const CHUNK_BYTES = 64 * 1024;

/**
 * Streams the records of a CSV file through csv-parse, and hands each one to
 * `onRecord` as soon as it is parsed (as a `data` event: about a tenth
 * faster than `read()` in a `readable` handler). Memory is bounded by a
 * chunk, whatever the file's size. Empty lines are skipped, cells trimmed, a
 * UTF-8 BOM dropped; records may have any number of cells.
 * @param file - the file.
 * @param delimiter - the field delimiter.
 * @param onRecord - called for each record, in order; returning `false`
 *   stops the reading (no record follows, and the promise resolves).
 * @returns a promise rejected with the file's error (e.g. `ENOENT`),
 *   csv-parse's (a `CsvError`, with the `lines` where it is), or what
 *   `onRecord` threw.
 */
export function forEachCsvRecord(
  file: string,
  delimiter: string,
  onRecord: (record: string[]) => boolean,
): Promise<void> {
  const parser = csvParser(delimiter, false);
  return readInto(file, parser, (stop) => {
    parser.on('data', (record: string[]) => {
      if (parser.destroyed) return; // a record parsed before the reading stopped, emitted after
      try {
        if (!onRecord(record)) stop();
      } catch (error) {
        parser.destroy(error as Error);
      }
    });
  });
}

/**
 * {@link forEachCsvRecord} with each record's line (csv-parse's `info:
 * true`, which costs about as much as the parsing itself), and the records
 * handed over a chunk at a time, once the chunk is parsed: a syntax error
 * withholds the records of its chunk, so whether the header was read before
 * such an error (which changes the message) depends on {@link CHUNK_BYTES}.
 * @param file - the file.
 * @param delimiter - the field delimiter.
 * @param onRecord - called for each record, in order, with the 1-based line
 *   where the record ends.
 * @returns a promise rejected as {@link forEachCsvRecord}'s.
 */
export function forEachCsvRecordWithLine(
  file: string,
  delimiter: string,
  onRecord: (record: string[], line: number) => void,
): Promise<void> {
  const parser = csvParser(delimiter, true);
  return readInto(file, parser, () => {
    parser.on('readable', () => {
      try {
        for (let item = parser.read(); item !== null; item = parser.read()) {
          const { record, info } = item as { record: string[]; info: { lines: number } };
          onRecord(record, info.lines);
        }
      } catch (error) {
        parser.destroy(error as Error);
      }
    });
  });
}

/** csv-parse's parser with the options of an OHLCV file. */
function csvParser(delimiter: string, info: boolean): Parser {
  return new Parser({
    delimiter,
    skip_empty_lines: true,
    bom: true,
    trim: true,
    max_record_size: MAX_RECORD_CHARS,
    relax_column_count: true,
    info,
  });
}

/**
 * Pipes `file` into `parser`, whose records `listen` consumes.
 * @param listen - attaches the consumer; given `stop`, which ends the reading early.
 * @returns a promise resolved at the end of the file or on `stop`, rejected with the first error.
 */
function readInto(file: string, parser: Parser, listen: (stop: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopped = false;
    listen(() => {
      stopped = true;
      parser.destroy();
    });
    // pipeline() destroys the parser with the file's error (e.g. ENOENT), and the file with the parser's.
    pipeline(createReadStream(file, { highWaterMark: CHUNK_BYTES }), parser, (error) => {
      if (error && !stopped) reject(error);
      else resolve();
    });
  });
}
