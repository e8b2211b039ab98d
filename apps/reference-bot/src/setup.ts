import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type LoadedConfig, loadConfig, type SystemConfig } from '@quant/config';
import { type Clock, type LogLevelName, LogManager, SimulatedClock, type Timeframe } from '@quant/core';
import {
  CsvBarSource,
  createTradingSystem,
  type IndicatorSetup,
  indicatorsFromFile,
  loadIndicators,
  loadStrategies,
  SimulatedExchange,
  type Strategy,
  type TradingSystem,
} from '@quant/services';
import { UsageError } from './cli-error.js';
import { defaultDataFile, defaultFile, symbolFromFileName } from './paths.js';

/** The flags both commands share. */
export interface CommonOptions {
  readonly config?: string;
  readonly strategies?: string;
  readonly indicators?: string;
  readonly symbol?: string;
  readonly logLevel?: LogLevelName;
}

/** Everything read and validated before a run starts. */
export interface BotInputs {
  readonly loaded: LoadedConfig;
  readonly config: SystemConfig;
  readonly symbol: string;
  readonly dataPath: string;
  readonly strategiesPath: string;
  readonly indicatorsPath: string;
  readonly indicators: IndicatorSetup;
  readonly strategies: readonly Strategy[];
  /** The data, loaded on a placeholder clock; see {@link CsvBarSource.withClock}. */
  readonly data: CsvBarSource;
}

/**
 * Reads and validates the configuration, the indicators and strategies files
 * and the data file, in that order, so that bad input stops the bot before
 * anything runs. The symbol is `--symbol`, else the data file's name
 * (`BTCUSDT_1m.csv`), else `trading.symbol`.
 * @throws {@link @quant/config!ConfigError}, {@link @quant/services!ServicesError} or {@link UsageError}.
 */
export async function readInputs(
  options: CommonOptions,
  dataFlag: string | undefined,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<BotInputs> {
  const dataPath = dataFlag ? resolve(cwd, dataFlag) : defaultDataFile(cwd);
  if (!dataPath) {
    throw new UsageError(
      'no data file: pass --data <csv> (the shared BTCUSDT data was not found beside the repository)',
    );
  }
  if (!existsSync(dataPath)) throw new UsageError(`data file not found: ${dataPath}`);
  const symbol = options.symbol ?? (env.TRADING_SYMBOL || env.SYMBOL ? undefined : symbolFromFileName(dataPath));
  const configPath =
    options.config ??
    (existsSync(resolve(cwd, 'config/services.yaml')) ? undefined : defaultFile(cwd, 'config/services.yaml'));
  const loaded = loadConfig({
    cwd,
    env: symbol ? { ...env, TRADING_SYMBOL: symbol } : env,
    ...(configPath ? { path: configPath } : {}),
  });
  const indicatorsPath = resolve(cwd, options.indicators ?? defaultFile(cwd, 'conf/indicators.yaml'));
  const strategiesPath = resolve(cwd, options.strategies ?? defaultFile(cwd, 'conf/strategies.yaml'));
  const indicators = indicatorsFromFile(loadIndicators(indicatorsPath));
  const strategies = loadStrategies(strategiesPath, { outputsFor: (tf) => indicators.processor.outputNames(tf) });
  const data = await CsvBarSource.load({
    path: dataPath,
    symbol: loaded.config.trading.symbol,
    clock: new SimulatedClock(0),
  });
  if (data.stats.bars === 0) throw new UsageError(`${dataPath}: no bars`);
  return {
    loaded,
    config: loaded.config,
    symbol: loaded.config.trading.symbol,
    dataPath,
    strategiesPath,
    indicatorsPath,
    indicators,
    strategies,
    data,
  };
}

/** A wired bot on a clock. */
export interface Bot {
  readonly system: TradingSystem;
  /** The simulated venue. */
  readonly exchange: SimulatedExchange;
  readonly source: CsvBarSource;
  readonly logs: LogManager;
  readonly executionTimeframe: Timeframe;
  /** The coarsest timeframe, whose regime changes the report marks. */
  readonly regimeTimeframe: Timeframe;
}

/**
 * Wires the trading system on `clock`: the data served on that clock, a paper
 * exchange from `paper_broker` (fed by the data, so it matches each bar before
 * the bot sees it), and a log manager from `logging` (its level
 * replaced by `logLevel` when given).
 */
export function buildBot(inputs: BotInputs, clock: Clock, logLevel: LogLevelName | undefined): Bot {
  const { config } = inputs;
  const source = inputs.data.withClock(clock);
  const exchange = new SimulatedExchange({
    clock,
    timeframe: (config.trading.timeframes as readonly Timeframe[])[0] as Timeframe,
    currency: config.paper_broker.currency,
    initialCash: config.paper_broker.initial_cash,
    feeBps: config.paper_broker.fee_bps,
    slippageBps: config.paper_broker.slippage_bps,
  });
  const logs = new LogManager({
    clock,
    level: logLevel ?? config.logging.level,
    format: config.logging.format,
    correlationIds: config.logging.correlation_ids,
    serviceLevels: logLevel ? {} : config.logging.service_levels,
    ...(config.logging.file_output ? { logFile: config.logging.log_file } : {}),
  });
  const system = createTradingSystem(config, {
    clock,
    source: exchange.feedFrom(source),
    broker: exchange,
    strategies: inputs.strategies,
    ...inputs.indicators,
    logs,
  });
  const timeframes = config.trading.timeframes as readonly Timeframe[];
  return {
    system,
    exchange,
    source,
    logs,
    executionTimeframe: timeframes[0] as Timeframe,
    regimeTimeframe: timeframes[timeframes.length - 1] as Timeframe,
  };
}
