import type { EnvOrigin } from './env-overrides.js';

/**
 * Where a configuration value came from: its default, a value given in code
 * (`buildConfig`, or `loadConfig`'s `values`), the YAML file (line and column,
 * 1-based), or an environment variable (set in the process or in `.env`).
 */
export type ConfigSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'code' }
  | { readonly kind: 'file'; readonly file: string; readonly line: number; readonly column: number }
  | {
      readonly kind: 'env';
      readonly name: string;
      readonly origin: EnvOrigin;
      /** The 1-based line of `.env` the variable is set on, when it comes from `.env`. */
      readonly line?: number;
    };

/**
 * A source in words: `default`, `code`, `config/services.yaml:14:5`, `env TRADING_SYMBOL`
 * or `.env:3 TRADING_SYMBOL` (`.env TRADING_SYMBOL` when the line is not known).
 * @param source - the source.
 */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'code':
      return 'code';
    case 'file':
      return `${source.file}:${source.line}:${source.column}`;
    case 'env':
      if (source.origin === 'process') return `env ${source.name}`;
      return `${source.line === undefined ? '.env' : `.env:${source.line}`} ${source.name}`;
  }
}
