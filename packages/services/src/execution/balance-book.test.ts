import type { Fill } from '@quant/core';
import { describe, expect, it } from 'vitest';
import { BalanceBook, baseCurrencyOf } from './balance-book.js';

const fill = (side: 'buy' | 'sell', quantity: number, price: number, fee: number): Fill => ({
  fillId: `f-${side}-${quantity}-${price}`,
  orderId: 'o',
  clientOrderId: 'c',
  symbol: 'BTCUSDT',
  side,
  quantity,
  price,
  fee,
  timestamp: 0,
});

describe('BalanceBook', () => {
  it('splits a symbol into its base currency by the quote', () => {
    expect(baseCurrencyOf('BTCUSDT', 'USDT')).toBe('BTC');
    expect(baseCurrencyOf('ETHBTC', 'USDT')).toBeUndefined();
    expect(baseCurrencyOf('USDT', 'USDT')).toBeUndefined();
  });

  it('expects the baseline plus every fill: a buy adds base and takes notional and fee, a sell the reverse', () => {
    const book = new BalanceBook('USDT');
    book.rebase([{ currency: 'USDT', total: 100_000 }]);
    book.apply(fill('buy', 0.5, 23_000, 11.5));
    book.apply(fill('sell', 0.2, 24_000, 4.8));
    expect(book.expected('BTC')).toBeCloseTo(0.3, 12);
    expect(book.expected('USDT')).toBeCloseTo(100_000 - 11_500 - 11.5 + 4_800 - 4.8, 9);
    expect(
      book.compare(
        [
          { currency: 'USDT', total: book.expected('USDT') },
          { currency: 'BTC', total: 0.3 },
        ],
        10,
      ),
    ).toEqual([]);
  });

  it('reports a currency beyond the tolerance (bps of the larger amount), with both figures', () => {
    const book = new BalanceBook('USDT');
    book.rebase([
      { currency: 'USDT', total: 100_000 },
      { currency: 'BTC', total: 1 },
    ]);
    // 10 bps of 100 000 is 100: 99 900.01 passes, 99 899 does not; BTC 0.9 against 1 does not; ETH appeared.
    expect(
      book.compare(
        [
          { currency: 'USDT', total: 99_900.01 },
          { currency: 'BTC', total: 1 },
        ],
        10,
      ),
    ).toEqual([]);
    const mismatches = book.compare(
      [
        { currency: 'USDT', total: 99_899 },
        { currency: 'BTC', total: 0.9 },
        { currency: 'ETH', total: 2 },
      ],
      10,
    );
    expect(mismatches.map(({ subject, expected, actual }) => [subject, expected, actual])).toEqual([
      ['BTC', 1, 0.9],
      ['ETH', 0, 2],
      ['USDT', 100_000, 99_899],
    ]);
    expect(mismatches[0]?.message).toContain('BTC: the venue holds 0.9, the bot');
  });

  it('lets rounding pass whatever the tolerance', () => {
    const book = new BalanceBook('USDT');
    book.rebase([{ currency: 'BTC', total: 0 }]);
    expect(book.compare([{ currency: 'BTC', total: 5e-9 }], 0)).toEqual([]);
    expect(book.compare([{ currency: 'BTC', total: 2e-8 }], 0)).toHaveLength(1);
  });
});
