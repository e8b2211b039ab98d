import { readFileSync } from 'node:fs';
import type { BaseEvent, Position, TradingEventPayloads } from '@quant/core';
import { describe, expect, it } from 'vitest';
import { indicatorsFromFile } from './indicators/from-file.js';
import { loadIndicators } from './indicators/load-indicators.js';
import { loadStrategies } from './strategies/load-strategies.js';
import { comparable } from './test-support/comparable.js';
import { BTCUSDT, conf, march, realPipeline } from './test-support/real-data.js';

const trading = (events: readonly BaseEvent[]) => events.filter((event) => !event.type.startsWith('Service'));

describe('the pipeline on the real BTCUSDT file', () => {
  it('carries one bar through all four services under the cycle correlation id', async () => {
    const pipeline = await realPipeline();
    await pipeline.run(march(1), march(4));
    const placed = pipeline.events.find((event) => event.type === 'OrderPlaced');
    expect(placed).toBeDefined();
    const cycle = pipeline.events.filter((event) => event.correlationId === placed?.correlationId);
    const byType = (type: string) => cycle.find((event) => event.type === type) as BaseEvent;
    for (const type of [
      'DataFetched',
      'NewCandle',
      'IndicatorsCalculated',
      'EntrySignal',
      'TradingAuthorized',
      'OrderPlaced',
    ]) {
      expect(byType(type), type).toBeDefined();
    }
    const signal = byType('EntrySignal') as BaseEvent & { timeframe: string; barOpenTime: number };
    const indicators = cycle.find((event) => event.id === signal.causationId) as BaseEvent & { timeframe: string };
    const candle = cycle.find((event) => event.id === indicators.causationId) as BaseEvent & {
      bar: { openTime: number };
    };
    expect(indicators.type).toBe('IndicatorsCalculated');
    expect(candle.type).toBe('NewCandle');
    expect(candle.causationId).toBeNull();
    expect(candle.bar.openTime).toBe(signal.barOpenTime);
    expect(byType('OrderPlaced').causationId).toBe(signal.id);
    expect(new Set(cycle.map((event) => event.correlationId)).size).toBe(1);
    // The order fills at the next bar's open, in a later cycle.
    const filled = pipeline.events.find((event) => event.type === 'OrderFilled') as BaseEvent & {
      fill: { timestamp: number };
    };
    expect(filled.correlationId).not.toBe(placed?.correlationId);
    expect(filled.fill.timestamp).toBeGreaterThan(signal.barOpenTime);
    await pipeline.system.orchestrator.stop();
  });

  it('publishes one NewCandle per closed bar of the whole file, per timeframe, in order', async () => {
    const pipeline = await realPipeline();
    await pipeline.run(march(1), march(21, 23, 59));
    const minutes = readFileSync(BTCUSDT, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Date.parse(line.split(',')[0] as string));
    const count = (ms: number) => new Set(minutes.map((t) => Math.floor(t / ms))).size;
    for (const [timeframe, ms] of [
      ['1m', 60_000],
      ['5m', 300_000],
      ['15m', 900_000],
    ] as const) {
      const times = pipeline.events.flatMap((event) =>
        event.type === 'NewCandle' && (event as BaseEvent & { timeframe: string }).timeframe === timeframe
          ? [(event as BaseEvent & { bar: { openTime: number } }).bar.openTime]
          : [],
      );
      expect(times.length, timeframe).toBe(count(ms));
      expect(times.every((time, i) => i === 0 || time > (times[i - 1] as number))).toBe(true);
    }
    expect(count(60_000)).toBe(30_240);
    const metrics = pipeline.system.orchestrator.getAllMetrics().services;
    expect(metrics.data_fetching?.new_candles_detected).toBe(30_240 + 6_048 + 2_016);
    expect(metrics.indicator_calculation?.indicators_calculated).toBe(30_240 + 6_048 + 2_016);
    await pipeline.system.orchestrator.stop();
  }, 60_000);

  it('loses and duplicates nothing when each service is restarted mid-run', async () => {
    const reference = await realPipeline();
    await reference.run(march(1), march(5));
    const restarted = await realPipeline();
    const steps: [string, number][] = [
      ['data_fetching', march(1, 18, 7)],
      ['indicator_calculation', march(2, 6, 33)],
      ['strategy_evaluation', march(3, 2, 0)],
      ['trade_execution', march(4, 11, 45)],
    ];
    let from = march(1);
    for (const [service, at] of steps) {
      await restarted.run(from, at);
      await restarted.system.orchestrator.restartService(service);
      from = at + 60_000;
    }
    await restarted.run(from, march(5));
    const expected = trading(reference.events).map(comparable);
    const actual = trading(restarted.events).map(comparable);
    expect(actual.length).toBe(expected.length);
    expect(actual).toEqual(expected);
    expect(expected.filter((event) => event.type === 'PositionClosed').length).toBeGreaterThan(0);
    expect(restarted.events.filter((event) => event.type === 'ServiceRestarted')).toHaveLength(4);
  }, 60_000);
});

describe('exit plans', () => {
  it('are placed at the venue as OCO stop and take-profit orders where it has native stops', async () => {
    const pipeline = await realPipeline();
    await pipeline.run(march(1), march(4));
    const opened = pipeline.events.filter((e) => e.type === 'PositionOpened') as (BaseEvent &
      TradingEventPayloads['PositionOpened'])[];
    expect(opened.length).toBeGreaterThan(5);
    expect(opened.every((e) => e.exitPlan?.placement === 'venue')).toBe(true);
    const legs = pipeline.events.filter(
      (e) =>
        e.type === 'OrderPlaced' && (e as BaseEvent & TradingEventPayloads['OrderPlaced']).order.purpose !== 'signal',
    );
    expect(legs.length).toBeGreaterThanOrEqual(opened.length);
    // A closed position leaves no leg behind: at most a stop and a take-profit per open position.
    const working = pipeline.system.services.tradeExecution?.workingOrders() ?? [];
    expect(working.length).toBeLessThanOrEqual(2 * pipeline.system.positions.positions().length);
    const closedByLeg = pipeline.events.filter(
      (e) =>
        e.type === 'PositionClosed' &&
        (e as BaseEvent & TradingEventPayloads['PositionClosed']).reason !== 'exit_signal',
    );
    expect(closedByLeg.length).toBeGreaterThan(0);
    await pipeline.system.orchestrator.stop();
  });

  it('are watched by the bot on a venue without native stops: a stop reached in a bar exits at the next open', async () => {
    const pipeline = await realPipeline({ exchange: { nativeStops: false } });
    await pipeline.run(march(1), march(8));
    const opened = new Map(
      (
        pipeline.events.filter((e) => e.type === 'PositionOpened') as (BaseEvent &
          TradingEventPayloads['PositionOpened'])[]
      ).map((e) => [e.position.positionId, e]),
    );
    expect([...opened.values()].every((e) => e.exitPlan === null || e.exitPlan.placement === 'bot')).toBe(true);
    const stops = (
      pipeline.events.filter((e) => e.type === 'PositionClosed') as (BaseEvent &
        TradingEventPayloads['PositionClosed'])[]
    ).filter((e) => e.reason === 'stop_loss');
    expect(stops.length).toBeGreaterThan(3);
    const bars = pipeline.source.allBars('1m');
    const index = new Map(bars.map((bar, i) => [bar.openTime, i]));
    for (const stop of stops) {
      const plan = opened.get(stop.position.positionId)?.exitPlan;
      const fillBar = bars[index.get(stop.closedAt) as number];
      const triggerBar = bars[(index.get(stop.closedAt) as number) - 1];
      const level = plan?.stopLoss as number;
      expect(stop.position.direction === 'long' ? triggerBar?.low : -(triggerBar?.high ?? 0)).toBeLessThanOrEqual(
        stop.position.direction === 'long' ? level : -level,
      );
      const slip = stop.position.direction === 'long' ? 1 - 1e-4 : 1 + 1e-4;
      expect(stop.exitPrice).toBeCloseTo((fillBar?.open ?? 0) * slip, 6);
    }
    await pipeline.system.orchestrator.stop();
  }, 60_000);
});

describe('strategies', () => {
  it('see their position marked at the last close, with live unrealized P&L', async () => {
    const indicators = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
    const seen: { close: number; position: Position }[] = [];
    const strategies = loadStrategies(conf('strategies.yaml'), {
      outputsFor: (tf) => indicators.processor.outputNames(tf),
    }).map((strategy) => ({
      name: strategy.name,
      timeframe: strategy.timeframe,
      evaluate: (context: Parameters<typeof strategy.evaluate>[0]) => {
        if (context.position) seen.push({ close: context.bar.close, position: context.position });
        return strategy.evaluate(context);
      },
    }));
    const pipeline = await realPipeline({ strategies });
    await pipeline.run(march(1), march(4));
    expect(seen.length).toBeGreaterThan(30);
    for (const { close, position } of seen) {
      const sign = position.direction === 'long' ? 1 : -1;
      expect(position.markPrice).toBe(close);
      expect(position.unrealizedPnl).toBeCloseTo(sign * (close - position.entryPrice) * position.quantity, 9);
    }
    expect(seen.filter(({ position }) => position.unrealizedPnl !== 0).length).toBeGreaterThan(seen.length * 0.9);
    await pipeline.system.orchestrator.stop();
  });
});

describe('bus modes', () => {
  it('give the same trades with an asynchronous bus as with a synchronous one', async () => {
    const synchronous = await realPipeline();
    await synchronous.run(march(1), march(4));
    const asynchronous = await realPipeline({ env: { EVENT_BUS_MODE: 'asynchronous' } });
    await asynchronous.run(march(1), march(4));
    expect(asynchronous.system.bus.mode).toBe('asynchronous');
    // Delivery order may differ across top-level publishes and around async handlers, so signals of two
    // timeframes in one cycle may interleave differently; each kind of event comes out the same, in order.
    for (const kind of [
      'EntrySignal',
      'ExitSignal',
      'OrderPlaced',
      'OrderFilled',
      'PositionOpened',
      'PositionClosed',
    ]) {
      const of = (events: readonly BaseEvent[]) => events.filter((event) => event.type === kind).map(comparable);
      expect(of(asynchronous.events).length, kind).toBeGreaterThan(0);
      expect(of(asynchronous.events), kind).toEqual(of(synchronous.events));
    }
  }, 60_000);
});

describe('monitoring mode', () => {
  it('keeps signalling with trade execution disabled, and places nothing', async () => {
    const pipeline = await realPipeline({ env: { SERVICES_TRADE_EXECUTION_ENABLED: 'false' } });
    await pipeline.run(march(1), march(4));
    const signals = pipeline.events.filter((event) => event.type === 'EntrySignal') as (BaseEvent & {
      strategyName: string;
    })[];
    expect(pipeline.system.orchestrator.serviceNames).not.toContain('trade_execution');
    for (const name of ['ema_trend', 'rsi_reversion']) {
      expect(signals.filter((event) => event.strategyName === name).length, name).toBeGreaterThan(1);
    }
    expect(pipeline.events.some((event) => event.type === 'OrderPlaced')).toBe(false);
  });
});

describe('trade execution on the pipeline', () => {
  it('blocks entries that break risk rules and publishes why', async () => {
    const pipeline = await realPipeline({ env: { RISK_MAX_POSITION_SIZE: '0.1' } });
    await pipeline.run(march(1), march(3));
    const blocked = pipeline.events.filter((event) => event.type === 'TradingBlocked') as (BaseEvent & {
      reasons: string[];
    })[];
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.every((event) => event.reasons.includes('max_position_size'))).toBe(true);
    expect(pipeline.system.orchestrator.getAllMetrics().services.trade_execution?.risk_breaches).toBe(blocked.length);
    expect(
      pipeline.events.some(
        (event) =>
          event.type === 'PositionOpened' &&
          (event as unknown as { position: { strategyName: string } }).position.strategyName === 'ema_trend',
      ),
    ).toBe(false);
  });

  it('places one order for a signal delivered twice', async () => {
    const pipeline = await realPipeline();
    await pipeline.run(march(1), march(2));
    const signal = pipeline.events.find((event) => event.type === 'EntrySignal');
    expect(signal).toBeDefined();
    const placedBefore = pipeline.events.filter((event) => event.type === 'OrderPlaced').length;
    pipeline.system.bus.publish(signal as never);
    await pipeline.system.bus.drain();
    expect(pipeline.events.filter((event) => event.type === 'OrderPlaced').length).toBe(placedBefore);
    expect(pipeline.logs.lines.some((line) => line.includes('Ignored a repeated EntrySignal'))).toBe(true);
  });
});
