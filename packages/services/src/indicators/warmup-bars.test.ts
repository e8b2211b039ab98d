import type { Bar } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conf, realBars } from '../test-support/real-data.js';
import { AdxAtrRegimeDetector } from './adx-atr-regime-detector.js';
import type { IndicatorSpec, RegimeSpec } from './indicator-spec.js';
import { loadIndicators } from './load-indicators.js';
import { TradingSignalsProcessor } from './trading-signals-processor.js';

let bars: Bar[];
beforeAll(async () => {
  bars = await realBars('5m', 400);
});
const series = { symbol: 'BTCUSDT', timeframe: '5m' } as const;

/** How many bars a fresh processor needs before its `5m` row has no null, found by feeding the real bars. */
const barsUntilComplete = (specs: readonly IndicatorSpec[]): number => {
  const processor = new TradingSignalsProcessor(specs);
  for (const [index, bar] of bars.entries()) {
    if (Object.values(processor.update(series, bar).values).every((value) => value !== null)) return index + 1;
  }
  return Number.POSITIVE_INFINITY;
};

/** How many bars a fresh detector needs before it answers a regime. */
const barsUntilRegime = (spec: RegimeSpec): number => {
  const detector = new AdxAtrRegimeDetector(spec);
  for (const [index, bar] of bars.entries()) if (detector.update(series, bar) !== null) return index + 1;
  return Number.POSITIVE_INFINITY;
};

const file = loadIndicators(conf('indicators.yaml'));
const all = { timeframes: undefined };

describe('TradingSignalsProcessor.warmupBars', () => {
  it.each<[string, IndicatorSpec, number]>([
    ['EMA: the period', { ...all, name: 'x', type: 'ema', period: 12 }, 12],
    ['SMA: the period', { ...all, name: 'x', type: 'sma', period: 30 }, 30],
    ['RSI: the period + 1', { ...all, name: 'x', type: 'rsi', period: 14 }, 15],
    ['ATR: the period', { ...all, name: 'x', type: 'atr', period: 14 }, 14],
    ['ADX (and ±DI): twice the period - 1', { ...all, name: 'x', type: 'adx', period: 14 }, 27],
    ['ADX with another period', { ...all, name: 'x', type: 'adx', period: 9 }, 17],
    ['Bollinger Bands: the period', { ...all, name: 'x', type: 'bbands', period: 20, stddev: 2 }, 20],
    ['MACD: slow + signal - 1', { ...all, name: 'x', type: 'macd', fast: 12, slow: 26, signal: 9 }, 34],
  ])('%s, exactly the bars after which every output is non-null', (_, spec, expected) => {
    const processor = new TradingSignalsProcessor([spec]);
    expect(processor.warmupBars('5m')).toBe(expected);
    expect(barsUntilComplete([spec])).toBe(expected);
  });

  it('keeps MACD signal line and histogram null until the signal EMA has had its inputs', () => {
    const processor = new TradingSignalsProcessor([{ ...all, name: 'm', type: 'macd', fast: 12, slow: 26, signal: 9 }]);
    const rows = bars.slice(0, 34).map((bar) => processor.update(series, bar).values);
    // trading-signals' MACD reports 26 required inputs: that is when the MACD line appears.
    expect(rows[24]?.['m.macd']).toBeNull();
    expect(rows[25]?.['m.macd']).toEqual(expect.any(Number));
    expect(rows[32]?.['m.signal']).toBeNull();
    expect(rows[32]?.['m.histogram']).toBeNull();
    expect(rows[33]?.['m.signal']).toEqual(expect.any(Number));
    expect(rows[33]?.['m.histogram']).toEqual(expect.any(Number));
  });

  it('is the most any indicator of the timeframe needs, and 0 when none applies', () => {
    const processor = new TradingSignalsProcessor([
      { name: 'slow', type: 'ema', period: 50, timeframes: ['15m'] },
      { name: 'rsi', type: 'rsi', period: 14, timeframes: ['5m', '15m'] },
    ]);
    expect(processor.warmupBars('15m')).toBe(50);
    expect(processor.warmupBars('5m')).toBe(15);
    expect(processor.warmupBars('1m')).toBe(0);
  });

  it('is 27 bars on every timeframe for conf/indicators.yaml (ADX 14), found by feeding the real bars', () => {
    const processor = new TradingSignalsProcessor(file.indicators);
    for (const timeframe of ['1m', '5m', '15m'] as const) expect(processor.warmupBars(timeframe), timeframe).toBe(27);
    expect(barsUntilComplete(file.indicators)).toBe(27);
  });
});

describe('AdxAtrRegimeDetector.warmupBars', () => {
  it.each<[string, Partial<RegimeSpec>, number]>([
    ['conf/indicators.yaml: ATR 14 + a volatility lookback of 100 - 1', {}, 113],
    ['EMA 50 + a slope lookback of 5 when the ATR history is short', { volatility_lookback: 10 }, 55],
    ['ADX 40 (79 bars) when it is the slowest', { adx_period: 40, volatility_lookback: 10 }, 79],
  ])('%s: exactly the bars after which it answers a regime', (_, change, expected) => {
    const spec = { ...file.regime, ...change };
    expect(new AdxAtrRegimeDetector(spec).warmupBars()).toBe(expected);
    expect(barsUntilRegime(spec)).toBe(expected);
  });
});
