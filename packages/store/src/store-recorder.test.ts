import { type BaseEvent, EventBus } from '@quant/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MARKET_DATA_EVENT_TYPES } from './envelope.js';
import { EventStore } from './event-store.js';
import { StoreError } from './store-error.js';
import { StoreRecorder } from './store-recorder.js';
import { type TestDatabase, testDialects } from './test-support/databases.js';
import { march, runRealBot } from './test-support/real-stream.js';
import { everyStoredEvent } from './test-support/stored-events.js';

const isMarketData = (event: BaseEvent) => MARKET_DATA_EVENT_TYPES.includes(event.type);

describe.each(testDialects())('StoreRecorder on $dialect', ({ create }) => {
  let database: TestDatabase | undefined;
  let store: EventStore | undefined;
  const open = async () => {
    database = await create();
    store = await EventStore.open(database.url);
    return store;
  };
  afterEach(async () => {
    await store?.close();
    await database?.drop();
    store = undefined;
    database = undefined;
  });

  it('persists the example bot’s trading events from the publish hook, in publish order, one append a cycle', async () => {
    const opened = await open();
    const recorder = new StoreRecorder(opened);
    const append = vi.spyOn(opened, 'append');
    const published = await runRealBot(march(1), march(3), {
      onPublish: recorder.record,
      cycleWork: recorder.flushCycle,
    });
    await recorder.flush();
    expect(recorder.failure).toBeUndefined();

    const expected = published.filter((event) => !isMarketData(event));
    expect(
      expected.some((event) => event.type === 'OrderFilled'),
      'the run trades',
    ).toBe(true);
    const stored = await everyStoredEvent(opened);
    expect(stored.map((event) => event.id)).toEqual(expected.map((event) => event.id));
    expect(stored.map((event) => event.seq)).toEqual(stored.map((_, index) => index + 1));
    expect(await opened.lastSeq()).toBe(expected.length);
    expect(recorder.appended).toBe(expected.length);
    // One append per cycle that had something to persist (plus the start-up's and the shutdown's), never one per event.
    const cyclesWithEvents = new Set(expected.map((event) => event.correlationId)).size;
    expect(append.mock.calls.length).toBeLessThanOrEqual(cyclesWithEvents);
    expect(append.mock.calls.length).toBeLessThan(expected.length);

    const projected = {
      orders: await opened.orders(),
      fills: await opened.fills(),
      positions: await opened.positions(),
    };
    expect(projected.fills.length).toBeGreaterThan(0);
    await opened.rebuildProjections();
    expect({ orders: await opened.orders(), fills: await opened.fills(), positions: await opened.positions() }).toEqual(
      projected,
    );
  }, 120_000);

  it('persists the market data too with events: all', async () => {
    const opened = await open();
    const recorder = new StoreRecorder(opened, { events: 'all' });
    const published = await runRealBot(march(1), march(1, 2), {
      onPublish: recorder.record,
      cycleWork: recorder.flushCycle,
    });
    await recorder.flush();
    const stored = await everyStoredEvent(opened);
    expect(stored.map((event) => event.id)).toEqual(published.map((event) => event.id));
    expect(stored.some((event) => event.type === 'NewCandle')).toBe(true);
  }, 60_000);

  it('keeps the error of a failed append, reports it once, and records nothing after it', async () => {
    const opened = await open();
    const onFailure = vi.fn();
    const recorder = new StoreRecorder(opened, { onFailure });
    const bus = new EventBus({ onPublish: recorder.record });
    bus.emit('ServiceStarted', { service: 'a' });
    await recorder.flush();
    expect(await opened.lastSeq()).toBe(1);

    bus.emit('ServiceStarted', { service: 'b' });
    await opened.close();
    await recorder.flush();
    expect(recorder.failure).toBeInstanceOf(StoreError);
    expect(recorder.failure?.code).toBe('STORE_CLOSED');
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledWith(recorder.failure);

    bus.emit('ServiceStarted', { service: 'c' });
    expect(recorder.pending).toBe(0);
    expect(recorder.flushCycle()).toBeUndefined();
    await recorder.flush();
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(recorder.dropped).toBe(2);
    expect(recorder.appended).toBe(1);
  });

  describe('with group commit', () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    /** A bus whose cycles publish `count` events each, correlated by cycle. */
    const cycleOf = (bus: EventBus, cycle: number, count: number) => {
      for (let index = 0; index < count; index++) bus.emit('ServiceStarted', { service: `c${cycle}-${index}` });
    };

    it('appends the cycles of one window in one transaction, and a timer appends them when no cycle comes', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const opened = await open();
      const recorder = new StoreRecorder(opened, { groupCommitMs: 100 });
      const append = vi.spyOn(opened, 'append');
      const bus = new EventBus({ onPublish: recorder.record });
      cycleOf(bus, 0, 2);
      await recorder.flushCycle(); // the first cycle: no append yet in the window, so it goes at once
      expect(append).toHaveBeenCalledTimes(1);
      for (let cycle = 1; cycle <= 3; cycle++) {
        cycleOf(bus, cycle, 2);
        expect(recorder.flushCycle(), `cycle ${cycle} waits for the window`).toBeUndefined();
      }
      expect(recorder.pending).toBe(6);
      expect(append).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(100);
      await recorder.flush();
      expect(append).toHaveBeenCalledTimes(2);
      expect(append.mock.calls[1]?.[0]).toHaveLength(6);
      expect(await opened.lastSeq()).toBe(8);
    });

    it('the timer leaves out the events of the cycle in flight: whole cycles only', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const opened = await open();
      const recorder = new StoreRecorder(opened, { groupCommitMs: 100 });
      const append = vi.spyOn(opened, 'append');
      const bus = new EventBus({ onPublish: recorder.record });
      cycleOf(bus, 0, 1);
      await recorder.flushCycle();
      cycleOf(bus, 1, 3);
      expect(recorder.flushCycle()).toBeUndefined();
      cycleOf(bus, 2, 2); // published, but the cycle has not ended when the window closes
      await vi.advanceTimersByTimeAsync(100);
      expect(append).toHaveBeenCalledTimes(2);
      expect(append.mock.calls[1]?.[0].map((event) => (event as { service?: string }).service)).toEqual([
        'c1-0',
        'c1-1',
        'c1-2',
      ]);
      expect(recorder.pending).toBe(2);
      await recorder.flush();
      expect(await opened.lastSeq()).toBe(6);
    });

    it('appends at once when maxGroupEvents wait, however recent the last append', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const opened = await open();
      const recorder = new StoreRecorder(opened, { groupCommitMs: 60_000, maxGroupEvents: 5 });
      const bus = new EventBus({ onPublish: recorder.record });
      cycleOf(bus, 0, 1);
      await recorder.flushCycle();
      cycleOf(bus, 1, 3);
      expect(recorder.flushCycle()).toBeUndefined();
      cycleOf(bus, 2, 3);
      await recorder.flushCycle();
      expect(recorder.pending).toBe(0);
      expect(await opened.lastSeq()).toBe(7);
    });
  });
});
