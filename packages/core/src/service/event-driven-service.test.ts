import { describe, expect, it } from 'vitest';
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
});
