import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../clock/simulated-clock.js';
import { currentScope, runInScope, withCorrelation } from '../correlation/correlation.js';
import { EventBusError } from '../errors/core-errors.js';
import type { BaseEvent } from '../events/event.js';
import type { TradingEventPayloads } from '../events/trading-events.js';
import { LogManager } from '../logging/log-manager.js';
import { type Logger, silentLogger } from '../logging/log-record.js';
import { MemorySink } from '../logging/sinks.js';
import { sampleBar } from '../test-support/fixtures.js';
import { EventBus } from './event-bus.js';
import type { EventBusMode, Subscription } from './event-bus-types.js';

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

  it('while an event is delivered: a handler unsubscribed is skipped, the others all run, one subscribed waits for the next event', async () => {
    const bus = newBus();
    const calls: string[] = [];
    const later: Subscription[] = [];
    const a = bus.subscribe('ServiceStarted', (event) => {
      calls.push(`a:${event.service}`);
      a.unsubscribe(); // itself: b must still run
      later[0]?.unsubscribe(); // c, after it in the list: skipped for this event already
      bus.subscribe('ServiceStarted', (next) => void calls.push(`d:${next.service}`));
    });
    bus.subscribe('ServiceStarted', (event) => void calls.push(`b:${event.service}`));
    later.push(bus.subscribe('ServiceStarted', (event) => void calls.push(`c:${event.service}`)));
    const wildcard = bus.subscribe('*', (event) => {
      calls.push(`*:${event.type}`);
      wildcard.unsubscribe();
    });
    bus.subscribe('*', (event) => void calls.push(`**:${event.type}`));
    bus.emit('ServiceStarted', started('x'));
    bus.emit('ServiceStarted', started('y'));
    await bus.drain();
    expect(calls).toEqual(['a:x', 'b:x', '*:ServiceStarted', '**:ServiceStarted', 'b:y', 'd:y', '**:ServiceStarted']);
    expect(bus.getMetrics().subscriptions).toBe(3);
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
      const row = { openTime: event.bar.openTime, close: event.bar.close, values: {} };
      bus.emit('IndicatorsCalculated', { ...candle, row, recentRows: [row], regime: null, timeframe: event.timeframe });
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

/** A small event map for ordering tests: a cause `X`, its effects `Y`, theirs `Z`. */
interface ChainEvents {
  X: { readonly label: string };
  Y: { readonly label: string };
  Z: { readonly label: string };
}

/**
 * Asserts that `seen` lists every event once, each after the event that caused
 * it (its `causationId`), when that cause was published on the bus.
 */
function expectCausesFirst(seen: readonly BaseEvent[]): void {
  const ids = new Set(seen.map((event) => event.id));
  expect(ids.size).toBe(seen.length);
  const before = new Set<string>();
  for (const event of seen) {
    if (event.causationId !== null && ids.has(event.causationId)) {
      expect(before.has(event.causationId), `${event.type} ${event.id} seen before its cause`).toBe(true);
    }
    before.add(event.id);
  }
}

describe.each<EventBusMode>(['synchronous', 'asynchronous'])('EventBus causal order (%s)', (mode) => {
  const newBus = (options: { logger?: Logger } = {}) =>
    new EventBus<ChainEvents>({ mode, clock: new SimulatedClock(Date.UTC(2023, 2, 1)), ...options });
  type Seen = BaseEvent & { readonly label: string };

  it("shows every subscriber, '*' first or last, a cause before its effects (X → Y → Z)", async () => {
    const bus = newBus();
    const wildcardFirst: Seen[] = [];
    const wildcardLast: Seen[] = [];
    const typedAfterPublisher: string[] = [];
    bus.subscribe('*', (event) => void wildcardFirst.push(event));
    bus.subscribe('X', (event) => void bus.emit('Y', { label: `${event.label}.y` }));
    bus.subscribe('X', (event) => void typedAfterPublisher.push(event.type));
    bus.subscribe('Y', (event) => void bus.emit('Z', { label: `${event.label}.z` }));
    bus.subscribe('Y', (event) => void typedAfterPublisher.push(event.type));
    bus.subscribe('Z', (event) => void typedAfterPublisher.push(event.type));
    bus.subscribe('*', (event) => void wildcardLast.push(event));
    const root = bus.emit('X', { label: 'x' });
    await bus.drain();
    for (const seen of [wildcardFirst, wildcardLast]) {
      expect(seen.map((event) => `${event.type} ${event.label}`)).toEqual(['X x', 'Y x.y', 'Z x.y.z']);
      expectCausesFirst(seen);
      const [x, y, z] = seen;
      expect(x?.id).toBe(root.id);
      expect(y?.causationId).toBe(x?.id);
      expect(z?.causationId).toBe(y?.id);
      expect(new Set(seen.map((event) => event.correlationId))).toEqual(new Set([root.correlationId]));
    }
    expect(typedAfterPublisher).toEqual(['X', 'Y', 'Z']);
    expect(bus.history().map((event) => event.type)).toEqual(['X', 'Y', 'Z']);
  });

  it('hands onPublish every event in publish order (X before Y before Z), before any subscriber sees it', async () => {
    const published: string[] = [];
    const bus = new EventBus<ChainEvents>({
      mode,
      clock: new SimulatedClock(Date.UTC(2023, 2, 1)),
      onPublish: (event) => void published.push(`publish ${event.type}`),
    });
    const delivered: string[] = [];
    bus.subscribe('X', (event) => void bus.emit('Y', { label: `${event.label}.y` }));
    bus.subscribe('Y', (event) => void bus.emit('Z', { label: `${event.label}.z` }));
    bus.subscribe('Z', (event) => void delivered.push(`deliver ${event.type}`));
    bus.emit('X', { label: 'x' });
    await bus.drain();
    expect(published).toEqual(['publish X', 'publish Y', 'publish Z']);
    expect(delivered).toEqual(['deliver Z']);
  });

  it("gives onPublish the same order as a '*' subscriber's, whether or not one exists, and the same events", async () => {
    const run = async (withWildcard: boolean) => {
      const hooked: BaseEvent[] = [];
      const bus = new EventBus<ChainEvents>({ mode, onPublish: (event) => void hooked.push(event) });
      const wildcard: BaseEvent[] = [];
      if (withWildcard) bus.subscribe('*', (event) => void wildcard.push(event));
      bus.subscribe('X', () => {
        bus.emit('Y', { label: 'y1' });
        bus.emit('Y', { label: 'y2' });
      });
      bus.subscribe('Y', (event) => {
        if (event.label === 'y1') bus.emit('Z', { label: 'z1' });
      });
      bus.emit('X', { label: 'x' });
      bus.emit('X', { label: 'second root' });
      await bus.drain();
      if (withWildcard) expect(hooked).toEqual(wildcard);
      expectCausesFirst(hooked as Seen[]);
      return hooked.map((event) => (event as Seen).label);
    };
    expect(await run(false)).toEqual(await run(true));
  });

  it('lets an exception from onPublish reach the publisher, delivering nothing of that event', async () => {
    const bus = new EventBus<ChainEvents>({
      mode,
      onPublish: (event) => {
        if (event.type === 'Y') throw new Error('store cannot write');
      },
    });
    const seen: string[] = [];
    bus.subscribe('*', (event) => void seen.push(event.type));
    expect(() => bus.emit('Y', { label: 'y' })).toThrow('store cannot write');
    bus.emit('X', { label: 'x' });
    await bus.drain();
    expect(seen).toEqual(['X']);
    expect(bus.getMetrics().events_published).toBe(1);
  });

  it('delivers a fan-out breadth-first, in publish order, and counts what waited in the queue', async () => {
    const bus = newBus();
    const seen: Seen[] = [];
    bus.subscribe('X', () => {
      bus.emit('Y', { label: 'y1' });
      bus.emit('Y', { label: 'y2' });
    });
    bus.subscribe('Y', (event) => {
      if (event.label === 'y1') bus.emit('Z', { label: 'z1' });
    });
    bus.subscribe('*', (event) => void seen.push(event));
    bus.emit('X', { label: 'x' });
    bus.emit('X', { label: 'second root' });
    await bus.drain();
    // Synchronously, the first root's cascade completes before the second emit; asynchronously both
    // roots are queued first. Either way each subscriber sees the events in the order they were published.
    const published = bus.history().map((event) => event.label);
    expect(seen.map((event) => event.label)).toEqual(published);
    expect(published).toEqual(
      mode === 'synchronous'
        ? ['x', 'y1', 'y2', 'z1', 'second root', 'y1', 'y2', 'z1']
        : ['x', 'second root', 'y1', 'y2', 'y1', 'y2', 'z1', 'z1'],
    );
    expectCausesFirst(seen);
    expect(bus.getMetrics()).toMatchObject({
      events_published: 8,
      queue_depth: 0,
      queue_high_water_mark: mode === 'synchronous' ? 2 : 4,
    });
  });

  it('keeps delivering the rest of a cascade when a handler throws during a nested delivery', async () => {
    const onHandlerError = vi.fn();
    const bus = new EventBus<ChainEvents>({ mode, onHandlerError });
    const seen: string[] = [];
    bus.subscribe('X', () => {
      bus.emit('Y', { label: 'y' });
      throw new Error('x failed after publishing');
    });
    bus.subscribe('Y', () => {
      throw new Error('y failed');
    });
    bus.subscribe('Y', () => void bus.emit('Z', { label: 'z' }));
    bus.subscribe('*', (event) => void seen.push(event.type));
    expect(() => bus.emit('X', { label: 'x' })).not.toThrow();
    await bus.drain();
    expect(seen).toEqual(['X', 'Y', 'Z']);
    expect(bus.getMetrics().handler_errors).toBe(2);
    expect(onHandlerError.mock.calls.map(([info]) => (info.error as Error).message)).toEqual([
      'x failed after publishing',
      'y failed',
    ]);
    bus.emit('X', { label: 'again' });
    await bus.drain();
    expect(seen).toEqual(['X', 'Y', 'Z', 'X', 'Y', 'Z']);
  });

  it('fires a once-subscription once when a handler publishes its type twice', async () => {
    const bus = newBus();
    const first: string[] = [];
    const all: string[] = [];
    bus.subscribe('X', () => {
      bus.emit('Y', { label: 'y1' });
      bus.emit('Y', { label: 'y2' });
    });
    const once = bus.once('Y', (event) => {
      first.push(event.label);
      bus.emit('Z', { label: `after ${event.label}` });
    });
    bus.once('*', (event) => void all.push(event.label));
    bus.subscribe('*', (event) => void all.push(event.label));
    bus.emit('X', { label: 'x' });
    await bus.drain();
    expect(first).toEqual(['y1']);
    expect(once.active).toBe(false);
    expect(all).toEqual(['x', 'x', 'y1', 'y2', 'after y1']);
  });

  it('orders the effects of async handlers that publish after an await after their cause', async () => {
    const bus = newBus();
    const seen: Seen[] = [];
    bus.subscribe('X', async (event) => {
      await Promise.resolve();
      bus.emit('Y', { label: `${event.label}.y` });
    });
    bus.subscribe('Y', (event) => void bus.emit('Z', { label: `${event.label}.z` }));
    bus.subscribe('*', (event) => void seen.push(event));
    bus.emit('X', { label: 'a' });
    bus.emit('X', { label: 'b' });
    await bus.drain();
    expect(seen.slice(0, 2).map((event) => event.label)).toEqual(['a', 'b']);
    expect(seen.map((event) => event.label).sort()).toEqual(['a', 'a.y', 'a.y.z', 'b', 'b.y', 'b.y.z']);
    expectCausesFirst(seen);
  });
});

describe('EventBus ordering', () => {
  it('synchronous mode runs each event to completion before delivering what its handlers publish', () => {
    const bus = new EventBus<TradingEventPayloads>();
    const order: string[] = [];
    bus.subscribe('ServiceStarted', (event) => {
      order.push(`started ${event.service}`);
      if (event.service === 'a') bus.emit('ServiceStopped', { service: 'a' });
      order.push(`started ${event.service}: publish returned`);
    });
    bus.subscribe('ServiceStarted', (event) => void order.push(`second handler ${event.service}`));
    bus.subscribe('ServiceStopped', (event) => void order.push(`stopped ${event.service}`));
    bus.emit('ServiceStarted', { service: 'a' });
    order.push('publish returned');
    expect(order).toEqual([
      'started a',
      'started a: publish returned',
      'second handler a',
      'stopped a',
      'publish returned',
    ]);
  });

  it('synchronous mode returns from a top-level emit with the whole cascade delivered', () => {
    const bus = new EventBus<ChainEvents>();
    const seen: string[] = [];
    bus.subscribe('X', (event) => {
      bus.emit('Y', { label: event.label });
      expect(bus.getMetrics().queue_depth).toBe(1);
    });
    bus.subscribe('Y', (event) => void bus.emit('Z', { label: event.label }));
    bus.subscribe('*', (event) => void seen.push(event.type));
    bus.emit('X', { label: 'x' });
    expect(seen).toEqual(['X', 'Y', 'Z']);
    expect(bus.getMetrics()).toMatchObject({ queue_depth: 0, queue_high_water_mark: 1, events_delivered: 5 });
  });

  it('synchronous mode delivers at once what a handler publishes after an await', async () => {
    const bus = new EventBus<ChainEvents>();
    const seen: string[] = [];
    let deliveredBeforeReturn: boolean | undefined;
    bus.subscribe('X', async () => {
      await Promise.resolve();
      bus.emit('Y', { label: 'later' });
      deliveredBeforeReturn = seen.includes('Y');
    });
    bus.subscribe('*', (event) => void seen.push(event.type));
    bus.emit('X', { label: 'x' });
    expect(seen).toEqual(['X']);
    await bus.drain();
    expect(deliveredBeforeReturn).toBe(true);
    expect(seen).toEqual(['X', 'Y']);
  });

  it("gives the caller's correlation scope back after a synchronous publish, whatever the handlers did", async () => {
    const bus = new EventBus<ChainEvents>({ logger: { ...silentLogger, warn: () => {} } });
    const inHandler: (string | undefined)[] = [];
    bus.subscribe('X', () => {
      inHandler.push(currentScope()?.correlationId);
      bus.emit('Y', { label: 'nested' });
      throw new Error('handler fails');
    });
    bus.subscribe('Y', () => void inHandler.push(currentScope()?.correlationId));
    // Outside any scope.
    bus.emit('X', { label: 'x' });
    expect(currentScope()).toBeUndefined();
    // Inside a correlation scope, and inside an event's scope (as a handler of another bus would be).
    withCorrelation(() => {
      const before = currentScope();
      const event = bus.emit('X', { label: 'x' });
      expect(currentScope()).toBe(before);
      expect(inHandler.at(-2)).toBe(event.correlationId);
      runInScope(event, () => {
        bus.emit('Y', { label: 'y' });
        expect(currentScope()).toBe(event);
      });
    }, 'cycle-1');
    // A handler's continuation after an await keeps the event's scope, not the publisher's.
    const continued: (string | null | undefined)[] = [];
    bus.subscribe('Z', async () => {
      await Promise.resolve();
      continued.push(bus.emit('Y', { label: 'after await' }).causationId);
    });
    const cause = bus.emit('Z', { label: 'z' });
    expect(currentScope()).toBeUndefined();
    await bus.drain();
    expect(continued).toEqual([cause.id]);
  });

  it('synchronous mode is never left dispatching when an exception escapes a delivery', () => {
    let logged = 0;
    const logger: Logger = {
      ...silentLogger,
      warn() {
        logged++;
        throw new Error(`logger down ${logged}`);
      },
    };
    const bus = new EventBus<ChainEvents>({ logger });
    const seen: string[] = [];
    bus.subscribe('X', (event) => {
      if (event.label !== 'x') return;
      bus.emit('Y', { label: 'y1' });
      bus.emit('Y', { label: 'y2' });
      throw new Error('x failed');
    });
    bus.subscribe('Y', (event) => {
      if (event.label === 'y1') throw new Error('y1 failed');
    });
    bus.subscribe('*', (event) => void seen.push(event.label));
    // Failures are logged with a throwing logger, so exceptions escape the deliveries of x and y1
    // (mitt then skips their '*' handlers); y2 is still delivered, and the first exception reaches
    // the top-level publisher.
    expect(() => bus.emit('X', { label: 'x' })).toThrow('logger down 1');
    expect(logged).toBe(2);
    expect(seen).toEqual(['y2']);
    expect(bus.getMetrics().queue_depth).toBe(0);
    bus.subscribe('Y', () => void bus.emit('Z', { label: 'z' }));
    bus.emit('Y', { label: 'top level' });
    expect(seen).toEqual(['y2', 'top level', 'z']);
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

describe('EventBus handler error logging', () => {
  const thrower = (bus: EventBus) =>
    bus.subscribe(
      'ServiceStarted',
      () => {
        throw new Error('boom');
      },
      { name: 'Thrower' },
    );

  it('warns on the console by default, with the event type, the handler name and the message', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const bus = new EventBus({ clock: new SimulatedClock(0) });
      thrower(bus);
      bus.subscribe(
        'ServiceStarted',
        async () => {
          await Promise.resolve();
          throw new Error('async boom');
        },
        { name: 'Rejecter' },
      );
      const event = bus.emit('ServiceStarted', started('a'));
      await bus.drain();
      expect(warn.mock.calls.map(([line]) => line)).toEqual([
        `[EventBus] Handler Thrower failed on ServiceStarted ${event.id}: boom`,
        `[EventBus] Handler Rejecter failed on ServiceStarted ${event.id}: async boom`,
      ]);
      expect(error).not.toHaveBeenCalled();
      expect(bus.getMetrics().handler_errors).toBe(2);
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('logs at warn level to the logger given', async () => {
    const sink = new MemorySink();
    const bus = new EventBus({ logger: new LogManager({ sinks: [sink] }).getLogger('EventBus') });
    thrower(bus);
    bus.emit('ServiceStarted', started('a'));
    await bus.drain();
    expect(sink.records.map((record) => [record.level, record.fields?.subscription, record.fields?.error])).toEqual([
      ['warn', 'Thrower', 'boom'],
    ]);
  });

  it('an onHandlerError hook replaces the console warning; with a logger too, both are used', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const hook = vi.fn();
      const bus = new EventBus({ onHandlerError: hook });
      thrower(bus);
      bus.emit('ServiceStarted', started('a'));
      await bus.drain();
      expect(hook).toHaveBeenCalledTimes(1);
      expect(warn).not.toHaveBeenCalled();
      const logged = vi.fn();
      const both = new EventBus({ onHandlerError: hook, logger: { ...silentLogger, warn: logged } });
      thrower(both);
      both.emit('ServiceStarted', started('b'));
      await both.drain();
      expect(hook).toHaveBeenCalledTimes(2);
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });
});
