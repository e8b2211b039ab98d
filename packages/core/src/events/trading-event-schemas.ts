import { ORDER_STATUSES } from '../domain/trading.js';
import type { TradingEventPayloads } from './trading-events.js';
import {
  arrayOf,
  boolean,
  type FieldValidator,
  nullable,
  number,
  oneOf,
  recordOf,
  shape,
  string,
  timeframe,
} from './validators.js';

const bar = shape({ openTime: number, open: number, high: number, low: number, close: number, volume: number });
const direction = oneOf('long', 'short');
const side = oneOf('buy', 'sell');
const regime = shape({ trend: oneOf('trend_up', 'trend_down', 'range'), volatility: oneOf('high', 'normal', 'low') });
const order = shape({
  orderId: nullable(string),
  clientOrderId: string,
  symbol: string,
  side,
  direction,
  intent: oneOf('entry', 'exit'),
  purpose: oneOf('signal', 'stop_loss', 'take_profit'),
  type: oneOf('market', 'limit', 'stop', 'take_profit'),
  timeInForce: oneOf('GTC', 'IOC', 'FOK'),
  quantity: number,
  filledQuantity: number,
  averagePrice: nullable(number),
  limitPrice: nullable(number),
  triggerPrice: nullable(number),
  status: oneOf(...ORDER_STATUSES),
  createdAt: number,
  updatedAt: number,
  strategyName: nullable(string),
});
const fill = shape({
  fillId: string,
  orderId: string,
  clientOrderId: string,
  symbol: string,
  side,
  quantity: number,
  price: number,
  fee: number,
  timestamp: number,
});
const position = shape({
  positionId: string,
  symbol: string,
  direction,
  quantity: number,
  entryPrice: number,
  openedAt: number,
  realizedPnl: number,
  markPrice: number,
  unrealizedPnl: number,
  fees: number,
  strategyName: nullable(string),
});
const series = { symbol: string, timeframe };
const sizing: FieldValidator = (value, path) => {
  shape({ mode: oneOf('fixed', 'risk_percent') })(value, path);
  const fixed = (value as { mode: string }).mode === 'fixed';
  shape(fixed ? { quantity: number } : { percent: number })(value, path);
};
const signal = {
  symbol: string,
  strategyName: string,
  direction,
  timeframe,
  barOpenTime: number,
  price: number,
  reason: string,
};

const indicatorRow = shape({ openTime: number, close: number, values: recordOf(nullable(number)) });

/**
 * The payload validators of every trading event, used by
 * {@link createTradingEventRegistry} to rebuild events from JSON.
 */
export const TRADING_EVENT_SCHEMAS: { readonly [K in keyof TradingEventPayloads]: FieldValidator } = {
  DataFetched: shape({ ...series, bars: arrayOf(bar), numBars: number }),
  DataFetchFailed: shape({ ...series, error: string, attempts: number }),
  HistoryLoaded: shape({ ...series, bars: arrayOf(bar), numBars: number }),
  NewCandle: shape({ ...series, bar }),
  IndicatorsCalculated: shape({
    ...series,
    bar,
    row: indicatorRow,
    recentRows: arrayOf(indicatorRow),
    regime: nullable(regime),
  }),
  RegimeChanged: shape({ ...series, oldRegime: nullable(regime), newRegime: regime, barOpenTime: number }),
  EntrySignal: shape({
    ...signal,
    sizing,
    stopLoss: nullable(number),
    takeProfit: nullable(number),
  }),
  ExitSignal: shape(signal),
  OrderSubmitted: shape({
    order,
    origin: shape({
      signalId: nullable(string),
      timeframe,
      barOpenTime: number,
      stopLoss: nullable(number),
      takeProfit: nullable(number),
    }),
  }),
  OrderPlaced: shape({ order }),
  OrderRejected: shape({ order, reason: string }),
  OrderFilled: shape({ order, fill }),
  OrderCancelled: shape({ order, reason: string }),
  OrderExpired: shape({ order }),
  OrderStatusUnknown: shape({ order, reason: string }),
  PositionOpened: shape({
    position,
    exitPlan: nullable(
      shape({ stopLoss: nullable(number), takeProfit: nullable(number), placement: oneOf('venue', 'bot') }),
    ),
  }),
  PositionClosed: shape({
    position,
    quantity: number,
    exitPrice: number,
    realizedPnl: number,
    fees: number,
    reason: string,
    closedAt: number,
  }),
  CapitalSet: shape({
    currency: string,
    capital: number,
    balances: arrayOf(shape({ currency: string, total: number })),
  }),
  ReconciliationCompleted: shape({
    phase: oneOf('startup', 'runtime'),
    previousRun: nullable(shape({ runId: string, end: oneOf('clean', 'crashed') })),
    ordersRestored: number,
    positionsRestored: number,
    ordersResolved: arrayOf(shape({ clientOrderId: string, from: string, to: string })),
    fillsRecovered: number,
    externalOrders: arrayOf(
      shape({ clientOrderId: string, symbol: string, side, quantity: number, handling: oneOf('ignored', 'cancelled') }),
    ),
    externalFills: arrayOf(fill),
    externalPositions: arrayOf(shape({ symbol: string, quantity: number })),
    mismatches: arrayOf(
      shape({
        kind: oneOf('balance', 'position', 'order'),
        subject: string,
        expected: nullable(number),
        actual: nullable(number),
        message: string,
      }),
    ),
    action: oneOf('trade', 'halt', 'adopt'),
  }),
  TradingAuthorized: shape({ symbol: string, strategyName: string, reason: string }),
  TradingBlocked: shape({
    symbol: string,
    strategyName: string,
    reasons: arrayOf(
      oneOf(
        'daily_loss_limit',
        'max_positions',
        'max_position_size',
        'news_block',
        'outside_trading_hours',
        'insufficient_funds',
        'invalid_order',
      ),
    ),
  }),
  SignalResolved: shape({
    signalId: string,
    symbol: string,
    strategyName: string,
    intent: oneOf('entry', 'exit'),
    outcome: oneOf('filled', 'rejected', 'blocked', 'failed', 'cancelled', 'expired'),
    clientOrderId: nullable(string),
    codes: arrayOf(string),
    message: string,
  }),
  RiskLimitBreached: shape({ symbol: string, limit: string, value: number, threshold: number }),
  ServiceStarted: shape({ service: string }),
  ServiceStopped: shape({ service: string }),
  ServiceFailed: shape({ service: string, error: string, restarts: number, willRestart: boolean }),
  ServiceRestarted: shape({ service: string, attempt: number }),
};
