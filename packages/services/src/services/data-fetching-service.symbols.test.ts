import { loadConfig } from '@quant/config';
import { EventBus, LogManager, SimulatedClock } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CsvBarSource } from '../market-data/csv-bar-source.js';
import { MultiSymbolSource } from '../market-data/multi-symbol-source.js';
import type { BarRequest, MarketDataSource } from '../ports/market-data-source.js';
import { BTCUSDC, BTCUSDT, march } from '../test-support/real-data.js';
import { DataFetchingService } from './data-fetching-service.js';

let usdt: CsvBarSource;
let usdc: CsvBarSource;
beforeAll(async () => {
  const clock = new SimulatedClock(0);
  [usdt, usdc] = await Promise.all([
    CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock }),
    CsvBarSource.load({ path: BTCUSDC, symbol: 'BTCUSDC', clock }),
  ]);
});

/** Fails every request for `broken` symbols. */
class Failing implements MarketDataSource {
  constructor(
    private readonly inner: MarketDataSource,
    readonly broken: Set<string>,
  ) {}
  fetchBars(request: BarRequest) {
    if (this.broken.has(request.symbol)) return Promise.reject(new Error(`no route to ${request.symbol}`));
    return this.inner.fetchBars(request);
  }
}

const setup = (broken: string[] = []) => {
  const clock = new SimulatedClock(march(1, 0, 1));
  const bus = new EventBus({ clock, historyLimit: 100_000 });
  const source = new Failing(
    new MultiSymbolSource({ BTCUSDT: usdt.withClock(clock), BTCUSDC: usdc.withClock(clock) }),
    new Set(broken),
  );
  const { config } = loadConfig({ cwd: '/nonexistent', env: { SERVICES_DATA_FETCHING_RETRY_ATTEMPTS: '0' } });
  const service = new DataFetchingService(
    { bus, clock, logger: new LogManager({ clock, level: 'silent' }).getLogger('data') },
    { source, symbols: ['BTCUSDT', 'BTCUSDC'], timeframes: ['1m', '5m'], config: config.services.data_fetching },
  );
  return { clock, bus, service, source };
};

describe('DataFetchingService with several symbols', () => {
  it('publishes each symbol its own bars, symbol by symbol, each timeframe in order', async () => {
    const { clock, bus, service } = setup();
    await service.start();
    for (let minute = 0; minute < 10; minute++) {
      await service.fetch();
      await clock.advanceBy(60_000);
    }
    const candles = bus.history('NewCandle');
    const of = (symbol: string, timeframe: string) =>
      candles.filter((event) => event.symbol === symbol && event.timeframe === timeframe);
    for (const symbol of ['BTCUSDT', 'BTCUSDC']) {
      const source = symbol === 'BTCUSDT' ? usdt : usdc;
      const bars = of(symbol, '1m').map((event) => event.bar);
      expect(bars.map((bar) => bar.openTime)).toEqual(Array.from({ length: 10 }, (_, i) => march(1, 0, i)));
      // The closes are that file's, not the other symbol's.
      const expected = source.allBars('1m').slice(0, 10);
      expect(bars.map((bar) => bar.close)).toEqual(expected.map((bar) => bar.close));
      expect(of(symbol, '5m').map((event) => event.bar.openTime)).toEqual([march(1, 0, 0), march(1, 0, 5)]);
      expect(service.lastPublished(symbol, '1m')).toBe(march(1, 0, 9));
    }
    expect(usdt.allBars('1m')[5]?.close).not.toBe(usdc.allBars('1m')[5]?.close);
    // Within the fetch at 00:05: BTCUSDT's 1m then 5m, then BTCUSDC's.
    const order = candles.filter((event) => event.bar.openTime === march(1, 0, event.timeframe === '1m' ? 4 : 0));
    expect(order.map((event) => `${event.symbol} ${event.timeframe}`)).toEqual([
      'BTCUSDT 1m',
      'BTCUSDT 5m',
      'BTCUSDC 1m',
      'BTCUSDC 5m',
    ]);
  });

  it('keeps fetching the other symbols while one fails, and is unhealthy after three failures of that one', async () => {
    const { clock, bus, service, source } = setup(['BTCUSDC']);
    await service.start();
    for (let minute = 0; minute < 3; minute++) {
      await service.fetch();
      await clock.advanceBy(60_000);
    }
    expect(bus.history('NewCandle').every((event) => event.symbol === 'BTCUSDT')).toBe(true);
    expect(bus.history('NewCandle').length).toBeGreaterThan(0);
    expect(bus.history('DataFetchFailed').map((event) => `${event.symbol} ${event.timeframe}`)).toEqual(
      Array.from({ length: 3 }, () => ['BTCUSDC 1m', 'BTCUSDC 5m']).flat(),
    );
    expect(service.healthCheck()).toMatchObject({
      status: 'unhealthy',
      details: {
        consecutive_failures: 3,
        failing: ['BTCUSDC 1m', 'BTCUSDC 5m'],
        last_fetch_error: 'no route to BTCUSDC',
      },
    });
    source.broken.clear();
    await service.fetch();
    expect(service.healthCheck()).toMatchObject({ status: 'healthy', details: { consecutive_failures: 0 } });
    expect(service.lastPublished('BTCUSDC', '1m')).toBe(march(1, 0, 3));
  });

  it('refuses a symbol no source serves, naming the symbols served', async () => {
    const source = new MultiSymbolSource({ BTCUSDT: usdt });
    await expect(source.fetchBars({ symbol: 'ETHUSDT', timeframe: '1m', limit: 1 })).rejects.toMatchObject({
      code: 'UNKNOWN_SYMBOL',
      message: 'no source serves ETHUSDT: this source serves BTCUSDT',
    });
    expect(() => new MultiSymbolSource({})).toThrow(expect.objectContaining({ code: 'UNKNOWN_SYMBOL' }));
  });
});
