const QUANT_ERROR = Symbol.for('@quant/error');
const CONFIG_ERROR = Symbol.for('@quant/config.ConfigError');

/**
 * Codes of {@link ConfigError}, the same for the configuration file, `.env`
 * and the strategies and indicators files:
 * - `CONFIG_INVALID`: values or keys are wrong (see `issues`: each has its dotted path and place);
 * - `CONFIG_YAML_SYNTAX`: the file is not valid YAML, or is nested too deeply to parse;
 * - `CONFIG_YAML_ALIASES`: the file's YAML aliases (`*name`) expand to too much data (a "billion laughs" document);
 * - `CONFIG_FILE_UNREADABLE`: the file named explicitly is missing, cannot be read, or is not UTF-8 text;
 * - `CONFIG_NOT_A_FILE`: the path is a directory, a FIFO, a device or a socket rather than a regular file;
 * - `CONFIG_TOO_LARGE`: the file is larger than the limit (1 MiB by default, see `MAX_FILE_BYTES`);
 * - `ENV_FILE_INVALID`: a line of `.env` is not `NAME=value` (each issue's source is `.env:LINE`).
 */
export type ConfigErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_YAML_SYNTAX'
  | 'CONFIG_YAML_ALIASES'
  | 'CONFIG_FILE_UNREADABLE'
  | 'CONFIG_NOT_A_FILE'
  | 'CONFIG_TOO_LARGE'
  | 'ENV_FILE_INVALID';

/** One problem in a configuration. */
export interface ConfigIssue {
  /** Dotted path of the key, e.g. `services.data_fetching.fetch_interval`; `''` for the whole file. */
  readonly path: string;
  /** What is wrong, e.g. `expected a number > 0, got -5`. */
  readonly message: string;
  /**
   * Where the value came from: `config/services.yaml:14:5` (file, line, column),
   * `env SERVICES_DATA_FETCHING_FETCH_INTERVAL`, `.env:3 TRADING_SYMBOL` (line 3 of `.env`), `.env:3` (a bad line of `.env`),
   * `code` (a value given in code, see `buildConfig`), `default`, or a file's path alone.
   */
  readonly source: string;
}

/**
 * Thrown by {@link loadConfig} when the configuration cannot be used. It lists
 * every problem at once, each with its dotted path, what was expected, the bad
 * value (secrets redacted) and where it came from.
 *
 * It carries the same `Symbol.for('@quant/error')` marker as `@quant/core`'s
 * `QuantError`, so `QuantError.isInstance(error)` is true for it too.
 */
export class ConfigError extends Error {
  readonly [QUANT_ERROR] = true;
  readonly [CONFIG_ERROR] = true;
  /** The stable error code. */
  readonly code: ConfigErrorCode;
  /** Every problem found, in file order where known. */
  readonly issues: readonly ConfigIssue[];

  /**
   * @param code - the stable error code.
   * @param issues - the problems; the message lists them.
   * @param options - `cause`: the underlying error (e.g. the YAML parser's).
   */
  constructor(code: ConfigErrorCode, issues: readonly ConfigIssue[], options: { cause?: unknown } = {}) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      `invalid configuration (${count}):\n${issues.map(formatIssue).join('\n')}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ConfigError';
    this.code = code;
    this.issues = issues;
  }

  /**
   * Tells whether `value` is a ConfigError from any installed copy of `@quant/config`.
   * @param value - anything that was thrown.
   */
  static isInstance(value: unknown): value is ConfigError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CONFIG_ERROR] === true;
  }
}

function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? issue.source : `${issue.path} (${issue.source})`;
  return `  - ${where}: ${issue.message}`;
}

/**
 * Formats a {@link ConfigError} for a command line: a headline and one line
 * per problem. A CLI prints it to stderr and exits with code 2.
 *
 * @example
 * ```
 * Configuration error: 2 problems
 *   - services.data_fetching.fetch_interval (config/services.yaml:8:21): expected a number > 0, got -5
 *   - risk.max_positons (config/services.yaml:47:3): unknown key; did you mean "max_positions"?
 * ```
 * @param error - the error.
 */
export function formatConfigError(error: ConfigError): string {
  const count = error.issues.length === 1 ? '1 problem' : `${error.issues.length} problems`;
  return `Configuration error: ${count}\n${error.issues.map(formatIssue).join('\n')}`;
}
