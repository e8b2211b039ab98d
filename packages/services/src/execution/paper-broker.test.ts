import { type Bar, SimulatedClock } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CsvBarSource } from '../market-data/csv-bar-source.js';
import type { BrokerUpdate, OrderRequest } from '../ports/broker.js';
import { BTCUSDT, march } from '../test-support/real-data.js';
import { PaperBroker } from './paper-broker.js';

let bars: Bar[];
beforeAll(async () => {
  bars = (await CsvBarSource.load({ path: BTCUSDT, symbol: 'BTCUSDT', clock: new SimulatedClock(0) }))
    .allBars()
    .slice(0, 600);
});
const bar = (minute: number): Bar => bars[minute] as Bar;

const entry = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: 'entry-1',
  symbol: 'BTCUSDT',
  side: 'buy',
  direction: 'long',
  intent: 'entry',
  quantity: 0.5,
  stopLoss: null,
  takeProfit: null,
  strategyName: 'test',
  ...overrides,
});

const setup = (options: { feeBps?: number; slippageBps?: number } = {}) => {
  const clock = new SimulatedClock(march(1, 0, 1));
  const broker = new PaperBroker({
    clock,
    initialCash: 100_000,
    feeBps: options.feeBps ?? 10,
    slippageBps: options.slippageBps ?? 0,
  });
  const updates: BrokerUpdate[] = [];
  broker.subscribe((update) => updates.push(update));
  return { clock, broker, updates };
};

describe('PaperBroker', () => {
  it('fills a market order at the open of the next bar, never of a bar that opened before it', async () => {
    const { broker, updates } = setup();
    // Placed at 00:01:00, after bar 00:00 closed.
    const order = await broker.submitOrder(entry());
    expect(order.status).toBe('open');
    broker.processBar('BTCUSDT', bar(0));
    expect(updates.filter((u) => u.type === 'fill')).toEqual([]);
    broker.processBar('BTCUSDT', bar(1));
    const fill = updates.find((u) => u.type === 'fill');
    expect(fill?.type === 'fill' && fill.fill).toMatchObject({
      price: bar(1).open,
      quantity: 0.5,
      timestamp: bar(1).openTime,
    });
    const [position] = broker.positions();
    expect(position).toMatchObject({ entryPrice: bar(1).open, quantity: 0.5, openedAt: bar(1).openTime });
    expect(position?.unrealizedPnl).toBeCloseTo((bar(1).close - bar(1).open) * 0.5, 9);
  });

  it('applies slippage against the order and charges fees in basis points of the notional', async () => {
    const { broker, updates } = setup({ feeBps: 10, slippageBps: 5 });
    await broker.submitOrder(entry({ side: 'sell', direction: 'short' }));
    broker.processBar('BTCUSDT', bar(1));
    const fill = updates.find((u) => u.type === 'fill');
    const price = bar(1).open * (1 - 5 / 10_000);
    expect(fill?.type === 'fill' && fill.fill.price).toBeCloseTo(price, 9);
    expect(fill?.type === 'fill' && fill.fill.fee).toBeCloseTo(0.5 * price * 0.001, 9);
    expect(broker.account().fees).toBeCloseTo(0.5 * price * 0.001, 9);
  });

  it('assumes the stop was hit first when stop and target are both inside one bar', async () => {
    const { broker, updates } = setup({ feeBps: 0 });
    // Find a real bar wide enough to contain both levels around its open.
    const index = bars.findIndex((b, i) => i > 1 && b.high - b.low > 20);
    const wide = bar(index);
    await broker.submitOrder(entry({ stopLoss: wide.open - 1, takeProfit: wide.open + 1 }));
    broker.processBar('BTCUSDT', { ...wide, high: wide.open + 10, low: wide.open - 10 });
    const closed = updates.find((u) => u.type === 'position_closed');
    expect(closed?.type === 'position_closed' && closed.closure).toMatchObject({
      reason: 'stop_loss',
      exitPrice: wide.open - 1,
    });
    expect(closed?.type === 'position_closed' && closed.closure.realizedPnl).toBeCloseTo(-0.5, 9);
    expect(broker.positions()).toEqual([]);
  });

  it('takes profit at the target and fills at the open when a bar gaps through the stop', async () => {
    const { broker, updates } = setup({ feeBps: 0 });
    await broker.submitOrder(entry({ takeProfit: bar(1).open + 5 }));
    broker.processBar('BTCUSDT', { ...bar(1), high: bar(1).open + 6 });
    const profit = updates.find((u) => u.type === 'position_closed');
    expect(profit?.type === 'position_closed' && profit.closure).toMatchObject({
      reason: 'take_profit',
      exitPrice: bar(1).open + 5,
    });

    await broker.submitOrder(entry({ clientOrderId: 'entry-2', stopLoss: bar(2).open - 50 }));
    broker.processBar('BTCUSDT', bar(2));
    const gap = {
      ...bar(3),
      open: bar(2).open - 80,
      low: bar(2).open - 90,
      high: bar(2).open - 70,
      close: bar(2).open - 75,
    };
    broker.processBar('BTCUSDT', gap);
    const stopped = updates.filter((u) => u.type === 'position_closed')[1];
    expect(stopped?.type === 'position_closed' && stopped.closure).toMatchObject({
      reason: 'stop_loss',
      exitPrice: gap.open,
    });
  });

  it('closes part of a position, then the rest, with P&L and fees apportioned', async () => {
    const { broker, updates, clock } = setup({ feeBps: 10 });
    await broker.submitOrder(entry({ quantity: 1 }));
    broker.processBar('BTCUSDT', bar(1));
    const [position] = broker.positions();
    await clock.advanceTo(march(1, 0, 2));
    await broker.closePosition(position?.positionId ?? '', 'exit-1', 0.25);
    broker.processBar('BTCUSDT', bar(2));
    expect(broker.positions()[0]?.quantity).toBeCloseTo(0.75, 12);
    await clock.advanceTo(march(1, 0, 3));
    await broker.closePosition(position?.positionId ?? '', 'exit-2');
    broker.processBar('BTCUSDT', bar(3));
    expect(broker.positions()).toEqual([]);
    const closures = updates.flatMap((u) => (u.type === 'position_closed' ? [u.closure] : []));
    const entryPrice = bar(1).open;
    const entryFee = entryPrice * 0.001;
    expect(closures.map((c) => c.quantity)).toEqual([0.25, 0.75]);
    expect(closures[0]?.realizedPnl).toBeCloseTo(
      (bar(2).open - entryPrice) * 0.25 - entryFee * 0.25 - bar(2).open * 0.25 * 0.001,
      9,
    );
    expect(closures[1]?.realizedPnl).toBeCloseTo(
      (bar(3).open - entryPrice) * 0.75 - entryFee * 0.75 - bar(3).open * 0.75 * 0.001,
      9,
    );
    const account = broker.account();
    expect(account.realizedPnl).toBeCloseTo((closures[0]?.realizedPnl ?? 0) + (closures[1]?.realizedPnl ?? 0), 9);
    expect(account.cash).toBeCloseTo(100_000 + account.realizedPnl, 9);
    expect(account.equity).toBe(account.cash);
  });

  it('returns the existing order for a repeated client order id and rejects malformed orders', async () => {
    const { broker, updates } = setup();
    const first = await broker.submitOrder(entry());
    const again = await broker.submitOrder(entry({ quantity: 3 }));
    expect(again).toBe(first);
    broker.processBar('BTCUSDT', bar(1));
    expect(broker.positions()).toHaveLength(1);
    const rejected = await broker.submitOrder(entry({ clientOrderId: 'zero', quantity: 0 }));
    expect(rejected.status).toBe('rejected');
    expect(
      updates.some(
        (u) => u.type === 'order' && u.order.orderId === rejected.orderId && u.reason === 'quantity must be > 0, got 0',
      ),
    ).toBe(true);
  });

  it('cancels an exit whose position closed before it could fill', async () => {
    const { broker, updates, clock } = setup({ feeBps: 0 });
    const stop = bar(1).low - 1;
    await broker.submitOrder(entry({ stopLoss: stop }));
    broker.processBar('BTCUSDT', bar(1));
    const [position] = broker.positions();
    // Placed during bar 00:02, so it waits for bar 00:03; the stop fires inside bar 00:02 first.
    await clock.advanceTo(march(1, 0, 2) + 30_000);
    await broker.closePosition(position?.positionId ?? '', 'late-exit');
    broker.processBar('BTCUSDT', { ...bar(2), low: stop - 10 });
    broker.processBar('BTCUSDT', bar(3));
    const cancelled = updates.find((u) => u.type === 'order' && u.order.status === 'cancelled');
    expect(cancelled?.type === 'order' && cancelled.reason).toBe('position already closed');
  });
});
