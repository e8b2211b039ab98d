import type { EnvOrigin } from './env-overrides.js';

/** Where a configuration value came from. */
export type ConfigSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string; readonly line: number; readonly column: number }
  | { readonly kind: 'env'; readonly name: string; readonly origin: EnvOrigin };

/**
 * A source in words: `default`, `config/services.yaml:14:5`, `env TRADING_SYMBOL`
 * or `.env TRADING_SYMBOL`.
 * @param source - the source.
 */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${source.file}:${source.line}:${source.column}`;
    case 'env':
      return `${source.origin === '.env' ? '.env' : 'env'} ${source.name}`;
  }
}
