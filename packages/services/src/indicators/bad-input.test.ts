import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@quant/config';
import { describe, expect, it } from 'vitest';
import { loadIndicators } from './load-indicators.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-indicators-bad-'));
const file = (content: string): string => {
  const path = join(dir, `i${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, content);
  return path;
};
const failure = (path: string): ConfigError => {
  try {
    loadIndicators(path);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};
const issuesOf = (path: string) =>
  failure(path).issues.map((issue) => ({ ...issue, source: issue.source.replace(path, 'FILE') }));

describe('indicators files that could hang', () => {
  it.skipIf(!existsSync('/dev/zero'))('refuses /dev/zero and a directory', () => {
    const zero = failure('/dev/zero');
    expect(zero.code).toBe('CONFIG_NOT_A_FILE');
    expect(zero.issues).toEqual([
      { path: '', source: '/dev/zero', message: 'the indicators file is a character device, not a regular file' },
    ]);
    expect(failure(dir).code).toBe('CONFIG_NOT_A_FILE');
  });
});

describe('indicators accepted silently before', () => {
  it('rejects a MACD whose fast period is not below its slow one', () => {
    const path = file(
      'indicators:\n  - { name: macd, type: macd, fast: 26, slow: 12 }\n  - { name: m2, type: macd, fast: 30 }\n',
    );
    expect(issuesOf(path)).toEqual([
      { path: 'indicators.0.slow', source: 'FILE:2:47', message: 'expected fast < slow, got fast 26 and slow 12' },
      // slow left at its default 26: the place is fast's.
      { path: 'indicators.1.fast', source: 'FILE:3:35', message: 'expected fast < slow, got fast 30 and slow 26' },
    ]);
  });

  it('rejects a regime high_percentile below low_percentile', () => {
    const path = file(
      'indicators:\n  - { name: atr, type: atr }\nregime:\n  high_percentile: 20\n  low_percentile: 80\n',
    );
    expect(issuesOf(path)).toEqual([
      {
        path: 'regime.high_percentile',
        source: 'FILE:4:20',
        message: 'expected high_percentile >= low_percentile, got high_percentile 20 and low_percentile 80',
      },
    ]);
  });

  it('rejects numbers that are not finite', () => {
    const path = file('indicators:\n  - { name: bb, type: bbands, stddev: .inf }\n');
    expect(issuesOf(path)).toEqual([
      { path: 'indicators.0.stddev', source: 'FILE:2:39', message: 'expected a finite number, got Infinity' },
    ]);
  });
});

describe('indicator messages', () => {
  it('points at a repeated name, saying where the first is', () => {
    const path = file(
      'indicators:\n  - { name: ema, type: ema, period: 12 }\n  - { name: rsi, type: rsi }\n  - { name: ema, type: ema, period: 0 }\n',
    );
    expect(issuesOf(path)).toEqual([
      { path: 'indicators.2.period', source: 'FILE:4:37', message: 'expected >=1, got 0' },
      {
        path: 'indicators.2.name',
        source: 'FILE:4:13',
        message: 'duplicate indicator name "ema"; the first is indicators.0.name at line 2, column 13',
      },
    ]);
  });

  it('says "expected a mapping" for a regime given as a list', () => {
    const path = file('indicators:\n  - { name: atr, type: atr }\nregime: [14, 25]\n');
    expect(issuesOf(path)).toEqual([
      { path: 'regime', source: 'FILE:3:9', message: 'expected a mapping (key: value), got a list' },
    ]);
  });
});
