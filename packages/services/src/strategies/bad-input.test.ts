import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, ConfigError } from '@quant/config';
import { describe, expect, it } from 'vitest';
import { createTradingSystem } from '../create-trading-system.js';
import { indicatorsFromFile } from '../indicators/from-file.js';
import { loadIndicators } from '../indicators/load-indicators.js';
import type { Strategy } from '../ports/strategy.js';
import { conf } from '../test-support/real-data.js';
import { type LoadStrategiesOptions, loadStrategies } from './load-strategies.js';

const { processor } = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
const outputsFor = (timeframe: string) => processor.outputNames(timeframe);
const dir = mkdtempSync(join(tmpdir(), 'quant-strategies-bad-'));
const file = (content: string, name = `s${Math.random().toString(36).slice(2)}.yaml`): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const failure = (path: string, options: Partial<LoadStrategiesOptions> = {}): ConfigError => {
  try {
    loadStrategies(path, { outputsFor, ...options });
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};
/** The issues with the file's path replaced by FILE. */
const issuesOf = (error: ConfigError, path: string) =>
  error.issues.map((issue) => ({ ...issue, source: issue.source.replace(path, 'FILE') }));

const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const RULE = '{ left: rsi, op: "<", right: 30 }';
const SIZING = 'sizing: { type: fixed, quantity: 1 }';

describe('strategies files that could hang or exhaust memory', () => {
  it.skipIf(!hasMkfifo)('refuses a FIFO without blocking', () => {
    const path = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [path]);
    const error = failure(path);
    expect(error.code).toBe('CONFIG_NOT_A_FILE');
    expect(error.issues).toEqual([
      { path: '', source: path, message: 'the strategies file is a FIFO (named pipe), not a regular file' },
    ]);
  });

  it('refuses a file over 1 MiB', () => {
    const path = file('');
    truncateSync(path, 2 * 1024 * 1024);
    const error = failure(path);
    expect(error.code).toBe('CONFIG_TOO_LARGE');
    expect(error.issues).toEqual([
      {
        path: '',
        source: path,
        message: 'the strategies file is too large: 2097152 bytes (2.0 MiB); the limit is 1048576 bytes (1.0 MiB)',
      },
    ]);
  });

  it('turns an alias bomb into a coded error', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, previous] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
    ]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    const path = file(`${lines.join('\n')}\nstrategies: [*e]\n`);
    const error = failure(path);
    expect(error.code).toBe('CONFIG_YAML_ALIASES');
    expect(error.issues[0]?.source).toBe(path);
    expect(error.issues[0]?.message).toMatch(/^YAML aliases \(\*name\) expand to too much data/);
  });
});

describe('strategies accepted silently before', () => {
  it('rejects numbers that are not finite', () => {
    const path = file(
      [
        'strategies:',
        '  - name: a',
        '    timeframe: 5m',
        '    entry: { long: { left: rsi, op: "<", right: .inf } }',
        '    stop_loss: { type: fixed, distance: 1e400 }',
        `    ${SIZING}`,
        '',
      ].join('\n'),
    );
    expect(issuesOf(failure(path), path)).toEqual([
      { path: 'strategies.0.entry.long.right', source: 'FILE:4:49', message: 'expected a finite number, got Infinity' },
      {
        path: 'strategies.0.stop_loss.distance',
        source: 'FILE:5:41',
        message: 'expected a finite number, got Infinity',
      },
    ]);
  });

  it('rejects an enabled strategy on a timeframe that is not configured, with the configured list', () => {
    const path = file(
      [
        'strategies:',
        `  - { name: fast, timeframe: 30m, entry: { long: ${RULE} }, exit: { long: ${RULE} }, ${SIZING} }`,
        `  - { name: off, enabled: false, timeframe: 1h, entry: { long: ${RULE} }, exit: { long: ${RULE} }, ${SIZING} }`,
        '',
      ].join('\n'),
    );
    expect(issuesOf(failure(path, { timeframes: ['1m', '5m', '15m'] }), path)).toEqual([
      {
        path: 'strategies.0.timeframe',
        source: 'FILE:2:30',
        message:
          'timeframe 30m is not one of trading.timeframes (1m, 5m, 15m): the strategy would never be evaluated; add it there or disable the strategy',
      },
    ]);
    expect(loadStrategies(path, { outputsFor, timeframes: ['30m'] }).map((s) => s.name)).toEqual(['fast']);
  });

  it('createTradingSystem refuses a strategy on a timeframe that is not configured', () => {
    const config = buildConfig({ trading: { timeframes: ['1m', '5m'] } });
    const strategy = { name: 'hourly', timeframe: '1h', symbol: undefined, evaluate: () => null } as Strategy;
    let error: unknown;
    try {
      createTradingSystem(config, { strategies: [strategy] } as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues).toEqual([
      {
        path: 'trading.timeframes',
        source: 'strategy hourly',
        message:
          'strategy "hourly" runs on 1h, which is not one of trading.timeframes (1m, 5m): it would never be evaluated',
      },
    ]);
  });

  it('warns about a strategy whose positions nothing closes, and about every strategy disabled', () => {
    const path = file(
      [
        'strategies:',
        `  - { name: open_ended, timeframe: 5m, entry: { long: ${RULE}, short: ${RULE} }, exit: { short: ${RULE} }, ${SIZING} }`,
        `  - { name: stopped, timeframe: 5m, entry: { long: ${RULE} }, stop_loss: { type: percent, percent: 1 }, ${SIZING} }`,
        '',
      ].join('\n'),
    );
    const warnings: string[] = [];
    loadStrategies(path, { outputsFor, onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([
      `${path}:2:13: strategy "open_ended" has no exit.long, stop_loss or take_profit: its long positions would never be closed`,
    ]);
    const disabled = file(
      [
        'strategies:',
        `  - { name: a, enabled: false, timeframe: 5m, entry: { long: ${RULE} }, exit: { long: ${RULE} }, ${SIZING} }`,
        '',
      ].join('\n'),
    );
    const disabledWarnings: string[] = [];
    expect(loadStrategies(disabled, { outputsFor, onWarning: (w) => disabledWarnings.push(w) })).toEqual([]);
    expect(disabledWarnings).toEqual([
      `${disabled}:2:3: every strategy is disabled (enabled: false): the bot will not trade`,
    ]);
  });
});

describe('strategy messages', () => {
  it('names an unknown operator and the known ones', () => {
    const path = file(
      `strategies:\n  - { name: a, timeframe: 5m, entry: { long: { left: rsi, op: "=>", right: 30 } }, ${SIZING} }\n`,
    );
    expect(issuesOf(failure(path), path)).toEqual([
      {
        path: 'strategies.0.entry.long.op',
        source: 'FILE:2:63',
        message: 'unknown operator "=>"; expected one of >, >=, <, <=, crosses_above, crosses_below',
      },
    ]);
  });

  it('points at a repeated name, saying where the first is, with every other problem', () => {
    const path = file(
      [
        'strategies:',
        `  - { name: twin, timeframe: 5m, entry: { long: ${RULE} }, exit: { long: ${RULE} }, ${SIZING} }`,
        `  - { name: other, timeframe: 5m, entry: { long: ${RULE} }, exit: { long: ${RULE} }, ${SIZING} }`,
        '  - name: twin',
        '    timeframe: 7m',
        `    entry: { long: ${RULE} }`,
        `    ${SIZING}`,
        '',
      ].join('\n'),
    );
    expect(issuesOf(failure(path), path)).toEqual([
      {
        path: 'strategies.2.timeframe',
        source: 'FILE:5:16',
        message: 'expected ("1m" | "3m" | "5m" | "15m" | "30m" | "1h" | "2h" | "4h" | "1d"), got "7m"',
      },
      {
        path: 'strategies.2.name',
        source: 'FILE:4:11',
        message: 'duplicate strategy name "twin"; the first is strategies.0.name at line 2, column 13',
      },
    ]);
  });

  it('says "expected a mapping" for a condition or a strategy given as a list', () => {
    const path = file(
      `strategies:\n  - { name: a, timeframe: 5m, entry: { long: [rsi, "<", 30] }, ${SIZING} }\n  - [name, b]\n`,
    );
    expect(issuesOf(failure(path), path)).toEqual([
      { path: 'strategies.0.entry.long', source: 'FILE:2:46', message: 'expected a mapping (key: value), got a list' },
      { path: 'strategies.1', source: 'FILE:3:5', message: 'expected a mapping (key: value), got a list' },
    ]);
  });
});
