import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../bus/event-bus.js';
import { SimulatedClock } from '../clock/simulated-clock.js';
import { currentCorrelationId } from '../correlation/correlation.js';
import { OrchestratorError } from '../errors/core-errors.js';
import { LogManager } from '../logging/log-manager.js';
import { MemorySink } from '../logging/sinks.js';
import { EventDrivenService, type ServiceDeps } from '../service/event-driven-service.js';
import type { HealthAssessment, HealthReport, ManagedService } from '../service/health.js';
import type { ServiceState } from '../service/service-state.js';
import type { OrchestratorOptions } from './orchestrator-types.js';
import { TradingOrchestrator } from './trading-orchestrator.js';

class Probe extends EventDrivenService {
  failStartTimes = 0;
  /** Hang this many more starts (then start normally). */
  hangStarts = 0;
  hangOnStop = false;
  /** Hang this many more stops (then stop normally). */
  hangStops = 0;
  unhealthy = false;
  throwOnHealth = false;
  healthChecks = 0;
  /** When each health check ran, ms. */
  readonly checkTimes: number[] = [];
  constructor(
    name: string,
    deps: ServiceDeps,
    private readonly journal: string[],
  ) {
    super(name, deps);
  }
  protected override onStart(): Promise<void> | void {
    if (this.hangStarts > 0) {
      this.hangStarts--;
      this.journal.push(`hang ${this.name}`);
      return new Promise(() => {});
    }
    if (this.failStartTimes > 0) {
      this.failStartTimes--;
      throw new Error(`${this.name} cannot start`);
    }
    this.journal.push(`start ${this.name}`);
  }
  protected override onStop(): Promise<void> | void {
    this.journal.push(`stop ${this.name}`);
    if (this.hangStops > 0) {
      this.hangStops--;
      return new Promise(() => {});
    }
    if (this.hangOnStop) return new Promise(() => {});
  }
  protected override checkHealth(): HealthAssessment {
    this.healthChecks++;
    this.checkTimes.push(this.clock.now());
    if (this.throwOnHealth) throw new Error('health probe exploded');
    return this.unhealthy ? { status: 'unhealthy', details: { reason: 'feed stale' } } : {};
  }
}

const setup = (options: Partial<OrchestratorOptions> = {}) => {
  const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
  const bus = new EventBus({ clock });
  const sink = new MemorySink();
  const logger = new LogManager({ clock, sinks: [sink] }).getLogger('orchestrator');
  const orchestrator = new TradingOrchestrator({ bus, clock, logger, healthCheckIntervalMs: 60_000, ...options });
  const journal: string[] = [];
  const probe = (name: string) => new Probe(name, { bus, clock }, journal);
  return { clock, bus, sink, orchestrator, journal, probe };
};

/** The `ServiceFailed` events after which no restart follows. */
const givenUp = (bus: EventBus) => bus.history('ServiceFailed').filter((event) => !event.willRestart);

const lifecycle = (bus: EventBus) =>
  bus
    .history()
    .filter((event) => event.type.startsWith('Service'))
    .map((event) => `${event.type} ${'service' in event ? event.service : ''}`);

describe('TradingOrchestrator', () => {
  it('starts in dependency order and stops in reverse, publishing lifecycle events', async () => {
    const { orchestrator, journal, probe, bus } = setup();
    orchestrator
      .register('trade_execution', probe('exec'), { dependsOn: ['strategy_evaluation'] })
      .register('data_fetching', probe('data'))
      .register('strategy_evaluation', probe('strategy'), { dependsOn: ['indicator_calculation'] })
      .register('indicator_calculation', probe('indicators'), { dependsOn: ['data_fetching'] });
    await orchestrator.start();
    expect(orchestrator.status).toBe('running');
    await orchestrator.stop();
    expect(orchestrator.status).toBe('stopped');
    expect(journal).toEqual([
      'start data',
      'start indicators',
      'start strategy',
      'start exec',
      'stop exec',
      'stop strategy',
      'stop indicators',
      'stop data',
    ]);
    expect(lifecycle(bus)).toEqual([
      'ServiceStarted data_fetching',
      'ServiceStarted indicator_calculation',
      'ServiceStarted strategy_evaluation',
      'ServiceStarted trade_execution',
      'ServiceStopped trade_execution',
      'ServiceStopped strategy_evaluation',
      'ServiceStopped indicator_calculation',
      'ServiceStopped data_fetching',
    ]);
  });

  it('refuses a dependency cycle, naming its services, before starting anything', async () => {
    const { orchestrator, journal, probe } = setup();
    orchestrator
      .register('a', probe('a'), { dependsOn: ['c'] })
      .register('b', probe('b'), { dependsOn: ['a'] })
      .register('c', probe('c'), { dependsOn: ['b'] })
      .register('d', probe('d'));
    const error = await orchestrator.start().catch((thrown: unknown) => thrown);
    expect(OrchestratorError.isInstance(error)).toBe(true);
    expect((error as OrchestratorError).code).toBe('DEPENDENCY_CYCLE');
    expect((error as Error).message).toBe('services depend on each other in a cycle: a → c → b → a');
    expect(journal).toEqual([]);
  });

  it('refuses unknown dependencies and duplicate names', async () => {
    const { orchestrator, probe } = setup();
    orchestrator.register('a', probe('a'), { dependsOn: ['missing'] });
    expect(() => orchestrator.register('a', probe('a'))).toThrow(/already registered/);
    await expect(orchestrator.start()).rejects.toMatchObject({ code: 'UNKNOWN_DEPENDENCY' });
    expect(() => orchestrator.getService('zzz')).toThrow(/no service named "zzz"; registered: a/);
  });

  it('stops the services already started when one fails to start', async () => {
    const { orchestrator, journal, probe } = setup();
    const failing = probe('c');
    failing.failStartTimes = 1;
    orchestrator.register('a', probe('a')).register('b', probe('b')).register('c', failing).register('d', probe('d'));
    const error = await orchestrator.start().catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'SERVICE_START_FAILED', services: ['c'] });
    expect((error as Error).cause).toBeInstanceOf(Error);
    // The failed service is cleaned up first (its onStop releases what onStart acquired), then the rollback.
    expect(journal).toEqual(['start a', 'start b', 'stop c', 'stop b', 'stop a']);
    expect(orchestrator.status).toBe('failed');
    await orchestrator.start();
    expect(orchestrator.status).toBe('running');
  });

  it('gives each service a stop timeout and reports the ones that hang', async () => {
    const { orchestrator, journal, probe, clock } = setup({ stopTimeoutMs: 5_000 });
    const hanging = probe('b');
    orchestrator.register('a', probe('a')).register('b', hanging).register('c', probe('c'));
    await orchestrator.start();
    hanging.hangOnStop = true;
    const stopping = orchestrator.stop().catch((thrown: unknown) => thrown);
    await clock.advanceBy(5_000);
    const error = await stopping;
    expect(error).toMatchObject({ code: 'SERVICE_STOP_TIMEOUT', services: ['b'] });
    expect(journal.slice(-3)).toEqual(['stop c', 'stop b', 'stop a']);
    expect(orchestrator.status).toBe('stopped');
  });

  it('restarts an unhealthy service with exponential backoff on the simulated clock', async () => {
    const { orchestrator, probe, clock, bus } = setup({
      healthCheckIntervalMs: 10_000,
      restartPolicy: { initialBackoffMs: 1_000, maxBackoffMs: 60_000 },
    });
    const flaky = probe('data');
    orchestrator.register('data_fetching', flaky);
    await orchestrator.start();
    const t0 = clock.now();
    flaky.unhealthy = true;
    flaky.failStartTimes = 2;
    const restartedAt: number[] = [];
    bus.subscribe('ServiceRestarted', () => void restartedAt.push(clock.now() - t0));
    // Round 1 at 10 s: restart after 1 s fails (start throws). Round 2 at 20 s: after 2 s, fails.
    // Round 3 at 30 s: after 4 s, succeeds.
    await clock.advanceBy(10_000);
    expect(flaky.state).toBe('running');
    await clock.advanceBy(1_000);
    expect(flaky.state).toBe('failed');
    await clock.advanceBy(9_000 + 2_000);
    expect(flaky.state).toBe('failed');
    flaky.unhealthy = false;
    await clock.advanceBy(8_000 + 3_999);
    expect(flaky.state).toBe('failed');
    await clock.advanceBy(1);
    expect(flaky.state).toBe('running');
    expect(restartedAt).toEqual([34_000]);
    expect(bus.history('ServiceRestarted').map((event) => event.attempt)).toEqual([3]);
    expect(orchestrator.getAllMetrics().orchestrator.restarts).toBe(1);
  });

  it('stops restarting after 5 restarts in 10 minutes: the service stays failed and ServiceFailed is published', async () => {
    const { orchestrator, probe, clock, bus, sink } = setup({ healthCheckIntervalMs: 10_000 });
    const broken = probe('data');
    orchestrator.register('data_fetching', broken);
    await orchestrator.start();
    broken.failStartTimes = Number.POSITIVE_INFINITY;
    broken.fail(new Error('socket closed'));
    await clock.advanceBy(9 * 60_000);
    expect(broken.state).toBe('failed');
    // One ServiceFailed per failure: five followed by a restart, then the one given up.
    expect(bus.history('ServiceFailed').map((event) => [event.restarts, event.willRestart])).toEqual([
      [0, true],
      [1, true],
      [2, true],
      [3, true],
      [4, true],
      [5, false],
    ]);
    const [failed] = givenUp(bus);
    expect(failed?.service).toBe('data_fetching');
    expect(failed?.restarts).toBe(5);
    expect(failed?.error).toMatch(/restart limit reached \(5 in 600s\)/);
    expect(sink.lines.some((line) => line.includes('ERROR') && line.includes('will not be restarted'))).toBe(true);
    const restartAttempts = sink.lines
      .filter((line) => line.includes('restarting in'))
      .map((line) => /in (\d+)ms/.exec(line)?.[1]);
    expect(restartAttempts).toEqual(['1000', '2000', '4000', '8000', '16000']);
  });

  it('publishes ServiceFailed instead of restarting when auto-restart is off', async () => {
    const { orchestrator, probe, clock, bus, journal } = setup({
      enableAutoRestart: false,
      healthCheckIntervalMs: 1_000,
    });
    const service = probe('data');
    orchestrator.register('data_fetching', service);
    await orchestrator.start();
    service.fail(new Error('socket closed'));
    await clock.advanceBy(5_000);
    expect(bus.history('ServiceFailed')).toHaveLength(1);
    expect(bus.history('ServiceFailed')[0]).toMatchObject({ error: 'socket closed', restarts: 0, willRestart: false });
    expect(journal).toEqual(['start data']);
  });

  it('restartService restarts one service and rebuilds its state', async () => {
    const { orchestrator, probe, journal, bus } = setup();
    orchestrator.register('a', probe('a')).register('b', probe('b'));
    await orchestrator.start();
    await orchestrator.restartService('b');
    expect(journal).toEqual(['start a', 'start b', 'stop b', 'start b']);
    expect(bus.history('ServiceRestarted').map((event) => event.service)).toEqual(['b']);
  });

  it('aggregates metrics and health in the original shape', async () => {
    const { orchestrator, probe, clock } = setup();
    const b = probe('b');
    orchestrator.register('a', probe('a')).register('b', b);
    await orchestrator.start();
    await clock.advanceBy(2_500);
    b.unhealthy = true;
    const metrics = orchestrator.getAllMetrics();
    expect(metrics.orchestrator).toEqual({
      status: 'running',
      uptime_seconds: 2.5,
      services_count: 2,
      services_healthy: 1,
      cycles: 0,
      cycle_errors: 0,
      restarts: 0,
    });
    expect(metrics.services.a).toEqual({ events_received: 0, events_published: 0, errors: 0 });
    expect(metrics.event_bus.events_by_type).toEqual({ ServiceStarted: 2 });
    const health = orchestrator.getServiceHealth();
    expect(health.a?.healthy).toBe(true);
    expect(health.b).toMatchObject({ healthy: false, status: 'unhealthy', details: { reason: 'feed stale' } });
  });

  it('runs cycle work in order, synchronously while no item returns a promise, awaiting one that does', async () => {
    const { orchestrator, probe } = setup();
    orchestrator.register('a', probe('a'));
    const steps: string[] = [];
    let slow = false;
    let release: () => void = () => {};
    orchestrator.addCycleWork('first', () => void steps.push(`first ${currentCorrelationId() !== undefined}`));
    orchestrator.addCycleWork('slow', () => (slow ? new Promise<void>((resolve) => (release = resolve)) : undefined));
    orchestrator.addCycleWork('broken', () => {
      throw new Error('boom');
    });
    orchestrator.addCycleWork('last', () => void steps.push(`last ${currentCorrelationId() !== undefined}`));
    await orchestrator.start();
    // No item returns a promise: every item has run when runCycle returns, and runCycleNow returns the id itself.
    const cycle = orchestrator.runCycle();
    expect(steps).toEqual(['first true', 'last true']);
    expect(typeof (await cycle)).toBe('string');
    expect(typeof orchestrator.runCycleNow()).toBe('string');
    expect(steps).toHaveLength(4);
    // An item returns a promise: the items after it wait for it, in the cycle's correlation scope.
    slow = true;
    steps.length = 0;
    const second = orchestrator.runCycleNow();
    expect(second).toBeInstanceOf(Promise);
    expect(steps).toEqual(['first true']);
    release();
    expect(typeof (await second)).toBe('string');
    expect(steps).toEqual(['first true', 'last true']);
    expect(orchestrator.getAllMetrics().orchestrator).toMatchObject({ cycles: 3, cycle_errors: 3 });
    // An item whose promise rejects is counted and logged like one that throws; the items after it still run.
    orchestrator.addCycleWork('rejects', () => Promise.reject(new Error('venue down')));
    orchestrator.addCycleWork('after', () => void steps.push('after'));
    slow = false;
    steps.length = 0;
    const third = orchestrator.runCycleNow();
    expect(third).toBeInstanceOf(Promise);
    expect(typeof (await third)).toBe('string');
    expect(steps).toEqual(['first true', 'last true', 'after']);
    expect(orchestrator.getAllMetrics().orchestrator).toMatchObject({ cycles: 4, cycle_errors: 5 });
    await orchestrator.stop();
  });

  it('runs cycles in fresh correlation scopes until the signal aborts, logging status', async () => {
    const { orchestrator, probe, clock, sink } = setup({ statusLogIntervalMs: 10_000 });
    orchestrator.register('a', probe('a'));
    const correlations: (string | undefined)[] = [];
    orchestrator.addCycleWork('fetch', async () => {
      await Promise.resolve();
      correlations.push(currentCorrelationId());
    });
    orchestrator.addCycleWork('broken', () => {
      throw new Error('cycle boom');
    });
    await orchestrator.start();
    const controller = new AbortController();
    const running = orchestrator.run({ intervalMs: 5_000, signal: controller.signal });
    await clock.advanceBy(20_000);
    controller.abort();
    await running;
    expect(correlations).toHaveLength(5);
    expect(new Set(correlations).size).toBe(5);
    expect(correlations.every((id) => typeof id === 'string')).toBe(true);
    const { orchestrator: metrics } = orchestrator.getAllMetrics();
    expect(metrics.cycles).toBe(5);
    expect(metrics.cycle_errors).toBe(5);
    expect(sink.lines.filter((line) => line.includes('Status: 1/1 services healthy'))).toHaveLength(2);
    expect(sink.lines.some((line) => line.includes('cycle work broken failed: cycle boom'))).toBe(true);
    await orchestrator.stop();
  });

  it('tells its schedule: the last and next cycle, the health rounds, whether a cycle runs', async () => {
    const { orchestrator, probe, clock } = setup({ healthCheckIntervalMs: 30_000 });
    orchestrator.register('a', probe('a'));
    const t0 = clock.now();
    expect(orchestrator.getSchedule()).toMatchObject({
      status: 'initialized',
      cycleIntervalMs: null,
      lastCycleAt: null,
      nextCycleAt: null,
      lastHealthCheckAt: null,
      nextHealthCheckAt: null,
    });
    let release: () => void = () => {};
    let slow = false;
    orchestrator.addCycleWork('fetch', () => (slow ? new Promise<void>((resolve) => (release = resolve)) : undefined));
    await orchestrator.start();
    const controller = new AbortController();
    const running = orchestrator.run({ intervalMs: 5_000, signal: controller.signal });
    await clock.advanceBy(12_000);
    expect(orchestrator.getSchedule()).toEqual({
      status: 'running',
      now: t0 + 12_000,
      cycleIntervalMs: 5_000,
      lastCycleAt: t0 + 10_000,
      nextCycleAt: t0 + 15_000,
      cycleInProgress: false,
      healthCheckIntervalMs: 30_000,
      lastHealthCheckAt: t0,
      nextHealthCheckAt: t0 + 30_000,
    });
    slow = true;
    await clock.advanceBy(3_000);
    expect(orchestrator.getSchedule()).toMatchObject({
      lastCycleAt: t0 + 15_000,
      nextCycleAt: null,
      cycleInProgress: true,
    });
    slow = false;
    release();
    await clock.advanceBy(31_000);
    expect(orchestrator.getSchedule()).toMatchObject({
      lastHealthCheckAt: t0 + 30_000,
      nextHealthCheckAt: t0 + 60_000,
    });
    controller.abort();
    await running;
    expect(orchestrator.getSchedule().nextCycleAt).toBeNull();
    await orchestrator.stop();
    expect(orchestrator.getSchedule()).toMatchObject({ status: 'stopped', nextHealthCheckAt: null });
  });

  it('refuses to run unless started', async () => {
    const { orchestrator } = setup();
    await expect(orchestrator.run({ intervalMs: 1_000 })).rejects.toMatchObject({ code: 'ORCHESTRATOR_STATE' });
  });
});

/** A service implementing ManagedService directly, without the base class and its guards. */
class RawService implements ManagedService {
  readonly name = 'RawService';
  state: ServiceState = 'initialized';
  starts = 0;
  healthThrows = false;
  metricsThrow = false;
  async start(): Promise<void> {
    this.starts++;
    this.state = 'running';
  }
  async stop(): Promise<void> {
    this.state = 'stopped';
  }
  fail(): void {
    this.state = 'failed';
  }
  healthCheck(): HealthReport {
    if (this.healthThrows) throw new Error('raw health down');
    const healthy = this.state === 'running';
    return {
      service: this.name,
      status: healthy ? 'healthy' : 'unhealthy',
      healthy,
      state: this.state,
      details: {},
      checkedAt: 0,
    };
  }
  getMetrics(): Readonly<Record<string, number>> {
    if (this.metricsThrow) throw new Error('metrics down');
    return { starts: this.starts };
  }
}

/** Collects unhandled rejections and uncaught exceptions while a test runs. */
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => void escaped.push(error);
const nothingEscaped = async (): Promise<void> => {
  // Let rejections that nobody handled be reported before asserting.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  expect(escaped).toEqual([]);
};

describe('TradingOrchestrator fault isolation', () => {
  beforeEach(() => {
    escaped.length = 0;
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
  });
  afterEach(() => {
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
  });

  it('a throwing health check fails the service, which is restarted per policy and then given up, while rounds go on', async () => {
    const { orchestrator, probe, clock, bus, sink } = setup({
      healthCheckIntervalMs: 10_000,
      restartPolicy: { maxRestarts: 2, initialBackoffMs: 1_000 },
    });
    const broken = probe('data');
    const steady = probe('steady');
    orchestrator.register('data_fetching', broken).register('steady', steady);
    await orchestrator.start();
    broken.throwOnHealth = true;
    // Round 1 at 10 s: the check throws, the service fails, a restart is due 1 s later.
    await expect(clock.advanceBy(10_000)).resolves.toBeUndefined();
    expect(broken.state).toBe('failed');
    const health = orchestrator.getServiceHealth();
    expect(health.data_fetching).toMatchObject({
      status: 'unhealthy',
      state: 'failed',
      details: { last_error: 'health probe exploded' },
    });
    expect(() => orchestrator.getAllMetrics()).not.toThrow();
    await clock.advanceBy(1_000);
    expect(broken.state).toBe('running');
    // Round 2 at 20 s: fails again, restarted at 22 s. Round 3 at 30 s: limit reached, given up.
    await expect(clock.advanceBy(20_000)).resolves.toBeUndefined();
    expect(broken.state).toBe('failed');
    const checksBefore = steady.healthChecks;
    await expect(clock.advanceBy(20_000)).resolves.toBeUndefined();
    expect(steady.healthChecks).toBe(checksBefore + 2);
    expect(orchestrator.getAllMetrics().orchestrator).toMatchObject({ services_healthy: 1, restarts: 2 });
    expect(lifecycle(bus)).toEqual([
      'ServiceStarted data_fetching',
      'ServiceStarted steady',
      'ServiceFailed data_fetching',
      'ServiceRestarted data_fetching',
      'ServiceFailed data_fetching',
      'ServiceRestarted data_fetching',
      'ServiceFailed data_fetching',
    ]);
    expect(bus.history('ServiceRestarted').map((event) => event.attempt)).toEqual([1, 2]);
    expect(bus.history('ServiceFailed').map((event) => event.willRestart)).toEqual([true, true, false]);
    expect(bus.history('ServiceFailed')[0]?.error).toBe('health probe exploded');
    expect(givenUp(bus)[0]).toMatchObject({ restarts: 2 });
    expect(givenUp(bus)[0]?.error).toMatch(/health probe exploded; restart limit reached/);
    expect(sink.lines.filter((line) => line.includes('will not be restarted'))).toHaveLength(1);
    await orchestrator.stop();
    await nothingEscaped();
  });

  it('guards a ManagedService of your own whose healthCheck throws: unhealthy report, failed, restarted', async () => {
    const { orchestrator, clock, bus } = setup({ healthCheckIntervalMs: 10_000 });
    const raw = new RawService();
    orchestrator.register('raw', raw);
    await orchestrator.start();
    raw.healthThrows = true;
    const report = orchestrator.getServiceHealth().raw;
    expect(report).toMatchObject({
      service: 'raw',
      status: 'unhealthy',
      healthy: false,
      state: 'failed',
      details: { health_check_error: 'raw health down', last_error: 'raw health down' },
    });
    expect(raw.state).toBe('failed');
    raw.healthThrows = false;
    await expect(clock.advanceBy(1_000)).resolves.toBeUndefined();
    expect(raw.state).toBe('running');
    expect(raw.starts).toBe(2);
    await clock.advanceBy(30_000);
    expect(lifecycle(bus)).toEqual(['ServiceStarted raw', 'ServiceFailed raw', 'ServiceRestarted raw']);
    expect(bus.history('ServiceFailed')[0]).toMatchObject({
      error: 'health check threw: raw health down',
      willRestart: true,
    });
    await nothingEscaped();
  });

  it('a throwing getMetrics shows the last known metrics with one warning and does not fail the service', async () => {
    const { orchestrator, bus, sink } = setup();
    const raw = new RawService();
    orchestrator.register('raw', raw);
    await orchestrator.start();
    expect(orchestrator.getAllMetrics().services.raw).toEqual({ starts: 1 });
    raw.metricsThrow = true;
    expect(orchestrator.getAllMetrics().services.raw).toEqual({ starts: 1 });
    expect(orchestrator.getAllMetrics().services.raw).toEqual({ starts: 1 });
    expect(sink.lines.filter((line) => line.includes('WARN') && line.includes('getMetrics() threw'))).toHaveLength(1);
    expect(raw.state).toBe('running');
    const fresh = setup();
    const never = new RawService();
    never.metricsThrow = true;
    fresh.orchestrator.register('never', never);
    expect(fresh.orchestrator.getAllMetrics().services.never).toEqual({});
    expect(lifecycle(bus)).toEqual(['ServiceStarted raw']);
    await nothingEscaped();
  });

  it('a throwing onStart rolls the start back, and during an auto-restart is retried per policy', async () => {
    const { orchestrator, probe, clock, bus, journal } = setup({ healthCheckIntervalMs: 10_000 });
    const a = probe('a');
    const b = probe('b');
    b.failStartTimes = 1;
    orchestrator.register('a', a).register('b', b);
    await expect(orchestrator.start()).rejects.toMatchObject({ code: 'SERVICE_START_FAILED', services: ['b'] });
    expect([a.state, b.state]).toEqual(['stopped', 'stopped']);
    expect(lifecycle(bus)).toEqual(['ServiceStarted a', 'ServiceStopped a']);
    await orchestrator.start();
    journal.length = 0;
    b.failStartTimes = 1;
    b.fail(new Error('socket closed'));
    // Round at 10 s: restart at 11 s fails (onStart throws); round at 20 s: restart at 22 s succeeds.
    await expect(clock.advanceBy(11_000)).resolves.toBeUndefined();
    expect(b.state).toBe('failed');
    await expect(clock.advanceBy(11_000)).resolves.toBeUndefined();
    expect(b.state).toBe('running');
    expect(journal).toEqual(['stop b', 'stop b', 'start b']);
    expect(lifecycle(bus).slice(2)).toEqual([
      'ServiceStarted a',
      'ServiceStarted b',
      'ServiceFailed b',
      'ServiceFailed b',
      'ServiceRestarted b',
    ]);
    expect(bus.history('ServiceFailed').map((event) => [event.error, event.willRestart])).toEqual([
      ['socket closed', true],
      ['b cannot start', true],
    ]);
    expect(bus.history('ServiceRestarted').map((event) => event.attempt)).toEqual([2]);
    await nothingEscaped();
  });

  it('a hanging onStop in stop(): the service ends failed, stop rejects with SERVICE_STOP_TIMEOUT, a later start settles', async () => {
    const { orchestrator, probe, clock, bus, journal } = setup({ stopTimeoutMs: 5_000 });
    const a = probe('a');
    const b = probe('b');
    orchestrator.register('a', a).register('b', b);
    await orchestrator.start();
    b.hangOnStop = true;
    const stopping = orchestrator.stop().catch((thrown: unknown) => thrown);
    await clock.advanceBy(5_000);
    expect(await stopping).toMatchObject({ code: 'SERVICE_STOP_TIMEOUT', services: ['b'] });
    expect([a.state, b.state]).toEqual(['stopped', 'failed']);
    expect(orchestrator.status).toBe('stopped');
    // Still hanging: the clean-up stop before the start times out once (not again after it), and start() rejects.
    const starting = orchestrator.start().catch((thrown: unknown) => thrown);
    await clock.advanceBy(5_000);
    const error = await starting;
    expect(error).toMatchObject({ code: 'SERVICE_START_FAILED', services: ['b'] });
    expect(((error as Error).cause as OrchestratorError).code).toBe('SERVICE_STOP_TIMEOUT');
    expect([a.state, b.state]).toEqual(['stopped', 'failed']);
    // Once onStop returns again, start() cleans b up and starts everything.
    b.hangOnStop = false;
    journal.length = 0;
    await orchestrator.start();
    expect([a.state, b.state]).toEqual(['running', 'running']);
    expect(journal).toEqual(['start a', 'stop b', 'start b']);
    expect(lifecycle(bus)).toEqual([
      'ServiceStarted a',
      'ServiceStarted b',
      'ServiceFailed b',
      'ServiceStopped a',
      'ServiceStarted a',
      'ServiceStopped a',
      'ServiceStarted a',
      'ServiceStarted b',
    ]);
    await nothingEscaped();
  });

  it('a hanging onStop in an auto-restart: the restart proceeds after the stop timeout', async () => {
    const { orchestrator, probe, clock, bus, journal } = setup({ healthCheckIntervalMs: 10_000, stopTimeoutMs: 5_000 });
    const a = probe('a');
    orchestrator.register('a', a);
    await orchestrator.start();
    a.unhealthy = true;
    a.hangStops = 1;
    await clock.advanceBy(10_000);
    a.unhealthy = false;
    // The restart starts at 11 s; its stop hangs until the timeout at 16 s, then a clean-up stop and a fresh start.
    await clock.advanceBy(5_999);
    expect(a.state).toBe('stopping');
    await expect(clock.advanceBy(1)).resolves.toBeUndefined();
    expect(a.state).toBe('running');
    expect(journal).toEqual(['start a', 'stop a', 'stop a', 'start a']);
    await clock.advanceBy(60_000);
    expect(lifecycle(bus)).toEqual(['ServiceStarted a', 'ServiceFailed a', 'ServiceRestarted a']);
    await orchestrator.stop();
    await nothingEscaped();
  });

  it('an onStop that always hangs in auto-restarts: each restart fails after its timeouts, then ServiceFailed', async () => {
    const { orchestrator, probe, clock, bus } = setup({
      healthCheckIntervalMs: 10_000,
      stopTimeoutMs: 5_000,
      restartPolicy: { maxRestarts: 2 },
    });
    const a = probe('a');
    const b = probe('b');
    orchestrator.register('a', a).register('b', b);
    await orchestrator.start();
    a.hangOnStop = true;
    a.fail(new Error('socket closed'));
    // Restarts at 11 s and 32 s each time out twice (stop, clean-up stop); the round at 50 s gives up.
    await expect(clock.advanceBy(60_000)).resolves.toBeUndefined();
    expect(a.state).toBe('failed');
    expect(b.state).toBe('running');
    expect(orchestrator.status).toBe('running');
    expect(lifecycle(bus)).toEqual([
      'ServiceStarted a',
      'ServiceStarted b',
      'ServiceFailed a',
      'ServiceFailed a',
      'ServiceFailed a',
    ]);
    expect(bus.history('ServiceFailed').map((event) => event.willRestart)).toEqual([true, true, false]);
    expect(givenUp(bus)[0]?.error).toMatch(/did not stop within 5000ms; restart limit reached/);
    const checks = b.healthChecks;
    await clock.advanceBy(20_000);
    expect(b.healthChecks).toBe(checks + 2);
    await nothingEscaped();
  });

  it('a hanging onStart at start(): rolled back after the start timeout, and a later start() settles', async () => {
    const { orchestrator, probe, clock, bus, journal } = setup({ startTimeoutMs: 30_000 });
    const a = probe('a');
    const b = probe('b');
    b.hangStarts = 1;
    orchestrator.register('a', a).register('b', b);
    const starting = orchestrator.start().catch((thrown: unknown) => thrown);
    await clock.advanceBy(30_000);
    const error = await starting;
    expect(error).toMatchObject({ code: 'SERVICE_START_FAILED', services: ['b'] });
    expect(((error as Error).cause as OrchestratorError).code).toBe('SERVICE_START_TIMEOUT');
    expect([a.state, b.state]).toEqual(['stopped', 'stopped']);
    await orchestrator.start();
    expect([a.state, b.state]).toEqual(['running', 'running']);
    expect(journal).toEqual(['start a', 'hang b', 'stop b', 'stop a', 'start a', 'start b']);
    expect(lifecycle(bus)).toEqual(['ServiceStarted a', 'ServiceStopped a', 'ServiceStarted a', 'ServiceStarted b']);
    await nothingEscaped();
  });

  it('a hanging onStart in an auto-restart: the service fails at the start timeout and the next restart succeeds', async () => {
    const { orchestrator, probe, clock, bus } = setup({ healthCheckIntervalMs: 10_000, startTimeoutMs: 5_000 });
    const a = probe('a');
    orchestrator.register('a', a);
    await orchestrator.start();
    a.hangStarts = 1;
    a.fail(new Error('socket closed'));
    // Round at 10 s → restart at 11 s hangs until 16 s; round at 20 s → restart at 22 s.
    await clock.advanceBy(16_000);
    expect(a.state).toBe('failed');
    await clock.advanceBy(6_000);
    expect(a.state).toBe('running');
    expect(bus.history('ServiceFailed').map((event) => [event.error, event.willRestart])).toEqual([
      ['socket closed', true],
      ['service "a" did not start within 5000ms', true],
    ]);
    expect(bus.history('ServiceRestarted').map((event) => event.attempt)).toEqual([2]);
    await orchestrator.stop();
    await nothingEscaped();
  });
});

describe('TradingOrchestrator with quiet health rounds (a backtest on simulated time)', () => {
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const T0 = Date.UTC(2023, 2, 1);
  /** Live cadence, and, with `quiet`, an hourly quiet interval with `DataFetchFailed` as the alert. */
  const orchestratorOptions = (quiet: boolean): Partial<OrchestratorOptions> => ({
    healthCheckIntervalMs: MINUTE,
    ...(quiet ? { quietHealthCheckIntervalMs: HOUR, healthAlertEvents: ['DataFetchFailed'] } : {}),
  });
  const fetchFailed = (bus: EventBus): void =>
    void bus.emit('DataFetchFailed', { symbol: 'EURUSD', timeframe: '1m', error: 'no such symbol', attempts: 4 });

  /**
   * Runs a cycle every simulated minute for `minutes` with `work(minute)` as
   * the cycle's work, moving the clock with `advanceTo` (which lets the work
   * a timer starts, such as a restart, run before the next timer fires).
   */
  const simulate = async (
    { clock, orchestrator }: ReturnType<typeof setup>,
    minutes: number,
    work: (minute: number) => void = () => {},
  ): Promise<void> => {
    orchestrator.addCycleWork('script', () => work(Math.round((clock.now() - T0) / MINUTE)));
    for (let minute = 1; minute <= minutes; minute++) {
      await clock.advanceTo(T0 + minute * MINUTE);
      await clock.runToCompletion(() => orchestrator.runCycle());
    }
  };

  const lifecycleAt = (bus: EventBus) =>
    bus
      .history()
      .filter((event) => event.type.startsWith('Service'))
      .map((event) => `${new Date(event.timestamp).toISOString().slice(11, 23)} ${JSON.stringify(event)}`)
      .map((line) => line.replace(/"(id|correlationId|causationId|timestamp)":[^,}]*,?/g, ''));

  it('checks once per quiet interval while nothing is wrong: 24 rounds in a simulated day of 1,440 cycles', async () => {
    for (const [quiet, rounds] of [
      [true, 24],
      [false, 24 * 60],
    ] as const) {
      const system = setup(orchestratorOptions(quiet));
      const a = system.probe('a');
      system.orchestrator.register('a', a);
      await system.orchestrator.start();
      await simulate(system, 24 * 60);
      expect(a.healthChecks).toBe(rounds);
      if (quiet)
        expect(a.checkTimes.map((time) => (time - T0) / HOUR)).toEqual([...Array(24).keys()].map((h) => h + 1));
      await system.orchestrator.stop();
    }
  });

  it('an alert resumes the live schedule: a failing service is restarted and given up on exactly when it would be live, then rounds are quiet again', async () => {
    const runs = [];
    for (const quiet of [false, true]) {
      const system = setup(orchestratorOptions(quiet));
      const data = system.probe('data');
      // Healthy throughout: its health checks are the rounds (a failed service's own check is not run).
      const steady = system.probe('steady');
      system.orchestrator.register('data_fetching', data).register('steady', steady);
      await system.orchestrator.start();
      let failures = 0;
      // From 01:30 every fetch fails; three failures in a row make the service unhealthy, and restarts do not help.
      await simulate(system, 4 * 60, (minute) => {
        if (minute < 90 || (data.state !== 'running' && data.state !== 'degraded')) return;
        fetchFailed(system.bus);
        if (++failures >= 3) data.unhealthy = true;
      });
      runs.push({ quiet, bus: system.bus, checkTimes: steady.checkTimes });
      await system.orchestrator.stop();
    }
    const [live, quiet] = runs;
    if (!live || !quiet) throw new Error('two runs expected');
    // The same restarts and the same give-up, at the same simulated times.
    expect(lifecycleAt(quiet.bus)).toEqual(lifecycleAt(live.bus));
    const failed = quiet.bus.history('ServiceFailed');
    expect(failed.map((event) => [event.restarts, event.willRestart])).toEqual([
      [0, true],
      [1, true],
      [2, true],
      [3, true],
      [4, true],
      [5, false],
    ]);
    expect(failed.map((event) => (event.timestamp - T0) / MINUTE)).toEqual([93, 94, 95, 96, 97, 98]);
    // Quiet: hourly until the first alert (after the 01:30 cycle), every minute from 01:31 while in trouble,
    // hourly again once given up (01:38).
    expect(quiet.checkTimes.map((time) => (time - T0) / MINUTE)).toEqual([
      60, 91, 92, 93, 94, 95, 96, 97, 98, 158, 218,
    ]);
    expect(live.checkTimes).toHaveLength(4 * 60);
  });

  it('a restarted service that recovers is watched at the live cadence for the restart window, then quietly', async () => {
    const system = setup({ ...orchestratorOptions(true), restartPolicy: { windowMs: 10 * MINUTE } });
    const data = system.probe('data');
    system.orchestrator.register('data_fetching', data);
    system.bus.subscribe('ServiceRestarted', () => {
      data.unhealthy = false;
    });
    await system.orchestrator.start();
    await simulate(system, 3 * 60, (minute) => {
      if (minute === 30) {
        data.unhealthy = true;
        fetchFailed(system.bus);
      }
    });
    expect(system.bus.history('ServiceRestarted').map((event) => (event.timestamp - T0) / 1000)).toEqual([31 * 60 + 1]);
    // 00:31 finds it unhealthy (the restart, counted from then, follows at 00:31:01); rounds every minute until the
    // restart has left the 10-minute window (00:41), then hourly.
    expect(data.checkTimes.map((time) => (time - T0) / MINUTE)).toEqual([
      31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 101, 161,
    ]);
    await system.orchestrator.stop();
  });

  it.each([
    ['fails on its own (its state, read after the cycle)', (data: Probe) => data.fail(new Error('socket closed'))],
    [
      'throws from cycle work',
      (data: Probe) => {
        data.unhealthy = true;
        throw new Error('venue down');
      },
    ],
  ])('a service that %s is noticed after that cycle, without an alert event', async (_, trouble) => {
    const system = setup(orchestratorOptions(true));
    const data = system.probe('data');
    system.orchestrator.register('data_fetching', data);
    await system.orchestrator.start();
    await simulate(system, 60, (minute) => {
      if (minute === 30) trouble(data);
    });
    expect(system.bus.history('ServiceFailed')[0]?.timestamp).toBe(T0 + 31 * MINUTE);
    expect(system.bus.history('ServiceRestarted')[0]?.timestamp).toBe(T0 + 31 * MINUTE + 1_000);
    await system.orchestrator.stop();
  });

  it('without cycles, a service that fails on its own is noticed at the next quiet round (the safety net)', async () => {
    const { orchestrator, probe, clock, bus } = setup(orchestratorOptions(true));
    const data = probe('data');
    orchestrator.register('data_fetching', data);
    await orchestrator.start();
    await clock.advanceBy(10 * MINUTE);
    data.fail(new Error('socket closed'));
    await clock.advanceBy(HOUR);
    expect(bus.history('ServiceFailed')[0]?.timestamp).toBe(T0 + HOUR);
    expect(bus.history('ServiceRestarted')[0]?.timestamp).toBe(T0 + HOUR + 1_000);
    await orchestrator.stop();
  });

  it.each([
    ['equal to', MINUTE],
    ['shorter than', 30_000],
  ])(
    'a quiet interval %s the health check interval changes nothing: rounds every interval, alerts not subscribed',
    async (_, quietMs) => {
      const system = setup({
        healthCheckIntervalMs: MINUTE,
        quietHealthCheckIntervalMs: quietMs,
        healthAlertEvents: ['DataFetchFailed'],
      });
      const data = system.probe('data');
      system.orchestrator.register('data_fetching', data);
      await system.orchestrator.start();
      expect(system.bus.getMetrics().subscriptions).toBe(0);
      await simulate(system, 10, (minute) => {
        if (minute === 3) fetchFailed(system.bus);
      });
      expect(data.checkTimes.map((time) => (time - T0) / MINUTE)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await system.orchestrator.stop();
    },
  );

  it('stop() drops the alert subscriptions; a new start() subscribes again', async () => {
    const { orchestrator, probe, bus } = setup(orchestratorOptions(true));
    orchestrator.register('data_fetching', probe('data'));
    await orchestrator.start();
    expect(bus.getMetrics().subscriptions).toBe(1);
    await orchestrator.stop();
    expect(bus.getMetrics().subscriptions).toBe(0);
    await orchestrator.start();
    expect(bus.getMetrics().subscriptions).toBe(1);
    await orchestrator.stop();
  });
});
