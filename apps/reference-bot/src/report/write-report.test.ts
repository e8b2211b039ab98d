import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walk } from './walk.test-support.js';
import {
  EQUITY_CSV_COLUMNS,
  equityCsvHeader,
  equityCsvRows,
  type ReportFiles,
  ReportWriteError,
  writeAtomically,
  writeReport,
} from './write-report.js';

const files = (equityPath: string): ReportFiles => ({
  report: { mode: 'backtest' },
  trades: [],
  equityPath,
  html: {
    title: 't',
    currency: 'USDT',
    initialEquity: 100_000,
    summary: [],
    tables: [],
    equity: [],
    equityResolution: 'every bar',
    buyAndHold: [],
    symbols: [],
    trades: [],
  },
});

describe('equity.csv format', () => {
  it('has one header and one row per point, in the order of EQUITY_CSV_COLUMNS', () => {
    expect(equityCsvHeader()).toBe(`${EQUITY_CSV_COLUMNS.join(',')}\n`);
    expect(equityCsvHeader()).toBe('time,equity,cash,unrealized_pnl,open_positions\n');
    const [point] = walk(1);
    expect(equityCsvRows(walk(1))).toBe(`2023-03-01T00:01:00.000Z,${point?.equity},${point?.cash},0,1\n`);
    expect(equityCsvRows([])).toBe('');
  });
});

describe('writeReport', () => {
  it('moves the streamed equity file into place as equity.csv, unchanged, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-write-report-'));
    const stream = join(dir, 'equity.csv.stream');
    const content = equityCsvHeader() + equityCsvRows(walk(3));
    writeFileSync(stream, content);
    writeReport(dir, files(stream));
    expect(readFileSync(join(dir, 'equity.csv'), 'utf8')).toBe(content);
    expect(readdirSync(dir).sort()).toEqual(['equity.csv', 'report.html', 'report.json', 'trades.csv']);
  });

  it('refuses a missing streamed equity file, loudly and before writing anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-write-report-missing-'));
    const stream = join(dir, 'equity.csv.stream');
    let error: unknown;
    try {
      writeReport(dir, files(stream));
    } catch (thrown) {
      error = thrown;
    }
    expect(ReportWriteError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'OUTPUT_WRITE_FAILED',
      message: `cannot write ${join(dir, 'equity.csv')}: the file streamed during the run, ${stream}, is missing`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a folder removed during the run is a typed error naming the file, not a raw ENOENT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-write-report-gone-'));
    const stream = join(dir, 'equity.csv.stream');
    writeFileSync(stream, equityCsvHeader());
    rmSync(dir, { recursive: true });
    expect(() => writeReport(dir, files(stream))).toThrow(
      /^cannot write .*equity\.csv: the file streamed during the run/,
    );
  });
});

describe('writeAtomically', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'a full disk is OUTPUT_WRITE_FAILED naming the file and why, and the temporary file is removed',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'quant-write-atomically-'));
      const target = join(dir, 'report.json');
      symlinkSync('/dev/full', `${target}.partial`);
      expect(() => writeAtomically(target, '{}\n')).toThrow(
        expect.objectContaining({
          code: 'OUTPUT_WRITE_FAILED',
          message: `cannot write ${target}: no space left on the device`,
        }),
      );
      expect(readdirSync(dir)).toEqual([]);
      expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    },
  );

  it('a missing folder is OUTPUT_WRITE_FAILED: its folder no longer exists', () => {
    const target = join(tmpdir(), `quant-no-such-folder-${process.pid}`, 'trades.csv');
    expect(() => writeAtomically(target, 'x')).toThrow(`cannot write ${target}: its folder no longer exists`);
  });
});
