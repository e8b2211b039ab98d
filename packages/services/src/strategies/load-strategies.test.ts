import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@quant/config';
import { describe, expect, it } from 'vitest';
import { indicatorsFromFile } from '../indicators/from-file.js';
import { loadIndicators } from '../indicators/load-indicators.js';
import { conf } from '../test-support/real-data.js';
import { loadStrategies } from './load-strategies.js';

const { processor } = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
const outputsFor = (timeframe: string) => processor.outputNames(timeframe);
const dir = mkdtempSync(join(tmpdir(), 'quant-strategies-'));
const file = (content: string): string => {
  const path = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, content);
  return path;
};
const failure = (path: string, symbols?: readonly string[]): ConfigError => {
  try {
    loadStrategies(path, { outputsFor, ...(symbols ? { symbols } : {}) });
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadStrategies', () => {
  it('loads the two example strategies', () => {
    const strategies = loadStrategies(conf('strategies.yaml'), { outputsFor });
    expect(strategies.map((s) => [s.name, s.timeframe])).toEqual([
      ['ema_trend', '15m'],
      ['rsi_reversion', '5m'],
    ]);
  });

  it('lists every problem with its path and file:line:column', () => {
    const path = file(
      [
        'strategies:',
        '  - name: broken',
        '    timeframe: 7m',
        '    entry:',
        '      long: { left: ema_fsat, op: crosses_above, right: ema_slow }',
        '      sideways: { left: rsi, op: "<", right: 30 }',
        '    stop_loss: { type: atr, multiple: -2 }',
        '    take_profit: { type: risk_multiple, multiple: 2 }',
        '    sizing: { type: risk_percent, percnt: 1 }',
        '  - name: other',
        '    timeframe: 5m',
        '    entry:',
        '      short: { left: rsi, op: "=>", right: 70 }',
        '    sizing: { type: fixed, quantity: 0 }',
        '',
      ].join('\n'),
    );
    const error = failure(path);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues.map((issue) => [issue.path, issue.source.replace(path, 'FILE')])).toEqual([
      ['strategies.0.entry.sideways', 'FILE:6:7'],
      ['strategies.0.sizing.percnt', 'FILE:9:35'],
      ['strategies.0.timeframe', 'FILE:3:16'],
      ['strategies.0.stop_loss.multiple', 'FILE:7:39'],
      ['strategies.0.sizing.percent', 'FILE:9:13'],
      ['strategies.1.entry.short.op', 'FILE:13:31'],
      ['strategies.1.sizing.quantity', 'FILE:14:38'],
    ]);
    expect(error.issues[0]?.message).toBe('unknown key; expected one of long, short');
    expect(error.issues[1]?.message).toBe('unknown key; did you mean "percent"?');
    expect(error.issues[5]?.message).toBe(
      'unknown operator "=>"; expected one of >, >=, <, <=, crosses_above, crosses_below',
    );
  });

  it('reports operands that name no indicator of the timeframe, with a suggestion', () => {
    const path = file(
      [
        'strategies:',
        '  - name: typo',
        '    timeframe: 15m',
        '    entry:',
        '      long: { all: [ { left: ema_fsat, op: crosses_above, right: ema_slow }, { left: close, op: ">", right: bb.uper } ] }',
        '    exit:',
        '      long: { left: macd.histogram, op: "<", right: 0 }',
        '    stop_loss: { type: atr, multiple: 2, indicator: atr14 }',
        '    sizing: { type: fixed, quantity: 0.1 }',
        '',
      ].join('\n'),
    );
    const error = failure(path);
    expect(error.issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['strategies.0.entry.long.all.0.left', '"ema_fsat" is not an indicator output on 15m; did you mean "ema_fast"?'],
      ['strategies.0.entry.long.all.1.right', '"bb.uper" is not an indicator output on 15m; did you mean "bb.upper"?'],
      [
        'strategies.0.exit.long.left',
        expect.stringMatching(/^"macd.histogram" is not an indicator output on 15m; known: ema_fast, /),
      ],
      ['strategies.0.stop_loss.indicator', '"atr14" is not an indicator output on 15m; did you mean "atr"?'],
    ]);
    expect(error.issues[0]?.source).toBe(`${path}:5:30`);
  });

  it('requires a stop-loss for risk sizing and risk-multiple targets, and unique names', () => {
    const path = file(
      [
        'strategies:',
        '  - { name: a, timeframe: 5m, entry: { long: { left: rsi, op: "<", right: 30 } }, sizing: { type: risk_percent, percent: 1 } }',
        '  - { name: a, timeframe: 5m, entry: { long: { left: rsi, op: "<", right: 30 } }, sizing: { type: fixed, quantity: 1 } }',
        '',
      ].join('\n'),
    );
    const issues = failure(path).issues.map((issue) => ({ ...issue, source: issue.source.replace(path, 'FILE') }));
    expect(issues).toEqual([
      { path: 'strategies.0', source: 'FILE:2:5', message: 'sizing risk_percent needs a stop_loss' },
      {
        path: 'strategies.1.name',
        source: 'FILE:3:13',
        message: 'duplicate strategy name "a"; the first is strategies.0.name at line 2, column 13',
      },
    ]);
  });

  it('names an unreadable file', () => {
    expect(failure(join(dir, 'missing.yaml')).code).toBe('CONFIG_FILE_UNREADABLE');
  });
});

describe('loadStrategies with symbols', () => {
  const strategy = (symbolLines: string[]) =>
    file(
      [
        'strategies:',
        '  - name: pick',
        ...symbolLines,
        '    timeframe: 5m',
        '    entry:',
        '      long: { left: rsi, op: "<", right: 30 }',
        '    exit:',
        '      long: { left: rsi, op: ">", right: 50 }',
        '    sizing: { type: fixed, quantity: 0.1 }',
        '',
      ].join('\n'),
    );
  const symbols = ['BTCUSDT', 'BTCUSDC'];
  const load = (path: string) => loadStrategies(path, { outputsFor, symbols });
  const failureOf = (path: string): ConfigError => failure(path, symbols);

  it('reads symbols (a list) or symbol (one), and every configured symbol when neither is given', () => {
    expect(load(strategy(['    symbols: [BTCUSDC]']))[0]?.symbols).toEqual(['BTCUSDC']);
    expect(load(strategy(['    symbol: BTCUSDT']))[0]?.symbols).toEqual(['BTCUSDT']);
    expect(load(strategy([]))[0]?.symbols).toBeUndefined();
  });

  it('refuses a symbol that is not traded, with a suggestion, and both forms at once', () => {
    const unknown = failureOf(strategy(['    symbols: [BTCUSDT, BTCUSDD]']));
    expect(unknown.issues).toEqual([
      {
        path: 'strategies.0.symbols.1',
        source: expect.stringMatching(/\.yaml:3:24$/),
        message:
          'symbol BTCUSDD is not one of trading.symbols (BTCUSDT, BTCUSDC); did you mean BTCUSDT?: the strategy would never trade it; add it there or remove it here',
      },
    ]);
    const both = failureOf(strategy(['    symbol: BTCUSDT', '    symbols: [BTCUSDC]']));
    expect(both.issues.map((issue) => issue.message)).toEqual(['expected symbol (one) or symbols (a list), not both']);
  });
});
