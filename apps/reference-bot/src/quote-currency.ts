/**
 * Quote currencies recognised at the end of a symbol written without a
 * separator (`BTCUSDT`), longest first so that `FDUSD` is not read as `USD`.
 */
const QUOTES = [
  'FDUSD',
  'USDT',
  'USDC',
  'BUSD',
  'TUSD',
  'USDP',
  'DAI',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'TRY',
  'BRL',
  'AUD',
  'CAD',
  'CHF',
  'BTC',
  'ETH',
  'BNB',
] as const;

/**
 * The quote currency of a symbol: after the `/` of `BTC/USDT` (before a
 * settlement `:USDT`), else a known quote currency at the end of `BTCUSDT`,
 * with a base of at least two characters left.
 * @param symbol - e.g. `BTCUSDT`, `BTC/USDC`, `ETHBTC`.
 * @returns the currency in upper case, or `undefined` when it cannot be told (e.g. `AAPL`).
 */
export function quoteCurrencyOf(symbol: string): string | undefined {
  const upper = symbol.toUpperCase();
  const slash = upper.indexOf('/');
  if (slash > 0) return upper.slice(slash + 1).split(':')[0] || undefined;
  return QUOTES.find((quote) => upper.endsWith(quote) && upper.length - quote.length >= 2);
}
