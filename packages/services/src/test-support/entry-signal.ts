import type { TradingEventPayloads } from '@quant/core';

/**
 * An `EntrySignal` payload for executor tests: a long of 0.5 BTCUSDT by strategy `test` on 5m at 23 000 with a
 * stop-loss at 22 800 and no take-profit, unless `overrides` say otherwise.
 */
export const entrySignal = (
  barOpenTime: number,
  overrides: Partial<TradingEventPayloads['EntrySignal']> = {},
): TradingEventPayloads['EntrySignal'] => ({
  symbol: 'BTCUSDT',
  strategyName: 'test',
  direction: 'long',
  timeframe: '5m',
  barOpenTime,
  price: 23_000,
  reason: 'test rule',
  sizing: { mode: 'fixed', quantity: 0.5 },
  stopLoss: 22_800,
  takeProfit: null,
  ...overrides,
});
