/** Log levels, most verbose first. `silent` turns a logger off. */
export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Extra structured fields of a log line, e.g. `{ symbol: 'BTCUSDT', timeframe: '1m' }`. */
export type LogFields = Readonly<Record<string, unknown>>;

/** One log line before formatting. */
export interface LogRecord {
  /** When it was logged, ms since epoch, UTC, from the log manager's clock. */
  readonly timestamp: number;
  /** The level it was logged at. */
  readonly level: Exclude<LogLevelName, 'silent'>;
  /** The logger's name, e.g. `services.DataFetchingService`. */
  readonly logger: string;
  /** The service the logger belongs to, e.g. `DataFetchingService`, if any. */
  readonly service: string | undefined;
  /** The correlation id of the scope it was logged in, if any. */
  readonly correlationId: string | undefined;
  /** The message. */
  readonly message: string;
  /** Extra fields, already redacted. */
  readonly fields: LogFields | undefined;
}

/**
 * A named logger. Each method logs `message` with optional structured
 * `fields`; values under secret-looking keys are redacted.
 */
export interface Logger {
  /** The logger's name. */
  readonly name: string;
  /** Logs at trace level. */
  trace(message: string, fields?: LogFields): void;
  /** Logs at debug level. */
  debug(message: string, fields?: LogFields): void;
  /** Logs at info level. */
  info(message: string, fields?: LogFields): void;
  /** Logs at warn level. */
  warn(message: string, fields?: LogFields): void;
  /** Logs at error level. */
  error(message: string, fields?: LogFields): void;
  /**
   * Whether a line at `level` would be logged. Guard a message that costs
   * something to build on a hot path with it, so that at a disabled level
   * nothing is built: `if (logger.isLevelEnabled?.('debug') !== false) logger.debug(...)`.
   * Optional: a logger without it is taken to log every level.
   * @param level - `trace`, `debug`, `info`, `warn` or `error`.
   */
  isLevelEnabled?(level: Exclude<LogLevelName, 'silent'>): boolean;
}

/** A logger that discards everything: the default where no logger is given. */
export const silentLogger: Logger = Object.freeze({
  name: 'silent',
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  isLevelEnabled: () => false,
});
