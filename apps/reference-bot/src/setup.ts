import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, describeSource, type LoadedConfig, SYMBOL_PATTERN, type SystemConfig } from '@quant/config';
import {
  type BaseEvent,
  type Clock,
  LoggingError,
  type LogLevelName,
  LogManager,
  type LogManagerOptions,
  SimulatedClock,
  type Timeframe,
} from '@quant/core';
import {
  type Broker,
  CsvBarSource,
  createTradingSystem,
  type ExecutionJournal,
  type ExecutionTimeouts,
  type IndicatorSetup,
  indicatorsFromFile,
  loadIndicators,
  loadStrategies,
  type MarketDataSource,
  MonitoredBroker,
  MultiSymbolSource,
  SimulatedExchange,
  type Strategy,
  type TradingSystem,
} from '@quant/services';
import { loadBotConfig } from './bot-config.js';
import { UsageError } from './cli-error.js';
import { type CsvLayoutFlags, csvLayout } from './csv-layout.js';
import { checkInputFile, defaultDataFile, defaultFile, symbolFromFileName } from './paths.js';
import { quoteCurrencyOf } from './quote-currency.js';

/** The flags both commands share. */
export interface CommonOptions extends CsvLayoutFlags {
  readonly config?: string;
  readonly strategies?: string;
  readonly indicators?: string;
  /** One per data file, in the order of the files (`--symbol` repeated). */
  readonly symbol?: readonly string[];
  /** The account currency. */
  readonly currency?: string;
  readonly logLevel?: LogLevelName;
}

/** One data file and the symbol it holds. */
export interface DataFile {
  readonly symbol: string;
  readonly path: string;
  /** The bars, loaded on a placeholder clock; see {@link CsvBarSource.withClock}. */
  readonly data: CsvBarSource;
}

/** Everything read and validated before a run starts. */
export interface BotInputs {
  readonly loaded: LoadedConfig;
  readonly config: SystemConfig;
  /** The symbols traded (`config.trading.symbols`), one per data file, in the order of the files. */
  readonly symbols: readonly string[];
  readonly files: readonly DataFile[];
  /** The account currency: `--currency`, else `paper_broker.currency` when set, else the symbols' quote currency. */
  readonly currency: string;
  /** Where the currency came from, in words: `--currency`, `paper_broker.currency`, `the quote currency of BTCUSDT`. */
  readonly currencySource: string;
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
}

/** The span of the data files together: the first and last open time (ms UTC) and the bars of all files. */
export function dataSpan(inputs: BotInputs): { readonly first: number; readonly last: number; readonly bars: number } {
  const stats = inputs.files.map((file) => file.data.stats);
  return {
    first: Math.min(...stats.map((s) => s.firstOpenTime as number)),
    last: Math.max(...stats.map((s) => s.lastOpenTime as number)),
    bars: stats.reduce((sum, s) => sum + s.bars, 0),
  };
}

/** Checks the flags that name files, symbols and the currency before anything is read. */
function checkFlags(options: CommonOptions, dataFlags: readonly string[], dataFlagName: string): void {
  const files: readonly [string, string | undefined][] = [
    ...dataFlags.map((value): [string, string] => [dataFlagName, value]),
    ['--config', options.config],
    ['--strategies', options.strategies],
    ['--indicators', options.indicators],
  ];
  for (const [flag, value] of files) {
    if (value !== undefined && value.trim() === '') {
      throw new UsageError('BAD_FLAG', `${flag} "${value}" is empty: expected a file path`);
    }
  }
  for (const symbol of options.symbol ?? []) {
    if (!SYMBOL_PATTERN.test(symbol)) {
      throw new UsageError(
        'BAD_FLAG',
        `--symbol "${symbol}" is not valid: expected a symbol of letters, digits or ._/:-, e.g. BTCUSDT (or leave --symbol out to take it from the data file's name)`,
      );
    }
  }
  const symbols = options.symbol?.length ?? 0;
  if (symbols > 0 && symbols !== Math.max(1, dataFlags.length)) {
    throw new UsageError(
      'BAD_FLAG',
      `${symbols} --symbol for ${Math.max(1, dataFlags.length)} ${dataFlagName} file(s): expected one --symbol per ${dataFlagName}, in the same order, or none (the symbols then come from the file names, e.g. BTCUSDT_1m.csv)`,
    );
  }
  if (options.currency !== undefined && !/^[A-Za-z0-9]{2,10}$/.test(options.currency)) {
    throw new UsageError(
      'BAD_FLAG',
      `--currency "${options.currency}" is not valid: expected a currency code of 2 to 10 letters or digits, e.g. USDT`,
    );
  }
}

/**
 * The data files' paths and the symbol of each: `--symbol` (the n-th for
 * the n-th file), else the file's name (`BTCUSDT_1m.csv`); for a single file
 * without either, the configured symbol (`undefined` here).
 */
function dataFiles(
  options: CommonOptions,
  dataFlags: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  dataFlagName: string,
): { path: string; symbol: string | undefined }[] {
  const paths = dataFlags.length > 0 ? dataFlags.map((flag) => resolve(cwd, flag)) : [defaultDataFile(cwd)];
  // A single file without --symbol holds the configured symbol when the environment names one.
  const configured = paths.length === 1 && Boolean(env.TRADING_SYMBOLS || env.TRADING_SYMBOL || env.SYMBOL);
  const files = paths.map((path, index) => {
    if (!path) {
      throw new UsageError(
        'DATA_FILE_NOT_FOUND',
        `no data file: pass ${dataFlagName} <csv> (the shared BTCUSDT data was not found beside the repository)`,
      );
    }
    if (!existsSync(path)) throw new UsageError('DATA_FILE_NOT_FOUND', `data file not found: ${path}`);
    return { path, symbol: options.symbol?.[index] ?? (configured ? undefined : symbolFromFileName(path)) };
  });
  if (files.length === 1) return files;
  const seen = new Map<string, string>();
  for (const file of files) {
    if (file.symbol === undefined) {
      throw new UsageError(
        'BAD_FLAG',
        `${file.path}: cannot tell its symbol from its name: name the file like BTCUSDT_1m.csv or give one --symbol per ${dataFlagName}, in the same order`,
      );
    }
    const other = seen.get(file.symbol);
    if (other !== undefined) {
      throw new UsageError(
        'BAD_FLAG',
        `${file.path} and ${other} both hold ${file.symbol}: expected one data file per symbol`,
      );
    }
    seen.set(file.symbol, file.path);
  }
  return files;
}

/**
 * The account currency: `--currency`; else `paper_broker.currency` when the
 * configuration sets it; else the quote currency the symbols share; else
 * `paper_broker.currency`'s default.
 * @throws {@link UsageError} `BAD_FLAG` when the symbols are quoted in different currencies and neither is set.
 */
function accountCurrency(
  options: CommonOptions,
  loaded: LoadedConfig,
  symbols: readonly string[],
): { currency: string; currencySource: string } {
  if (options.currency !== undefined) return { currency: options.currency.toUpperCase(), currencySource: '--currency' };
  const configured = loaded.sources.get('paper_broker.currency');
  if (configured && configured.kind !== 'default') {
    return {
      currency: loaded.config.paper_broker.currency,
      currencySource: `paper_broker.currency, ${describeSource(configured)}`,
    };
  }
  const quotes = new Map(symbols.map((symbol) => [symbol, quoteCurrencyOf(symbol)] as const));
  const distinct = new Set([...quotes.values()].filter((quote) => quote !== undefined));
  if (distinct.size > 1) {
    throw new UsageError(
      'BAD_FLAG',
      `the symbols are quoted in different currencies (${[...quotes].map(([symbol, quote]) => `${symbol} in ${quote ?? '?'}`).join(', ')}) and the account holds one: pass --currency (e.g. --currency USD) to count every P&L in it, 1:1`,
    );
  }
  const quote = [...distinct][0];
  return quote === undefined
    ? { currency: loaded.config.paper_broker.currency, currencySource: 'paper_broker.currency, default' }
    : { currency: quote, currencySource: `the quote currency of ${symbols.join(', ')}` };
}

/**
 * Reads and validates the configuration, the indicators and strategies files
 * and the data files, in that order, so that bad input stops the bot before
 * anything runs. Each file's symbol is its `--symbol` (given once per file,
 * in order), else the file's name (`BTCUSDT_1m.csv`); a single file without
 * either holds the configured symbol (`TRADING_SYMBOL`, …). The symbols found
 * become `trading.symbols`. The account currency is `--currency`, else
 * `paper_broker.currency` when configured, else the symbols' quote currency
 * (`BTCUSDT` → USDT). Input paths must be regular files (a FIFO or a device
 * would never end).
 * @param options - the common flags.
 * @param dataFlags - the data file flag's values, in order (none: the shared BTCUSDT file).
 * @param cwd - the working directory.
 * @param env - the environment.
 * @param dataFlagName - the data file flag, for messages: `--data` (default) or `--replay`.
 * @throws {@link @quant/config!ConfigError}, {@link @quant/services!ServicesError} or {@link UsageError}
 *   (`BAD_FLAG` for an empty file flag, a bad `--symbol` or `--currency`, a count of
 *   `--symbol` that is not one per file, a file whose symbol cannot be told, two files of
 *   one symbol, symbols quoted in different currencies without `--currency`;
 *   `DATA_FILE_NOT_FOUND`, `NOT_A_FILE`, `NO_BARS`).
 */
export async function readInputs(
  options: CommonOptions,
  dataFlags: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  dataFlagName = '--data',
): Promise<BotInputs> {
  checkFlags(options, dataFlags, dataFlagName);
  const layout = csvLayout(options);
  const found = dataFiles(options, dataFlags, cwd, env, dataFlagName);
  const named = found.every((file) => file.symbol !== undefined);
  const inputs = readSettings(options, named ? found.map((file) => file.symbol as string) : undefined, cwd, env);
  const { symbols } = inputs;
  if (symbols.length !== found.length) {
    throw new UsageError(
      'BAD_FLAG',
      `${found.length} data file(s) for ${symbols.length} configured symbols (${symbols.join(', ')}): expected one ${dataFlagName} per symbol`,
    );
  }
  const files: DataFile[] = [];
  for (const [index, file] of found.entries()) {
    const symbol = symbols[index] as string;
    const data = await CsvBarSource.load({
      path: file.path,
      symbol,
      clock: new SimulatedClock(0),
      header: layout.header,
      ...(layout.columns === undefined ? {} : { columns: layout.columns }),
    });
    if (data.stats.bars === 0) {
      throw new UsageError(
        'NO_BARS',
        statSync(file.path).size === 0
          ? `${file.path}: no bars, the file is empty: expected a header line open_time,open,high,low,close,volume, then one bar per line`
          : `${file.path}: no bars, the file has no line after its header: expected one bar per line, e.g. 2023-03-01 00:00:00+00:00,23140.48,23150.77,23128.52,23142.31,2.13`,
      );
    }
    files.push({ symbol, path: file.path, data });
  }
  return { ...inputs, files };
}

/**
 * Reads and validates what a run on a venue needs: the configuration, the indicators and strategies files, as
 * {@link readInputs} does, without data files. The symbols are `--symbol` (repeated; the bot's form, `BTCUSDT`),
 * else `trading.symbols`.
 * @throws as {@link readInputs}, but for the data files.
 */
export function readVenueInputs(
  options: CommonOptions,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): BotInputs {
  checkFlags(options, [], '--exchange');
  return { ...readSettings(options, options.symbol, cwd, env), files: [] };
}

/** The configuration (with `symbols` as `trading.symbols` when given), the account currency, indicators, strategies. */
function readSettings(
  options: CommonOptions,
  symbols: readonly string[] | undefined,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Omit<BotInputs, 'files'> {
  // The files' (or flags') symbols are the symbols traded: they replace any configured in the environment.
  const { TRADING_SYMBOL: _symbol, SYMBOL: _legacy, TRADING_SYMBOLS: _symbols, ...rest } = env;
  const loaded = loadBotConfig(
    options.config,
    cwd,
    symbols !== undefined && symbols.length > 0 ? { ...rest, TRADING_SYMBOLS: symbols.join(',') } : env,
  );
  const traded = loaded.config.trading.symbols;
  const { currency, currencySource } = accountCurrency(options, loaded, traded);
  const indicatorsPath = resolve(cwd, options.indicators ?? defaultFile(cwd, 'conf/indicators.yaml'));
  const strategiesPath = resolve(cwd, options.strategies ?? defaultFile(cwd, 'conf/strategies.yaml'));
  checkInputFile('--indicators', indicatorsPath);
  checkInputFile('--strategies', strategiesPath);
  const indicators = indicatorsFromFile(loadIndicators(indicatorsPath));
  const warnings = [...loaded.warnings];
  const strategies = loadStrategies(strategiesPath, {
    outputsFor: (tf) => indicators.processor.outputNames(tf),
    timeframes: loaded.config.trading.timeframes,
    symbols: traded,
    onWarning: (warning) => warnings.push(warning),
  });
  return {
    loaded,
    warnings,
    config: loaded.config,
    symbols: traded,
    currency,
    currencySource,
    strategiesPath,
    indicatorsPath,
    indicators,
    strategies,
  };
}

/** Where a bot trades when it is not the simulated venue fed by its data files: a real venue's ports. */
export interface VenueMarket {
  /** The venue's bars. */
  readonly source: MarketDataSource;
  /** The venue's orders, fills and balances. */
  readonly broker: Broker;
  /** Deadlines of the venue's calls, on the bot's clock. */
  readonly executionTimeouts?: ExecutionTimeouts;
  /** Where each order is persisted before it is sent (the event store). */
  readonly journal?: ExecutionJournal;
}

/** A wired bot on a clock. */
export interface Bot {
  readonly system: TradingSystem;
  /** The venue: the simulated exchange fed by the data files, or a real one's broker. */
  readonly broker: Broker;
  /** The monitor of the venue's calls the services make (with `monitorBroker`), for the operations API. */
  readonly brokerMonitor: MonitoredBroker | undefined;
  /** Each symbol's data file, served on the bot's clock (none on a real venue). */
  readonly sources: ReadonlyMap<string, CsvBarSource>;
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

/** The simulated venue of `paper_broker`, fed by the data files (it matches each bar before the bot sees it). */
function simulatedMarket(inputs: BotInputs, clock: Clock, sources: ReadonlyMap<string, CsvBarSource>): VenueMarket {
  const { config } = inputs;
  const exchange = new SimulatedExchange({
    clock,
    timeframe: (config.trading.timeframes as readonly Timeframe[])[0] as Timeframe,
    currency: inputs.currency,
    initialCash: config.paper_broker.initial_cash,
    feeBps: config.paper_broker.fee_bps,
    slippageBps: config.paper_broker.slippage_bps,
    nativeStops: config.paper_broker.native_stops,
  });
  return { source: exchange.feedFrom(new MultiSymbolSource(sources)), broker: exchange };
}

/**
 * Wires the trading system on `clock`: each symbol's data served on that
 * clock, a paper exchange from `paper_broker` in the account currency (fed by the data, so it matches each bar before
 * the bot sees it), and a log manager from `logging` (its level
 * replaced by `logLevel` when given). The log file, when configured, is
 * opened here, so call this before writing anything else. `onPublish`, when
 * given, is the bus's publish hook (the event store's recorder). `venue`, when
 * given, replaces the simulated exchange and the data files (`live --exchange`). `monitorBroker` puts a
 * `MonitoredBroker` between the services and the venue (`live --api`: how the venue answers is a health check); a
 * backtest goes without it.
 * @throws {@link @quant/config!ConfigError} `CONFIG_INVALID` naming `logging.log_file`
 *   when the log file cannot be opened for appending.
 */
export function buildBot(
  inputs: BotInputs,
  clock: Clock,
  logLevel: LogLevelName | undefined,
  onPublish?: (event: BaseEvent) => void,
  venue?: VenueMarket,
  monitorBroker = false,
): Bot {
  const { config } = inputs;
  const sources = new Map(inputs.files.map((file) => [file.symbol, file.data.withClock(clock)] as const));
  const market = venue ?? simulatedMarket(inputs, clock, sources);
  const brokerMonitor = monitorBroker ? new MonitoredBroker(market.broker, clock) : undefined;
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
    source: market.source,
    broker: brokerMonitor ?? market.broker,
    ...(market.executionTimeouts === undefined ? {} : { executionTimeouts: market.executionTimeouts }),
    ...(market.journal === undefined ? {} : { journal: market.journal }),
    currency: inputs.currency,
    strategies: inputs.strategies,
    ...inputs.indicators,
    logs,
    ...(onPublish === undefined ? {} : { onPublish }),
  });
  const timeframes = config.trading.timeframes as readonly Timeframe[];
  return {
    system,
    broker: market.broker,
    brokerMonitor,
    sources,
    logs,
    executionTimeframe: timeframes[0] as Timeframe,
    regimeTimeframe: timeframes[timeframes.length - 1] as Timeframe,
  };
}
