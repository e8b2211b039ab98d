import type { Order, Position } from '../domain/trading.js';
import type { TradingEventPayloads } from '../events/trading-events.js';
import { sampleBar as bar } from './fixtures.js';

const order: Order = {
  orderId: 'o-1',
  clientOrderId: 'ema_cross-BTCUSDT-1677628800000-entry',
  symbol: 'BTCUSDT',
  side: 'buy',
  direction: 'long',
  intent: 'entry',
  type: 'market',
  quantity: 0.01,
  filledQuantity: 0.01,
  price: null,
  status: 'filled',
  createdAt: bar.openTime,
  strategyName: 'ema_cross',
};
const position: Position = {
  positionId: 'p-1',
  symbol: 'BTCUSDT',
  direction: 'long',
  quantity: 0.01,
  entryPrice: 23142.31,
  openedAt: bar.openTime,
  stopLoss: 22900,
  takeProfit: null,
  realizedPnl: 0,
  unrealizedPnl: 1.5,
  fees: 0.23,
  strategyName: 'ema_cross',
};
const regime = { trend: 'trend_up', volatility: 'normal' } as const;
const signal = {
  symbol: 'BTCUSDT',
  strategyName: 'ema_cross',
  direction: 'long',
  timeframe: '5m',
  barOpenTime: bar.openTime,
  price: bar.close,
  reason: 'ema_fast crosses_above ema_slow',
} as const;

/** One payload of every trading event: the compiler checks the list is complete. */
export const SAMPLES: { [K in keyof TradingEventPayloads]: TradingEventPayloads[K] } = {
  DataFetched: { symbol: 'BTCUSDT', timeframe: '1m', bars: [bar], numBars: 1 },
  DataFetchFailed: { symbol: 'BTCUSDT', timeframe: '1m', error: 'ECONNRESET', attempts: 3 },
  NewCandle: { symbol: 'BTCUSDT', timeframe: '1m', bar },
  IndicatorsCalculated: {
    symbol: 'BTCUSDT',
    timeframe: '1m',
    bar,
    recentRows: [{ openTime: bar.openTime, close: bar.close, values: { ema_fast: 23140.1, rsi: null } }],
    regime,
  },
  RegimeChanged: { symbol: 'BTCUSDT', timeframe: '15m', oldRegime: null, newRegime: regime, barOpenTime: bar.openTime },
  EntrySignal: { ...signal, sizing: { mode: 'risk_percent', percent: 1 }, stopLoss: 22900, takeProfit: null },
  ExitSignal: signal,
  OrderPlaced: { order },
  OrderRejected: { order: { ...order, status: 'rejected' }, reason: 'insufficient balance' },
  OrderFilled: {
    order,
    fill: {
      fillId: 'f-1',
      orderId: 'o-1',
      clientOrderId: order.clientOrderId,
      symbol: 'BTCUSDT',
      side: 'buy',
      quantity: 0.01,
      price: 23143.5,
      fee: 0.23,
      timestamp: bar.openTime + 60_000,
    },
  },
  OrderCancelled: { order: { ...order, status: 'cancelled' }, reason: 'manual' },
  PositionOpened: { position },
  PositionClosed: { position, quantity: 0.01, exitPrice: 23300, realizedPnl: 1.1, fees: 0.46, reason: 'take_profit' },
  TradingAuthorized: { symbol: 'BTCUSDT', strategyName: 'ema_cross', reason: 'all risk checks passed' },
  TradingBlocked: { symbol: 'BTCUSDT', strategyName: 'ema_cross', reasons: ['daily_loss_limit', 'max_positions'] },
  RiskLimitBreached: { symbol: 'BTCUSDT', limit: 'daily_loss_limit', value: 1020.5, threshold: 1000 },
  ServiceStarted: { service: 'data_fetching' },
  ServiceStopped: { service: 'data_fetching' },
  ServiceFailed: { service: 'data_fetching', error: 'socket closed', restarts: 5 },
  ServiceRestarted: { service: 'data_fetching', attempt: 2 },
};
