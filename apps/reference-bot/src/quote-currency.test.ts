import { describe, expect, it } from 'vitest';
import { quoteCurrencyOf } from './quote-currency.js';

describe('quoteCurrencyOf', () => {
  it.each([
    ['BTCUSDT', 'USDT'],
    ['BTCUSDC', 'USDC'],
    ['BTCUSD', 'USD'],
    ['ethbtc', 'BTC'],
    ['BTCFDUSD', 'FDUSD'],
    ['BTC/USDT', 'USDT'],
    ['BTC/USDT:USDT', 'USDT'],
    ['EURUSD', 'USD'],
  ])('reads %s as quoted in %s', (symbol, quote) => {
    expect(quoteCurrencyOf(symbol)).toBe(quote);
  });

  it.each(['AAPL', 'USDT', 'XUSD'.slice(1), 'BTC/'])('cannot tell the quote of %s', (symbol) => {
    expect(quoteCurrencyOf(symbol)).toBeUndefined();
  });
});
