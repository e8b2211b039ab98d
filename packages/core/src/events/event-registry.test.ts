import { describe, expect, it } from 'vitest';
import { EventBus } from '../bus/event-bus.js';
import { SimulatedClock } from '../clock/simulated-clock.js';
import { EventSerializationError } from '../errors/core-errors.js';
import { SAMPLES } from '../test-support/event-samples.js';
import { sampleBar as bar } from '../test-support/fixtures.js';
import { createTradingEventRegistry } from './event-registry.js';
import type { TradingEvent, TradingEventPayloads } from './trading-events.js';
import { number, shape } from './validators.js';

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
