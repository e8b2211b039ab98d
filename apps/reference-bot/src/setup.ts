import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, describeSource, type LoadedConfig, loadConfig, type SystemConfig } from '@quant/config';
import {
  type Clock,
  LoggingError,
  type LogLevelName,
  LogManager,
  type LogManagerOptions,
  SimulatedClock,
  type Timeframe,
} from '@quant/core';
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
import { checkInputFile, defaultDataFile, defaultFile, symbolFromFileName } from './paths.js';

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
  /**
   * Warnings to print before the run, each naming its place: the
   * configuration's (no file, a misspelt variable) and the strategies file's
   * (a strategy that never exits, every strategy disabled).
   */
  readonly warnings: readonly string[];
  /** The data, loaded on a placeholder clock; see {@link CsvBarSource.withClock}. */
  readonly data: CsvBarSource;
}

/**
 * Reads and validates the configuration, the indicators and strategies files
 * and the data file, in that order, so that bad input stops the bot before
 * anything runs. The symbol is `--symbol`, else the data file's name
 * (`BTCUSDT_1m.csv`), else `trading.symbol`. Input paths must be regular
 * files (a FIFO or a device would never end).
 * @param options - the common flags.
 * @param dataFlag - the data file flag's value, if given.
 * @param cwd - the working directory.
 * @param env - the environment.
 * @param dataFlagName - the data file flag, for messages: `--data` (default) or `--replay`.
 * @throws {@link @quant/config!ConfigError}, {@link @quant/services!ServicesError} or {@link UsageError}
 *   (`BAD_FLAG` for an empty file flag or a `--symbol` that is empty or has spaces,
 *   `DATA_FILE_NOT_FOUND`, `NOT_A_FILE`, `NO_BARS`).
 */
export async function readInputs(
  options: CommonOptions,
  dataFlag: string | undefined,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  dataFlagName = '--data',
): Promise<BotInputs> {
  const files: readonly [string, string | undefined][] = [
    [dataFlagName, dataFlag],
    ['--config', options.config],
    ['--strategies', options.strategies],
    ['--indicators', options.indicators],
  ];
  for (const [flag, value] of files) {
    if (value !== undefined && value.trim() === '') {
      throw new UsageError('BAD_FLAG', `${flag} "${value}" is empty: expected a file path`);
    }
  }
  if (options.symbol !== undefined && !/^\S+$/.test(options.symbol)) {
    throw new UsageError(
      'BAD_FLAG',
      `--symbol "${options.symbol}" is not valid: expected a symbol without spaces, e.g. BTCUSDT (or leave --symbol out to take it from the data file's name)`,
    );
  }
  const dataPath = dataFlag ? resolve(cwd, dataFlag) : defaultDataFile(cwd);
  if (!dataPath) {
    throw new UsageError(
      'DATA_FILE_NOT_FOUND',
      'no data file: pass --data <csv> (the shared BTCUSDT data was not found beside the repository)',
    );
  }
  if (!existsSync(dataPath)) throw new UsageError('DATA_FILE_NOT_FOUND', `data file not found: ${dataPath}`);
  if (options.config) checkInputFile('--config', resolve(cwd, options.config));
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
  checkInputFile('--indicators', indicatorsPath);
  checkInputFile('--strategies', strategiesPath);
  const indicators = indicatorsFromFile(loadIndicators(indicatorsPath));
  const warnings = [...loaded.warnings];
  const strategies = loadStrategies(strategiesPath, {
    outputsFor: (tf) => indicators.processor.outputNames(tf),
    timeframes: loaded.config.trading.timeframes,
    onWarning: (warning) => warnings.push(warning),
  });
  const data = await CsvBarSource.load({
    path: dataPath,
    symbol: loaded.config.trading.symbol,
    clock: new SimulatedClock(0),
  });
  if (data.stats.bars === 0) {
    throw new UsageError(
      'NO_BARS',
      statSync(dataPath).size === 0
        ? `${dataPath}: no bars, the file is empty: expected a header line open_time,open,high,low,close,volume, then one bar per line`
        : `${dataPath}: no bars, the file has no line after its header: expected one bar per line, e.g. 2023-03-01 00:00:00+00:00,23140.48,23150.77,23128.52,23142.31,2.13`,
    );
  }
  return {
    loaded,
    warnings,
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
 * A log manager; a `logging.log_file` that cannot be opened is a configuration
 * error naming the key and where its value came from.
 */
function openLogs(loaded: LoadedConfig, options: LogManagerOptions): LogManager {
  try {
    return new LogManager(options);
  } catch (error) {
    if (!LoggingError.isInstance(error)) throw error;
    const source = loaded.sources.get('logging.log_file');
    throw new ConfigError(
      'CONFIG_INVALID',
      [
        {
          path: 'logging.log_file',
          source: source ? describeSource(source) : 'default',
          message: `${error.message}; expected a file that can be created or appended to (or logging.file_output: false)`,
        },
      ],
      { cause: error },
    );
  }
}

/**
 * Wires the trading system on `clock`: the data served on that clock, a paper
 * exchange from `paper_broker` (fed by the data, so it matches each bar before
 * the bot sees it), and a log manager from `logging` (its level
 * replaced by `logLevel` when given). The log file, when configured, is
 * opened here, so call this before writing anything else.
 * @throws {@link @quant/config!ConfigError} `CONFIG_INVALID` naming `logging.log_file`
 *   when the log file cannot be opened for appending.
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
  const logs = openLogs(inputs.loaded, {
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
