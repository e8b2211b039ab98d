import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvLayout } from './csv-layout.js';
import { BTCUSDT, runCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-csv-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data files of another layout', () => {
  it('backtests a headerless file with other columns and epoch times exactly as the standard file', async () => {
    // Two days of the shared file: once as it is, once as volume, epoch ms, open, high, low, close without a header.
    const lines = readFileSync(BTCUSDT, 'utf8')
      .trim()
      .split('\n')
      .slice(0, 1 + 2 * 1440);
    const standard = join(dir, 'BTCUSDT_1m.csv');
    writeFileSync(standard, `${lines.join('\n')}\n`);
    const other = join(dir, 'other.csv');
    const rows = lines.slice(1).map((line, index) => {
      const [time, open, high, low, close, volume] = line.split(',');
      // Epoch seconds for the first day, milliseconds after: each value is told apart on its own.
      const ms = Date.parse((time as string).replace(' ', 'T'));
      return [volume, index < 1440 ? ms / 1000 : ms, open, high, low, close].join(',');
    });
    writeFileSync(other, `${rows.join('\n')}\n`);
    const [a, b] = await Promise.all([
      runCli(['backtest', '--data', standard, '--out', join(dir, 'a')]),
      runCli([
        'backtest',
        '--data',
        other,
        '--symbol',
        'BTCUSDT',
        '--no-header',
        '--columns',
        'volume,time,open,high,low,close',
        '--out',
        join(dir, 'b'),
      ]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const trades = readFileSync(join(dir, 'a', 'trades.csv'), 'utf8');
    expect(trades.split('\n').length).toBeGreaterThan(3);
    expect(readFileSync(join(dir, 'b', 'trades.csv'), 'utf8')).toBe(trades);
  }, 60_000);

  it.each([
    ['time,open,high,low,close', '--columns "time,open,high,low,close" lacks volume'],
    ['time,open,high,low,close,volume,open', '--columns "time,open,high,low,close,volume,open": open is named twice'],
    ['time,open,hi,low,close,volume', '--columns "time,open,hi,low,close,volume": column 3 is "hi"'],
  ])('refuses --columns %s, saying what was expected', (columns, message) => {
    expect(() => csvLayout({ columns })).toThrow(message);
    expect(() => csvLayout({ columns })).toThrow(/expected the file’s columns in order/);
  });

  it('reads _ as a column to skip', () => {
    expect(csvLayout({ header: false, columns: '_,time,open,high,low,close,volume' })).toEqual({
      header: false,
      columns: { openTime: 1, open: 2, high: 3, low: 4, close: 5, volume: 6 },
    });
  });
});
