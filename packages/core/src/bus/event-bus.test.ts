import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../clock/simulated-clock.js';
import { withCorrelation } from '../correlation/correlation.js';
import { EventBusError } from '../errors/core-errors.js';
import type { TradingEventPayloads } from '../events/trading-events.js';
import { LogManager } from '../logging/log-manager.js';
import { MemorySink } from '../logging/sinks.js';
import { sampleBar } from '../test-support/fixtures.js';
import { EventBus } from './event-bus.js';
import type { EventBusMode } from './event-bus-types.js';

const candle = { symbol: 'BTCUSDT', timeframe: '1m', bar: sampleBar } as const;
const started = (service: string) => ({ service });

describe.each<EventBusMode>(['synchronous', 'asynchronous'])('EventBus (%s)', (mode) => {
  const newBus = (options = {}) => new EventBus({ mode, clock: new SimulatedClock(Date.UTC(2023, 2, 1)), ...options });

  it('delivers an event to the handlers of its type only, typed by type', async () => {
    const bus = newBus();
    const closes: number[] = [];
    const other = vi.fn();
    bus.subscribe('NewCandle', (event) => {
      closes.push(event.bar.close);
    });
    bus.subscribe('ServiceStarted', other);
    bus.emit('NewCandle', candle);
    await bus.drain();
    expect(closes).toEqual([23142.31]);
    expect(other).not.toHaveBeenCalled();
  });

  it('stamps events with id, clock time, correlation and null causation at the root', () => {
    const bus = newBus();
    const event = bus.emit('NewCandle', candle);
    expect(event.type).toBe('NewCandle');
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.timestamp).toBe(Date.UTC(2023, 2, 1));
    expect(event.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.causationId).toBeNull();
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.bar)).toBe(true);
  });

  it('wildcard subscribers see every event; unsubscribe and once stop delivery', async () => {
    const bus = newBus();
    const all: string[] = [];
    const first: string[] = [];
    const wildcard = bus.subscribe('*', (event) => {
      all.push(event.type);
    });
    bus.once('ServiceStarted', (event) => {
      first.push(event.service);
    });
    bus.emit('ServiceStarted', started('a'));
    bus.emit('ServiceStarted', started('b'));
    await bus.drain();
    wildcard.unsubscribe();
    wildcard.unsubscribe();
    bus.emit('ServiceStopped', started('a'));
    await bus.drain();
    expect(all).toEqual(['ServiceStarted', 'ServiceStarted']);
    expect(first).toEqual(['a']);
    expect(wildcard.active).toBe(false);
    expect(bus.getMetrics().subscriptions).toBe(0);
  });

  it('unsubscribes through Symbol.dispose, bus.unsubscribe and an AbortSignal', async () => {
    const bus = newBus();
    const seen: string[] = [];
    const controller = new AbortController();
    const a = bus.subscribe('ServiceStarted', () => void seen.push('a'));
    const b = bus.subscribe('ServiceStarted', () => void seen.push('b'));
    bus.subscribe('ServiceStarted', () => void seen.push('c'), { signal: controller.signal });
    a[Symbol.dispose]();
    bus.unsubscribe(b);
    controller.abort();
    const aborted = bus.subscribe('ServiceStarted', () => void seen.push('d'), { signal: controller.signal });
    bus.emit('ServiceStarted', started('x'));
    await bus.drain();
    expect(seen).toEqual([]);
    expect(aborted.active).toBe(false);
  });

  it('isolates handlers that throw or reject, counts, logs and reports them', async () => {
    const sink = new MemorySink();
    const logger = new LogManager({ sinks: [sink] }).getLogger('EventBus');
    const onHandlerError = vi.fn();
    const bus = newBus({ logger, onHandlerError });
    const reached: string[] = [];
    bus.subscribe(
      'ServiceStarted',
      () => {
        throw new Error('boom');
      },
      { name: 'Thrower' },
    );
    bus.subscribe(
      'ServiceStarted',
      async () => {
        await Promise.resolve();
        throw new Error('async boom');
      },
      { name: 'Rejecter' },
    );
    bus.subscribe('ServiceStarted', () => void reached.push('third'));
    expect(() => bus.emit('ServiceStarted', started('a'))).not.toThrow();
    await bus.drain();
    expect(reached).toEqual(['third']);
    expect(bus.getMetrics().handler_errors).toBe(2);
    expect(onHandlerError).toHaveBeenCalledTimes(2);
    const first = onHandlerError.mock.calls[0]?.[0];
    expect(first.subscription.name).toBe('Thrower');
    expect(first.event.type).toBe('ServiceStarted');
    expect((first.error as Error).message).toBe('boom');
    expect(
      sink.lines.some((line) => line.includes('Handler Thrower failed on ServiceStarted') && line.includes('boom')),
    ).toBe(true);
    expect(sink.lines.some((line) => line.includes('Handler Rejecter failed') && line.includes('async boom'))).toBe(
      true,
    );
  });

  it('survives an onHandlerError hook that throws', async () => {
    const bus = newBus({
      onHandlerError: () => {
        throw new Error('hook');
      },
    });
    bus.subscribe('ServiceStarted', () => {
      throw new Error('boom');
    });
    expect(() => bus.emit('ServiceStarted', started('a'))).not.toThrow();
    await bus.drain();
    expect(bus.getMetrics().handler_errors).toBe(1);
  });

  it('keeps the last N events in its history, queryable by type', async () => {
    const bus = newBus({ historyLimit: 3 });
    for (const name of ['a', 'b', 'c', 'd']) bus.emit('ServiceStarted', started(name));
    bus.emit('ServiceStopped', started('d'));
    await bus.drain();
    expect(bus.history().map((event) => event.type)).toEqual(['ServiceStarted', 'ServiceStarted', 'ServiceStopped']);
    expect(bus.history('ServiceStarted').map((event) => event.service)).toEqual(['c', 'd']);
    expect(bus.history('ServiceStarted', 1).map((event) => event.service)).toEqual(['d']);
    expect(newBus({ historyLimit: 0 }).history()).toEqual([]);
  });

  it('counts published and delivered events, per type, subscriptions and subscribed types', async () => {
    const bus = newBus();
    bus.subscribe('ServiceStarted', () => {});
    bus.subscribe('ServiceStarted', () => {});
    bus.subscribe('*', () => {});
    bus.emit('ServiceStarted', started('a'));
    bus.emit('ServiceStopped', started('a'));
    await bus.drain();
    const metrics = bus.getMetrics();
    expect(metrics).toMatchObject({
      mode,
      events_published: 2,
      events_delivered: 4,
      events_by_type: { ServiceStarted: 1, ServiceStopped: 1 },
      handler_errors: 0,
      subscriptions: 3,
      event_types_subscribed: 2,
      queue_depth: 0,
      history_size: 2,
    });
  });

  it('carries correlation and causation through a three-level cascade with an await', async () => {
    const bus = newBus();
    bus.subscribe('NewCandle', async (event) => {
      await new Promise((resolve) => setImmediate(resolve));
      bus.emit('IndicatorsCalculated', { ...candle, recentRows: [], regime: null, timeframe: event.timeframe });
    });
    bus.subscribe('IndicatorsCalculated', (event) => {
      bus.emit('EntrySignal', {
        symbol: event.symbol,
        strategyName: 'ema_cross',
        direction: 'long',
        timeframe: event.timeframe,
        barOpenTime: event.bar.openTime,
        price: event.bar.close,
        reason: 'test',
        sizing: { mode: 'fixed', quantity: 0.01 },
        stopLoss: null,
        takeProfit: null,
      });
    });
    const root = await withCorrelation(async (correlationId) => {
      const event = bus.emit('NewCandle', candle);
      expect(event.correlationId).toBe(correlationId);
      return event;
    }, 'cycle-1');
    await bus.drain();
    await vi.waitFor(() => expect(bus.history('EntrySignal')).toHaveLength(1));
    const [indicators] = bus.history('IndicatorsCalculated');
    const [signal] = bus.history('EntrySignal');
    expect(root.correlationId).toBe('cycle-1');
    expect(root.causationId).toBeNull();
    expect(indicators?.correlationId).toBe('cycle-1');
    expect(indicators?.causationId).toBe(root.id);
    expect(signal?.correlationId).toBe('cycle-1');
    expect(signal?.causationId).toBe(indicators?.id);
  });
});

describe('EventBus ordering', () => {
  it('synchronous mode delivers depth-first, inline', () => {
    const bus = new EventBus<TradingEventPayloads>();
    const order: string[] = [];
    bus.subscribe('ServiceStarted', (event) => {
      order.push(`started ${event.service}`);
      if (event.service === 'a') bus.emit('ServiceStopped', { service: 'a' });
    });
    bus.subscribe('ServiceStarted', (event) => void order.push(`second handler ${event.service}`));
    bus.subscribe('ServiceStopped', (event) => void order.push(`stopped ${event.service}`));
    bus.emit('ServiceStarted', { service: 'a' });
    order.push('publish returned');
    expect(order).toEqual(['started a', 'stopped a', 'second handler a', 'publish returned']);
  });

  it('asynchronous mode queues FIFO and awaits each async handler before the next event', async () => {
    const bus = new EventBus({ mode: 'asynchronous' });
    const order: string[] = [];
    bus.subscribe('ServiceStarted', async (event) => {
      order.push(`begin ${event.service}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`end ${event.service}`);
      if (event.service === 'a') bus.emit('ServiceStopped', { service: 'a' });
    });
    bus.subscribe('ServiceStopped', (event) => void order.push(`stopped ${event.service}`));
    bus.emit('ServiceStarted', { service: 'a' });
    bus.emit('ServiceStarted', { service: 'b' });
    order.push('publish returned');
    expect(bus.getMetrics().queue_depth).toBe(2);
    await bus.drain();
    expect(order).toEqual(['publish returned', 'begin a', 'end a', 'begin b', 'end b', 'stopped a']);
  });

  it('asynchronous mode throws EVENT_QUEUE_FULL at the bound and drops nothing it accepted', async () => {
    const bus = new EventBus({ mode: 'asynchronous', maxQueueSize: 3 });
    const seen: string[] = [];
    bus.subscribe('ServiceStarted', (event) => void seen.push(event.service));
    for (const name of ['a', 'b', 'c']) bus.emit('ServiceStarted', { service: name });
    let error: unknown;
    try {
      bus.emit('ServiceStarted', { service: 'd' });
    } catch (thrown) {
      error = thrown;
    }
    expect(EventBusError.isInstance(error)).toBe(true);
    expect((error as EventBusError).code).toBe('EVENT_QUEUE_FULL');
    expect(bus.getMetrics()).toMatchObject({ events_published: 3, queue_depth: 3, queue_high_water_mark: 3 });
    await bus.drain();
    expect(seen).toEqual(['a', 'b', 'c']);
    bus.emit('ServiceStarted', { service: 'e' });
    await bus.drain();
    expect(seen).toEqual(['a', 'b', 'c', 'e']);
    expect(bus.getMetrics().queue_depth).toBe(0);
  });

  it('accepts user-declared event types with the same typing', () => {
    interface MyEvents extends TradingEventPayloads {
      HeartbeatSent: { readonly sequence: number };
    }
    const bus = new EventBus<MyEvents>();
    const sequences: number[] = [];
    bus.subscribe('HeartbeatSent', (event) => void sequences.push(event.sequence));
    bus.emit('HeartbeatSent', { sequence: 7 });
    expect(sequences).toEqual([7]);
  });
});
