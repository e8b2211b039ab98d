import type { ConfigIssue } from './config-error.js';
import { type ConfigSource, describeSource } from './config-source.js';

/** How specific a source is: a later layer overrides an earlier one (default < file < code < .env < process). */
function rank(source: ConfigSource): number {
  switch (source.kind) {
    case 'default':
      return 0;
    case 'file':
      return 1;
    case 'code':
      return 2;
    case 'env':
      return source.origin === 'process' ? 4 : 3;
  }
}

/** The symbols traded, or the problems found; see {@link resolveSymbols}. */
export type SymbolsResolution =
  | { readonly symbols: readonly string[]; readonly issues?: undefined }
  | { readonly symbols?: undefined; readonly issues: readonly ConfigIssue[] };

/**
 * The symbols the bot trades, from `trading.symbol` (the one-symbol form,
 * `TRADING_SYMBOL`, legacy `SYMBOL`) and `trading.symbols` (the list,
 * `TRADING_SYMBOLS`): the one set by the more specific source (environment
 * over `.env` over code over file over default) wins; both set by sources of
 * the same layer is ambiguous, an issue. An empty list, or a symbol listed
 * twice, is an issue too.
 * @param trading - the validated `trading.symbol` and `trading.symbols`.
 * @param sourceOf - the source of a dotted path's value.
 * @returns the list (at least one symbol), or the issues.
 */
export function resolveSymbols(
  trading: { readonly symbol: string; readonly symbols: readonly string[] },
  sourceOf: (path: string) => ConfigSource,
): SymbolsResolution {
  const one = sourceOf('trading.symbol');
  const list = sourceOf('trading.symbols');
  const issue = (message: string, path = 'trading.symbols'): SymbolsResolution => ({
    issues: [{ path, source: describeSource(sourceOf(path)), message }],
  });
  if (rank(list) === 0) return { symbols: [trading.symbol] };
  if (rank(one) === rank(list)) {
    return issue(
      `trading.symbol (${describeSource(one)}) and trading.symbols (${describeSource(list)}) are both set at the same level: expected one of them (trading.symbols for several symbols)`,
    );
  }
  if (rank(one) > rank(list)) return { symbols: [trading.symbol] };
  if (trading.symbols.length === 0) return issue('expected at least one symbol, e.g. [BTCUSDT]');
  const seen = new Set<string>();
  for (const [index, symbol] of trading.symbols.entries()) {
    if (seen.has(symbol))
      return issue(`${symbol} is listed twice: expected each symbol once`, `trading.symbols.${index}`);
    seen.add(symbol);
  }
  return { symbols: trading.symbols };
}
