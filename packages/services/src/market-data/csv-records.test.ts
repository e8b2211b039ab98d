import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachCsvRecord, forEachCsvRecordWithLine } from './csv-records.js';

const tmp = mkdtempSync(join(tmpdir(), 'quant-csv-records-'));
// 20 000 records of about 30 bytes: several chunks of reading.
const rows = Array.from({ length: 20_000 }, (_, i) => `${i},${'x'.repeat(20)}`);
const many = join(tmp, 'many.csv');
writeFileSync(many, rows.join('\n'));

describe('forEachCsvRecord', () => {
  it('hands over every record, in order', async () => {
    const seen: string[] = [];
    await forEachCsvRecord(many, ',', (record) => seen.push(record[0] as string) > 0);
    expect(seen).toEqual(rows.map((_, i) => String(i)));
  });

  it('stops when told: no record follows, and the promise resolves', async () => {
    for (const last of [0, 3, 2_500, 19_998]) {
      const seen: string[] = [];
      await forEachCsvRecord(many, ',', (record) => {
        seen.push(record[0] as string);
        return record[0] !== String(last);
      });
      expect(seen).toEqual(rows.slice(0, last + 1).map((_, i) => String(i)));
    }
  });

  it("rejects with what onRecord threw, csv-parse's error, or the file's", async () => {
    const thrown = new Error('bad record');
    await expect(
      forEachCsvRecord(many, ',', () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    const quote = join(tmp, 'quote.csv');
    writeFileSync(quote, 'a,b\n"x"y,1\n');
    await expect(forEachCsvRecord(quote, ',', () => true)).rejects.toMatchObject({
      code: 'CSV_INVALID_CLOSING_QUOTE',
      lines: 2,
    });
    await expect(forEachCsvRecord(join(tmp, 'nope.csv'), ',', () => true)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('forEachCsvRecordWithLine', () => {
  it('gives the line where each record ends, past blank lines and cells spanning lines', async () => {
    const path = join(tmp, 'lines.csv');
    writeFileSync(path, '\uFEFFa;b\n\n1;"two\nlines"\n  \n2;3\n');
    const seen: [string[], number][] = [];
    await forEachCsvRecordWithLine(path, ';', (record, line) => seen.push([record, line]));
    expect(seen).toEqual([
      [['a', 'b'], 1],
      [['1', 'two\nlines'], 4],
      [['2', '3'], 6],
    ]);
  });
});
