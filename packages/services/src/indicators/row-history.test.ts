import type { IndicatorRow } from '@quant/core';
import { describe, expect, it } from 'vitest';
import { RowHistory } from './row-history.js';

const row = (openTime: number): IndicatorRow => ({ openTime, close: openTime * 2, values: { ema: openTime / 2 } });
const times = (rows: Iterable<IndicatorRow>) => Array.from(rows, (r) => r.openTime);

describe('RowHistory', () => {
  it('hands out windows of the last rows that never change as rows are added, across buffer renewals', () => {
    const history = new RowHistory(6);
    const windows = [];
    for (let t = 1; t <= 1_000; t++) {
      history.push(row(t));
      windows.push(history.window());
    }
    // 1 000 rows went through a buffer of 256: it was renewed several times; every window still shows its rows.
    windows.forEach((window, i) => {
      const last = i + 1;
      const expected = Array.from({ length: Math.min(6, last) }, (_, k) => last - Math.min(6, last) + 1 + k);
      expect(times(window)).toEqual(expected);
      expect(window.length).toBe(expected.length);
      expect(window.at(-1)?.openTime).toBe(last);
      expect(window.at(0)?.openTime).toBe(expected[0]);
    });
    expect(history.length).toBe(6);
  });

  it('reads like an array: at() from either end, undefined outside, JSON as an array of rows', () => {
    const history = new RowHistory(3);
    for (const t of [1, 2, 3, 4]) history.push(row(t));
    const window = history.window();
    expect([window.at(0), window.at(1.7), window.at(-1), window.at(-3)].map((r) => r?.openTime)).toEqual([2, 3, 4, 2]);
    expect([window.at(3), window.at(-4)]).toEqual([undefined, undefined]);
    // Exactly as an array's at(), which an event rebuilt from JSON carries.
    const array = Array.from(window);
    for (const index of [Number.NaN, -0.5, 0.9, -1.5, 2.99, -3, 3, Number.POSITIVE_INFINITY]) {
      expect(window.at(index)).toBe(array.at(index));
    }
    expect(JSON.parse(JSON.stringify({ recentRows: window }))).toEqual({ recentRows: [row(2), row(3), row(4)] });
  });

  it('freezes the rows and the windows', () => {
    const history = new RowHistory(2);
    history.push(row(1));
    const window = history.window();
    const first = window.at(0) as IndicatorRow;
    expect(Object.isFrozen(first) && Object.isFrozen(first.values) && Object.isFrozen(window)).toBe(true);
    expect(() => {
      (first.values as Record<string, number>).ema = 0;
    }).toThrow(TypeError);
  });

  it('keeps one row per window with a limit of 1', () => {
    const history = new RowHistory(1);
    for (let t = 1; t <= 600; t++) history.push(row(t));
    expect(times(history.window())).toEqual([600]);
  });
});
