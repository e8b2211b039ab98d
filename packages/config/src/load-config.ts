import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { parseEnv } from 'node:util';
import * as v from 'valibot';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { type ConfigSource, describeSource } from './config-source.js';
import { envOverrides, unknownEnvWarnings } from './env-overrides.js';
import { configLeaves } from './schema/leaves.js';
import { type SystemConfig, systemConfigSchema } from './schema/system.js';
import { isSecretName, REDACTED, redactSecrets } from './secrets.js';
import { schemaIssues, unknownKeyIssues } from './validate-document.js';
import { readYamlFile, type YamlFile } from './yaml-file.js';

/** The default configuration file, relative to the working directory. */
export const DEFAULT_CONFIG_PATH = 'config/services.yaml';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * The YAML file. When omitted, `config/services.yaml` is used if present
   * (defaults and a warning otherwise); a path given explicitly must exist.
   */
  readonly path?: string;
  /** The environment; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths and `.env`; `process.cwd()` by default. */
  readonly cwd?: string;
}

/** A loaded configuration and how it was assembled. */
export interface LoadedConfig {
  /** The validated, frozen configuration. */
  readonly config: SystemConfig;
  /** The source of every leaf value, by dotted path. */
  readonly sources: ReadonlyMap<string, ConfigSource>;
  /** Things worth logging at start (no file found, unknown variables). */
  readonly warnings: readonly string[];
  /** The file read, as given or defaulted, or `null` when none was. */
  readonly file: string | null;
  /** The variables read from `.env` (the process environment is not copied). */
  readonly dotEnv: Readonly<Record<string, string>>;
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1] as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Loads the configuration: defaults, then the YAML file, then `.env`, then the
 * environment (environment > file > defaults). Every leaf can be overridden by
 * `SECTION_KEY` in upper case (`SERVICES_DATA_FETCHING_FETCH_INTERVAL`,
 * `TRADING_TIMEFRAMES=5,15,30`, …); the legacy `SYMBOL` and `TIMEFRAMES` still
 * work, and `TRADING_*` wins when both are set. `.env` in `cwd` is read when
 * present and never overrides a variable already set.
 *
 * @param options - file path, environment, working directory.
 * @returns the frozen config, the source of every value and the warnings.
 * @throws {@link ConfigError} listing every problem at once: unknown keys (with
 *   a "did you mean"), values out of range or of the wrong type (with
 *   `file:line:column` or the variable's name), invalid YAML, an unreadable file.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const leaves = configLeaves();

  const shownPath = options.path ?? DEFAULT_CONFIG_PATH;
  const absolute = isAbsolute(shownPath) ? shownPath : join(cwd, shownPath);
  let yaml: YamlFile | undefined;
  if (options.path !== undefined || existsSync(absolute)) {
    const fromCwd = relative(cwd, absolute);
    // Paths inside the working directory are shown relative to it, others as given.
    const shown = isAbsolute(shownPath) && fromCwd !== '' && !fromCwd.startsWith('..') ? fromCwd : shownPath;
    yaml = readYamlFile(absolute, 'configuration file', shown);
  } else {
    warnings.push(`no configuration file at ${shownPath}: using defaults and environment variables`);
  }

  const dotEnvPath = join(cwd, '.env');
  const dotEnv = existsSync(dotEnvPath) ? (parseEnv(readFileSync(dotEnvPath, 'utf8')) as Record<string, string>) : {};

  const issues: ConfigIssue[] = [];
  const tree: Tree = structuredClone((yaml?.data as Tree | undefined) ?? {});
  if (yaml) issues.push(...unknownKeyIssues(tree, systemConfigSchema, yaml));

  const envSources = new Map<string, ConfigSource>();
  for (const override of envOverrides(leaves, env, dotEnv)) {
    setPath(tree, override.path, override.value);
    envSources.set(override.path, { kind: 'env', name: override.name, origin: override.origin });
  }
  warnings.push(...unknownEnvWarnings(leaves, new Set([...Object.keys(env), ...Object.keys(dotEnv)])));

  /** The source of the value at `path`; with `nearest`, of its closest ancestor set by the file or env. */
  const sourceOf = (path: string, nearest: boolean): ConfigSource => {
    for (let prefix = path; prefix !== ''; prefix = prefix.slice(0, Math.max(0, prefix.lastIndexOf('.')))) {
      const fromEnv = envSources.get(prefix);
      if (fromEnv) return fromEnv;
      const position = yaml?.valuePositions.get(prefix);
      if (yaml && position) return { kind: 'file', file: yaml.file, ...position };
      if (!nearest) break;
    }
    return { kind: 'default' };
  };

  const result = v.safeParse(systemConfigSchema, tree, { abortEarly: false });
  if (!result.success) issues.push(...schemaIssues(result.issues, (path) => describeSource(sourceOf(path, true))));
  if (issues.length > 0) throw new ConfigError('CONFIG_INVALID', issues);

  const sources = new Map(leaves.map((leaf) => [leaf.path, sourceOf(leaf.path, false)] as const));
  return {
    config: deepFreeze(result.output as SystemConfig),
    sources,
    warnings,
    file: yaml?.file ?? null,
    dotEnv,
  };
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
