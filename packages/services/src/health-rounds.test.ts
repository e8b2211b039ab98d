import { type BaseEvent, type Clock, type HealthReport, LogManager, MemorySink, SimulatedClock } from '@quant/core';
import { describe, expect, it, vi } from 'vitest';
import { createTradingSystem } from './create-trading-system.js';
import { SimulatedExchange } from './execution/simulated-exchange.js';
import { indicatorsFromFile } from './indicators/from-file.js';
import { loadIndicators } from './indicators/load-indicators.js';
import { CsvBarSource } from './market-data/csv-bar-source.js';
import { runSimulation } from './simulation.js';
import { loadStrategies } from './strategies/load-strategies.js';
import { comparable } from './test-support/comparable.js';
import { BTCUSDT, btcConfig, conf, march, realPipeline } from './test-support/real-data.js';

const MINUTE = 60_000;

/** The trading events of a run, without ids and times, to compare two runs. */
const trading = (events: readonly BaseEvent[]) =>
  events.filter((event) => /^(Order|Position|Entry|Exit)/.test(event.type)).map(comparable);

/** When each health check the spy saw ran, as `HH:MM` of simulated time. */
const roundTimes = (checks: { mock: { results: { value: unknown }[] } }) =>
  checks.mock.results.map(({ value }) => new Date((value as HealthReport).checkedAt).toISOString().slice(11, 16));

/** The lifecycle events of a run, with their simulated time. */
const lifecycle = (events: readonly BaseEvent[]) =>
  events
    .filter((event) => event.type.startsWith('Service'))
    .map(({ id: _id, correlationId: _c, causationId: _k, ...rest }) => rest);

describe('health rounds on a simulated clock', () => {
  it('come every orchestrator.simulated_health_check_interval of simulated time while nothing is wrong, and trades do not change', async () => {
    const runs = [];
    // The system starts at 23:59 the day before; cycles run from 00:01 to 00:00 the day after.
    for (const env of [{}, { ORCHESTRATOR_SIMULATED_HEALTH_CHECK_INTERVAL: '60' }] as Record<string, string>[]) {
      const pipeline = await realPipeline({ env });
      const data = pipeline.system.services.dataFetching;
      if (!data) throw new Error('no data service');
      const checks = vi.spyOn(data, 'healthCheck');
      const cycles = await pipeline.run(march(1, 0, 0), march(1, 23, 59));
      await pipeline.system.orchestrator.stop();
      runs.push({ cycles, rounds: roundTimes(checks), events: pipeline.events, pipeline });
    }
    const [hourly, everyMinute] = runs;
    if (!hourly || !everyMinute) throw new Error('two runs expected');
    expect(hourly.cycles).toBe(24 * 60);
    // 00:59, 01:59, …, 23:59: one round per simulated hour.
    expect(hourly.rounds).toEqual([...Array(24).keys()].map((hour) => `${String(hour).padStart(2, '0')}:59`));
    // At health_check_interval (60 s), as live: 00:00, 00:01, …, 00:00 the day after.
    expect(everyMinute.rounds).toHaveLength(24 * 60 + 1);
    // Health rounds do not touch trading.
    expect(trading(hourly.events).length).toBeGreaterThan(0);
    expect(trading(hourly.events)).toEqual(trading(everyMinute.events));
    expect(hourly.pipeline.system.positions.account()).toEqual(everyMinute.pipeline.system.positions.account());
  }, 120_000);

  it('with a symbol the data does not serve, the data service is restarted and given up on when it would be live', async () => {
    const runs = [];
    for (const env of [{}, { ORCHESTRATOR_SIMULATED_HEALTH_CHECK_INTERVAL: '60' }] as Record<string, string>[]) {
      const pipeline = await realPipeline({ env: { TRADING_SYMBOL: 'EURUSD', ...env } });
      const data = pipeline.system.services.dataFetching;
      if (!data) throw new Error('no data service');
      const checks = vi.spyOn(data, 'healthCheck');
      await pipeline.run(march(1, 0, 0), march(1, 23, 59));
      await pipeline.system.orchestrator.stop();
      runs.push({ rounds: roundTimes(checks), events: pipeline.events, logs: pipeline.logs.lines });
    }
    const [hourly, everyMinute] = runs;
    if (!hourly || !everyMinute) throw new Error('two runs expected');
    // Every fetch fails (4 attempts with retry sleeps on the clock); three failed fetches in a row make the service
    // unhealthy (found at 00:04); a restart each round (00:05 … 00:08), five within restart_window, then it is given
    // up on (00:09).
    const failed = hourly.events.filter((event) => event.type === 'ServiceFailed');
    expect(failed.map((event) => ({ ...event }) as Record<string, unknown>)).toMatchObject(
      [0, 1, 2, 3, 4, 5].map((restarts) => ({ service: 'data_fetching', restarts, willRestart: restarts < 5 })),
    );
    expect(failed.map((event) => event.timestamp)).toEqual([4, 5, 6, 7, 8, 9].map((minute) => march(1, 0, minute)));
    expect(hourly.logs.some((line) => /ERROR .*data_fetching failed and will not be restarted/.test(line))).toBe(true);
    // Exactly as with a round every simulated minute: the same restarts and give-up at the same times, and the same
    // failed fetches (none once the service is given up).
    expect(lifecycle(hourly.events)).toEqual(lifecycle(everyMinute.events));
    const fetchFailures = (events: readonly BaseEvent[]) => events.filter((e) => e.type === 'DataFetchFailed').length;
    expect(fetchFailures(hourly.events)).toBe(fetchFailures(everyMinute.events));
    expect(fetchFailures(hourly.events)).toBeLessThan(40);
    // Hourly from the start (23:59); after the first failed fetch (00:01), every minute of the live schedule while in
    // trouble, up to the give-up (00:09); hourly again from there.
    expect(hourly.rounds).toEqual([
      ...['00:02', '00:03', '00:04', '00:05', '00:06', '00:07', '00:08', '00:09'],
      ...[...Array(23).keys()].map((hour) => `${String(hour + 1).padStart(2, '0')}:09`),
    ]);
    expect(everyMinute.rounds).toHaveLength(24 * 60 + 1);
  }, 120_000);

  it('on a clock that is not a SimulatedClock (live, or the reference bot’s replay clock) come every health_check_interval', async () => {
    // A clock of one's own, driven here by a SimulatedClock it is not: createTradingSystem must treat it as live.
    const simulated = new SimulatedClock(Date.UTC(2023, 1, 28, 23, 59));
    const clock: Clock = {
      now: () => simulated.now(),
      setTimer: (callback, delayMs) => simulated.setTimer(callback, delayMs),
      sleep: (delayMs, signal) => simulated.sleep(delayMs, signal),
    };
    const source = await CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock });
    const indicators = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
    const exchange = new SimulatedExchange({ clock, initialCash: 100_000 });
    const system = createTradingSystem(btcConfig(), {
      clock,
      source: exchange.feedFrom(source),
      broker: exchange,
      strategies: loadStrategies(conf('strategies.yaml'), { outputsFor: (tf) => indicators.processor.outputNames(tf) }),
      ...indicators,
      logs: new LogManager({ clock, level: 'warn', sinks: [new MemorySink()] }),
    });
    const data = system.services.dataFetching;
    if (!data) throw new Error('no data service');
    const checks = vi.spyOn(data, 'healthCheck');
    await system.orchestrator.start();
    await runSimulation(system.orchestrator, simulated, {
      start: march(1, 0, 1),
      end: march(1, 6, 0),
      stepMs: MINUTE,
    });
    await system.orchestrator.stop();
    // 00:00, 00:01, …, 06:00.
    expect(checks.mock.calls.length).toBe(6 * 60 + 1);
  }, 120_000);
});
