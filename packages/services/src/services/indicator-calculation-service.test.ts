import { loadConfig } from '@quant/config';
import { type Bar, EventBus, LogManager, MemorySink, SimulatedClock } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { indicatorsFromFile } from '../indicators/from-file.js';
import { loadIndicators } from '../indicators/load-indicators.js';
import { conf, realBars } from '../test-support/real-data.js';
import { IndicatorCalculationService } from './indicator-calculation-service.js';

let bars: Bar[];
beforeAll(async () => {
  bars = await realBars('15m');
});
const symbol = 'BTCUSDT';
const timeframe = '15m';

/** An indicator service on the example indicators file, started, with its events and log lines recorded. */
const setup = async (options: { regimes?: boolean } = {}) => {
  const clock = new SimulatedClock(0);
  const bus = new EventBus({ clock, historyLimit: 100_000 });
  const sink = new MemorySink();
  const logger = new LogManager({ clock, level: 'info', sinks: [sink] }).getLogger('indicators');
  const { processor, regimeDetector, confirmBars } = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
  const { config } = loadConfig({ cwd: '/nonexistent', env: {} });
  const service = new IndicatorCalculationService(
    { bus, clock, logger },
    {
      processor,
      ...((options.regimes ?? true) ? { regimeDetector } : {}),
      confirmBars,
      config: config.services.indicator_calculation,
    },
  );
  await service.start();
  const history = (slice: readonly Bar[]) =>
    bus.emit('HistoryLoaded', { symbol, timeframe, bars: slice, numBars: slice.length });
  const candle = (bar: Bar) => bus.emit('NewCandle', { symbol, timeframe, bar });
  const calculated = () => bus.history('IndicatorsCalculated');
  return { bus, service, sink, history, candle, calculated, limit: config.services.indicator_calculation };
};

describe('IndicatorCalculationService warm-up', () => {
  it('feeds HistoryLoaded silently, so the first live bar has full rows and the confirmed regime', async () => {
    const warm = await setup();
    warm.history(bars.slice(0, 118));
    expect(warm.bus.history('IndicatorsCalculated')).toEqual([]);
    expect(warm.bus.history('RegimeChanged')).toEqual([]);
    warm.candle(bars[118] as Bar);
    const [first, ...rest] = warm.calculated();
    expect(rest).toEqual([]);
    expect(first?.recentRows).toHaveLength(warm.limit.recent_rows_limit);
    for (const row of first?.recentRows ?? []) {
      for (const [name, value] of Object.entries(row.values)) expect(value, name).toEqual(expect.any(Number));
    }
    expect(first?.regime).not.toBeNull();
    // The same as a service that saw every bar live.
    const live = await setup();
    for (const bar of bars.slice(0, 119)) live.candle(bar);
    const reference = live.calculated().at(-1);
    expect(first?.recentRows).toEqual(reference?.recentRows);
    expect(first?.regime).toEqual(reference?.regime);
    expect(live.bus.history('RegimeChanged').length).toBeGreaterThan(0);
    expect(warm.bus.history('RegimeChanged')).toEqual([]);
    expect(warm.service.getMetrics()).toMatchObject({ indicators_calculated: 1, regime_changes_detected: 0 });
    const regime = `${first?.regime?.trend}/${first?.regime?.volatility}`;
    expect(warm.sink.records.map((record) => record.message)).toContain(
      `Warmed up BTCUSDT 15m on 118 bars: regime ${regime}`,
    );
  });

  it('skips history bars already processed', async () => {
    const warm = await setup();
    for (const bar of bars.slice(0, 10)) warm.candle(bar);
    warm.history(bars.slice(0, 40));
    warm.candle(bars[40] as Bar);
    const live = await setup();
    for (const bar of bars.slice(0, 41)) live.candle(bar);
    expect(warm.calculated().at(-1)?.recentRows).toEqual(live.calculated().at(-1)?.recentRows);
    expect(warm.sink.records.map((record) => record.message)).toContain(
      'Warmed up BTCUSDT 15m on 30 bars: regime unknown',
    );
  });

  it('says nothing of a regime when none is tracked', async () => {
    const warm = await setup({ regimes: false });
    warm.history(bars.slice(0, 30));
    warm.candle(bars[30] as Bar);
    expect(warm.calculated()[0]?.regime).toBeNull();
    expect(warm.sink.records.map((record) => record.message)).toContain('Warmed up BTCUSDT 15m on 30 bars');
  });
});
