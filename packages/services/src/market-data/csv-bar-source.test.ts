import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, SimulatedClock, silentLogger } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ServicesError } from '../errors.js';
import { BTCUSDT, march } from '../test-support/real-data.js';
import { CsvBarSource } from './csv-bar-source.js';

const lines = readFileSync(BTCUSDT, 'utf8').trim().split('\n');
const tmp = mkdtempSync(join(tmpdir(), 'quant-csv-'));
const write = (name: string, content: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};
const load = (path: string, options: Partial<Parameters<typeof CsvBarSource.load>[0]> = {}) =>
  CsvBarSource.load({ path, symbol: 'BTCUSDT', clock: new SimulatedClock(0), ...options });
const failure = async (promise: Promise<unknown>): Promise<ServicesError> => {
  try {
    await promise;
  } catch (error) {
    if (ServicesError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ServicesError');
};

describe('CsvBarSource on the real BTCUSDT file', () => {
  let source: CsvBarSource;
  let clock: SimulatedClock;
  beforeAll(async () => {
    clock = new SimulatedClock(0);
    source = await CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock });
  });

  it('reads every row, with no gap', () => {
    expect(source.stats).toMatchObject({ rows: 30_240, bars: 30_240, skipped: 0, gaps: 0, missingBars: 0 });
    expect(source.stats.firstOpenTime).toBe(march(1));
    expect(source.stats.lastOpenTime).toBe(march(21, 23, 59));
    expect(source.allBars()[0]).toEqual({
      openTime: march(1),
      open: 23140.48,
      high: 23150.77,
      low: 23128.52,
      close: 23142.31,
      volume: 2.131777,
    });
  });

  it('resamples to UTC-aligned bars whose counts match an independent count of the file', () => {
    const minutes = lines.slice(1).map((line) => Date.parse(line.split(',')[0] as string));
    for (const [timeframe, ms] of [
      ['5m', 300_000],
      ['15m', 900_000],
      ['1h', 3_600_000],
      ['1d', 86_400_000],
    ] as const) {
      const buckets = new Set(minutes.map((t) => Math.floor(t / ms)));
      const bars = source.allBars(timeframe);
      expect(bars).toHaveLength(buckets.size);
      expect(bars.every((bar) => bar.openTime % ms === 0)).toBe(true);
    }
    const [first] = source.allBars('1d');
    const dayRows = lines.slice(1, 1441).map((line) => line.split(',').map(Number));
    expect(first).toEqual({
      openTime: march(1),
      open: dayRows[0]?.[1],
      high: Math.max(...dayRows.map((row) => row[2] as number)),
      low: Math.min(...dayRows.map((row) => row[3] as number)),
      close: dayRows[1439]?.[4],
      volume: expect.closeTo(
        dayRows.reduce((sum, row) => sum + (row[5] as number), 0),
        6,
      ),
    });
  });

  it('serves the latest bars as of the clock: closed bars, and a forming bar built only from closed minutes', async () => {
    await clock.advanceTo(march(1, 0, 7) + 30_000);
    const oneMinute = await source.fetchBars({ symbol: 'BTCUSDT', timeframe: '1m', limit: 3 });
    expect(oneMinute.map((bar) => bar.openTime)).toEqual([march(1, 0, 4), march(1, 0, 5), march(1, 0, 6)]);
    const fiveMinutes = await source.fetchBars({ symbol: 'BTCUSDT', timeframe: '5m', limit: 3 });
    expect(fiveMinutes.map((bar) => bar.openTime)).toEqual([march(1, 0, 0), march(1, 0, 5)]);
    const forming = fiveMinutes[1];
    const [m5, m6] = source.allBars().slice(5, 7);
    expect(forming).toEqual({
      openTime: march(1, 0, 5),
      open: m5?.open,
      high: Math.max(m5?.high ?? 0, m6?.high ?? 0),
      low: Math.min(m5?.low ?? 0, m6?.low ?? 0),
      close: m6?.close,
      volume: (m5?.volume ?? 0) + (m6?.volume ?? 0),
    });
    expect(await source.fetchBars({ symbol: 'BTCUSDT', timeframe: '15m', limit: 3 })).toHaveLength(1);
  });

  it('refuses another symbol', () => {
    expect(() => source.barsAsOf({ symbol: 'ETHUSDT', timeframe: '1m', limit: 1 }, march(2))).toThrow(
      /serves BTCUSDT, not ETHUSDT/,
    );
  });
});

describe('CsvBarSource validation', () => {
  const head = lines.slice(0, 6);

  it.each([
    [
      'a price that is not a number',
      '2023-03-01 00:05:00+00:00,23140,abc,23100,23120,1',
      ':7: high (column 3) "abc" is not a finite number',
    ],
    ['inconsistent prices', '2023-03-01 00:05:00+00:00,23140,23130,23100,23120,1', ':7: inconsistent prices'],
    [
      'a negative volume',
      '2023-03-01 00:05:00+00:00,23140,23150,23100,23120,-1',
      ':7: volume (column 6) -1 is negative: expected >= 0',
    ],
    ['a zero price', '2023-03-01 00:05:00+00:00,0,23150,0,23120,1', ':7: open (column 2) is 0: expected a price > 0'],
    [
      'a negative price',
      '2023-03-01 00:05:00+00:00,23140,23150,-5,23120,1',
      ':7: low (column 4) is -5: expected a price > 0',
    ],
    [
      'an impossible date',
      '2023-02-30 00:05:00,23140,23150,23100,23120,1',
      ':7: open time (column 1) "2023-02-30 00:05:00" is not a timestamp: expected ISO 8601',
    ],
    [
      'binary bytes in a cell',
      '2023-03-01 00:05:00+00:00,23140,\u0000\u0007\u001b[2J,23100,23120,1',
      ':7: high (column 3) "\\x00\\x07\\x1B[2J" is not a finite number',
    ],
    [
      'a repeated time',
      '2023-03-01 00:04:00+00:00,23140,23150,23100,23120,1',
      ':7: open time 2023-03-01T00:04:00.000Z is not after',
    ],
    [
      'a bad timestamp',
      'yesterday,23140,23150,23100,23120,1',
      ':7: open time (column 1) "yesterday" is not a timestamp',
    ],
  ])('fails on %s with file:line and the reason', async (_name, row, message) => {
    const path = write('bad.csv', [...head, row, ...lines.slice(6, 9)].join('\n'));
    const error = await failure(load(path));
    expect(error.code).toBe('CSV_INVALID');
    expect(error.line).toBe(7);
    expect(error.message).toContain(`${path}${message}`);
  });

  it('skips invalid rows with a count when configured, and reports gaps without filling them', async () => {
    const path = write(
      'gaps.csv',
      [...head, '2023-03-01 00:05:00+00:00,1,0.5,2,1,1', ...lines.slice(10, 14)].join('\n'),
    );
    const source = await load(path, { invalidRows: 'skip' });
    expect(source.stats).toMatchObject({ rows: 10, bars: 9, skipped: 1, gaps: 1, missingBars: 4 });
    expect(source.stats.skippedSamples[0]).toMatch(/gaps\.csv:7: inconsistent prices/);
    // Minutes 0-4, then 9-12: the 00:05 bar holds minute 9 only; nothing is invented for 5-8.
    expect(source.allBars('5m').map((bar) => bar.openTime)).toEqual([march(1, 0, 0), march(1, 0, 5), march(1, 0, 10)]);
    expect(source.allBars('5m')[1]).toEqual({ ...source.allBars()[5], openTime: march(1, 0, 5) });
  });

  it('reads headerless files with a column mapping and epoch timestamps', async () => {
    const rows = lines.slice(1, 4).map((line) => {
      const [time, ...rest] = line.split(',');
      return [rest[4], Date.parse(time as string) / 1000, ...rest.slice(0, 4)].join(';');
    });
    const path = write('headerless.csv', rows.join('\n'));
    const source = await load(path, {
      header: false,
      delimiter: ';',
      columns: { volume: 0, openTime: 1, open: 2, high: 3, low: 4, close: 5 },
    });
    expect(source.allBars()[0]).toMatchObject({ openTime: march(1), open: 23140.48, volume: 2.131777 });
    const ms = write('ms.csv', `time,o,h,l,c,v\n${march(1)},1,2,0.5,1.5,3\n`);
    const fromMs = await load(ms, {
      columns: { openTime: 'time', open: 'o', high: 'h', low: 'l', close: 'c', volume: 'v' },
    });
    expect(fromMs.allBars()[0]?.openTime).toBe(march(1));
  });

  it('names a missing column and an unreadable file', async () => {
    const noVolume = write('novolume.csv', 'open_time,open,high,low,close\n2023-03-01 00:00:00+00:00,1,2,0.5,1.5\n');
    expect((await failure(load(noVolume))).message).toBe(
      `${noVolume}:1: no column "volume" for the volume: expected a header line naming the columns open_time,open,high,low,close,volume; the file starts with "open_time,open,high,low,close"`,
    );
    const missing = await failure(load(join(tmp, 'nope.csv')));
    expect(missing.code).toBe('CSV_UNREADABLE');
    expect(missing.message).toMatch(/cannot read .*nope\.csv/);
  });

  it("reads ISO 8601 times without an offset as UTC, whatever the machine's time zone", async () => {
    const path = write(
      'naive.csv',
      'open_time,open,high,low,close,volume\n2023-03-01 00:00:00,1,2,0.5,1.5,3\n2023-03-01T00:01,1,2,0.5,1.5,3\n',
    );
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York'; // Node applies a change of TZ at once.
    try {
      expect(new Date(2023, 2, 1).getTime()).not.toBe(march(1));
      const source = await load(path);
      expect(source.allBars().map((bar) => bar.openTime)).toEqual([march(1), march(1, 0, 1)]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('reads only regular files: a directory, a FIFO and a device are refused before opening', async () => {
    const folder = join(tmp, 'folder.csv');
    mkdirSync(folder);
    const directory = await failure(load(folder));
    expect(directory.code).toBe('CSV_NOT_A_FILE');
    expect(directory.message).toBe(`${folder} is a directory: expected a CSV file (a regular file)`);
    const fifo = join(tmp, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    const pipe = await failure(load(fifo));
    expect(pipe.code).toBe('CSV_NOT_A_FILE');
    expect(pipe.message).toContain(`${fifo} is a FIFO (named pipe): expected a CSV file`);
    const zero = await failure(load('/dev/zero'));
    expect(zero.code).toBe('CSV_NOT_A_FILE');
    expect(zero.message).toContain('/dev/zero is a character device: expected a CSV file');
  });

  it('shows a binary file only as a short escaped excerpt, with the header it expected', async () => {
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array.from({ length: 200 }, (_, i) => i)]);
    const path = join(tmp, 'binary.csv');
    writeFileSync(path, binary);
    const error = await failure(load(path));
    expect(error.code).toBe('CSV_INVALID');
    expect(error.message).toContain('expected a header line naming the columns open_time,open,high,low,close,volume');
    expect(error.message).toContain('the file starts with "\\x7FELF\\x02\\x01\\x01\\x00\\x00\\x01');
    // Nothing outside printable ASCII reaches the message.
    expect(error.message).toMatch(/^[\x20-\x7e…]*$/);
  });

  it('names the expected header for a YAML file given as CSV', async () => {
    const path = write(
      'config.csv',
      '# settings\nservices:\n  data_fetching:\n    fetch_interval: 30 # "seconds"\n    evaluation_mode: "x, y"\n',
    );
    const error = await failure(load(path));
    expect(error.code).toBe('CSV_INVALID');
    expect(error.message).toMatch(/config\.csv:\d+: /);
    expect(error.message).toContain('expected a header line naming the columns open_time,open,high,low,close,volume');
    expect(error.message).toContain('the file starts with "# settings"');
  });

  describe('in a file of many chunks, with blank lines and a cell spanning two lines', () => {
    // Line 1: the header; lines 2-3: the first bar, whose note spans two lines; line 4: blank;
    // lines 5 to 5 003: the next 4 999 bars (about 350 KB, read in chunks of 64 KiB).
    const rows = lines.slice(1, 5_001);
    const longFile = (name: string, edit: (body: string[]) => void): string => {
      const body = rows.slice(1);
      edit(body);
      return write(name, [`${lines[0]},note`, `${rows[0]},"spans\ntwo lines"`, '', ...body].join('\n'));
    };
    const lineOf = (bodyIndex: number): number => bodyIndex + 5;
    const negativeVolume = (row: string): string => row.replace(/[^,]+$/, '-1');

    it('fails on an invalid row with its line', async () => {
      const path = longFile('late.csv', (body) => {
        body[4_000] = negativeVolume(body[4_000] as string);
      });
      const error = await failure(load(path));
      expect(error.code).toBe('CSV_INVALID');
      expect(error.line).toBe(lineOf(4_000));
      expect(error.message).toBe(`${path}:${lineOf(4_000)}: volume (column 6) -1 is negative: expected >= 0`);
    });

    it('skips invalid rows with their lines, keeping every other bar', async () => {
      const path = longFile('late-skips.csv', (body) => {
        body[2_000] = 'yesterday,1,2,0.5,1.5,3';
        body[4_500] = negativeVolume(body[4_500] as string);
      });
      const warnings: unknown[] = [];
      const logger: Logger = { ...silentLogger, warn: (message, fields) => warnings.push([message, fields]) };
      const source = await load(path, { invalidRows: 'skip', logger });
      expect(source.stats).toMatchObject({ rows: 5_000, bars: 4_998, skipped: 2, gaps: 2, missingBars: 2 });
      expect(source.stats.skippedSamples).toEqual([
        `${path}:${lineOf(2_000)}: open time (column 1) "yesterday" is not a timestamp: expected ISO 8601 (UTC unless it has an offset), epoch s or ms`,
        `${path}:${lineOf(4_500)}: volume (column 6) -1 is negative: expected >= 0`,
      ]);
      expect(warnings).toEqual([
        [`skipped invalid row ${source.stats.skippedSamples[0]}`, { file: path, line: lineOf(2_000) }],
        [`skipped invalid row ${source.stats.skippedSamples[1]}`, { file: path, line: lineOf(4_500) }],
        [`skipped 2 invalid row(s) of ${path}`, { file: path, skipped: 2 }],
      ]);
      const kept = rows.filter((_, index) => index !== 2_001 && index !== 4_501);
      expect(source.allBars().map((bar) => bar.openTime)).toEqual(
        kept.map((row) => Date.parse(row.slice(0, row.indexOf(',')))),
      );
    });

    it("fails on text that is not CSV after the header with its line and csv-parse's reason", async () => {
      const path = longFile('late-quote.csv', (body) => {
        body[3_000] = (body[3_000] as string).replace(',', ',"23140"x');
      });
      const error = await failure(load(path));
      expect(error.code).toBe('CSV_INVALID');
      expect(error.line).toBe(lineOf(3_000));
      expect(error.message.startsWith(`${path}:${lineOf(3_000)}: Invalid Closing Quote: got "x" at line`)).toBe(true);
    });
  });

  it('loads an empty file and a header-only file as no bars', async () => {
    expect((await load(write('empty.csv', ''))).stats).toMatchObject({ rows: 0, bars: 0, firstOpenTime: null });
    expect((await load(write('header.csv', `${lines[0]}\n`))).stats).toMatchObject({ rows: 0, bars: 0 });
  });
});
