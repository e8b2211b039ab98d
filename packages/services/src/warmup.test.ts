import {
  type BaseEvent,
  type EventOf,
  LogManager,
  MemorySink,
  SimulatedClock,
  type Timeframe,
  type TradingEventPayloads,
} from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTradingSystem } from './create-trading-system.js';
import { indicatorsFromFile } from './indicators/from-file.js';
import { loadIndicators } from './indicators/load-indicators.js';
import { CsvBarSource } from './market-data/csv-bar-source.js';
import type { Strategy, StrategyContext } from './ports/strategy.js';
import { runSimulation } from './simulation.js';
import { BTCUSDT, btcConfig, conf, march } from './test-support/real-data.js';

const TIMEFRAMES = ['1m', '5m', '15m'] as const;
const MINUTES: Record<(typeof TIMEFRAMES)[number], number> = { '1m': 1, '5m': 5, '15m': 15 };

/** A strategy that only records what it is given. */
class SpyStrategy implements Strategy {
  readonly name: string;
  readonly contexts: StrategyContext[] = [];
  constructor(readonly timeframe: Timeframe) {
    this.name = `spy_${timeframe}`;
  }
  evaluate(context: StrategyContext): null {
    this.contexts.push(context);
    return null;
  }
}

let csv: CsvBarSource;
beforeAll(async () => {
  csv = await CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock: new SimulatedClock(0) });
});

/**
 * A system on the real file with the example indicators and a spy strategy per
 * timeframe, built from nothing at `start` (as a fresh process would be), and started.
 */
async function freshSystem(start: number) {
  const clock = new SimulatedClock(start);
  const indicators = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
  const spies = new Map(TIMEFRAMES.map((timeframe) => [timeframe, new SpyStrategy(timeframe)]));
  const sink = new MemorySink();
  const config = btcConfig({ SERVICES_TRADE_EXECUTION_ENABLED: 'false' });
  const system = createTradingSystem(config, {
    clock,
    source: csv.withClock(clock),
    // Trade execution is disabled, so no broker is ever called: these tests stay off the execution layer.
    broker: {} as never,
    strategies: [...spies.values()],
    ...indicators,
    logs: new LogManager({ clock, level: 'info', sinks: [sink] }),
  });
  const events: BaseEvent[] = [];
  system.bus.subscribe('*', (event) => {
    events.push(event);
  });
  await system.orchestrator.start();
  const spy = (timeframe: (typeof TIMEFRAMES)[number]) => spies.get(timeframe) as SpyStrategy;
  return {
    system,
    config,
    indicators,
    spy,
    events,
    messages: () => sink.records.map((record) => record.message),
    /** Cycles every minute from the close of the bar at `from` to the close of the bar at `to` (open times). */
    run: (from: number, to: number) =>
      runSimulation(system.orchestrator, clock, { start: from + 60_000, end: to + 60_000, stepMs: 60_000 }),
  };
}

/** Whether every indicator output of a row is a number. */
const complete = (values: Readonly<Record<string, number | null>>) =>
  Object.values(values).every((value) => typeof value === 'number' && Number.isFinite(value));

describe('warm-up from history on the real BTCUSDT file', () => {
  it('keeps the warm-up across a stop and start of the orchestrator: the first bar after it has every value', async () => {
    const bot = await freshSystem(Date.UTC(2023, 1, 28, 23, 59));
    await bot.run(march(1), march(3));
    const before = new Map(TIMEFRAMES.map((timeframe) => [timeframe, bot.spy(timeframe).contexts.length]));
    await bot.system.orchestrator.stop();
    await bot.system.orchestrator.start();
    // Half an hour later: the bars missed meanwhile come first.
    await bot.run(march(3, 0, 30), march(3, 2));
    for (const timeframe of TIMEFRAMES) {
      const contexts = bot.spy(timeframe).contexts;
      const first = contexts[before.get(timeframe) as number] as StrategyContext;
      const outputs = bot.indicators.processor.outputNames(timeframe);
      expect(first.bar.openTime, timeframe).toBe(
        (contexts[(before.get(timeframe) as number) - 1] as StrategyContext).bar.openTime + MINUTES[timeframe] * 60_000,
      );
      expect(Object.keys(first.rows.at(-1)?.values ?? {}), timeframe).toEqual(outputs);
      expect(complete(first.rows.at(-1)?.values ?? {}), timeframe).toBe(true);
    }
    expect(bot.spy('1m').contexts[before.get('1m') as number]?.bar.openTime).toBe(march(3, 0, 1));
    // Started at the file's first bar there was no history, and a restart loads none.
    expect(bot.events.filter((event) => event.type === 'HistoryLoaded')).toEqual([]);
    await bot.system.orchestrator.stop();
  }, 60_000);

  describe('a fresh system started mid-file (as after a process restart)', () => {
    const start = march(3, 12);
    // The first live bar of each timeframe at 12:01: the last one closed.
    const firstLive = { '1m': march(3, 12), '5m': march(3, 11, 55), '15m': march(3, 11, 45) } as const;
    let fresh: Awaited<ReturnType<typeof freshSystem>>;
    let longRunning: Awaited<ReturnType<typeof freshSystem>>;
    beforeAll(async () => {
      fresh = await freshSystem(start);
      await fresh.run(start, march(3, 12, 30));
      longRunning = await freshSystem(Date.UTC(2023, 1, 28, 23, 59));
      await longRunning.run(march(1), march(3, 12, 30));
    }, 60_000);

    it('evaluates strategies on the first live bar with every indicator value and the regime known', () => {
      for (const timeframe of TIMEFRAMES) {
        const first = fresh.spy(timeframe).contexts[0] as StrategyContext;
        expect(first.bar.openTime, timeframe).toBe(firstLive[timeframe]);
        expect(first.rows, timeframe).toHaveLength(fresh.config.services.indicator_calculation.recent_rows_limit);
        for (const row of first.rows) expect(complete(row.values), timeframe).toBe(true);
      }
      expect(fresh.spy('15m').contexts[0]?.regime).not.toBeNull();
    });

    it('publishes one HistoryLoaded per timeframe, before its first NewCandle, with the bars the warm-up needs', () => {
      const { processor, regimeDetector, confirmBars } = fresh.indicators;
      const minRows = fresh.config.services.strategy_evaluation.min_rows_required;
      for (const timeframe of TIMEFRAMES) {
        const loaded = fresh.events.filter(
          (event) => event.type === 'HistoryLoaded' && (event as { timeframe?: string }).timeframe === timeframe,
        ) as EventOf<TradingEventPayloads, 'HistoryLoaded'>[];
        // ADX 14 needs 27 bars, the regime 113 (ATR 14 + a volatility lookback of 100 - 1) and 5 to confirm it.
        const needed = Math.max(
          processor.warmupBars(timeframe) + minRows - 1,
          (regimeDetector.warmupBars?.(timeframe) ?? 0) + confirmBars,
        );
        expect(needed).toBe(118);
        expect(loaded, timeframe).toHaveLength(1);
        const bars = (loaded[0] as EventOf<TradingEventPayloads, 'HistoryLoaded'>).bars;
        const step = MINUTES[timeframe] * 60_000;
        expect(bars.map((bar) => bar.openTime)).toEqual(
          Array.from({ length: needed }, (_, i) => firstLive[timeframe] - (needed - i) * step),
        );
        const firstCandle = fresh.events.findIndex(
          (event) => event.type === 'NewCandle' && (event as { timeframe?: string }).timeframe === timeframe,
        );
        expect(fresh.events.indexOf(loaded[0] as BaseEvent)).toBeLessThan(firstCandle);
        const from = new Date(firstLive[timeframe] - needed * step).toISOString();
        const to = new Date(firstLive[timeframe] - step).toISOString();
        expect(fresh.messages()).toContain(`Warm-up for BTCUSDT ${timeframe}: ${needed} bars (${from} → ${to})`);
        expect(
          fresh.messages().some((line) => line.startsWith(`Warmed up BTCUSDT ${timeframe} on ${needed} bars`)),
        ).toBe(true);
      }
      // Warm-up bars are not traded on: no indicators or regime changes published for them.
      const calculated = fresh.events.filter((event) => event.type === 'IndicatorsCalculated') as EventOf<
        TradingEventPayloads,
        'IndicatorsCalculated'
      >[];
      for (const timeframe of TIMEFRAMES) {
        const first = calculated.find((event) => event.timeframe === timeframe);
        expect(first?.bar.openTime, timeframe).toBe(firstLive[timeframe]);
      }
    });

    it('gives the values of a system that ran from the file start: the same for window indicators, close for the others', () => {
      for (const timeframe of TIMEFRAMES) {
        const mine = fresh.spy(timeframe).contexts[0]?.rows.at(-1)?.values ?? {};
        const reference = longRunning
          .spy(timeframe)
          .contexts.find((context) => context.bar.openTime === firstLive[timeframe])
          ?.rows.at(-1)?.values;
        expect(reference, timeframe).toBeDefined();
        // Bollinger Bands depend only on their last 20 closes.
        for (const name of ['bb.upper', 'bb.middle', 'bb.lower']) {
          expect(mine[name], `${timeframe} ${name}`).toBe(reference?.[name]);
        }
        // EMA, RSI, ATR and ADX are recursive: they keep a fading memory of where they started.
        for (const name of ['ema_fast', 'ema_slow', 'rsi', 'atr', 'adx', 'adx.pdi', 'adx.mdi']) {
          const expected = reference?.[name] as number;
          expect(Math.abs((mine[name] as number) - expected) / Math.abs(expected), `${timeframe} ${name}`).toBeLessThan(
            1e-2,
          );
        }
      }
    });
  });
});
