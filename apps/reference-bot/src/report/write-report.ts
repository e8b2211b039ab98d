import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { type HtmlReportData, renderHtmlReport } from './html.js';
import type { EquityPoint, TradeRecord } from './recorder.js';

const iso = (ms: number): string => new Date(ms).toISOString();

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

/** equity.csv: the account after each bar. */
export function equityCsv(equity: readonly EquityPoint[]): string {
  return stringify(
    equity.map((p) => [iso(p.time), p.equity, p.cash, p.unrealizedPnl, p.openPositions]),
    { header: true, columns: ['time', 'equity', 'cash', 'unrealized_pnl', 'open_positions'] },
  );
}

/**
 * Writes a file completely or not at all: to a temporary name in the same
 * folder, then renamed over the target. When writing fails (e.g. the disk is
 * full), the temporary file is removed and the target is left as it was.
 */
export function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.partial`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Everything the report folder holds besides `events.jsonl`. */
export interface ReportFiles {
  readonly report: Record<string, unknown>;
  readonly trades: readonly TradeRecord[];
  readonly equity: readonly EquityPoint[];
  readonly html: HtmlReportData;
}

/**
 * Writes `report.json`, `trades.csv`, `equity.csv` and `report.html` into `dir`.
 * @param dir - the output folder (created when missing).
 * @param files - their contents.
 */
export function writeReport(dir: string, files: ReportFiles): void {
  mkdirSync(dir, { recursive: true });
  writeAtomically(join(dir, 'trades.csv'), tradesCsv(files.trades));
  writeAtomically(join(dir, 'equity.csv'), equityCsv(files.equity));
  writeAtomically(join(dir, 'report.html'), renderHtmlReport(files.html));
  writeAtomically(join(dir, 'report.json'), `${JSON.stringify(files.report, null, 2)}\n`);
}
