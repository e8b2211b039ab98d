import type { Position } from '@quant/core';
import { describe, expect, it } from 'vitest';
import { ServicesError } from '../errors.js';
import { analyzeRun, groupTrades } from './analyze-run.js';
import { type ClosedTrade, closedTradeFrom } from './closed-trade.js';
import { EquityStats } from './equity-stats.js';

const T0 = Date.UTC(2023, 2, 1);
const MIN = 60_000;
const DAY = 86_400_000;

function trade(overrides: Partial<ClosedTrade>): ClosedTrade {
  return {
    strategy: 'a',
    symbol: 'BTCUSDT',
    direction: 'long',
    quantity: 1,
    entryTime: T0,
    entryPrice: 100,
    exitTime: T0 + 10 * MIN,
    exitPrice: 100,
    pnl: 0,
    fees: 0.2,
    reason: 'exit_signal',
    ...overrides,
  };
}

const trades: ClosedTrade[] = [
  trade({ pnl: 30, exitTime: T0 + 10 * MIN, reason: 'take_profit' }),
  trade({ pnl: -10, exitTime: T0 + 20 * MIN, reason: 'stop_loss', symbol: 'ETHUSDT', entryPrice: 50, quantity: 2 }),
  trade({ pnl: -20, exitTime: T0 + 40 * MIN, reason: 'stop_loss', strategy: 'b' }),
  trade({ pnl: 10, exitTime: T0 + 30 * MIN, strategy: 'b', fees: 0.4 }),
];

/** Equity 1 000 → day closes 1 100, 990, 1 089 (returns +10 %, −10 %, +10 %). */
function equity(): EquityStats {
  const stats = new EquityStats(1_000);
  stats.mark(T0 + DAY / 2, 1_100, 1);
  stats.mark(T0 + DAY, 1_100, 0);
  stats.mark(T0 + DAY + DAY / 2, 990, 0);
  stats.mark(T0 + 2 * DAY, 990, 0);
  stats.mark(T0 + 3 * DAY, 1_089, 1);
  return stats;
}

describe('analyzeRun', () => {
  const analysis = analyzeRun({
    trades,
    equity: equity(),
    benchmarks: [
      { symbol: 'BTCUSDT', firstClose: 20_000, lastClose: 24_300 },
      { symbol: 'ETHUSDT', firstClose: 1_600, lastClose: 1_200 },
    ],
  });

  it('computes the returns, drawdown and its duration from the equity figures', () => {
    expect(analysis).toMatchObject({
      initialEquity: 1_000,
      finalEquity: 1_089,
      totalReturn: 89,
      maxDrawdown: 110,
      maxDrawdownDurationMs: 2 * DAY, // from 1 100 at T0 + 1 day (its last mark), never back: to the last mark
      maxDrawdownRecovered: false,
      exposurePct: 40,
      days: 3,
      periodsPerYear: 365,
    });
    expect(analysis.totalReturnPct).toBeCloseTo(8.9, 12);
    expect(analysis.maxDrawdownPct).toBeCloseTo(10, 12);
  });

  it('computes Sharpe and Sortino of the daily returns with 365 periods a year, or as many as given', () => {
    const r = [0.1, -0.1, 0.1];
    const m = 0.1 / 3;
    const sd = Math.sqrt(((0.1 - m) ** 2 * 2 + (-0.1 - m) ** 2) / 2);
    expect(analysis.sharpeRatio).toBeCloseTo((m / sd) * Math.sqrt(365), 9);
    expect(analysis.sortinoRatio).toBeCloseTo((m / Math.sqrt(0.01 / 3)) * Math.sqrt(365), 9);
    expect(r).toHaveLength(analysis.days);
    const weekdays = analyzeRun({ trades, equity: equity(), periodsPerYear: 252 });
    expect(weekdays.sharpeRatio).toBeCloseTo((m / sd) * Math.sqrt(252), 9);
    expect(weekdays.periodsPerYear).toBe(252);
  });

  it('computes the trade figures: wins, profit factor, expectancy, durations, best and worst, fees', () => {
    expect(analysis).toMatchObject({
      trades: 4,
      wins: 2,
      losses: 2,
      winRate: 0.5,
      realizedPnl: 10,
      grossProfit: 40,
      grossLoss: 30,
      expectancy: 2.5,
      averageTradeDurationMs: 25 * MIN,
      medianTradeDurationMs: 25 * MIN,
    });
    expect(analysis.profitFactor).toBeCloseTo(40 / 30, 12);
    // Per trade: +30 %, −10 % (−10 on 100 notional), −20 %, +10 %.
    expect(analysis.expectancyPct).toBeCloseTo(2.5, 12);
    expect(analysis.bestTrade?.pnl).toBe(30);
    expect(analysis.worstTrade?.pnl).toBe(-20);
    expect(analysis.fees).toBeCloseTo(1, 12);
  });

  it('computes buy and hold of each symbol from its first and last close', () => {
    expect(analysis.buyAndHold).toEqual([
      { symbol: 'BTCUSDT', firstClose: 20_000, lastClose: 24_300, returnPct: expect.closeTo(21.5, 12) },
      { symbol: 'ETHUSDT', firstClose: 1_600, lastClose: 1_200, returnPct: expect.closeTo(-25, 12) },
    ]);
  });

  it('breaks the trades down by strategy, symbol and exit reason, in key order', () => {
    expect(analysis.byStrategy).toEqual([
      { key: 'a', trades: 2, wins: 1, losses: 1, winRate: 0.5, totalPnl: 20, averagePnl: 10, fees: 0.4 },
      {
        key: 'b',
        trades: 2,
        wins: 1,
        losses: 1,
        winRate: 0.5,
        totalPnl: -10,
        averagePnl: -5,
        fees: expect.closeTo(0.6, 12),
      },
    ]);
    expect(analysis.bySymbol.map((g) => [g.key, g.trades, g.totalPnl])).toEqual([
      ['BTCUSDT', 3, 20],
      ['ETHUSDT', 1, -10],
    ]);
    expect(analysis.byExitReason.map((g) => [g.key, g.trades, g.wins, g.winRate, g.totalPnl, g.averagePnl])).toEqual([
      ['exit_signal', 1, 1, 1, 10, 10],
      ['stop_loss', 2, 0, 0, -30, -15],
      ['take_profit', 1, 1, 1, 30, 30],
    ]);
    expect(groupTrades([], (t) => t.symbol)).toEqual([]);
  });

  it('gives nulls, not NaN, without trades or days', () => {
    const empty = analyzeRun({ trades: [], equity: new EquityStats(500) });
    expect(empty).toMatchObject({
      trades: 0,
      winRate: null,
      finalEquity: 500,
      totalReturn: 0,
      sharpeRatio: null,
      sortinoRatio: null,
      profitFactor: null,
      expectancy: null,
      expectancyPct: null,
      averageTradeDurationMs: null,
      medianTradeDurationMs: null,
      bestTrade: null,
      worstTrade: null,
      fees: 0,
      maxDrawdownDurationMs: 0,
      buyAndHold: [],
      byStrategy: [],
    });
  });

  it('throws INVALID_ANALYSIS_INPUT for a missing initial equity, bad periods or a bad benchmark price', () => {
    const code = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        return ServicesError.isInstance(error) ? error.code : 'not a ServicesError';
      }
      return undefined;
    };
    expect(code(() => analyzeRun({ trades: [], equity: new EquityStats() }))).toBe('INVALID_ANALYSIS_INPUT');
    expect(code(() => analyzeRun({ trades: [], equity: new EquityStats(), initialEquity: 0 }))).toBe(
      'INVALID_ANALYSIS_INPUT',
    );
    expect(code(() => analyzeRun({ trades: [], equity: new EquityStats(1), periodsPerYear: 0 }))).toBe(
      'INVALID_ANALYSIS_INPUT',
    );
    expect(
      code(() =>
        analyzeRun({
          trades: [],
          equity: new EquityStats(1),
          benchmarks: [{ symbol: 'X', firstClose: 0, lastClose: 1 }],
        }),
      ),
    ).toBe('INVALID_ANALYSIS_INPUT');
    expect(code(() => analyzeRun({ trades: [], equity: new EquityStats(), initialEquity: 10 }))).toBeUndefined();
  });
});

describe('closedTradeFrom', () => {
  it('takes the fields of a PositionClosed payload', () => {
    const position: Position = {
      positionId: 'P-1',
      symbol: 'BTCUSDT',
      direction: 'short',
      quantity: 2,
      entryPrice: 100,
      openedAt: T0,
      realizedPnl: 0,
      markPrice: 90,
      unrealizedPnl: 20,
      fees: 0.1,
      strategyName: null,
    };
    expect(
      closedTradeFrom({
        position,
        quantity: 1,
        exitPrice: 90,
        realizedPnl: 9.8,
        fees: 0.2,
        reason: 'take_profit',
        closedAt: T0 + MIN,
      }),
    ).toEqual({
      strategy: '',
      symbol: 'BTCUSDT',
      direction: 'short',
      quantity: 1,
      entryTime: T0,
      entryPrice: 100,
      exitTime: T0 + MIN,
      exitPrice: 90,
      pnl: 9.8,
      fees: 0.2,
      reason: 'take_profit',
    });
  });
});
