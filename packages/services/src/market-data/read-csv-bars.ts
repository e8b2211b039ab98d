import type { Logger } from '@quant/core';
import { ServicesError } from '../errors.js';
import { BarSeries } from './bar-series.js';
import type { CsvColumns } from './csv-bar-source.js';
import { columnLabels, expectedHeader, fileStart, matchColumns, missingColumnError } from './csv-columns.js';
import { forEachCsvRecord, forEachCsvRecordWithLine } from './csv-records.js';
import { excerpt, readBarRow, type TimeFormat } from './parse-bar-row.js';

/** How to read a CSV file of bars, and what to do with invalid rows. */
export interface CsvBarLayout {
  /** The file. */
  readonly file: string;
  /** Whether the first record is a header. */
  readonly header: boolean;
  /** The caller's column mapping. */
  readonly columns: Partial<CsvColumns> | undefined;
  /** The timestamp format. */
  readonly format: TimeFormat;
  /** The field delimiter. */
  readonly delimiter: string;
  /** The bars' timeframe in ms: a longer step between two bars is a gap. */
  readonly stepMs: number;
  /** `fail`: an invalid row throws; `skip`: it is skipped, counted and logged. */
  readonly invalidRows: 'fail' | 'skip';
  /** Receives a warning for each row skipped. */
  readonly logger: Logger;
}

/** The bars of a file, and what reading found. */
export interface CsvBars {
  /** The bars kept. */
  readonly base: BarSeries;
  /** Data rows read (header excluded). */
  readonly rows: number;
  /** Rows skipped as invalid. */
  readonly skipped: number;
  /** The first skipped rows, `file:line: reason`. */
  readonly skippedSamples: readonly string[];
  /** Places where one or more bars are missing. */
  readonly gaps: number;
  /** Bars missing in all gaps together. */
  readonly missingBars: number;
}

const MAX_SAMPLES = 20;

/**
 * Reads and validates the bars of a CSV file, in at most two passes, each
 * streamed in chunks. The first reads the file without line numbers
 * (csv-parse's per-record `info` costs as much as the parsing itself) and
 * gives up at the first thing it would have to report with a line: a header
 * without the columns, an invalid row, a file that is not CSV, or any read
 * error. Only then a second pass reads the file again from its start with
 * each record's line, and reports exactly: the same checks of the same
 * records, the same errors and warnings. A valid file is read once.
 * @param layout - the file, its layout and what to do with invalid rows.
 * @throws {@link ServicesError} `CSV_UNREADABLE` or `CSV_INVALID` as
 *   described at `CsvBarSource.load`.
 */
export async function readCsvBars(layout: CsvBarLayout): Promise<CsvBars> {
  let indexes: number[] | undefined;
  if (!layout.header) {
    const match = matchColumns(layout.columns, undefined);
    if ('missing' in match) throw missingColumnError(layout.columns, match, layout.file, 0);
    indexes = match.indexes;
  }
  return (await readValidFile(layout, indexes)) ?? (await readReportingLines(layout, indexes));
}

/** The first pass of {@link readCsvBars}: the bars, or `undefined` where a line would be reported. */
async function readValidFile(layout: CsvBarLayout, indexes: number[] | undefined): Promise<CsvBars | undefined> {
  const bars = new BarBuilder(layout, indexes);
  let valid = true;
  try {
    await forEachCsvRecord(layout.file, layout.delimiter, (record) => {
      if (bars.hasColumns) {
        valid = bars.addRow(record) === undefined;
      } else {
        const match = matchColumns(layout.columns, record);
        if ('missing' in match) valid = false;
        else bars.setColumns(match.indexes);
      }
      return valid;
    });
  } catch {
    return undefined; // the second pass meets the same error, and reports it with its line
  }
  return valid ? bars.result(0, []) : undefined;
}

/** The second pass of {@link readCsvBars}: every record with its line, reporting exactly. */
async function readReportingLines(layout: CsvBarLayout, indexes: number[] | undefined): Promise<CsvBars> {
  const { file, logger } = layout;
  const bars = new BarBuilder(layout, indexes);
  let skipped = 0;
  const skippedSamples: string[] = [];
  try {
    await forEachCsvRecordWithLine(file, layout.delimiter, (record, line) => {
      if (!bars.hasColumns) {
        const match = matchColumns(layout.columns, record);
        if ('missing' in match) throw missingColumnError(layout.columns, match, file, line);
        bars.setColumns(match.indexes);
        return;
      }
      const reason = bars.addRow(record);
      if (reason === undefined) return;
      const where = `${file}:${line}`;
      if (layout.invalidRows === 'fail') throw new ServicesError('CSV_INVALID', `${where}: ${reason}`, { file, line });
      skipped++;
      if (skippedSamples.length < MAX_SAMPLES) skippedSamples.push(`${where}: ${reason}`);
      logger.warn(`skipped invalid row ${where}: ${reason}`, { file, line });
    });
  } catch (error) {
    throw readError(error, layout, !bars.hasColumns);
  }
  return bars.result(skipped, skippedSamples);
}

/** Turns records into bars: checks each row and appends its bar, counting rows and gaps. */
class BarBuilder {
  readonly #base = new BarSeries();
  readonly #bar = new Float64Array(6);
  readonly #format: TimeFormat;
  readonly #stepMs: number;
  #indexes: readonly number[] | undefined;
  #labels: string[] = [];
  #rows = 0;
  #gaps = 0;
  #missingBars = 0;
  #previous = Number.NEGATIVE_INFINITY;

  constructor(layout: CsvBarLayout, indexes: readonly number[] | undefined) {
    this.#format = layout.format;
    this.#stepMs = layout.stepMs;
    if (indexes) this.setColumns(indexes);
  }

  /** Whether the columns are set (with a header, once it is read). */
  get hasColumns(): boolean {
    return this.#indexes !== undefined;
  }

  /** Sets where the six fields are (see {@link matchColumns}). */
  setColumns(indexes: readonly number[]): void {
    this.#indexes = indexes;
    this.#labels = columnLabels(indexes);
  }

  /**
   * Checks a data row (once the columns are set) and appends its bar.
   * @returns `undefined` when the bar was appended, else why the row is invalid.
   */
  addRow(record: readonly string[]): string | undefined {
    this.#rows++;
    const bar = this.#bar;
    const reason = readBarRow(record, this.#indexes ?? [], this.#format, this.#previous, this.#labels, bar);
    if (reason !== undefined) return reason;
    const openTime = bar[0] as number;
    if (this.#previous !== Number.NEGATIVE_INFINITY && openTime - this.#previous > this.#stepMs) {
      this.#gaps++;
      this.#missingBars += Math.round((openTime - this.#previous) / this.#stepMs) - 1;
    }
    this.#previous = openTime;
    this.#base.push(openTime, bar[1] as number, bar[2] as number, bar[3] as number, bar[4] as number, bar[5] as number);
    return undefined;
  }

  /** The bars and counts, with the rows skipped. */
  result(skipped: number, skippedSamples: readonly string[]): CsvBars {
    return {
      base: this.#base,
      rows: this.#rows,
      skipped,
      skippedSamples,
      gaps: this.#gaps,
      missingBars: this.#missingBars,
    };
  }
}

/** A {@link ServicesError} for what stopped the reading: an unreadable file, or text that is not CSV. */
function readError(error: unknown, layout: CsvBarLayout, beforeHeader: boolean): ServicesError {
  if (ServicesError.isInstance(error)) return error;
  const { file } = layout;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    return new ServicesError('CSV_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`, {
      file,
      cause: error,
    });
  }
  const line = (error as { lines?: number }).lines;
  const where = `${file}${line ? `:${line}` : ''}`;
  const reason = excerpt((error as Error).message, 120, false);
  const message = beforeHeader
    ? `${where}: not CSV (${reason}): ${expectedHeader(layout.columns)}; the file starts with "${fileStart(file)}"`
    : `${where}: ${reason}`;
  return new ServicesError('CSV_INVALID', message, { file, ...(line ? { line } : {}), cause: error });
}
