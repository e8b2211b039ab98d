import type { Bar, IndicatorRow, Position } from '@quant/core';
import { describe, expect, it } from 'vitest';
import type { StrategyContext } from '../ports/strategy.js';
import { evaluateCondition } from './conditions.js';
import type { StrategySpec } from './strategy-spec.js';
import { YamlStrategy } from './yaml-strategy.js';

const row = (close: number, values: Record<string, number | null>): IndicatorRow => ({ openTime: 0, close, values });
const bar: Bar = { openTime: 0, open: 100, high: 101, low: 99, close: 100, volume: 1 };
const spec: StrategySpec = {
  name: 'cross',
  enabled: true,
  symbol: undefined,
  timeframe: '15m',
  regimes: { trend: ['trend_up'] },
  entry: { long: { left: 'fast', op: 'crosses_above', right: 'slow' } },
  exit: {
    long: {
      any: [
        { left: 'fast', op: 'crosses_below', right: 'slow' },
        { left: 'close', op: '<', right: 90 },
      ],
    },
  },
  stop_loss: { type: 'atr', multiple: 2, indicator: 'atr' },
  take_profit: { type: 'risk_multiple', multiple: 3 },
  sizing: { type: 'risk_percent', percent: 1 },
};
const context = (rows: IndicatorRow[], overrides: Partial<StrategyContext> = {}): StrategyContext => ({
  symbol: 'BTCUSDT',
  timeframe: '15m',
  bar,
  rows,
  regime: { trend: 'trend_up', volatility: 'normal' },
  position: null,
  ...overrides,
});

describe('conditions', () => {
  it('detects crosses from the previous row and explains them with values', () => {
    const rows = [row(100, { fast: 9, slow: 10 }), row(100, { fast: 11, slow: 10 })];
    expect(evaluateCondition({ left: 'fast', op: 'crosses_above', right: 'slow' }, rows)).toBe(
      'fast crosses_above slow (9 → 11 vs 10 → 10)',
    );
    expect(evaluateCondition({ left: 'fast', op: 'crosses_below', right: 'slow' }, rows)).toBeNull();
    expect(evaluateCondition({ left: 'fast', op: 'crosses_above', right: 'slow' }, rows.slice(1))).toBeNull();
  });

  it('treats a warming-up value as false, never as a number', () => {
    expect(evaluateCondition({ left: 'rsi', op: '<', right: 30 }, [row(100, { rsi: null })])).toBeNull();
    expect(evaluateCondition({ left: 'rsi', op: '<', right: 30 }, [row(100, {})])).toBeNull();
  });

  it('combines all and any', () => {
    const rows = [row(95, { rsi: 25 })];
    expect(
      evaluateCondition(
        {
          all: [
            { left: 'rsi', op: '<', right: 30 },
            { left: 'price', op: '<=', right: 95 },
          ],
        },
        rows,
      ),
    ).toBe('rsi < 30 (25 < 30) and price <= 95 (95 <= 95)');
    expect(
      evaluateCondition(
        {
          any: [
            { left: 'rsi', op: '>', right: 70 },
            { left: 'close', op: '>=', right: 95 },
          ],
        },
        rows,
      ),
    ).toBe('close >= 95 (95 >= 95)');
    expect(
      evaluateCondition(
        {
          all: [
            { left: 'rsi', op: '>', right: 70 },
            { left: 'close', op: '>', right: 1 },
          ],
        },
        rows,
      ),
    ).toBeNull();
  });
});

describe('YamlStrategy', () => {
  const crossed = [row(100, { fast: 9, slow: 10, atr: 2 }), row(100, { fast: 11, slow: 10, atr: 2 })];

  it('enters with levels from the close: ATR stop and risk-multiple target', () => {
    expect(new YamlStrategy(spec).evaluate(context(crossed))).toEqual({
      kind: 'entry',
      direction: 'long',
      reason: 'fast crosses_above slow (9 → 11 vs 10 → 10) [regime trend_up/normal]',
      stopLoss: 96,
      takeProfit: 112,
      sizing: { mode: 'risk_percent', percent: 1 },
    });
  });

  it('does not enter outside its regimes, or before its regime is known, or while ATR warms up', () => {
    const strategy = new YamlStrategy(spec);
    expect(strategy.evaluate(context(crossed, { regime: { trend: 'range', volatility: 'normal' } }))).toBeNull();
    expect(strategy.evaluate(context(crossed, { regime: null }))).toBeNull();
    const noAtr = crossed.map((r) => ({ ...r, values: { ...r.values, atr: null } }));
    expect(strategy.evaluate(context(noAtr))).toBeNull();
  });

  it('only looks at exits while in a position', () => {
    const position = { direction: 'long' } as Position;
    const falling = [row(100, { fast: 11, slow: 10 }), row(89, { fast: 12, slow: 10 })];
    expect(new YamlStrategy(spec).evaluate(context(falling, { position }))).toEqual({
      kind: 'exit',
      direction: 'long',
      reason: 'close < 90 (89 < 90)',
    });
    expect(new YamlStrategy(spec).evaluate(context(crossed, { position }))).toBeNull();
  });

  it('mirrors levels for a short with percent stop and target', () => {
    const short = new YamlStrategy({
      ...spec,
      regimes: undefined,
      entry: { short: { left: 'fast', op: 'crosses_below', right: 'slow' } },
      stop_loss: { type: 'percent', percent: 2 },
      take_profit: { type: 'percent', percent: 5 },
      sizing: { type: 'fixed', quantity: 0.1 },
    });
    const decision = short.evaluate(context([row(100, { fast: 11, slow: 10 }), row(100, { fast: 9, slow: 10 })]));
    expect(decision).toMatchObject({
      kind: 'entry',
      direction: 'short',
      stopLoss: 102,
      takeProfit: 95,
      sizing: { mode: 'fixed', quantity: 0.1 },
    });
  });
});
