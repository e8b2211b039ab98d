/**
 * Benchmarks of @quant/core, written to bench-results/core.json:
 * - EventBus vs raw mitt delivering the same pre-built frozen events to 1 and 4
 *   handlers (ns per event, events per second), synchronous and asynchronous
 *   modes, with history and metrics on; both measured in this same run.
 * - TradingOrchestrator: start of 4 services, one health check round.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import mittImport, { type Emitter, type EventType as MittEventType } from 'mitt';
import { Bench } from 'tinybench';
import {
  type BaseEvent,
  EventBus,
  EventDrivenService,
  type ServiceDeps,
  SimulatedClock,
  type TradingEvent,
  TradingOrchestrator,
} from '../src/index.js';

const mitt = mittImport as unknown as <E extends Record<MittEventType, unknown>>() => Emitter<E>;
const EVENTS_PER_TASK = 1_000;
const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
const factory = new EventBus({ clock });
const events: TradingEvent[] = Array.from({ length: EVENTS_PER_TASK }, (_, i) =>
  factory.createEvent('NewCandle', {
    symbol: 'BTCUSDT',
    timeframe: '1m',
    bar: { openTime: i * 60_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 },
  }),
);

let sink = 0;
const handler = (event: BaseEvent): void => {
  sink += event.timestamp;
};

function rawMitt(handlers: number): () => void {
  const emitter = mitt<Record<string, BaseEvent>>();
  for (let i = 0; i < handlers; i++) emitter.on('NewCandle', handler);
  return () => {
    for (const event of events) emitter.emit(event.type, event);
  };
}

function syncBus(handlers: number): () => void {
  const bus = new EventBus({ clock, historyLimit: 1_000 });
  for (let i = 0; i < handlers; i++) bus.subscribe('NewCandle', handler);
  return () => {
    for (const event of events) bus.publish(event);
  };
}

function asyncBus(handlers: number): () => Promise<void> {
  const bus = new EventBus({ clock, mode: 'asynchronous', historyLimit: 1_000, maxQueueSize: EVENTS_PER_TASK });
  for (let i = 0; i < handlers; i++) bus.subscribe('NewCandle', handler);
  return async () => {
    for (const event of events) bus.publish(event);
    await bus.drain();
  };
}

class Idle extends EventDrivenService {
  constructor(name: string, deps: ServiceDeps) {
    super(name, deps);
  }
  protected override onStart(): void {
    this.subscribe('NewCandle', () => {});
  }
}

function newOrchestrator(): TradingOrchestrator {
  const bus = new EventBus({ clock });
  const orchestrator = new TradingOrchestrator({ bus, clock });
  const names = ['data_fetching', 'indicator_calculation', 'strategy_evaluation', 'trade_execution'];
  names.forEach((name, i) => {
    orchestrator.register(name, new Idle(name, { bus, clock }), { dependsOn: i === 0 ? [] : [names[i - 1] as string] });
  });
  return orchestrator;
}

const bench = new Bench({ time: 1_500, warmupTime: 300 });
for (const handlers of [1, 4]) {
  bench.add(`raw mitt, ${handlers} handler(s)`, rawMitt(handlers));
  bench.add(`EventBus synchronous, ${handlers} handler(s)`, syncBus(handlers));
  bench.add(`EventBus asynchronous, ${handlers} handler(s)`, asyncBus(handlers));
}
await bench.run();

const perEvent = (name: string): number => {
  const task = bench.getTask(name);
  if (!task?.result?.latency) throw new Error(`no result for ${name}`);
  return (task.result.latency.mean * 1e6) / EVENTS_PER_TASK;
};

const bus: Record<string, unknown> = {};
for (const handlers of [1, 4]) {
  const mittNs = perEvent(`raw mitt, ${handlers} handler(s)`);
  const syncNs = perEvent(`EventBus synchronous, ${handlers} handler(s)`);
  const asyncNs = perEvent(`EventBus asynchronous, ${handlers} handler(s)`);
  bus[`${handlers}_handler${handlers > 1 ? 's' : ''}`] = {
    raw_mitt_ns_per_event: mittNs,
    sync_ns_per_event: syncNs,
    async_ns_per_event: asyncNs,
    sync_vs_mitt_ratio: syncNs / mittNs,
    sync_events_per_second: 1e9 / syncNs,
    async_events_per_second: 1e9 / asyncNs,
    targets: {
      ...(handlers === 1 ? { sync_within_1_5x_of_mitt: syncNs / mittNs <= 1.5 } : {}),
      sync_within_3x_of_mitt: syncNs / mittNs <= 3,
      sync_at_least_3m_per_second: 1e9 / syncNs >= 3e6,
      async_at_least_1m_per_second: 1e9 / asyncNs >= 1e6,
    },
  };
}

const startTimes: number[] = [];
const healthTimes: number[] = [];
for (let i = 0; i < 200; i++) {
  const orchestrator = newOrchestrator();
  const t0 = performance.now();
  await orchestrator.start();
  startTimes.push(performance.now() - t0);
  for (let j = 0; j < 50; j++) {
    const h0 = performance.now();
    orchestrator.checkHealth();
    healthTimes.push(performance.now() - h0);
  }
  await orchestrator.stop();
}
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const p99 = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? Number.NaN;
const orchestrator = {
  start_4_services_ms: { mean: mean(startTimes), p99: p99(startTimes), target_under_50ms: p99(startTimes) < 50 },
  health_check_round_ms: { mean: mean(healthTimes), p99: p99(healthTimes), target_under_1ms: p99(healthTimes) < 1 },
};

const results = {
  package: '@quant/core',
  date: new Date().toISOString(),
  node: process.version,
  events_per_task: EVENTS_PER_TASK,
  event_bus: bus,
  orchestrator,
};
const outDir = new URL('../../../bench-results/', import.meta.url);
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL('core.json', outDir), `${JSON.stringify(results, null, 2)}\n`);
console.table(bench.table());
console.log(JSON.stringify({ event_bus: bus, orchestrator }, null, 2));
console.log(`handler checksum: ${sink}`);
