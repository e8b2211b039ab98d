import log from 'loglevel';
import type { Clock } from '../clock/clock.js';
import { LiveClock } from '../clock/live-clock.js';
import { currentCorrelationId } from '../correlation/correlation.js';
import { formatJson, formatText, type LogFormat } from './format.js';
import type { LogFields, Logger, LogLevelName, LogRecord } from './log-record.js';
import { redact } from './redact.js';
import { FileSink, type LogSink, StreamSink } from './sinks.js';

/** Options of a {@link LogManager}; the names follow the `logging` config section. */
export interface LogManagerOptions {
  /** Default level of every logger; `info` by default. */
  readonly level?: LogLevelName;
  /** `text` (default) or `json` lines. */
  readonly format?: LogFormat;
  /** Whether lines carry the correlation id; `true` by default. */
  readonly correlationIds?: boolean;
  /** Levels by service or logger name, overriding `level`, e.g. `{ DataFetchingService: 'debug' }`. */
  readonly serviceLevels?: Readonly<Record<string, LogLevelName>>;
  /** Where lines go; standard output by default. */
  readonly sinks?: readonly LogSink[];
  /**
   * A file to append lines to, besides `sinks`; opened (and its directory
   * created) by the constructor, so an unwritable path fails at once.
   */
  readonly logFile?: string;
  /** Source of timestamps; the real clock by default. */
  readonly clock?: Clock;
}

/** Options of {@link LogManager.getLogger}. */
export interface GetLoggerOptions {
  /** The service the logger belongs to, printed in the service bracket and `service` field. */
  readonly service?: string;
}

type Method = Exclude<LogLevelName, 'silent'>;
const METHODS: readonly Method[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * Creates named loggers on loglevel and routes their lines, formatted as text
 * or JSON, to console and file sinks. Each manager is independent (no global
 * configuration): create one per bot from the `logging` config section and
 * pass its loggers to the services.
 *
 * Every line carries the current correlation id (see {@link withCorrelation})
 * and the values of secret-looking fields are redacted.
 */
export class LogManager {
  readonly #level: LogLevelName;
  readonly #format: LogFormat;
  readonly #correlationIds: boolean;
  readonly #serviceLevels: Readonly<Record<string, LogLevelName>>;
  readonly #sinks: LogSink[];
  readonly #clock: Clock;
  readonly #loggers = new Map<string, Logger>();

  /**
   * @param options - level, format, per-service levels, sinks, log file, clock.
   * @throws {@link @quant/core!LoggingError} `LOG_FILE_UNWRITABLE` when `logFile` cannot be
   *   opened for appending (see {@link FileSink}).
   */
  constructor(options: LogManagerOptions = {}) {
    this.#level = options.level ?? 'info';
    this.#format = options.format ?? 'text';
    this.#correlationIds = options.correlationIds ?? true;
    this.#serviceLevels = options.serviceLevels ?? {};
    this.#sinks = [...(options.sinks ?? [new StreamSink()])];
    if (options.logFile) this.#sinks.push(new FileSink(options.logFile));
    this.#clock = options.clock ?? new LiveClock();
  }

  /**
   * Returns the logger named `name` (the same object for the same name).
   * Its level is the per-service level of `options.service` or `name` when
   * configured, the manager's level otherwise.
   * @param name - the logger's name, e.g. `services.DataFetchingService`.
   * @param options - `service`: the service it belongs to.
   */
  getLogger(name: string, options: GetLoggerOptions = {}): Logger {
    const key = `${options.service ?? ''}\u0000${name}`;
    let logger = this.#loggers.get(key);
    if (!logger) {
      logger = this.#createLogger(name, options.service);
      this.#loggers.set(key, logger);
    }
    return logger;
  }

  /**
   * Flushes and closes the sinks (e.g. the log file).
   * @throws {@link @quant/core!LoggingError} `LOG_FILE_UNWRITABLE` when a write to the log file failed.
   */
  async close(): Promise<void> {
    await Promise.all(this.#sinks.map((sink) => sink.close?.()));
  }

  #createLogger(name: string, service: string | undefined): Logger {
    // A fresh symbol per logger keeps this manager's loggers apart from loglevel's global named loggers.
    const base = log.getLogger(Symbol(name));
    base.methodFactory = (methodName) => (message: string, fields?: LogFields) =>
      this.#write({
        timestamp: this.#clock.now(),
        level: methodName as Method,
        logger: name,
        service,
        correlationId: currentCorrelationId(),
        message,
        fields: fields === undefined ? undefined : redact(fields),
      });
    base.setLevel(this.#serviceLevels[service ?? ''] ?? this.#serviceLevels[name] ?? this.#level, false);
    const logger = { name } as { -readonly [K in keyof Logger]: Logger[K] };
    for (const method of METHODS) {
      logger[method] = (message, fields) => base[method](message, fields);
    }
    // loglevel numbers its levels in METHODS' order: trace 0 … error 4, silent 5.
    logger.isLevelEnabled = (level) => base.getLevel() <= METHODS.indexOf(level);
    return Object.freeze(logger);
  }

  #write(record: LogRecord): void {
    const line =
      this.#format === 'json' ? formatJson(record, this.#correlationIds) : formatText(record, this.#correlationIds);
    for (const sink of this.#sinks) sink.write(line, record);
  }
}
