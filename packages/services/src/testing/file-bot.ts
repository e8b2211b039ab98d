import { join } from 'node:path';
import { loadConfig } from '@quant/config';
import { type BaseEvent, LogManager, MemorySink, type SimulatedClock } from '@quant/core';
import { createTradingSystem, type TradingSystem } from '../create-trading-system.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import { indicatorsFromFile } from '../indicators/from-file.js';
import { loadIndicators } from '../indicators/load-indicators.js';
import { CsvBarSource } from '../market-data/csv-bar-source.js';
import type { Broker } from '../ports/broker.js';
import { loadStrategies } from '../strategies/load-strategies.js';

/** Options of {@link fileBot}. */
export interface FileBotOptions {
  /** The bars: a CSV file of 1-minute bars (the layout `CsvBarSource` reads). */
  readonly dataFile: string;
  /** The symbol the file holds, e.g. `BTCUSDT`. */
  readonly symbol: string;
  /** The indicators file; `<configDir>/conf/indicators.yaml` (quant-bot's layout) by default. */
  readonly indicatorsFile?: string;
  /** The strategies file; `<configDir>/conf/strategies.yaml` by default. */
  readonly strategiesFile?: string;
  /** The folder whose `config/` the configuration is loaded from (its defaults when it has none). */
  readonly configDir: string;
  /** The timeframes, e.g. `['1m', '5m', '15m']`; the configuration's `trading.timeframes` by default. */
  readonly timeframes?: readonly string[];
  /** The clock the bot runs on. */
  readonly clock: SimulatedClock;
  /** The exchange's starting cash, quote currency; 100 000 by default. */
  readonly initialCash?: number;
  /** The bus's publish hook (a store recorder). */
  readonly onPublish?: (event: BaseEvent) => void;
  /** Wraps the exchange as the bot's broker (a monitor, a fault injector); the exchange itself by default. */
  readonly broker?: (exchange: SimulatedExchange) => Broker;
}

/**
 * A bot built from configuration files, trading a CSV file's bars on a {@link SimulatedExchange} (10 bps fees,
 * 1 bp slippage) on a simulated clock: the harness of a test that needs real events (fills, positions, risk) from
 * a real run. Not started: start its orchestrator, then drive it with `runSimulation`.
 * @param options - the files, the clock, the hooks.
 * @returns the system and the exchange.
 * @throws the errors of `CsvBarSource.load`, `loadIndicators`, `loadStrategies` and `loadConfig` for bad files.
 */
export async function fileBot(
  options: FileBotOptions,
): Promise<{ system: TradingSystem; exchange: SimulatedExchange }> {
  const { clock } = options;
  const source = await CsvBarSource.load({ path: options.dataFile, symbol: options.symbol, clock });
  const indicators = indicatorsFromFile(
    loadIndicators(options.indicatorsFile ?? join(options.configDir, 'conf/indicators.yaml')),
  );
  const strategies = loadStrategies(options.strategiesFile ?? join(options.configDir, 'conf/strategies.yaml'), {
    outputsFor: (tf) => indicators.processor.outputNames(tf),
  });
  const exchange = new SimulatedExchange({
    clock,
    initialCash: options.initialCash ?? 100_000,
    feeBps: 10,
    slippageBps: 1,
  });
  const config = loadConfig({
    cwd: options.configDir,
    env: {
      TRADING_SYMBOL: options.symbol,
      ...(options.timeframes === undefined ? {} : { TRADING_TIMEFRAMES: options.timeframes.join(',') }),
    },
  }).config;
  const system = createTradingSystem(config, {
    clock,
    source: exchange.feedFrom(source),
    broker: options.broker?.(exchange) ?? exchange,
    strategies,
    ...indicators,
    logs: new LogManager({ clock, level: 'warn', sinks: [new MemorySink()] }),
    ...(options.onPublish === undefined ? {} : { onPublish: options.onPublish }),
  });
  return { system, exchange };
}
