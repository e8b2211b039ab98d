import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../bus/event-bus.js';
import { SimulatedClock } from '../clock/simulated-clock.js';
import { LifecycleError } from '../errors/core-errors.js';
import { sampleBar } from '../test-support/fixtures.js';
import { EventDrivenService, type ServiceDeps } from './event-driven-service.js';
import type { HealthAssessment } from './health.js';

/** Mirrors the original DataFetchingService: per-timeframe state built at start, cleared at stop. */
class LastBarTracker extends EventDrivenService {
  lastKnownBars: Map<string, number> | undefined;
  failStart = false;
  health: HealthAssessment = {};

  constructor(deps: ServiceDeps) {
    super('LastBarTracker', deps);
    this.defineMetrics('candles_tracked');
  }

  protected override onStart(): void {
    if (this.failStart) throw new Error('broker unreachable');
    this.lastKnownBars = new Map([
      ['1m', 0],
      ['5m', 0],
    ]);
    this.subscribe('NewCandle', (event) => {
      const known = this.lastKnownBars?.get(event.timeframe);
      if (known === undefined) throw new Error(`KeyError: ${event.timeframe}`);
      this.lastKnownBars?.set(event.timeframe, event.bar.openTime);
      this.increment('candles_tracked');
      this.publish('ServiceStarted', { service: `seen ${event.timeframe}` });
    });
  }

  protected override onStop(): void {
    this.lastKnownBars = undefined;
  }

  protected override checkHealth(): HealthAssessment {
    return this.health;
  }

  degrade(reason: string): void {
    this.markDegraded(reason);
  }

  recover(): void {
    this.markRecovered();
  }

  subscribeNow(): void {
    this.subscribe('NewCandle', () => {});
  }
}

const setup = () => {
  const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
  const bus = new EventBus({ clock });
  const service = new LastBarTracker({ bus, clock });
  const candle = (timeframe: '1m' | '5m') => bus.emit('NewCandle', { symbol: 'BTCUSDT', timeframe, bar: sampleBar });
  return { clock, bus, service, candle };
};

describe('EventDrivenService', () => {
  it('goes initialized → running → stopped, and start/stop are idempotent', async () => {
    const { service } = setup();
    expect(service.state).toBe('initialized');
    await service.stop();
    expect(service.state).toBe('initialized');
    await Promise.all([service.start(), service.start()]);
    await service.start();
    expect(service.state).toBe('running');
    await service.stop();
    await service.stop();
    expect(service.state).toBe('stopped');
  });

  it('counts received and published events and its own metrics', async () => {
    const { service, candle } = setup();
    await service.start();
    candle('1m');
    candle('5m');
    expect(service.getMetrics()).toEqual({
      events_received: 2,
      events_published: 2,
      errors: 0,
      candles_tracked: 2,
    });
  });

  it('drops its subscriptions at stop', async () => {
    const { service, bus, candle } = setup();
    await service.start();
    expect(bus.getMetrics().subscriptions).toBe(1);
    await service.stop();
    expect(bus.getMetrics().subscriptions).toBe(0);
    candle('1m');
    expect(service.getMetrics().events_received).toBe(0);
  });

  it('rebuilds state built in onStart on every restart (regression: restart KeyError)', async () => {
    const { service, bus, candle } = setup();
    await service.start();
    await service.stop();
    await service.start();
    candle('5m');
    expect(bus.getMetrics().handler_errors).toBe(0);
    expect(service.lastKnownBars?.get('5m')).toBe(sampleBar.openTime);
    expect(service.getMetrics().candles_tracked).toBe(1);
  });

  it('counts a failing handler as an error while the bus isolates it', async () => {
    const { service, bus } = setup();
    await service.start();
    service.lastKnownBars?.clear();
    bus.emit('NewCandle', { symbol: 'BTCUSDT', timeframe: '1m', bar: sampleBar });
    expect(service.getMetrics().errors).toBe(1);
    expect(bus.getMetrics().handler_errors).toBe(1);
    expect(service.state).toBe('running');
  });

  it('moves to failed when onStart throws, and can be stopped and started again', async () => {
    const { service } = setup();
    service.failStart = true;
    await expect(service.start()).rejects.toThrow('broker unreachable');
    expect(service.state).toBe('failed');
    expect(service.healthCheck()).toMatchObject({ status: 'unhealthy', details: { last_error: 'broker unreachable' } });
    await expect(service.start()).rejects.toSatisfy((error) => LifecycleError.isInstance(error));
    await service.stop();
    service.failStart = false;
    await service.start();
    expect(service.state).toBe('running');
  });

  it('reports health from its state and its own assessment', async () => {
    const { service, clock } = setup();
    expect(service.healthCheck()).toMatchObject({ status: 'unhealthy', healthy: false, state: 'initialized' });
    await service.start();
    await clock.advanceBy(5_000);
    expect(service.healthCheck()).toMatchObject({
      service: 'LastBarTracker',
      status: 'healthy',
      healthy: true,
      details: { state: 'running', uptime_seconds: 5 },
      checkedAt: clock.now(),
    });
    service.health = { status: 'unhealthy', details: { consecutive_failures: 3 } };
    expect(service.healthCheck()).toMatchObject({ status: 'unhealthy', details: { consecutive_failures: 3 } });
  });

  it('moves running ⇄ degraded and keeps working while degraded', async () => {
    const { service, candle } = setup();
    await service.start();
    service.degrade('slow broker');
    expect(service.state).toBe('degraded');
    expect(service.healthCheck()).toMatchObject({ status: 'degraded', details: { degraded_reason: 'slow broker' } });
    candle('1m');
    expect(service.getMetrics().candles_tracked).toBe(1);
    service.recover();
    expect(service.state).toBe('running');
  });

  it('fail() moves an active service to failed and drops its subscriptions', async () => {
    const { service, bus } = setup();
    service.fail(new Error('ignored while initialized'));
    expect(service.state).toBe('initialized');
    await service.start();
    service.fail(new Error('restart limit reached'));
    expect(service.state).toBe('failed');
    expect(bus.getMetrics().subscriptions).toBe(0);
  });

  it('refuses to subscribe outside an active state', () => {
    const { service } = setup();
    expect(() => service.subscribeNow()).toThrow(/cannot subscribe to NewCandle while initialized/);
  });

  it('is disposed by Symbol.asyncDispose and cannot start again', async () => {
    const { service, bus } = setup();
    await service.start();
    await service[Symbol.asyncDispose]();
    expect(service.state).toBe('disposed');
    expect(bus.getMetrics().subscriptions).toBe(0);
    await expect(service.start()).rejects.toThrow(/cannot go from disposed to starting/);
  });

  it('a checkHealth that throws fails the service and yields an unhealthy report instead of throwing', async () => {
    const { service, bus } = setup();
    await service.start();
    vi.spyOn(service as unknown as { checkHealth(): HealthAssessment }, 'checkHealth').mockImplementation(() => {
      throw new Error('probe exploded');
    });
    let report: ReturnType<typeof service.healthCheck> | undefined;
    expect(() => {
      report = service.healthCheck();
    }).not.toThrow();
    expect(report).toMatchObject({
      status: 'unhealthy',
      healthy: false,
      state: 'failed',
      details: { state: 'failed', last_error: 'probe exploded', health_check_error: 'probe exploded' },
    });
    expect(service.state).toBe('failed');
    expect(bus.getMetrics().subscriptions).toBe(0);
  });
});

/** A service whose onStart/onStop return promises the test settles. */
class Gated extends EventDrivenService {
  readonly stops: { resolve: () => void; reject: (error: Error) => void }[] = [];
  readonly starts: { resolve: () => void }[] = [];
  gateStart = false;
  gateStop = true;
  onStopCalls = 0;

  constructor(deps: ServiceDeps) {
    super('Gated', deps);
  }

  protected override onStart(): Promise<void> | void {
    this.subscribe('NewCandle', () => {});
    if (!this.gateStart) return;
    return new Promise((resolve) => this.starts.push({ resolve }));
  }

  protected override onStop(): Promise<void> | void {
    this.onStopCalls++;
    if (!this.gateStop) return;
    return new Promise((resolve, reject) => this.stops.push({ resolve, reject }));
  }
}

describe('EventDrivenService with a hook that hangs', () => {
  const gated = () => {
    const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
    const bus = new EventBus({ clock });
    return { bus, service: new Gated({ bus, clock }) };
  };
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('fail() during a hung stop moves it to failed, releases queued operations, and ignores the late onStop', async () => {
    const { service, bus } = gated();
    await service.start();
    const stopping = service.stop();
    const queuedStart = service.start();
    await flush();
    expect(service.state).toBe('stopping');
    service.fail(new Error('no stop within 10000ms'));
    expect(service.state).toBe('failed');
    await expect(stopping).rejects.toThrow('no stop within 10000ms');
    // The start queued behind the hung stop runs now, and settles: from failed a stop must come first.
    await expect(queuedStart).rejects.toSatisfy((error) => LifecycleError.isInstance(error));
    service.gateStop = false;
    await service.stop();
    expect(service.state).toBe('stopped');
    expect(service.onStopCalls).toBe(2);
    await service.start();
    expect(service.state).toBe('running');
    expect(bus.getMetrics().subscriptions).toBe(1);
    // The abandoned onStop settles late, either way: nothing changes.
    service.stops[0]?.resolve();
    await flush();
    expect(service.state).toBe('running');
    expect(bus.getMetrics().subscriptions).toBe(1);
  });

  it('a hung onStop that rejects after fail() changes nothing and escapes nowhere', async () => {
    const { service } = gated();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await service.start();
      const stopping = service.stop().catch((error: unknown) => error);
      await flush();
      service.fail(new Error('stop timeout'));
      expect(await stopping).toBeInstanceOf(Error);
      service.stops[0]?.reject(new Error('late failure'));
      await flush();
      await flush();
      expect(service.state).toBe('failed');
      expect(service.healthCheck().details.last_error).toBe('stop timeout');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('fail() during a hung onStart rejects the start and a late onStart does not make it running', async () => {
    const { service, bus } = gated();
    service.gateStart = true;
    const starting = service.start();
    await flush();
    expect(service.state).toBe('starting');
    service.fail(new Error('start abandoned'));
    await expect(starting).rejects.toThrow('start abandoned');
    service.starts[0]?.resolve();
    await flush();
    expect(service.state).toBe('failed');
    expect(bus.getMetrics().subscriptions).toBe(0);
  });

  it('an abandoned onStart that resumes after a restart can neither subscribe nor publish', async () => {
    const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
    const bus = new EventBus({ clock });
    const errors: unknown[] = [];
    class LateSubscriber extends EventDrivenService {
      gates: (() => void)[] = [];
      hang = true;
      constructor() {
        super('LateSubscriber', { bus, clock });
      }
      protected override async onStart(): Promise<void> {
        // Like a start that loads history first, then subscribes.
        if (this.hang) await new Promise<void>((resolve) => this.gates.push(resolve));
        try {
          this.subscribe('NewCandle', () => {});
          this.publish('ServiceStarted', { service: this.name });
        } catch (error) {
          errors.push(error);
        }
      }
    }
    const service = new LateSubscriber();
    const starting = service.start().catch((error: unknown) => error);
    await flush();
    service.fail(new Error('no start within 60000ms'));
    expect(await starting).toMatchObject({ message: 'no start within 60000ms' });
    service.hang = false;
    await service.stop();
    await service.start();
    expect(bus.getMetrics().subscriptions).toBe(1);
    expect(bus.history('ServiceStarted')).toHaveLength(1);
    // The first onStart wakes up now: refused, so the new run keeps one subscription and one event.
    service.gates[0]?.();
    await flush();
    expect(service.state).toBe('running');
    expect(bus.getMetrics().subscriptions).toBe(1);
    expect(bus.history('ServiceStarted')).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'SERVICE_NOT_ACTIVE',
      message:
        'LateSubscriber: cannot subscribe to NewCandle from a start or stop that was abandoned when the service failed',
    });
  });
});
