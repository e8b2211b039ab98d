import type { RiskConfig } from '@quant/config';
import type { Order, Position } from '@quant/core';
import { describe, expect, it } from 'vitest';
import type { Account } from '../ports/account.js';
import type { RiskCheck } from '../ports/risk.js';
import { march } from '../test-support/real-data.js';
import { DefaultRiskManager } from './default-risk-manager.js';

const CONFIG: RiskConfig = {
  daily_loss_limit: 1000,
  max_positions: 2,
  max_position_size: 1,
  max_position_sizes: { ETHUSDT: 20 },
  max_leverage: 1,
  news_blocks: [{ start: march(10, 13, 30), end: march(10, 14, 0) }],
  trading_hours: '01:00-23:00',
};
const account = (equity = 100_000): Account => ({
  currency: 'USDT',
  cash: equity,
  equity,
  realizedPnl: 0,
  unrealizedPnl: 0,
  fees: 0,
});
const position = (quantity = 0.5, entryPrice = 24_000): Position => ({
  positionId: 'p',
  symbol: 'BTCUSDT',
  direction: 'long',
  quantity,
  entryPrice,
  openedAt: 0,
  realizedPnl: 0,
  markPrice: entryPrice,
  unrealizedPnl: 0,
  fees: 0,
  strategyName: 's',
});
const check = (overrides: Partial<RiskCheck> = {}): RiskCheck => ({
  now: march(10, 12),
  symbol: 'BTCUSDT',
  intent: 'entry',
  quantity: 0.5,
  price: 20_000,
  account: account(),
  positions: [],
  ...overrides,
});

describe('DefaultRiskManager', () => {
  it('allows an order that breaks no rule', () => {
    expect(new DefaultRiskManager(CONFIG).check(check())).toEqual({ allowed: true, reasons: [] });
  });

  it.each([
    ['max_positions', { positions: [position(), position()] }],
    ['max_position_size', { quantity: 1.5 }],
    ['news_block', { now: march(10, 13, 45) }],
    ['outside_trading_hours', { now: march(10, 23, 30) }],
    ['insufficient_funds', { quantity: 0.9, price: 20_000, positions: [position(0.5, 170_000)] }],
  ] as const)('blocks %s', (reason, overrides) => {
    const decision = new DefaultRiskManager(CONFIG).check(check(overrides));
    expect(decision.allowed).toBe(false);
    expect(decision.reasons).toContain(reason);
  });

  it('takes a symbol of max_position_sizes over max_position_size', () => {
    const risk = new DefaultRiskManager(CONFIG);
    expect(risk.check(check({ symbol: 'ETHUSDT', quantity: 15, price: 1_600 }))).toEqual({
      allowed: true,
      reasons: [],
    });
    expect(risk.check(check({ symbol: 'ETHUSDT', quantity: 25, price: 1_600 })).reasons).toEqual(['max_position_size']);
    expect(risk.check(check({ symbol: 'BTCUSDT', quantity: 1.5 })).reasons).toContain('max_position_size');
  });

  it('counts working entries of strategies without a position toward max_positions', () => {
    const risk = new DefaultRiskManager(CONFIG);
    const entry = (strategyName: string, symbol: string) =>
      ({ strategyName, symbol, intent: 'entry', quantity: 0.1, filledQuantity: 0 }) as unknown as Order;
    // One position (strategy s on BTCUSDT) and an entry working for strategy t on ETHUSDT: two, the limit.
    expect(risk.check(check({ positions: [position()], workingEntries: [entry('t', 'ETHUSDT')] })).reasons).toEqual([
      'max_positions',
    ]);
    // A partly filled entry of s on BTCUSDT already has its position: not counted twice.
    expect(risk.check(check({ positions: [position()], workingEntries: [entry('s', 'BTCUSDT')] })).allowed).toBe(true);
  });

  it('reports every reason at once', () => {
    const decision = new DefaultRiskManager(CONFIG).check(check({ quantity: 6, now: march(10, 13, 40) }));
    expect(decision.reasons).toEqual(['max_position_size', 'news_block', 'insufficient_funds']);
  });

  it('blocks entries for the rest of the UTC day once the daily loss limit is breached, but not exits', () => {
    const risk = new DefaultRiskManager(CONFIG);
    expect(risk.recordEquity(march(10, 0, 1), 100_000)).toEqual([]);
    expect(risk.recordEquity(march(10, 9), 99_500)).toEqual([]);
    expect(risk.recordEquity(march(10, 10), 98_900)).toEqual([
      { limit: 'daily_loss_limit', value: 1100, threshold: 1000 },
    ]);
    expect(risk.recordEquity(march(10, 11), 98_800)).toEqual([]);
    // Equity recovers, yet entries stay blocked until the next UTC day.
    risk.recordEquity(march(10, 12), 100_200);
    expect(risk.check(check({ now: march(10, 12), account: account(100_200) })).reasons).toEqual(['daily_loss_limit']);
    expect(risk.check(check({ now: march(10, 12), intent: 'exit' }))).toEqual({ allowed: true, reasons: [] });
    risk.recordEquity(march(11, 1), 100_200);
    expect(risk.check(check({ now: march(11, 2), account: account(100_200) })).allowed).toBe(true);
  });

  it('counts unrealized losses toward the daily limit before any bar breached it', () => {
    const risk = new DefaultRiskManager(CONFIG);
    risk.recordEquity(march(10, 0, 1), 100_000);
    expect(risk.check(check({ now: march(10, 5), account: account(98_999) })).reasons).toEqual(['daily_loss_limit']);
  });
});
