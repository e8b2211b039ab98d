import { describe, expect, it } from 'vitest';
import { parseNumberCell } from './parse-number-cell.js';

/** What a cell means, by definition: `Number`, except that a blank cell is no number. */
const reference = (cell: string): number => (cell.trim() === '' ? Number.NaN : Number(cell));

/** A deterministic pseudo-random generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('parseNumberCell', () => {
  it('reads what Number reads, and a blank or missing cell as NaN', () => {
    const cells = [
      ...[
        '',
        ' ',
        '\t',
        '\u00a0',
        '-',
        '.',
        '-.',
        '+',
        '--1',
        '1.2.3',
        '1-',
        '1 2',
        'abc',
        'NaN',
        'Infinity',
        '-Infinity',
      ],
      ...['0', '-0', '0.0', '-0.000', '00012.50', '1.', '.5', '-.5', '5.', '+1', ' 1 ', '1e3', '1E-3', '.5e1', '0x10'],
      ...[
        '0b11',
        '0o17',
        '1_000',
        '23140.48',
        '2.131777',
        '999999999999999',
        '9999999999999999',
        '0.1234567890123456789',
      ],
      ...['123456789012345', '12345678901234.5', '0.000000000000001', '0.00000000000001', '1e400', '-1e-400', '\u0661'],
    ];
    expect(cells.filter((cell) => !Object.is(parseNumberCell(cell), reference(cell)))).toEqual([]);
    expect(parseNumberCell(undefined)).toBeNaN();
    expect(Object.is(parseNumberCell('-0'), -0)).toBe(true);
  });

  it('reads random decimals of up to 18 digits to the double Number reads', () => {
    const next = random(20_230_301);
    const wrong: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const digits = Array.from({ length: 1 + Math.floor(next() * 18) }, () => Math.floor(next() * 10)).join('');
      const point = Math.floor(next() * (digits.length + 2)) - 1; // -1: no point
      const unsigned = point < 0 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
      const cell = next() < 0.2 ? `-${unsigned}` : unsigned;
      if (!Object.is(parseNumberCell(cell), reference(cell))) wrong.push(cell);
    }
    expect(wrong).toEqual([]);
  });
});
