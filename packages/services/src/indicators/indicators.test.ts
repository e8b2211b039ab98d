import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@quant/config';
import type { Bar, IndicatorRow } from '@quant/core';
import { EMA } from 'trading-signals';
import { beforeAll, describe, expect, it } from 'vitest';
import { conf, realBars } from '../test-support/real-data.js';
import { AdxAtrRegimeDetector } from './adx-atr-regime-detector.js';
import { indicatorsFromFile } from './from-file.js';
import { loadIndicators } from './load-indicators.js';
import { RegimeConfirmation } from './regime-confirmation.js';
import { TradingSignalsProcessor } from './trading-signals-processor.js';

let bars: Bar[];
beforeAll(async () => {
  bars = await realBars('5m', 400);
});
const series = { symbol: 'BTCUSDT', timeframe: '5m' } as const;

describe('TradingSignalsProcessor', () => {
  it('reports every output as null until its indicator is stable, then as numbers', () => {
    const { processor } = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
    const rows = bars.map((bar) => processor.update(series, bar));
    expect(Object.keys(rows[0]?.values ?? {})).toEqual(processor.outputNames('5m'));
    expect(processor.outputNames('5m')).toEqual([
      'ema_fast',
      'ema_slow',
      'rsi',
      'atr',
      'adx',
      'adx.pdi',
      'adx.mdi',
      'bb.upper',
      'bb.middle',
      'bb.lower',
    ]);
    expect(rows[0]?.values.ema_slow).toBeNull();
    expect(rows[24]?.values.ema_slow).toBeNull();
    expect(rows[25]?.values.ema_slow).toEqual(expect.any(Number));
    const last = rows[rows.length - 1]?.values ?? {};
    for (const value of Object.values(last)) expect(value).toEqual(expect.any(Number));
    expect(last['adx.pdi']).toBeGreaterThan(0);
    expect(last['adx.pdi']).toBeLessThan(100);
    expect(last['bb.lower']).toBeLessThan(last['bb.upper'] as number);
  });

  it('matches trading-signals fed directly, and keeps series apart', () => {
    const { processor } = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
    const reference = new EMA(12);
    let row: IndicatorRow | undefined;
    for (const bar of bars.slice(0, 60)) {
      reference.add(bar.close);
      row = processor.update(series, bar);
      processor.update({ symbol: 'BTCUSDT', timeframe: '15m' }, { ...bar, close: bar.close * 2 });
    }
    expect(row?.values.ema_fast).toBe(reference.getResult());
  });

  it('computes SMA and MACD outputs too', () => {
    const processor = new TradingSignalsProcessor([
      { name: 'sma', type: 'sma', period: 10, timeframes: undefined },
      { name: 'macd', type: 'macd', fast: 12, slow: 26, signal: 9, timeframes: ['5m'] },
    ]);
    expect(processor.outputNames('5m')).toEqual(['sma', 'macd.macd', 'macd.signal', 'macd.histogram']);
    expect(processor.outputNames('1m')).toEqual(['sma']);
    const rows = bars.slice(0, 60).map((bar) => processor.update(series, bar));
    expect(rows[8]?.values.sma).toBeNull();
    expect(rows[9]?.values.sma).toBeCloseTo(bars.slice(0, 10).reduce((sum, bar) => sum + bar.close, 0) / 10, 9);
    expect(rows[20]?.values['macd.histogram']).toBeNull();
    const last = rows[59]?.values ?? {};
    expect(last['macd.histogram']).toBeCloseTo((last['macd.macd'] as number) - (last['macd.signal'] as number), 9);
  });
});

describe('regimes', () => {
  it('classify the real data only once warmed up, with every trend and volatility class seen', async () => {
    const all = await realBars('5m');
    const detector = new AdxAtrRegimeDetector(loadIndicators(conf('indicators.yaml')).regime);
    const regimes = all.map((bar) => detector.update(series, bar));
    expect(regimes[50]).toBeNull();
    const known = regimes.filter((regime) => regime !== null);
    expect(new Set(known.map((regime) => regime.trend))).toEqual(new Set(['trend_up', 'trend_down', 'range']));
    expect(new Set(known.map((regime) => regime.volatility))).toEqual(new Set(['high', 'normal', 'low']));
  });

  it('confirm a change only after it held for the configured bars (no flapping)', () => {
    const confirmation = new RegimeConfirmation(3);
    const up = { trend: 'trend_up', volatility: 'normal' } as const;
    const range = { trend: 'range', volatility: 'normal' } as const;
    expect(confirmation.update(null)).toBeUndefined();
    expect(confirmation.update(up)).toBeUndefined();
    expect(confirmation.update(up)).toBeUndefined();
    expect(confirmation.update(up)).toEqual({ oldRegime: null, newRegime: up });
    // Flapping: range for two bars, back to up, range again: nothing confirmed.
    for (const raw of [range, range, up, range, up]) expect(confirmation.update(raw)).toBeUndefined();
    expect(confirmation.current).toEqual(up);
    confirmation.update(range);
    confirmation.update(range);
    expect(confirmation.update(range)).toEqual({ oldRegime: up, newRegime: range });
  });
});

describe('loadIndicators', () => {
  it('lists every problem of a bad file with its position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-indicators-'));
    const path = join(dir, 'indicators.yaml');
    writeFileSync(
      path,
      'indicators:\n  - { name: fast, type: emaa, period: 12 }\n  - { name: slow, type: ema, perod: 26 }\n  - { name: rsi, type: rsi, period: 0 }\nregime:\n  adx_threshold: 120\n',
    );
    let error: unknown;
    try {
      loadIndicators(path);
    } catch (thrown) {
      error = thrown;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues.map((issue) => [issue.path, issue.source.replace(path, 'FILE')])).toEqual([
      ['indicators.1.perod', 'FILE:3:30'],
      ['indicators.0.type', 'FILE:2:25'],
      ['indicators.2.period', 'FILE:4:37'],
      ['regime.adx_threshold', 'FILE:6:18'],
    ]);
  });
});
