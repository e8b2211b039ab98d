import { describe, expect, it } from 'vitest';
import { EventBus } from '../bus/event-bus.js';
import { SimulatedClock } from '../clock/simulated-clock.js';
import type { Order, Position } from '../domain/trading.js';
import { EventSerializationError } from '../errors/core-errors.js';
import { sampleBar as bar } from '../test-support/fixtures.js';
import { createTradingEventRegistry } from './event-registry.js';
import type { TradingEvent, TradingEventPayloads } from './trading-events.js';
import { number, shape } from './validators.js';

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
const SAMPLES: { [K in keyof TradingEventPayloads]: TradingEventPayloads[K] } = {
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
  EntrySignal: { ...signal, quantity: 0.01, stopLoss: 22900, takeProfit: null },
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

const bus = new EventBus({ clock: new SimulatedClock(bar.openTime) });
const registry = createTradingEventRegistry();

describe('event JSON round trip', () => {
  it.each(Object.keys(SAMPLES) as (keyof TradingEventPayloads)[])('%s survives toJSON and fromJSON', (type) => {
    const event = bus.createEvent(type, SAMPLES[type] as never) as TradingEvent;
    const text = registry.toJSON(event);
    const rebuilt = registry.fromJSON(text);
    expect(rebuilt).toEqual(event);
    expect(Object.isFrozen(rebuilt)).toBe(true);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('knows every trading event type', () => {
    expect([...registry.types()].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it('names the offending field of a malformed event', () => {
    const event = JSON.parse(JSON.stringify(bus.createEvent('NewCandle', SAMPLES.NewCandle)));
    event.bar.close = 'high';
    let error: unknown;
    try {
      registry.fromJSON(event);
    } catch (thrown) {
      error = thrown;
    }
    expect(EventSerializationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_EVENT_JSON', path: 'bar.close' });
    expect((error as Error).message).toBe('bar.close: expected a finite number, got "high"');
  });

  it('rejects bad JSON, missing meta fields and unknown types', () => {
    expect(() => registry.fromJSON('{not json')).toThrow(/not valid JSON/);
    const event = JSON.parse(JSON.stringify(bus.createEvent('ServiceStarted', SAMPLES.ServiceStarted)));
    expect(() => registry.fromJSON({ ...event, correlationId: undefined })).toThrow(/correlationId: expected a string/);
    expect(() => registry.fromJSON({ ...event, type: 'Nope' })).toThrow(/unknown event type "Nope"/);
    expect(() => registry.fromJSON({ ...event, timeframe: '7m', type: 'NewCandle', symbol: 'X', bar })).toThrow(
      /timeframe: expected a timeframe/,
    );
  });

  it('rebuilds user-registered events', () => {
    const custom = createTradingEventRegistry().register<'HeartbeatSent', { sequence: number }>(
      'HeartbeatSent',
      shape({ sequence: number }),
    );
    const text = JSON.stringify({
      id: 'x',
      type: 'HeartbeatSent',
      timestamp: 1,
      correlationId: 'c',
      causationId: null,
      sequence: 4,
    });
    const event = custom.fromJSON(text);
    expect(event.type === 'HeartbeatSent' && event.sequence).toBe(4);
  });
});
