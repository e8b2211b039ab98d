import { loadConfig } from '@quant/config';
import { EventBus, SimulatedClock } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CsvBarSource } from '../market-data/csv-bar-source.js';
import type { BarRequest, MarketDataSource } from '../ports/market-data-source.js';
import { BTCUSDT, march } from '../test-support/real-data.js';
import { DataFetchingService } from './data-fetching-service.js';

let csv: CsvBarSource;
beforeAll(async () => {
  csv = await CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock: new SimulatedClock(0) });
});

/** The real bars as of the clock, with failures on demand. */
class FlakySource implements MarketDataSource {
  failures = 0;
  requests: BarRequest[] = [];
  constructor(private readonly clock: SimulatedClock) {}
  fetchBars(request: BarRequest) {
    this.requests.push(request);
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('502 Bad Gateway'));
    }
    return Promise.resolve(csv.barsAsOf(request, this.clock.now()));
  }
}

const setup = (env: Record<string, string> = {}) => {
  const clock = new SimulatedClock(march(1, 0, 1));
  const bus = new EventBus({ clock, historyLimit: 100_000 });
  const source = new FlakySource(clock);
  const { config } = loadConfig({ cwd: '/nonexistent', env: { SERVICES_DATA_FETCHING_RETRY_ATTEMPTS: '2', ...env } });
  const service = new DataFetchingService(
    { bus, clock },
    {
      source,
      symbol: 'BTCUSDT',
      timeframes: ['1m', '5m'],
      config: config.services.data_fetching,
      retryBackoffMs: 1_000,
    },
  );
  const candles = (timeframe: string) =>
    bus
      .history('NewCandle')
      .filter((event) => event.timeframe === timeframe)
      .map((event) => event.bar.openTime);
  return { clock, bus, source, service, candles };
};

const everyMinute = async (clock: SimulatedClock, service: DataFetchingService, until: number) => {
  while (clock.now() < until) {
    await clock.advanceBy(60_000);
    await service.fetch();
  }
};

describe('DataFetchingService', () => {
  it('publishes DataFetched on every fetch and NewCandle once per closed bar, in order', async () => {
    const { clock, bus, service, candles } = setup();
    await service.start();
    await service.fetch();
    // Fetching twice within one minute finds nothing new.
    await clock.advanceBy(30_000);
    await service.fetch();
    await clock.advanceTo(march(1, 0, 2));
    await everyMinute(clock, service, march(1, 0, 20));
    expect(candles('1m')).toEqual(Array.from({ length: 20 }, (_, i) => march(1, 0, i)));
    expect(candles('5m')).toEqual([march(1, 0, 0), march(1, 0, 5), march(1, 0, 10), march(1, 0, 15)]);
    expect(bus.history('DataFetched')).toHaveLength(2 * 20);
    expect(bus.history('DataFetched')[0]).toMatchObject({ symbol: 'BTCUSDT', timeframe: '1m', numBars: 1 });
    expect(service.getMetrics()).toMatchObject({ data_fetches: 40, new_candles_detected: 24, fetch_errors: 0 });
  });

  it('publishes every bar missed during a pause, in order, and never repeats one after a restart', async () => {
    const { clock, service, candles } = setup();
    await service.start();
    await everyMinute(clock, service, march(1, 0, 5));
    await service.stop();
    await clock.advanceTo(march(1, 0, 17));
    await service.start();
    await service.fetch();
    await service.fetch();
    // The first fetch (00:02) publishes only the last closed bar, 00:01; then nothing is missed or repeated.
    expect(candles('1m')).toEqual(Array.from({ length: 16 }, (_, i) => march(1, 0, i + 1)));
    expect(candles('5m')).toEqual([march(1, 0, 0), march(1, 0, 5), march(1, 0, 10)]);
  });

  it('publishes the bar before the last closed one with candle_index 2', async () => {
    const { clock, service, candles } = setup({ SERVICES_DATA_FETCHING_CANDLE_INDEX: '2' });
    await service.start();
    await everyMinute(clock, service, march(1, 0, 6));
    expect(candles('1m')).toEqual([march(1, 0, 0), march(1, 0, 1), march(1, 0, 2), march(1, 0, 3), march(1, 0, 4)]);
  });

  it('retries with backoff on the clock, then publishes DataFetchFailed and becomes unhealthy', async () => {
    const { clock, bus, source, service } = setup();
    await service.start();
    source.failures = Number.POSITIVE_INFINITY;
    const started = clock.now();
    for (let round = 0; round < 3; round++) {
      const fetching = service.fetch();
      await clock.advanceBy(10_000);
      await fetching;
    }
    source.failures = 0;
    expect(clock.now() - started).toBe(30_000);
    const failed = bus.history('DataFetchFailed');
    // Two timeframes, three rounds.
    expect(failed).toHaveLength(6);
    expect(failed[0]).toMatchObject({ symbol: 'BTCUSDT', timeframe: '1m', error: '502 Bad Gateway', attempts: 3 });
    expect(service.getMetrics()).toMatchObject({ fetch_errors: 18, data_fetches: 18 });
    expect(service.healthCheck()).toMatchObject({ status: 'unhealthy', details: { consecutive_failures: 6 } });
    await clock.advanceBy(60_000);
    await service.fetch();
    expect(service.healthCheck().status).toBe('healthy');
  });

  it('waits 1 s then 2 s between the attempts of one fetch', async () => {
    const { clock, source, service } = setup();
    await service.start();
    source.failures = 2;
    const times: number[] = [];
    const original = source.fetchBars.bind(source);
    source.fetchBars = (request) => {
      times.push(clock.now());
      return original(request);
    };
    const fetching = service.fetch();
    await clock.advanceBy(5_000);
    await fetching;
    expect(times.slice(0, 3).map((time) => time - (times[0] ?? 0))).toEqual([0, 1_000, 3_000]);
  });
});
