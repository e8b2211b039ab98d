import { describe, expect, it } from 'vitest';
import { checkBarRow, parseTimestamp } from './parse-bar-row.js';

const MARCH_1 = Date.UTC(2023, 2, 1);

describe('checkBarRow', () => {
  it('returns the open time and values of a valid row', () => {
    expect(checkBarRow(['2023-03-01 00:00:00+00:00', '2', '3', '1', '2.5', '0'], 'auto', -Infinity)).toEqual({
      ok: true,
      openTime: MARCH_1,
      values: [2, 3, 1, 2.5, 0],
    });
  });

  it.each([
    [['2023-03-01'], 'open "" is not a finite number'],
    [[], 'missing open time'],
    [['noon', '2', '3', '1', '2', '1'], 'open time "noon" is not a timestamp: expected ISO 8601'],
    [['2023-03-01', '2', ' ', '1', '2', '1'], 'high " " is not a finite number'],
    [['2023-03-01', '2', '3', '-1', '2', '1'], 'low is -1: expected a price > 0'],
    [['2023-03-01', '2', '3', '2.5', '2', '1'], 'inconsistent prices: need low <= open, close <= high'],
    [['2023-03-01', '2', '3', '1', '2', '-2'], 'volume -2 is negative: expected >= 0'],
  ])('refuses %j: %s', (cells, reason) => {
    const check = checkBarRow(cells, 'auto', -Infinity);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toContain(reason);
  });

  it('refuses an open time not after the previous one, and names cells with the labels given', () => {
    expect(checkBarRow(['2023-03-01', '2', '3', '1', '2', '1'], 'auto', MARCH_1)).toEqual({
      ok: false,
      reason: "open time 2023-03-01T00:00:00.000Z is not after the previous bar's (2023-03-01T00:00:00.000Z)",
    });
    expect(checkBarRow(['2023-03-01', 'x'], 'auto', -Infinity, ['time (column 2)', 'open (column 5)'])).toEqual({
      ok: false,
      reason: 'open (column 5) "x" is not a finite number',
    });
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2023-03-01 00:00:00+00:00', 'auto', MARCH_1],
    ['2023-03-01T01:00:00+01:00', 'iso', MARCH_1],
    [' 2023-03-01 00:00:00Z ', 'auto', MARCH_1],
    ['2023-03-01 00:00:00.250', 'auto', MARCH_1 + 250],
    ['2023-03-01', 'iso', MARCH_1],
    [String(MARCH_1 / 1000), 'auto', MARCH_1],
    [String(MARCH_1), 'auto', MARCH_1],
    [String(MARCH_1 / 1000), 'epoch_s', MARCH_1],
    [String(MARCH_1), 'epoch_ms', MARCH_1],
    ['2023-03-01 00:00:00', 'epoch_ms', undefined],
    [String(MARCH_1), 'iso', undefined],
    ['2023-02-29 00:00:00', 'auto', undefined],
  ] as const)('reads %j as %s: %s', (text, format, expected) => {
    expect(parseTimestamp(text, format)).toBe(expected);
  });
});
