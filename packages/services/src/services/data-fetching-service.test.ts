import { loadConfig } from '@quant/config';
import { EventBus, LogManager, MemorySink, SimulatedClock, type Timeframe } from '@quant/core';
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

const setup = (
  env: Record<string, string> = {},
  options: { start?: number; warmupBars?: (timeframe: Timeframe) => number } = {},
) => {
  const clock = new SimulatedClock(options.start ?? march(1, 0, 1));
  const bus = new EventBus({ clock, historyLimit: 100_000 });
  const source = new FlakySource(clock);
  const sink = new MemorySink();
  const logger = new LogManager({ clock, level: 'info', sinks: [sink] }).getLogger('data');
  const { config } = loadConfig({ cwd: '/nonexistent', env: { SERVICES_DATA_FETCHING_RETRY_ATTEMPTS: '2', ...env } });
  const service = new DataFetchingService(
    { bus, clock, logger },
    {
      source,
      symbols: ['BTCUSDT'],
      timeframes: ['1m', '5m'],
      config: config.services.data_fetching,
      retryBackoffMs: 1_000,
      ...(options.warmupBars ? { warmupBars: options.warmupBars } : {}),
    },
  );
  const candles = (timeframe: string) =>
    bus
      .history('NewCandle')
      .filter((event) => event.timeframe === timeframe)
      .map((event) => event.bar.openTime);
  const history = (timeframe: string) =>
    bus
      .history('HistoryLoaded')
      .filter((event) => event.timeframe === timeframe)
      .map((event) => event.bars.map((bar) => bar.openTime));
  const warnings = () => sink.records.filter((record) => record.level === 'warn').map((record) => record.message);
  return { clock, bus, source, service, candles, history, sink, warnings };
};

/** `count` open times `stepMinutes` apart, the last at `last`. */
const times = (count: number, last: number, stepMinutes: number) =>
  Array.from({ length: count }, (_, i) => last - (count - 1 - i) * stepMinutes * 60_000);

const everyMinute = async (clock: SimulatedClock, service: DataFetchingService, until: number) => {
  while (clock.now() < until) {
    await clock.advanceBy(60_000);
    await service.fetch();
  }
};

describe('DataFetchingService', () => {
  it('fetches a timeframe only when its next bar can have closed, publishes DataFetched only when it says something new, and NewCandle once per closed bar, in order', async () => {
    const { clock, bus, source, service, candles } = setup();
    await service.start();
    await service.fetch(); // 00:01
    // Fetching again within the minute: 1m has nothing new (not fetched); 5m, with no bar published yet, is
    // fetched, but its newest bar (00:00, forming) is unchanged: no DataFetched.
    await clock.advanceBy(30_000);
    await service.fetch();
    await clock.advanceTo(march(1, 0, 2));
    await everyMinute(clock, service, march(1, 0, 20)); // 00:03 … 00:20
    expect(candles('1m')).toEqual(Array.from({ length: 20 }, (_, i) => march(1, 0, i)));
    expect(candles('5m')).toEqual([march(1, 0, 0), march(1, 0, 5), march(1, 0, 10), march(1, 0, 15)]);
    const fetchTimes = (timeframe: string) =>
      bus
        .history('DataFetched')
        .filter((event) => event.timeframe === timeframe)
        .map((event) => event.timestamp);
    const minutes = (...list: number[]) => list.map((minute) => march(1, 0, minute));
    expect(fetchTimes('1m')).toEqual(minutes(1, ...Array.from({ length: 18 }, (_, i) => i + 3)));
    // 5m: every minute until its first bar closed (00:05), then once per 5 minutes.
    expect(fetchTimes('5m')).toEqual(minutes(1, 3, 4, 5, 10, 15, 20));
    expect(source.requests.filter((request) => request.timeframe === '5m')).toHaveLength(8);
    expect(bus.history('DataFetched')[0]).toMatchObject({ symbol: 'BTCUSDT', timeframe: '1m', numBars: 1 });
    expect(service.getMetrics()).toMatchObject({ data_fetches: 27, new_candles_detected: 24, fetch_errors: 0 });
  });

  it('fetches without a promise from a source that answers at once, and recovers from one that throws at once', async () => {
    const clock = new SimulatedClock(march(1, 0, 1));
    const bus = new EventBus({ clock, historyLimit: 10_000 });
    const { config } = loadConfig({ cwd: '/nonexistent', env: { SERVICES_DATA_FETCHING_RETRY_ATTEMPTS: '1' } });
    let throwing = 0;
    // BTCUSDT answers with the bars themselves; ETHUSDT with a promise; SOLUSDT throws at once (then recovers).
    const source: MarketDataSource = {
      fetchBars: (request) => {
        if (request.symbol === 'SOLUSDT') {
          if (throwing-- > 0) throw new Error('no route to host');
          return csv.barsAsOf({ ...request, symbol: 'BTCUSDT' }, clock.now());
        }
        const bars = csv.barsAsOf({ ...request, symbol: 'BTCUSDT' }, clock.now());
        return request.symbol === 'ETHUSDT' ? Promise.resolve(bars) : bars;
      },
    };
    const service = new DataFetchingService(
      { bus, clock },
      { source, symbols: ['BTCUSDT'], timeframes: ['1m', '5m'], config: config.services.data_fetching },
    );
    await service.start();
    expect(service.fetch()).toBeUndefined();
    await clock.advanceBy(60_000);
    expect(service.fetch()).toBeUndefined();
    expect(bus.history('NewCandle').map((event) => event.bar.openTime)).toEqual([march(1, 0, 0), march(1, 0, 1)]);

    const mixed = new DataFetchingService(
      { bus, clock },
      { source, symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], timeframes: ['1m'], config: config.services.data_fetching },
    );
    await mixed.start();
    throwing = 1;
    const fetching = mixed.fetch();
    expect(fetching).toBeInstanceOf(Promise);
    await clock.advanceBy(5_000); // the retry's backoff
    await fetching;
    const candles = (symbol: string) => bus.history('NewCandle').filter((event) => event.symbol === symbol);
    expect([candles('ETHUSDT').length, candles('SOLUSDT').length]).toEqual([1, 1]);
    expect(mixed.getMetrics()).toMatchObject({ data_fetches: 4, fetch_errors: 1 });
    await Promise.all([service.stop(), mixed.stop()]);
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
    expect(service.healthCheck()).toMatchObject({
      status: 'unhealthy',
      details: { consecutive_failures: 3, failing: ['BTCUSDT 1m', 'BTCUSDT 5m'] },
    });
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

  describe('warm-up from history', () => {
    const warmupBars = (timeframe: Timeframe) => (timeframe === '1m' ? 30 : 10);

    it('publishes HistoryLoaded with the closed bars before the first live one, just before its NewCandle', async () => {
      const { bus, source, service, candles, history, sink } = setup({}, { start: march(2, 0, 1), warmupBars });
      await service.start();
      await service.fetch();
      // 30 bars, the live one, and room for the bar still forming.
      expect(source.requests.map((request) => [request.timeframe, request.limit])).toEqual([
        ['1m', 32],
        ['5m', 12],
      ]);
      expect(history('1m')).toEqual([times(30, march(1, 23, 59), 1)]);
      expect(candles('1m')).toEqual([march(2, 0, 0)]);
      // At 00:01 the last closed 5m bar is 23:55; 00:00 is still forming.
      expect(history('5m')).toEqual([times(10, march(1, 23, 50), 5)]);
      expect(candles('5m')).toEqual([march(1, 23, 55)]);
      expect(bus.history('HistoryLoaded')[0]).toMatchObject({ symbol: 'BTCUSDT', timeframe: '1m', numBars: 30 });
      const order = bus
        .history()
        .filter((event) => event.type === 'HistoryLoaded' || event.type === 'NewCandle')
        .map((event) => `${event.type} ${(event as unknown as { timeframe: string }).timeframe}`);
      expect(order).toEqual(['HistoryLoaded 1m', 'NewCandle 1m', 'HistoryLoaded 5m', 'NewCandle 5m']);
      expect(sink.records.map((record) => record.message)).toContain(
        'Warm-up for BTCUSDT 5m: 10 bars (2023-03-01T23:05:00.000Z → 2023-03-01T23:50:00.000Z)',
      );
    });

    it('loads history only once: an in-process restart publishes the bars it missed instead', async () => {
      const { clock, source, service, candles, history } = setup({}, { start: march(2, 0, 1), warmupBars });
      await service.start();
      await service.fetch();
      await everyMinute(clock, service, march(2, 0, 5));
      await service.stop();
      await clock.advanceTo(march(2, 0, 17));
      await service.start();
      await service.fetch();
      expect(history('1m')).toHaveLength(1);
      expect(history('5m')).toHaveLength(1);
      expect(candles('1m')).toEqual(times(17, march(2, 0, 16), 1));
      // Later fetches ask for nbr_bars, or what covers the gap, as without warm-up.
      expect(source.requests.slice(2).every((request) => request.limit <= 20)).toBe(true);
    });

    it('publishes what the source has when it has fewer bars than needed, with a warning (none: at info)', async () => {
      const { service, candles, history, warnings } = setup({}, { start: march(1, 0, 6), warmupBars });
      await service.start();
      await service.fetch();
      expect(history('1m')).toEqual([times(5, march(1, 0, 4), 1)]);
      expect(candles('1m')).toEqual([march(1, 0, 5)]);
      // The first 5m bar (00:00) is the live one: nothing before it, so no HistoryLoaded.
      expect(history('5m')).toEqual([]);
      expect(candles('5m')).toEqual([march(1, 0, 0)]);
      expect(warnings()).toEqual([
        'Warm-up for BTCUSDT 1m: 5 bars (2023-03-01T00:00:00.000Z → 2023-03-01T00:04:00.000Z), fewer than the 30 needed',
      ]);
    });

    it('waits for the first closed bar: HistoryLoaded comes with the first NewCandle of its timeframe', async () => {
      const { clock, service, candles, history } = setup({}, { start: march(2, 0, 1), warmupBars });
      await service.start();
      // 00:01 to 00:05: the 5m history comes once, at 00:01, with the live 23:55 bar; none after.
      await service.fetch();
      await everyMinute(clock, service, march(2, 0, 5));
      expect(history('5m')).toHaveLength(1);
      expect(candles('5m')).toEqual([march(1, 23, 55), march(2, 0, 0)]);
    });

    it('keeps today behaviour without the option or with 0 bars: no HistoryLoaded, nbr_bars fetched', async () => {
      for (const options of [{}, { warmupBars: () => 0 }]) {
        const { clock, bus, source, service, candles } = setup({}, { start: march(2, 0, 1), ...options });
        await service.start();
        await service.fetch();
        await everyMinute(clock, service, march(2, 0, 3));
        expect(bus.history('HistoryLoaded')).toEqual([]);
        expect(source.requests.every((request) => request.limit === 3)).toBe(true);
        expect(candles('1m')).toEqual([march(2, 0, 0), march(2, 0, 1), march(2, 0, 2)]);
      }
    });
  });
});
