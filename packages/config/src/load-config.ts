import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import * as v from 'valibot';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { type ConfigSource, describeSource } from './config-source.js';
import { type EnvFile, parseEnvFile } from './env-file.js';
import { envOverrides, unknownEnvWarnings } from './env-overrides.js';
import { readTextFile } from './read-file.js';
import { resolveSymbols } from './resolve-symbols.js';
import type { DeepReadonly } from './schema/deep-readonly.js';
import { configLeaves } from './schema/leaves.js';
import { type SystemConfig, systemConfigSchema } from './schema/system.js';
import { CONFIG_TIMEFRAMES, normalizeTimeframe } from './schema/timeframe.js';
import { isSecretName, REDACTED, redactSecrets } from './secrets.js';
import { duplicateIssues, positionOf, schemaIssues, shapeIssues, withoutIssuesUnder } from './validate-document.js';
import { readYamlFile, type YamlFile } from './yaml-file.js';

/** The default configuration file, relative to the working directory. */
export const DEFAULT_CONFIG_PATH = 'config/services.yaml';

/**
 * A configuration written in code: any part of the YAML file's content, as a
 * plain object (`{ trading: { symbol: 'BTCUSDT', timeframes: ['5m'] } }`);
 * every key left out takes its default. Timeframes may be `'5m'` or the
 * original minute counts (`5`), log levels any case, as in the file.
 */
export type ConfigInput = DeepReadonly<v.InferInput<typeof systemConfigSchema>>;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * The YAML file. When omitted, `config/services.yaml` is used if present
   * (defaults and a warning otherwise) unless `values` is given; a path given
   * explicitly must exist.
   */
  readonly path?: string;
  /**
   * A configuration written in code (source `code`), over the file's values and
   * under the environment's. When given without `path`, no file is looked for
   * and no warning is given about a missing one. See also {@link buildConfig}.
   */
  readonly values?: ConfigInput;
  /** The environment; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths and `.env`; `process.cwd()` by default. */
  readonly cwd?: string;
  /**
   * The largest configuration file and `.env` read, in bytes; 1 MiB
   * (`MAX_FILE_BYTES`) by default. A larger file is a `CONFIG_TOO_LARGE` error.
   */
  readonly maxFileBytes?: number;
}

/** A loaded configuration and how it was assembled. */
export interface LoadedConfig {
  /** The validated, frozen configuration. */
  readonly config: SystemConfig;
  /** The source of every leaf value, by dotted path. */
  readonly sources: ReadonlyMap<string, ConfigSource>;
  /**
   * Things worth logging at start, each naming its place: no file found,
   * variables that match no key (`environment variable RISK_MAX_POSITONS (.env:4)
   * matches no configuration key; did you mean RISK_MAX_POSITIONS?`), a `.env`
   * variable set twice.
   */
  readonly warnings: readonly string[];
  /** The file read, as given or defaulted, or `null` when none was. */
  readonly file: string | null;
  /** The variables read from `.env` (the process environment is not copied). */
  readonly dotEnv: Readonly<Record<string, string>>;
}

type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!isTree(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** Copies `from` into `into`, mappings merged key by key, lists and values replaced; returns the paths set. */
function mergeInto(into: Tree, from: Tree, path: string, set: Set<string>): void {
  for (const [key, value] of Object.entries(from)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (isTree(value) && isTree(into[key])) {
      mergeInto(into[key] as Tree, value, childPath, set);
    } else if (isTree(value)) {
      into[key] = {};
      mergeInto(into[key] as Tree, value, childPath, set);
    } else {
      into[key] = structuredClone(value);
      set.add(childPath);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function readDotEnv(cwd: string, maxBytes: number | undefined): EnvFile {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return { vars: {}, lines: new Map(), warnings: [] };
  return parseEnvFile(readTextFile(path, '.env file', '.env', maxBytes), '.env');
}

interface Layers {
  readonly yaml: YamlFile | undefined;
  readonly values: ConfigInput | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dotEnv: EnvFile;
}

/** Validates the layers (defaults < file < code < environment) into a frozen config and the source of every leaf. */
function assemble(layers: Layers): { config: SystemConfig; sources: Map<string, ConfigSource>; warnings: string[] } {
  const { yaml, values, env, dotEnv } = layers;
  const leaves = configLeaves();
  const issues: ConfigIssue[] = [];
  const listPaths: string[] = [];
  const tree: Tree = structuredClone((yaml?.data as Tree | undefined) ?? {});
  if (yaml) {
    const shape = shapeIssues(yaml.data, systemConfigSchema, {
      keySource: (path) => {
        const position = yaml.keyPositions.get(path);
        return position ? `${yaml.file}:${position.line}:${position.column}` : yaml.file;
      },
      valueSource: (path) => positionOf(yaml, path),
    });
    issues.push(...shape.issues);
    listPaths.push(...shape.listPaths);
  }
  const codePaths = new Set<string>();
  if (values !== undefined) {
    const shape = shapeIssues(values, systemConfigSchema, { keySource: () => 'code', valueSource: () => 'code' });
    issues.push(...shape.issues);
    listPaths.push(...shape.listPaths);
    if (isTree(values)) mergeInto(tree, values as Tree, '', codePaths);
    else
      issues.push({
        path: '',
        source: 'code',
        message: `expected a mapping of sections, got ${Array.isArray(values) ? 'a list' : typeof values}`,
      });
  }

  const envSources = new Map<string, ConfigSource>();
  for (const override of envOverrides(leaves, env, dotEnv.vars)) {
    setPath(tree, override.path, override.value);
    const line = override.origin === '.env' ? dotEnv.lines.get(override.name) : undefined;
    envSources.set(override.path, {
      kind: 'env',
      name: override.name,
      origin: override.origin,
      ...(line === undefined ? {} : { line }),
    });
  }
  const envNames = new Set([...Object.keys(env), ...Object.keys(dotEnv.vars)]);
  const warnings = [
    ...dotEnv.warnings,
    ...unknownEnvWarnings(leaves, envNames, (name) => {
      if (env[name] !== undefined) return undefined;
      const line = dotEnv.lines.get(name);
      return line === undefined ? '.env' : `.env:${line}`;
    }),
  ];

  const prefixes = (path: string): string[] => {
    const out: string[] = [];
    for (let prefix = path; prefix !== ''; prefix = prefix.slice(0, Math.max(0, prefix.lastIndexOf('.')))) {
      out.push(prefix);
    }
    return out;
  };
  /**
   * The source of the value at `path`; with `nearest`, of its closest ancestor set by the file, code or env.
   * A variable replaces a whole value (a list, say), so it is looked for first, then code, then the file.
   */
  function sourceOf(path: string, nearest: boolean): ConfigSource {
    const candidates = nearest ? prefixes(path) : [path];
    for (const prefix of candidates) {
      const fromEnv = envSources.get(prefix);
      if (fromEnv) return fromEnv;
    }
    for (const prefix of candidates) if (codePaths.has(prefix)) return { kind: 'code' };
    if (values !== undefined && nearest && path === '') return { kind: 'code' };
    for (const prefix of candidates) {
      const position = yaml?.valuePositions.get(prefix);
      if (yaml && position) return { kind: 'file', file: yaml.file, ...position };
    }
    return { kind: 'default' };
  }
  const describe = (path: string) => describeSource(sourceOf(path, true));

  // abortPipeEarly: one problem per value (`.inf` is "not finite", not also "not an integer").
  const result = v.safeParse(systemConfigSchema, tree, { abortEarly: false, abortPipeEarly: true });
  if (!result.success) issues.push(...withoutIssuesUnder(schemaIssues(result.issues, describe), listPaths));
  // From the merged values, so that a repeat is reported with every other problem; `5` and `5m` are the same.
  const timeframes = isTree(tree.trading) ? tree.trading.timeframes : undefined;
  if (Array.isArray(timeframes)) {
    const known: readonly string[] = CONFIG_TIMEFRAMES;
    const normalized = timeframes.map((item) => {
      const name = typeof item === 'string' || typeof item === 'number' ? normalizeTimeframe(item) : '';
      return known.includes(name) ? name : {}; // an invalid item is reported as such, not as a repeat
    });
    issues.push(
      ...duplicateIssues(normalized, {
        what: 'timeframe',
        pathOf: (index) => `trading.timeframes.${index}`,
        sourceOf: describe,
      }),
    );
  }
  // A secret (an API key, a password) comes from the environment: one written in the file would be committed and copied.
  for (const leaf of leaves) {
    const source = sourceOf(leaf.path, false);
    if (isSecretName(leaf.path) && source.kind === 'file') {
      issues.push({
        path: leaf.path,
        source: describeSource(source),
        message: `expected from the environment only (${leaf.envVar}): a secret is never written in a configuration file`,
      });
    }
  }
  if (issues.length > 0 || !result.success) throw new ConfigError('CONFIG_INVALID', issues);
  const output = result.output as { trading: { symbol: string; symbols: readonly string[] } };
  const symbols = resolveSymbols(output.trading, (path) => sourceOf(path, path.split('.').length > 2));
  if (symbols.issues) throw new ConfigError('CONFIG_INVALID', symbols.issues);
  output.trading.symbols = symbols.symbols;
  output.trading.symbol = symbols.symbols[0] as string;
  const sources = new Map(leaves.map((leaf) => [leaf.path, sourceOf(leaf.path, false)] as const));
  return { config: deepFreeze(result.output as SystemConfig), sources, warnings };
}

/**
 * Loads the configuration: defaults, then the YAML file, then `values` given in
 * code, then `.env`, then the environment (environment > code > file >
 * defaults). Every leaf can be overridden by `SECTION_KEY` in upper case
 * (`SERVICES_DATA_FETCHING_FETCH_INTERVAL`, `TRADING_TIMEFRAMES=5,15,30`, …);
 * the legacy `SYMBOL` and `TIMEFRAMES` still work, and `TRADING_*` wins when
 * both are set. `.env` in `cwd` is read when present and never overrides a
 * variable already set. Only regular files of at most 1 MiB are read.
 *
 * @param options - file path, values in code, environment, working directory, size limit.
 * @returns the frozen config, the source of every value and the warnings.
 * @throws {@link ConfigError} listing every problem at once with its place:
 *   `CONFIG_INVALID` (unknown keys with a "did you mean", values out of range,
 *   of the wrong type, not finite, a list for a section, a repeated timeframe,
 *   each with `file:line:column`, `env NAME`, `.env:LINE NAME` or `code`);
 *   `CONFIG_YAML_SYNTAX`, `CONFIG_YAML_ALIASES`; `CONFIG_FILE_UNREADABLE`,
 *   `CONFIG_NOT_A_FILE`, `CONFIG_TOO_LARGE` for the file or `.env`;
 *   `ENV_FILE_INVALID` for a bad line of `.env` (source `.env:LINE`).
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const warnings: string[] = [];

  const shownPath = options.path ?? DEFAULT_CONFIG_PATH;
  const absolute = isAbsolute(shownPath) ? shownPath : join(cwd, shownPath);
  let yaml: YamlFile | undefined;
  if (options.path !== undefined || (options.values === undefined && existsSync(absolute))) {
    const fromCwd = relative(cwd, absolute);
    // Paths inside the working directory are shown relative to it, others as given.
    const shown = isAbsolute(shownPath) && fromCwd !== '' && !fromCwd.startsWith('..') ? fromCwd : shownPath;
    yaml = readYamlFile(absolute, 'configuration file', shown, options.maxFileBytes);
  } else if (options.values === undefined) {
    warnings.push(`no configuration file at ${shownPath}: using defaults and environment variables`);
  }

  const dotEnv = readDotEnv(cwd, options.maxFileBytes);
  const assembled = assemble({ yaml, values: options.values, env, dotEnv });
  return {
    config: assembled.config,
    sources: assembled.sources,
    warnings: [...warnings, ...assembled.warnings],
    file: yaml?.file ?? null,
    dotEnv: dotEnv.vars,
  };
}

/**
 * Builds a configuration from values written in code, without a file, `.env`
 * or the environment: the keys left out take their defaults. It checks the
 * values as {@link loadConfig} checks a file (unknown keys with a "did you
 * mean", ranges, types), each problem's source being `code`.
 *
 * @example
 * ```ts
 * const config = buildConfig({ trading: { symbol: 'BTCUSDT', timeframes: ['5m', '15m'] } });
 * config.services.data_fetching.fetch_interval; // 5, the default
 * ```
 * @param values - any part of the configuration.
 * @returns the validated, deeply frozen configuration.
 * @throws {@link ConfigError} `CONFIG_INVALID` listing every problem, e.g.
 *   `trading.timeframes.1 (code): duplicate timeframe "5m"; the first is trading.timeframes.0`.
 */
export function buildConfig(values: ConfigInput): SystemConfig {
  return assemble({ yaml: undefined, values, env: {}, dotEnv: { vars: {}, lines: new Map(), warnings: [] } }).config;
}

/**
 * One line per leaf, `path = value (source)`, for logging the effective
 * configuration at start; secrets are shown as `[REDACTED]`.
 * @param loaded - the result of {@link loadConfig}.
 */
export function describeConfig(loaded: LoadedConfig): string[] {
  return [...loaded.sources].map(([path, source]) => {
    let value: unknown = loaded.config;
    for (const key of path.split('.')) value = (value as Tree | undefined)?.[key];
    const shown = isSecretName(path) ? REDACTED : JSON.stringify(redactSecrets(value));
    return `${path} = ${shown} (${describeSource(source)})`;
  });
}
