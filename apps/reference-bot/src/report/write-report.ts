import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasMarker, QuantError } from '@quant/core';
import { stringify } from 'csv-stringify/sync';
import { reasonOf } from '../paths.js';
import type { EquityPoint } from './equity-curve.js';
import { type HtmlReportData, renderHtmlReport } from './html.js';
import type { TradeRecord } from './recorder.js';

const iso = (ms: number): string => new Date(ms).toISOString();

const REPORT_WRITE_MARKER = '@quant/reference-bot.ReportWriteError';
const reportWriteMarker = Symbol.for(REPORT_WRITE_MARKER);

/**
 * Codes of {@link ReportWriteError}:
 * - `OUTPUT_WRITE_FAILED`: a file of the report folder could not be written
 *   (the disk is full, the folder was removed during the run, …) or the
 *   streamed equity file to move into place is missing.
 */
export type ReportWriteErrorCode = 'OUTPUT_WRITE_FAILED';

/**
 * Thrown when a file of the report folder cannot be written: by
 * `RunRecorder.close` for the streamed `events.jsonl.partial` and
 * `equity.csv.stream`, and by {@link writeReport}. The message names the file
 * and why; the temporary files are removed. Not bad input: exit code 1.
 */
export class ReportWriteError extends QuantError<ReportWriteErrorCode> {
  readonly [reportWriteMarker] = true;

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is ReportWriteError {
    return hasMarker(value, REPORT_WRITE_MARKER);
  }
}

/**
 * The {@link ReportWriteError} for a failed write of `path`.
 * @param path - the file that could not be written.
 * @param error - the file system's error.
 */
export function writeFailure(path: string, error: unknown): ReportWriteError {
  const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder no longer exists' : reasonOf(error);
  return new ReportWriteError('OUTPUT_WRITE_FAILED', `cannot write ${path}: ${why}`, { cause: error });
}

/** The columns of `equity.csv`, in order: the one definition of its format, with {@link equityCsvRows}. */
export const EQUITY_CSV_COLUMNS = ['time', 'equity', 'cash', 'unrealized_pnl', 'open_positions'] as const;

/** The header line of `equity.csv` (see {@link EQUITY_CSV_COLUMNS}), with its newline. */
export function equityCsvHeader(): string {
  return stringify([], { header: true, columns: [...EQUITY_CSV_COLUMNS] });
}

/**
 * Rows of `equity.csv`, one per point, in the order of {@link EQUITY_CSV_COLUMNS}.
 * @param points - the account after each bar, in time order.
 * @returns the lines, each with its newline; empty for no points.
 */
export function equityCsvRows(points: readonly EquityPoint[]): string {
  return stringify(points.map((p) => [iso(p.time), p.equity, p.cash, p.unrealizedPnl, p.openPositions]));
}

/** trades.csv: one row per closed trade. */
export function tradesCsv(trades: readonly TradeRecord[]): string {
  return stringify(
    trades.map((t) => [
      t.strategy,
      t.symbol,
      t.direction,
      t.quantity,
      iso(t.entryTime),
      t.entryPrice,
      iso(t.exitTime),
      t.exitPrice,
      t.pnl,
      t.fees,
      t.reason,
    ]),
    {
      header: true,
      columns: [
        'strategy',
        'symbol',
        'direction',
        'quantity',
        'entry_time',
        'entry_price',
        'exit_time',
        'exit_price',
        'pnl',
        'fees',
        'reason',
      ],
    },
  );
}

/**
 * Writes a file completely or not at all: to a temporary name in the same
 * folder, then renamed over the target. When writing fails (e.g. the disk is
 * full), the temporary file is removed and the target is left as it was.
 * @throws {@link ReportWriteError} `OUTPUT_WRITE_FAILED`, naming the file and why.
 */
export function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.partial`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw writeFailure(path, error);
  }
}

/**
 * Moves a file written elsewhere in the folder (e.g. streamed during the run)
 * to `path`, atomically: `path` is the whole file or is left as it was.
 * @param from - the file to move; in the same file system as `path`.
 * @param path - the target.
 * @throws {@link ReportWriteError} `OUTPUT_WRITE_FAILED` when `from` is
 *   missing or cannot be moved, naming both.
 */
export function moveIntoPlace(from: string, path: string): void {
  if (!existsSync(from)) throw missingStream(from, path);
  try {
    renameSync(from, path);
  } catch (error) {
    throw writeFailure(path, error);
  }
}

function missingStream(from: string, path: string): ReportWriteError {
  return new ReportWriteError(
    'OUTPUT_WRITE_FAILED',
    `cannot write ${path}: the file streamed during the run, ${from}, is missing`,
  );
}

/** Everything the report folder holds besides `events.jsonl`. */
export interface ReportFiles {
  readonly report: Record<string, unknown>;
  readonly trades: readonly TradeRecord[];
  /**
   * The equity of every bar, streamed during the run as `equity.csv` (see
   * `RunRecorder.equityPath`): moved into place, never rewritten.
   */
  readonly equityPath: string;
  readonly html: HtmlReportData;
}

/**
 * Writes `report.json`, `trades.csv` and `report.html` into `dir`, and moves
 * the streamed equity file into place as `equity.csv`; each file appears
 * whole or not at all.
 * @param dir - the output folder (created when missing).
 * @param files - their contents.
 * @throws {@link ReportWriteError} `OUTPUT_WRITE_FAILED` when a file cannot be
 *   written or the streamed equity file is missing (checked before anything
 *   is written), naming the file and why.
 */
export function writeReport(dir: string, files: ReportFiles): void {
  const equity = join(dir, 'equity.csv');
  if (!existsSync(files.equityPath)) throw missingStream(files.equityPath, equity);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw writeFailure(dir, error);
  }
  writeAtomically(join(dir, 'trades.csv'), tradesCsv(files.trades));
  moveIntoPlace(files.equityPath, equity);
  writeAtomically(join(dir, 'report.html'), renderHtmlReport(files.html));
  writeAtomically(join(dir, 'report.json'), `${JSON.stringify(files.report, null, 2)}\n`);
}
