import { fileURLToPath } from 'node:url';
import { loadConfig, type SystemConfig } from '@quant/config';
import { type Bar, type BaseEvent, LogManager, MemorySink, SimulatedClock, type Timeframe } from '@quant/core';
import { createTradingSystem, type TradingSystem } from '../create-trading-system.js';
import type { ExecutionTimeouts } from '../execution/order-manager.js';
import { SimulatedExchange, type SimulatedExchangeOptions } from '../execution/simulated-exchange.js';
import { indicatorsFromFile } from '../indicators/from-file.js';
import { loadIndicators } from '../indicators/load-indicators.js';
import { CsvBarSource } from '../market-data/csv-bar-source.js';
import type { Broker } from '../ports/broker.js';
import type { Strategy } from '../ports/strategy.js';
import { runSimulation } from '../simulation.js';
import { loadStrategies } from '../strategies/load-strategies.js';

/** The real BTCUSDT 1-minute file of shared/data. */
export const BTCUSDT = fileURLToPath(
  new URL('../../../../../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', import.meta.url),
);
/** The real BTCUSDC 1-minute file of shared/data (same minutes as BTCUSDT). */
export const BTCUSDC = fileURLToPath(
  new URL('../../../../../shared/data/binance-us-2023-03/BTCUSDC_1m.csv', import.meta.url),
);
/** A file of the repository's conf/ folder. */
export const conf = (name: string): string => fileURLToPath(new URL(`../../../../conf/${name}`, import.meta.url));

/** The example config with BTCUSDT on 1m, 5m and 15m. */
export function btcConfig(env: Record<string, string> = {}): SystemConfig {
  return loadConfig({
    cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
    env: { TRADING_SYMBOL: 'BTCUSDT', TRADING_TIMEFRAMES: '1m,5m,15m', ...env },
  }).config;
}

/** A pipeline on the real file, with every event recorded. */
export interface RealPipeline {
  readonly system: TradingSystem;
  readonly clock: SimulatedClock;
  readonly source: CsvBarSource;
  readonly exchange: SimulatedExchange;
  readonly events: BaseEvent[];
  readonly logs: MemorySink;
  /** Runs cycles every minute from the close of the bar at `from` to the close of the bar at `to` (open times). */
  run(from: number, to: number): Promise<number>;
}

/**
 * Builds the whole system on the real BTCUSDT file with the example
 * indicators and strategies, a simulated exchange and a simulated clock, and starts it.
 */
export async function realPipeline(
  options: {
    env?: Record<string, string>;
    strategies?: readonly Strategy[];
    /** Options of the simulated exchange beyond clock, cash, fee and slippage. */
    exchange?: Partial<SimulatedExchangeOptions>;
    /** Wraps the exchange, e.g. to inject faults; the bot trades through what it returns. */
    broker?: (exchange: SimulatedExchange) => Broker;
    /** The executor's waits on the venue. */
    timeouts?: ExecutionTimeouts;
  } = {},
): Promise<RealPipeline> {
  const clock = new SimulatedClock(Date.UTC(2023, 1, 28, 23, 59));
  const source = await CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock });
  const indicators = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
  const strategies =
    options.strategies ??
    loadStrategies(conf('strategies.yaml'), { outputsFor: (tf) => indicators.processor.outputNames(tf) });
  const exchange = new SimulatedExchange({
    clock,
    initialCash: 100_000,
    feeBps: 10,
    slippageBps: 1,
    ...options.exchange,
  });
  const sink = new MemorySink();
  const logs = new LogManager({ clock, level: 'warn', sinks: [sink] });
  const system = createTradingSystem(btcConfig(options.env), {
    clock,
    source: exchange.feedFrom(source),
    broker: options.broker ? options.broker(exchange) : exchange,
    ...(options.timeouts ? { executionTimeouts: options.timeouts } : {}),
    strategies,
    ...indicators,
    logs,
  });
  const events: BaseEvent[] = [];
  system.bus.subscribe('*', (event) => {
    events.push(event);
  });
  await system.orchestrator.start();
  return {
    system,
    clock,
    source,
    exchange,
    events,
    logs: sink,
    run: (from, to) =>
      runSimulation(system.orchestrator, clock, { start: from + 60_000, end: to + 60_000, stepMs: 60_000 }),
  };
}

/**
 * The bars of the real BTCUSDT file on `timeframe`, the first `count` of them when given.
 * @param timeframe - `1m` by default.
 * @param count - how many, from the file's first bar.
 */
export async function realBars(timeframe: Timeframe = '1m', count?: number): Promise<Bar[]> {
  const all = (await CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock: new SimulatedClock(0) })).allBars(
    timeframe,
  );
  return count === undefined ? all : all.slice(0, count);
}

/** Open time of a bar of March 2023, UTC. */
export const march = (day: number, hour = 0, minute = 0): number => Date.UTC(2023, 2, day, hour, minute);
