import { describe, expect, it } from 'vitest';
import { parseAnyIso, parseCommonIso } from './parse-iso-timestamp.js';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Timestamps in the common layout, valid and not: edges of every field, and offsets. */
function commonLayoutValues(): string[] {
  const values: string[] = [];
  for (const year of [0, 1, 99, 100, 399, 400, 1600, 1899, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999]) {
    for (let month = 0; month <= 13; month++) {
      for (const day of [0, 1, 28, 29, 30, 31, 32]) {
        const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
        for (const [separator, time] of [
          [' ', '00:00:00'],
          ['T', '23:59:59'],
          ['T', '24:00:00'],
          [' ', '12:60:00'],
          [' ', '12:00:60'],
          ['t', '12:00:00'],
        ]) {
          for (const zone of [
            '',
            'Z',
            'z',
            '+00:00',
            '-00:00',
            '-05:30',
            '+23:59',
            '+24:00',
            '-01:60',
            '+0100',
            ' Z',
          ]) {
            values.push(`${date}${separator}${time}${zone}`);
          }
        }
      }
    }
  }
  return values;
}

/** Variants of `2023-03-01 00:00:00+00:00` with one character replaced. */
function oneCharacterOff(): string[] {
  const base = '2023-03-01 00:00:00+00:00';
  const values: string[] = [];
  for (let at = 0; at < base.length; at++) {
    for (const char of ['0', '9', '-', ':', ' ', 'T', 'Z', '+', '.', 'a', '\u0660']) {
      values.push(`${base.slice(0, at)}${char}${base.slice(at + 1)}`);
    }
  }
  return values;
}

describe('parseCommonIso', () => {
  it('gives the time parseAnyIso gives, and nothing parseAnyIso refuses', () => {
    const values = [...commonLayoutValues(), ...oneCharacterOff()];
    const read = values.filter((value) => parseCommonIso(value) !== undefined);
    expect(read.filter((value) => parseCommonIso(value) !== parseAnyIso(value))).toEqual([]);
    expect(read.length).toBeGreaterThan(1_000);
  });

  it('reads every valid timestamp of its layout, leaving the others to parseAnyIso', () => {
    const layout = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d([Zz]|[+-]\d\d:\d\d)?$/;
    const expected = (value: string): number | undefined => (layout.test(value) ? parseAnyIso(value) : undefined);
    expect(commonLayoutValues().filter((value) => parseCommonIso(value) !== expected(value))).toEqual([]);
  });

  it('reads the layouts of exchange exports as UTC, with their offsets', () => {
    const utc = Date.UTC(2023, 2, 1, 12, 30, 15);
    expect(parseCommonIso('2023-03-01 12:30:15')).toBe(utc);
    expect(parseCommonIso('2023-03-01T12:30:15Z')).toBe(utc);
    expect(parseCommonIso('2023-03-01 14:30:15+02:00')).toBe(utc);
    expect(parseCommonIso('2023-03-01 07:00:15-05:30')).toBe(utc);
    expect(parseCommonIso('2024-02-29 00:00:00')).toBe(Date.UTC(2024, 1, 29));
    expect(parseCommonIso('2023-02-29 00:00:00')).toBeUndefined();
  });
});
