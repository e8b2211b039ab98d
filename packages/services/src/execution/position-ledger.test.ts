import type { Fill, Side } from '@quant/core';
import { describe, expect, it } from 'vitest';
import { PositionLedger } from './position-ledger.js';

let sequence = 0;
const fill = (side: Side, quantity: number, price: number, fee = 0, fillId = `f-${++sequence}`): Fill => ({
  fillId,
  orderId: `o-${sequence}`,
  clientOrderId: `quant-${sequence}`,
  symbol: 'BTCUSDT',
  side,
  quantity,
  price,
  fee,
  timestamp: sequence * 60_000,
});
const by = (strategyName: string | null, closeReason = 'exit_signal') => ({ strategyName, closeReason });

const ledger = () => {
  const book = new PositionLedger('USDT');
  book.setCapital(10_000);
  return book;
};

describe('PositionLedger', () => {
  it('opens, marks and closes a long with the fees split between the closes', () => {
    const book = ledger();
    const opened = book.apply(fill('buy', 2, 100, 0.2), by('s'));
    expect(opened?.opened).toMatchObject({ direction: 'long', quantity: 2, entryPrice: 100, fees: 0.2 });
    book.mark('BTCUSDT', 110);
    expect(book.position('s', 'BTCUSDT')).toMatchObject({ markPrice: 110, unrealizedPnl: 20 });
    expect(book.account()).toMatchObject({ cash: 9_999.8, unrealizedPnl: 20, equity: 10_019.8, fees: 0.2 });
    const half = book.apply(fill('sell', 1, 120, 0.12), by('s'));
    // gross (120 - 100) x 1 = 20; fees: half the entry fee 0.1 + the exit fee 0.12.
    expect(half?.closed).toMatchObject({ quantity: 1, exitPrice: 120, fees: 0.22, reason: 'exit_signal' });
    expect(half?.closed?.realizedPnl).toBeCloseTo(19.78, 12);
    expect(half?.position).toMatchObject({ quantity: 1, realizedPnl: 20, unrealizedPnl: 10 });
    const rest = book.apply(fill('sell', 1, 90, 0.09), by('s', 'stop_loss'));
    expect(rest?.closed?.realizedPnl).toBeCloseTo(-10 - 0.1 - 0.09, 12);
    expect(rest?.closed?.reason).toBe('stop_loss');
    expect(rest?.position).toBeNull();
    expect(book.positions()).toEqual([]);
    expect(book.account().realizedPnl).toBeCloseTo(19.78 - 10.19, 10);
    expect(book.account().equity).toBeCloseTo(10_000 + 20 - 10 - 0.2 - 0.12 - 0.09, 10);
  });

  it('changes nothing when a fill is applied twice', () => {
    const book = ledger();
    const first = fill('sell', 1, 100, 0.1, 'dup');
    expect(book.apply(first, by('s'))).toBeDefined();
    const before = book.account();
    expect(book.apply(first, by('s'))).toBeUndefined();
    expect(book.account()).toEqual(before);
    expect(book.hasFill('dup')).toBe(true);
  });

  it('averages the entry price of adding fills and profits from a short when price falls', () => {
    const book = ledger();
    book.apply(fill('sell', 1, 100), by('s'));
    book.apply(fill('sell', 3, 104), by('s'));
    expect(book.position('s', 'BTCUSDT')).toMatchObject({ direction: 'short', quantity: 4, entryPrice: 103 });
    const closed = book.apply(fill('buy', 4, 93), by('s'));
    expect(closed?.closed?.realizedPnl).toBeCloseTo(40, 12);
  });

  it('closes and reverses when a fill goes past flat', () => {
    const book = ledger();
    book.apply(fill('buy', 1, 100, 1), by('s'));
    const change = book.apply(fill('sell', 3, 110, 3), by('s'));
    expect(change?.closed).toMatchObject({ quantity: 1, exitPrice: 110 });
    expect(change?.closed?.fees).toBeCloseTo(1 + 1, 12);
    expect(change?.opened).toMatchObject({ direction: 'short', quantity: 2, entryPrice: 110, fees: 2 });
  });

  it('keeps one position per strategy and symbol', () => {
    const book = ledger();
    book.apply(fill('buy', 1, 100), by('a'));
    book.apply(fill('sell', 2, 100), by('b'));
    expect(book.positions().map((p) => [p.strategyName, p.direction, p.quantity])).toEqual([
      ['a', 'long', 1],
      ['b', 'short', 2],
    ]);
  });

  it('takes its capital once', () => {
    const book = new PositionLedger('USDT');
    expect(book.capital).toBeUndefined();
    book.setCapital(500);
    book.setCapital(900);
    expect(book.account()).toMatchObject({ currency: 'USDT', cash: 500, equity: 500 });
  });
});
