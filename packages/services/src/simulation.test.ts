import { loadConfig } from '@quant/config';
import {
  type Bar,
  EventBus,
  EventDrivenService,
  LogManager,
  MemorySink,
  SimulatedClock,
  TradingOrchestrator,
} from '@quant/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvBarSource } from './market-data/csv-bar-source.js';
import type { BarRequest, MarketDataSource } from './ports/market-data-source.js';
import { DataFetchingService } from './services/data-fetching-service.js';
import { runSimulation } from './simulation.js';
import { BTCUSDT, march } from './test-support/real-data.js';

/** A service that does nothing: the orchestrator has something to health-check. */
class Idle extends EventDrivenService {}

const escaped: unknown[] = [];
const onEscape = (error: unknown): void => void escaped.push(error);
beforeEach(() => {
  escaped.length = 0;
  process.on('unhandledRejection', onEscape);
});
afterEach(() => {
  process.off('unhandledRejection', onEscape);
});
const nothingEscaped = async (): Promise<void> => {
  await new Promise((resolve) => setImmediate(resolve));
  expect(escaped).toEqual([]);
};

const system = (start: number) => {
  const clock = new SimulatedClock(start);
  const bus = new EventBus({ clock });
  const sink = new MemorySink();
  const logs = new LogManager({ clock, level: 'info', sinks: [sink] });
  const orchestrator = new TradingOrchestrator({
    bus,
    clock,
    logger: logs.getLogger('orchestrator'),
    healthCheckIntervalMs: 60_000,
  });
  return { clock, bus, sink, logs, orchestrator };
};

const lifecycle = (bus: EventBus) => bus.history().map((event) => event.type);

describe('runSimulation', () => {
  it('completes when cycle work sleeps on the simulated clock, the cycle seeing its time pass', async () => {
    const start = Date.UTC(2023, 2, 1);
    const { clock, bus, orchestrator } = system(start);
    orchestrator.register('idle', new Idle('Idle', { bus, clock }));
    const seen: number[] = [];
    let cycle = 0;
    orchestrator.addCycleWork('sleepy', async () => {
      cycle++;
      const began = clock.now() - start;
      // The third cycle waits past the next step (90 s with 60 s steps): the fourth runs late, the fifth on time.
      await clock.sleep(cycle === 3 ? 90_000 : 500);
      seen.push(began, clock.now() - start);
    });
    await orchestrator.start();
    const cycles = await runSimulation(orchestrator, clock, { start, end: start + 4 * 60_000, stepMs: 60_000 });
    expect(cycles).toBe(5);
    expect(seen).toEqual([0, 500, 60_000, 60_500, 120_000, 210_000, 210_000, 210_500, 240_000, 240_500]);
    expect(orchestrator.getAllMetrics().orchestrator).toMatchObject({ cycles: 5, cycle_errors: 0 });
    await orchestrator.stop();
    expect(lifecycle(bus)).toEqual(['ServiceStarted', 'ServiceStopped']);
    await nothingEscaped();
  });

  it('lets work a cycle starts without awaiting it, with a deadline on the clock, settle at the cycle time', async () => {
    const start = Date.UTC(2023, 2, 1);
    const { clock, bus, orchestrator } = system(start);
    orchestrator.register('idle', new Idle('Idle', { bus, clock }));
    const answered: [number, number][] = [];
    // Like a venue call sent and not awaited: a deadline (longer than a step) and an answer a few promise steps away.
    orchestrator.addCycleWork('send', () => {
      const sentAt = clock.now();
      const deadline = clock.setTimer(() => answered.push([sentAt, -1]), 90_000);
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => {
          deadline.cancel();
          answered.push([sentAt, clock.now()]);
        });
    });
    await orchestrator.start();
    await runSimulation(orchestrator, clock, { start, end: start + 4 * 60_000, stepMs: 60_000 });
    expect(answered).toEqual([0, 1, 2, 3, 4].map((i) => [start + i * 60_000, start + i * 60_000]));
    await orchestrator.stop();
    await nothingEscaped();
  });

  it("completes through the data service's retry backoff after failed fetches", async () => {
    const csv = await CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock: new SimulatedClock(0) });
    const start = march(1, 1);
    const { clock, bus, orchestrator, logs, sink } = system(start);
    let failures = 0;
    const source: MarketDataSource = {
      fetchBars: (request: BarRequest): Promise<readonly Bar[]> => {
        if (failures > 0) {
          failures--;
          return Promise.reject(new Error('502 Bad Gateway'));
        }
        return Promise.resolve(csv.barsAsOf(request, clock.now()));
      },
    };
    const { config } = loadConfig({ cwd: '/nonexistent', env: { SERVICES_DATA_FETCHING_RETRY_ATTEMPTS: '2' } });
    const data = new DataFetchingService(
      { bus, clock, logger: logs.getLogger('data') },
      {
        source,
        symbols: ['BTCUSDT'],
        timeframes: ['1m'],
        config: config.services.data_fetching,
        retryBackoffMs: 1_000,
      },
    );
    orchestrator.register('data_fetching', data);
    const fetchedAt: number[] = [];
    orchestrator.addCycleWork('data_fetching.fetch', async () => {
      if (clock.now() === start + 2 * 60_000) failures = 2;
      await data.fetch();
      fetchedAt.push(clock.now() - start);
    });
    await orchestrator.start();
    const cycles = await runSimulation(orchestrator, clock, { start, end: start + 4 * 60_000, stepMs: 60_000 });
    expect(cycles).toBe(5);
    // Two failed attempts, then backoffs of 1 s and 2 s: the third cycle ends 3 s after it began.
    expect(fetchedAt).toEqual([0, 60_000, 123_000, 180_000, 240_000]);
    const warnings = sink.records.filter((record) => record.level === 'warn').map((record) => record.message);
    expect(warnings.filter((message) => message.includes('502 Bad Gateway'))).toHaveLength(2);
    expect(bus.history('DataFetchFailed')).toHaveLength(0);
    expect(bus.history('NewCandle').map((event) => event.bar.openTime - start)).toEqual([
      -60_000, 0, 60_000, 120_000, 180_000,
    ]);
    await orchestrator.stop();
    expect(bus.history('ServiceStarted')).toHaveLength(1);
    expect(bus.history('ServiceStopped')).toHaveLength(1);
    await nothingEscaped();
  });
});
