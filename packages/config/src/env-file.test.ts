import { describe, expect, it } from 'vitest';
import { parseEnvFile } from './env-file.js';

describe('parseEnvFile', () => {
  it('reads export, comments, quotes, escapes and values spanning lines', () => {
    const env = parseEnvFile(
      [
        '# a comment',
        'export\tTRADING_SYMBOL=BTCUSDT # inline comment',
        'A="p\\"w\\\\"',
        "B='single # not a comment'",
        'C="two',
        'lines"',
        'my.var-name=1',
      ].join('\n'),
      '.env',
    );
    expect(env.vars).toEqual({
      TRADING_SYMBOL: 'BTCUSDT',
      A: 'p"w\\',
      B: 'single # not a comment',
      C: 'two\nlines',
      'my.var-name': '1',
    });
    expect(env.lines.get('C')).toBe(5);
    expect(env.lines.get('my.var-name')).toBe(7);
  });

  it('warns about a variable set twice, keeping the last value', () => {
    const env = parseEnvFile('A=1\nA=2\n', '.env');
    expect(env.vars.A).toBe('2');
    expect(env.warnings).toEqual(['.env:2: A is set again (first on line 1); the value of line 2 is used']);
  });
});
