import { type Bar, type Fill, SimulatedClock } from '@quant/core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CsvBarSource } from '../market-data/csv-bar-source.js';
import type { BrokerUpdate, SubmitOrderRequest, VenueOrder } from '../ports/broker.js';
import type { MarketDataSource } from '../ports/market-data-source.js';
import { BTCUSDT, realBars } from '../test-support/real-data.js';
import { BrokerError } from './broker-error.js';
import { SimulatedExchange, type SimulatedExchangeOptions } from './simulated-exchange.js';

const SYMBOL = 'BTCUSDT';
const MINUTE = 60_000;

let bars: Bar[];
beforeAll(async () => {
  bars = await realBars('1m', 600);
});
/** The real bar of 2023-03-01 00:`minute` UTC. */
const bar = (minute: number): Bar => bars[minute] as Bar;

/**
 * An exchange whose clock stands at the open of bar `start` (bar `start - 1`
 * has just closed), with fees and slippage off unless asked, and every update recorded.
 */
function setup(options: Partial<SimulatedExchangeOptions> = {}, start = 1) {
  const clock = new SimulatedClock(bar(start).openTime);
  const exchange = new SimulatedExchange({ clock, initialCash: 100_000, feeBps: 0, slippageBps: 0, ...options });
  const updates: BrokerUpdate[] = [];
  exchange.subscribe((update) => updates.push(update));
  let next = 0;
  return {
    clock,
    exchange,
    updates,
    fills: (): Fill[] => updates.flatMap((update) => (update.type === 'fill' ? [update.fill] : [])),
    /** A market buy of 0.5 with a fresh client order id, changed by `overrides`. */
    order: (overrides: Partial<SubmitOrderRequest> = {}): SubmitOrderRequest => ({
      clientOrderId: `order-${++next}`,
      symbol: SYMBOL,
      side: 'buy',
      type: 'market',
      quantity: 0.5,
      ...overrides,
    }),
    /** Lets the exchange trade bar `minute`. */
    trade: (minute: number) => exchange.processBar(SYMBOL, bar(minute)),
    /** Moves the clock to the open of bar `minute`. */
    at: (minute: number, offsetMs = 0) => clock.advanceTo(bar(minute).openTime + offsetMs),
  };
}

/** The code a call rejected with, `'resolved'` when it did not, or `'not a BrokerError'`. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'resolved';
  } catch (error) {
    return BrokerError.isInstance(error) ? error.code : 'not a BrokerError';
  }
}

describe('SimulatedExchange', () => {
  describe('market orders', () => {
    it('fill at the open of the next bar, never of a bar that opened before the order', async () => {
      const { exchange, trade, fills, at } = setup();
      // Received at 00:01:00, when bar 00:00 has closed and bar 00:01 opens.
      const placed = await exchange.submitOrder({
        clientOrderId: 'entry',
        symbol: SYMBOL,
        side: 'buy',
        type: 'market',
        quantity: 0.5,
      });
      expect(placed).toMatchObject({
        status: 'open',
        filledQuantity: 0,
        averagePrice: null,
        createdAt: bar(1).openTime,
      });
      trade(0);
      expect(fills()).toEqual([]);
      trade(1);
      expect(fills()).toEqual([
        {
          fillId: 'sim-f-1',
          orderId: placed.orderId,
          clientOrderId: 'entry',
          symbol: SYMBOL,
          side: 'buy',
          quantity: 0.5,
          price: bar(1).open,
          fee: 0,
          timestamp: bar(1).openTime,
        },
      ]);
      expect(await exchange.fetchOrder(SYMBOL, 'entry')).toMatchObject({
        status: 'filled',
        filledQuantity: 0.5,
        averagePrice: bar(1).open,
        updatedAt: bar(1).openTime,
      });

      // Received half-way through bar 00:02: it waits for bar 00:03.
      await at(2, 30_000);
      await exchange.submitOrder({
        clientOrderId: 'late',
        symbol: SYMBOL,
        side: 'sell',
        type: 'market',
        quantity: 0.5,
      });
      trade(2);
      expect(fills()).toHaveLength(1);
      trade(3);
      expect(fills()[1]).toMatchObject({ clientOrderId: 'late', price: bar(3).open, timestamp: bar(3).openTime });
    });

    it('slip against the order and pay the fee in basis points of the notional', async () => {
      const { exchange, trade, fills, order } = setup({ feeBps: 10, slippageBps: 5 });
      await exchange.submitOrder(order({ side: 'buy' }));
      await exchange.submitOrder(order({ side: 'sell' }));
      trade(1);
      // bar 00:01 opens at 23 143.89: a buy pays 5 bps more, a sell gets 5 bps less.
      expect(bar(1).open).toBe(23_143.89);
      const [buy, sell] = fills();
      expect(buy?.price).toBeCloseTo(23_155.461945, 9);
      expect(buy?.fee).toBeCloseTo(11.5777309725, 9); // 0.5 × 23 155.461945 × 10 / 10 000
      expect(sell?.price).toBeCloseTo(23_132.318055, 9);
      expect(sell?.fee).toBeCloseTo(11.5661590275, 9);
      // The round trip costs both fees and the slippage: (23 132.318055 − 23 155.461945) × 0.5 = −11.571 945.
      const [balance] = await exchange.fetchBalances();
      expect(balance?.total).toBeCloseTo(100_000 - 11.5777309725 - 11.5661590275 - 11.571945, 6);
      expect(await exchange.fetchPositions()).toEqual([]);
    });
  });

  describe('limit orders', () => {
    it('fill at the limit when the bar trades through it, never with slippage', async () => {
      const { exchange, trade, fills, order } = setup({ slippageBps: 50 });
      // bar 00:01: open 23 143.89, high 23 148.80, low 23 137.61.
      await exchange.submitOrder(order({ type: 'limit', side: 'buy', limitPrice: 23_140 }));
      await exchange.submitOrder(order({ type: 'limit', side: 'sell', limitPrice: 23_145 }));
      trade(1);
      expect(fills().map((fill) => [fill.side, fill.price])).toEqual([
        ['buy', 23_140],
        ['sell', 23_145],
      ]);
    });

    it('fill at the open, better than the limit, when the market already stands past it', async () => {
      const { exchange, trade, fills, order } = setup();
      // bar 00:01 opens at 23 143.89: above the sell limit and below the buy limit.
      await exchange.submitOrder(order({ type: 'limit', side: 'sell', limitPrice: 23_128 }));
      await exchange.submitOrder(order({ type: 'limit', side: 'buy', limitPrice: 23_150 }));
      trade(1);
      expect(fills().map((fill) => [fill.side, fill.price])).toEqual([
        ['sell', 23_143.89],
        ['buy', 23_143.89],
      ]);

      // Bar 00:12 gapped up: the previous bar closed at 23 124.43, below the limit; this one opens at 23 131.32.
      expect([bar(11).close, bar(12).open]).toEqual([23_124.43, 23_131.32]);
      const gap = setup({}, 12);
      await gap.exchange.submitOrder(gap.order({ type: 'limit', side: 'sell', limitPrice: 23_128 }));
      gap.trade(12);
      expect(gap.fills().map((fill) => [fill.side, fill.price])).toEqual([['sell', 23_131.32]]);
    });

    it('stay open while the market does not reach the limit, then fill when it does', async () => {
      const { exchange, trade, fills, order } = setup();
      // bar 00:01 low 23 137.61; bar 00:02 low 23 136.83.
      const placed = await exchange.submitOrder(order({ type: 'limit', side: 'buy', limitPrice: 23_137 }));
      trade(1);
      expect(fills()).toEqual([]);
      expect(await exchange.fetchOpenOrders(SYMBOL)).toEqual([placed]);
      trade(2);
      expect(fills()).toMatchObject([{ price: 23_137, timestamp: bar(2).openTime }]);
      expect(await exchange.fetchOpenOrders()).toEqual([]);
    });
  });

  describe('stop and take-profit orders', () => {
    it('fill at the trigger when the bar trades through it, with slippage', async () => {
      const { exchange, trade, fills, order } = setup({ slippageBps: 10 });
      // bar 00:01: open 23 143.89, high 23 148.80, low 23 137.61.
      await exchange.submitOrder(order({ type: 'stop', side: 'sell', triggerPrice: 23_140 }));
      await exchange.submitOrder(order({ type: 'stop', side: 'buy', triggerPrice: 23_147 }));
      await exchange.submitOrder(order({ type: 'take_profit', side: 'sell', triggerPrice: 23_148 }));
      await exchange.submitOrder(order({ type: 'take_profit', side: 'buy', triggerPrice: 23_138 }));
      trade(1);
      const prices = fills().map((fill) => [fill.clientOrderId, fill.side, fill.price]);
      expect(prices).toEqual([
        ['order-1', 'sell', 23_140 * 0.999],
        ['order-2', 'buy', 23_147 * 1.001],
        ['order-3', 'sell', 23_148 * 0.999],
        ['order-4', 'buy', 23_138 * 1.001],
      ]);
    });

    it('do not fill while the trigger is not reached', async () => {
      const { exchange, trade, fills, order } = setup();
      await exchange.submitOrder(order({ type: 'stop', side: 'sell', triggerPrice: 23_137 }));
      await exchange.submitOrder(order({ type: 'take_profit', side: 'sell', triggerPrice: 23_149 }));
      trade(1);
      expect(fills()).toEqual([]);
      expect(await exchange.fetchOpenOrders(SYMBOL)).toHaveLength(2);
    });

    it('fill at the open when the bar gaps through the trigger', async () => {
      // Bar 00:28 gapped down: the previous bar closed at 23 191.26, this one opens at 23 180.42.
      const down = setup({}, 28);
      expect([bar(27).close, bar(28).open]).toEqual([23_191.26, 23_180.42]);
      await down.exchange.submitOrder(down.order({ type: 'stop', side: 'sell', triggerPrice: 23_185 }));
      await down.exchange.submitOrder(down.order({ type: 'take_profit', side: 'buy', triggerPrice: 23_185 }));
      down.trade(28);
      expect(down.fills().map((fill) => [fill.side, fill.price])).toEqual([
        ['sell', 23_180.42],
        ['buy', 23_180.42],
      ]);

      // Bar 00:12 gapped up from 23 124.43 to 23 131.32.
      const up = setup({}, 12);
      await up.exchange.submitOrder(up.order({ type: 'stop', side: 'buy', triggerPrice: 23_128 }));
      await up.exchange.submitOrder(up.order({ type: 'take_profit', side: 'sell', triggerPrice: 23_128 }));
      up.trade(12);
      expect(up.fills().map((fill) => [fill.side, fill.price])).toEqual([
        ['buy', 23_131.32],
        ['sell', 23_131.32],
      ]);
    });
  });

  describe('one-cancels-other groups', () => {
    it('assume the stop was hit first when the stop and the take-profit both lie inside one bar', async () => {
      const wide = bars.findIndex((b, i) => i > 2 && b.low <= b.open - 5 && b.high >= b.open + 5);
      const { exchange, trade, fills, order, at, updates } = setup({}, wide - 1);
      await exchange.submitOrder(order({ clientOrderId: 'entry', quantity: 1 }));
      trade(wide - 1);
      await at(wide);
      const stop = bar(wide).open - 5;
      const target = bar(wide).open + 5;
      await exchange.submitOrder(
        order({ clientOrderId: 'stop', type: 'stop', side: 'sell', quantity: 1, triggerPrice: stop, ocoGroup: 'exit' }),
      );
      await exchange.submitOrder(
        order({
          clientOrderId: 'target',
          type: 'take_profit',
          side: 'sell',
          quantity: 1,
          triggerPrice: target,
          ocoGroup: 'exit',
        }),
      );
      trade(wide);
      expect(fills().map((fill) => [fill.clientOrderId, fill.price])).toEqual([
        ['entry', bar(wide - 1).open],
        ['stop', stop],
      ]);
      const cancelled = await exchange.fetchOrder(SYMBOL, 'target');
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        reason: 'one-cancels-other: stop filled',
        filledQuantity: 0,
      });
      expect(updates.at(-1)).toEqual({ type: 'order', order: cancelled });
      expect(await exchange.fetchPositions()).toEqual([]);
      const [balance] = await exchange.fetchBalances();
      expect(balance?.total).toBeCloseTo(100_000 + (stop - bar(wide - 1).open), 9);
    });

    it('cancel the stop when the take-profit fills', async () => {
      const { exchange, trade, fills, order } = setup();
      // bar 00:01: high 23 148.80, low 23 137.61.
      await exchange.submitOrder(
        order({ clientOrderId: 'stop', type: 'stop', side: 'sell', triggerPrice: 23_130, ocoGroup: 'g' }),
      );
      await exchange.submitOrder(
        order({ clientOrderId: 'target', type: 'take_profit', side: 'sell', triggerPrice: 23_148, ocoGroup: 'g' }),
      );
      await exchange.submitOrder(
        order({ clientOrderId: 'other', type: 'stop', side: 'sell', triggerPrice: 23_000, ocoGroup: 'h' }),
      );
      trade(1);
      expect(fills().map((fill) => fill.clientOrderId)).toEqual(['target']);
      expect(await exchange.fetchOrder(SYMBOL, 'stop')).toMatchObject({
        status: 'cancelled',
        reason: 'one-cancels-other: target filled',
      });
      expect((await exchange.fetchOpenOrders()).map((open) => open.clientOrderId)).toEqual(['other']);
    });
  });

  describe('orders received while a bar is being matched', () => {
    it('a stop placed when the entry fills at the open is matched against the rest of that bar', async () => {
      const { exchange, trade, fills, order } = setup();
      const placed: Promise<VenueOrder>[] = [];
      exchange.subscribe((update) => {
        if (update.type === 'fill' && update.fill.clientOrderId === 'entry') {
          // bar 00:01 opens at 23 143.89 and trades down to 23 137.61.
          placed.push(
            exchange.submitOrder(order({ clientOrderId: 'stop', type: 'stop', side: 'sell', triggerPrice: 23_140 })),
          );
        }
      });
      await exchange.submitOrder(order({ clientOrderId: 'entry' }));
      trade(1);
      const [stop] = await Promise.all(placed);
      expect(stop?.createdAt).toBe(bar(1).openTime);
      expect(fills().map((fill) => [fill.clientOrderId, fill.price, fill.timestamp])).toEqual([
        ['entry', 23_143.89, bar(1).openTime],
        ['stop', 23_140, bar(1).openTime],
      ]);
    });

    it('a market order placed then waits for the next open, and an IOC one is not expired before it could fill', async () => {
      const { exchange, trade, fills, order } = setup();
      exchange.subscribe((update) => {
        if (update.type === 'fill' && update.fill.clientOrderId === 'entry') {
          void exchange.submitOrder(order({ clientOrderId: 'next', side: 'sell', quantity: 0.2 }));
          void exchange.submitOrder(
            order({ clientOrderId: 'next-ioc', side: 'sell', quantity: 0.3, timeInForce: 'IOC' }),
          );
        }
      });
      await exchange.submitOrder(order({ clientOrderId: 'entry' }));
      trade(1);
      expect(fills().map((fill) => fill.clientOrderId)).toEqual(['entry']);
      expect((await exchange.fetchOpenOrders()).map((open) => open.clientOrderId)).toEqual(['next', 'next-ioc']);
      trade(2);
      expect(fills().map((fill) => [fill.clientOrderId, fill.price])).toEqual([
        ['entry', bar(1).open],
        ['next', bar(2).open],
        ['next-ioc', bar(2).open],
      ]);
    });
  });

  describe('requests', () => {
    it('are idempotent by client order id: a repeated submit returns the existing order and places nothing', async () => {
      const { exchange, trade, fills, order, updates } = setup();
      const first = await exchange.submitOrder(order({ clientOrderId: 'once' }));
      const again = await exchange.submitOrder(order({ clientOrderId: 'once', quantity: 3, side: 'sell' }));
      expect(again).toBe(first);
      expect(await exchange.fetchOpenOrders()).toEqual([first]);
      expect(updates).toHaveLength(1);
      trade(1);
      const filled = await exchange.fetchOrder(SYMBOL, 'once');
      expect(await exchange.submitOrder(order({ clientOrderId: 'once' }))).toBe(filled);
      trade(2);
      expect(fills()).toMatchObject([{ clientOrderId: 'once', side: 'buy', quantity: 0.5 }]);
    });

    it.each<[string, Partial<SubmitOrderRequest>]>([
      ['a quantity of 0', { quantity: 0 }],
      ['a negative quantity', { quantity: -1 }],
      ['a quantity that is not a number', { quantity: Number.NaN }],
      ['an infinite quantity', { quantity: Number.POSITIVE_INFINITY }],
      ['an empty client order id', { clientOrderId: '' }],
      ['a client order id with a space', { clientOrderId: 'bad id' }],
      ['a client order id of 37 characters', { clientOrderId: 'x'.repeat(37) }],
      ['a limit order without a limit price', { type: 'limit' }],
      ['a limit order with a limit price of 0', { type: 'limit', limitPrice: 0 }],
      ['a stop order without a trigger price', { type: 'stop' }],
      ['a take-profit order with a negative trigger price', { type: 'take_profit', triggerPrice: -5 }],
      ['an unknown side', { side: 'long' as SubmitOrderRequest['side'] }],
    ])('reject %s with a BrokerError "rejected" and keep nothing', async (_, overrides) => {
      const { exchange, order, updates } = setup();
      const request = order({ clientOrderId: 'refused', ...overrides });
      expect(await outcome(exchange.submitOrder(request))).toBe('rejected');
      expect(await outcome(exchange.fetchOrder(SYMBOL, request.clientOrderId))).toBe('not_found');
      expect(updates).toEqual([]);
    });

    it('answer "unsupported" for stop and take-profit orders when native stops are off, and for an unknown time in force', async () => {
      const { exchange, order } = setup({ nativeStops: false });
      expect(exchange.capabilities).toMatchObject({ orderTypes: ['market', 'limit'], nativeStops: false });
      expect(await outcome(exchange.submitOrder(order({ type: 'stop', triggerPrice: 23_000 })))).toBe('unsupported');
      expect(await outcome(exchange.submitOrder(order({ type: 'take_profit', triggerPrice: 24_000 })))).toBe(
        'unsupported',
      );
      const gtd = order({ timeInForce: 'GTD' as SubmitOrderRequest['timeInForce'] });
      expect(await outcome(exchange.submitOrder(gtd))).toBe('unsupported');
      expect(await outcome(exchange.submitOrder(order({ type: 'limit', limitPrice: 23_000 })))).toBe('resolved');
    });

    it('answer "insufficient_funds" when the account has nothing left', async () => {
      const { exchange, order } = setup({ initialCash: 0 });
      expect(await outcome(exchange.submitOrder(order()))).toBe('insufficient_funds');
    });

    it('cancel a working order once; cancelling again or cancelling a filled order returns it unchanged', async () => {
      const { exchange, trade, fills, order, updates, at } = setup();
      await exchange.submitOrder(order({ clientOrderId: 'far', type: 'limit', limitPrice: 20_000 }));
      await exchange.submitOrder(order({ clientOrderId: 'market' }));
      trade(1);
      await at(2, 5_000);
      const cancelled = await exchange.cancelOrder(SYMBOL, 'far');
      expect(cancelled).toMatchObject({
        clientOrderId: 'far',
        status: 'cancelled',
        reason: 'cancelled by the client',
        updatedAt: bar(2).openTime + 5_000,
      });
      expect(updates.at(-1)).toEqual({ type: 'order', order: cancelled });
      expect(await exchange.cancelOrder(SYMBOL, 'far')).toBe(cancelled);
      expect(await exchange.fetchOpenOrders()).toEqual([]);
      const filled = await exchange.fetchOrder(SYMBOL, 'market');
      expect(await exchange.cancelOrder(SYMBOL, 'market')).toBe(filled);
      expect(await outcome(exchange.cancelOrder(SYMBOL, 'never-sent'))).toBe('not_found');
      trade(3);
      expect(fills().map((fill) => fill.clientOrderId)).toEqual(['market']);
    });

    it('fetchOrder answers "not_found" for an unknown client order id', async () => {
      const { exchange } = setup();
      expect(await outcome(exchange.fetchOrder(SYMBOL, 'never-sent'))).toBe('not_found');
    });

    it('fetchFills returns the fills of one symbol at or after a time, oldest first, the same on every call', async () => {
      const { exchange, trade, order, at } = setup();
      await exchange.submitOrder(order({ clientOrderId: 'first' }));
      trade(1);
      await at(3);
      await exchange.submitOrder(order({ clientOrderId: 'second', side: 'sell' }));
      trade(2);
      trade(3);
      const all = await exchange.fetchFills(SYMBOL, 0);
      expect(all.map((fill) => [fill.fillId, fill.clientOrderId, fill.timestamp])).toEqual([
        ['sim-f-1', 'first', bar(1).openTime],
        ['sim-f-2', 'second', bar(3).openTime],
      ]);
      expect(await exchange.fetchFills(SYMBOL, bar(1).openTime)).toEqual(all);
      expect(await exchange.fetchFills(SYMBOL, bar(1).openTime + 1)).toEqual([all[1]]);
      expect(await exchange.fetchFills(SYMBOL, bar(3).openTime + 1)).toEqual([]);
      expect(await exchange.fetchFills('ETHUSDT', 0)).toEqual([]);
    });

    it('fetchOpenOrders lists working orders oldest first, by symbol, without final ones', async () => {
      const { exchange, trade, order } = setup();
      await exchange.submitOrder(order({ clientOrderId: 'a', type: 'limit', limitPrice: 20_000 }));
      await exchange.submitOrder(order({ clientOrderId: 'eth', symbol: 'ETHUSDT', type: 'limit', limitPrice: 1_000 }));
      await exchange.submitOrder(order({ clientOrderId: 'b', type: 'stop', side: 'sell', triggerPrice: 20_000 }));
      await exchange.submitOrder(order({ clientOrderId: 'filled' }));
      trade(1);
      expect((await exchange.fetchOpenOrders(SYMBOL)).map((open) => open.clientOrderId)).toEqual(['a', 'b']);
      expect((await exchange.fetchOpenOrders('ETHUSDT')).map((open) => open.clientOrderId)).toEqual(['eth']);
      expect((await exchange.fetchOpenOrders()).map((open) => open.clientOrderId)).toEqual(['a', 'eth', 'b']);
    });
  });

  describe('balances and positions', () => {
    it('keep a net position per symbol and move realized P&L and fees into the balance', async () => {
      const { exchange, trade, order, at } = setup({ feeBps: 10 });
      // Opens: 00:01 23 143.89, 00:02 23 141.80, 00:03 23 152.98; closes: 00:02 23 153.44, 00:03 23 158.23.
      await exchange.submitOrder(order({ quantity: 1 }));
      trade(1);
      await at(2);
      await exchange.submitOrder(order({ side: 'sell', quantity: 0.4 }));
      trade(2);
      // Fees 23.14389 + 9.25672; realized (23 141.80 − 23 143.89) × 0.4 = −0.836.
      expect(await exchange.fetchBalances()).toEqual([
        { currency: 'USDT', free: expect.closeTo(99_966.76339, 6), used: 0, total: expect.closeTo(99_966.76339, 6) },
      ]);
      const [long] = await exchange.fetchPositions();
      expect(long).toMatchObject({ symbol: SYMBOL, direction: 'long', entryPrice: 23_143.89 });
      expect(long?.quantity).toBeCloseTo(0.6, 12);
      expect(long?.unrealizedPnl).toBeCloseTo((23_153.44 - 23_143.89) * 0.6, 9);

      await at(3);
      await exchange.submitOrder(order({ side: 'sell', quantity: 1.6 }));
      trade(3);
      // Closes the 0.6 long (+5.454), pays 37.044768, and opens a 1.0 short at 23 152.98.
      const [balance] = await exchange.fetchBalances();
      expect(balance?.total).toBeCloseTo(99_966.76339 + 5.454 - 37.044768, 6);
      expect(balance?.total).toBe((balance?.free ?? 0) + (balance?.used ?? 0));
      const [short] = await exchange.fetchPositions();
      expect(short).toMatchObject({ symbol: SYMBOL, direction: 'short', entryPrice: 23_152.98 });
      expect(short?.quantity).toBeCloseTo(1, 12);
      expect(short?.unrealizedPnl).toBeCloseTo(-(23_158.23 - 23_152.98), 9);
    });

    it('average the entry price of a position added to', async () => {
      const { exchange, trade, order, at } = setup();
      await exchange.submitOrder(order({ quantity: 1 }));
      trade(1);
      await at(2);
      await exchange.submitOrder(order({ quantity: 3 }));
      trade(2);
      const [position] = await exchange.fetchPositions();
      expect(position?.quantity).toBe(4);
      expect(position?.entryPrice).toBeCloseTo((23_143.89 + 3 * 23_141.8) / 4, 9);
    });
  });

  describe('time in force and partial fills', () => {
    it('IOC: an order that cannot fill on its first bar expires; one that can fills', async () => {
      const { exchange, trade, fills, order } = setup();
      // bar 00:01 trades down to 23 137.61, bar 00:02 to 23 136.83.
      await exchange.submitOrder(
        order({ clientOrderId: 'miss', type: 'limit', limitPrice: 23_137, timeInForce: 'IOC' }),
      );
      await exchange.submitOrder(
        order({ clientOrderId: 'hit', type: 'limit', limitPrice: 23_140, timeInForce: 'IOC' }),
      );
      trade(1);
      expect(await exchange.fetchOrder(SYMBOL, 'miss')).toMatchObject({
        status: 'expired',
        reason: 'IOC: not filled on its first bar',
        updatedAt: bar(1).openTime,
      });
      expect(await exchange.fetchOrder(SYMBOL, 'hit')).toMatchObject({ status: 'filled', averagePrice: 23_140 });
      trade(2); // it would have filled here, but it has expired
      expect(fills().map((fill) => fill.clientOrderId)).toEqual(['hit']);
      expect(await exchange.fetchOpenOrders()).toEqual([]);
    });

    it('partial fills: an order fills at most maxVolumeShare of each bar, over several bars', async () => {
      const { exchange, trade, fills, order } = setup({ maxVolumeShare: 0.1 });
      expect(exchange.capabilities.partialFills).toBe(true);
      // Volumes: 00:01 0.881378, 00:02 0.702146, 00:03 0.185996, 00:04 1.383103.
      await exchange.submitOrder(order({ clientOrderId: 'big', quantity: 0.2 }));
      trade(1);
      expect(await exchange.fetchOrder(SYMBOL, 'big')).toMatchObject({
        status: 'partially_filled',
        averagePrice: 23_143.89,
      });
      expect(await exchange.fetchOpenOrders()).toHaveLength(1);
      for (const minute of [2, 3, 4]) trade(minute);
      const parts = fills().map((fill) => fill.quantity);
      expect(parts[0]).toBeCloseTo(0.0881378, 12);
      expect(parts[1]).toBeCloseTo(0.0702146, 12);
      expect(parts[2]).toBeCloseTo(0.0185996, 12);
      expect(parts[3]).toBeCloseTo(0.2 - 0.0881378 - 0.0702146 - 0.0185996, 12);
      const filled = await exchange.fetchOrder(SYMBOL, 'big');
      expect(filled.status).toBe('filled');
      expect(filled.filledQuantity).toBeCloseTo(0.2, 12);
      const notional = fills().reduce((sum, fill) => sum + fill.quantity * fill.price, 0);
      expect(filled.averagePrice).toBeCloseTo(notional / 0.2, 9);
      expect(fills().map((fill) => fill.price)).toEqual([bar(1).open, bar(2).open, bar(3).open, bar(4).open]);
    });

    it("partial fills share one bar's volume between orders, oldest first", async () => {
      const { exchange, trade, fills, order } = setup({ maxVolumeShare: 0.1 });
      await exchange.submitOrder(order({ clientOrderId: 'first', quantity: 0.05 }));
      await exchange.submitOrder(order({ clientOrderId: 'second', quantity: 0.05 }));
      trade(1); // 0.0881378 to share
      const [first, second] = fills();
      expect(first).toMatchObject({ clientOrderId: 'first', quantity: 0.05 });
      expect(second?.clientOrderId).toBe('second');
      expect(second?.quantity).toBeCloseTo(0.0381378, 12);
    });

    it('IOC with partial fills: what the first bar cannot fill expires', async () => {
      const { exchange, trade, order } = setup({ maxVolumeShare: 0.1 });
      await exchange.submitOrder(order({ clientOrderId: 'ioc', quantity: 0.2, timeInForce: 'IOC' }));
      trade(1);
      const expired = await exchange.fetchOrder(SYMBOL, 'ioc');
      expect(expired).toMatchObject({ status: 'expired', averagePrice: 23_143.89 });
      expect(expired.filledQuantity).toBeCloseTo(0.0881378, 12);
    });

    it('FOK: fills whole on its first bar or expires without a fill', async () => {
      const { exchange, trade, fills, order } = setup({ maxVolumeShare: 0.1 });
      await exchange.submitOrder(order({ clientOrderId: 'too-big', quantity: 0.2, timeInForce: 'FOK' }));
      await exchange.submitOrder(order({ clientOrderId: 'fits', quantity: 0.08, timeInForce: 'FOK' }));
      await exchange.submitOrder(
        order({ clientOrderId: 'unreached', type: 'limit', limitPrice: 23_000, quantity: 0.001, timeInForce: 'FOK' }),
      );
      trade(1);
      expect(await exchange.fetchOrder(SYMBOL, 'too-big')).toMatchObject({
        status: 'expired',
        filledQuantity: 0,
        reason: 'FOK: not filled on its first bar',
      });
      expect(await exchange.fetchOrder(SYMBOL, 'fits')).toMatchObject({ status: 'filled', filledQuantity: 0.08 });
      expect(await exchange.fetchOrder(SYMBOL, 'unreached')).toMatchObject({ status: 'expired', filledQuantity: 0 });
      expect(fills().map((fill) => fill.clientOrderId)).toEqual(['fits']);
    });
  });

  describe('processBar and feedFrom', () => {
    it('processBar ignores a bar at or before the last one matched', async () => {
      const { exchange, trade, fills, order } = setup({ maxVolumeShare: 0.1 });
      await exchange.submitOrder(order({ quantity: 10 }));
      trade(1);
      trade(1);
      expect(fills()).toHaveLength(1);
      trade(2);
      trade(1);
      expect(fills().map((fill) => fill.timestamp)).toEqual([bar(1).openTime, bar(2).openTime]);
    });

    it('feedFrom matches each closed bar of the exchange timeframe once, before serving it, and never a forming bar', async () => {
      const { exchange, clock, fills, order, at } = setup({ maxVolumeShare: 0.1 });
      // A live-like source: it also serves the bar still forming (and, here, 1m bars whatever the timeframe asked).
      const live: MarketDataSource = {
        fetchBars: (request) => Promise.resolve(bars.filter((b) => b.openTime <= clock.now()).slice(-request.limit)),
      };
      const source = exchange.feedFrom(live);
      const processBar = vi.spyOn(exchange, 'processBar');
      // Large enough to take a share of every bar, so a bar matched twice would show as a second fill.
      await exchange.submitOrder(order({ clientOrderId: 'big', quantity: 10 }));

      await at(3, 30_000);
      const served = await source.fetchBars({ symbol: SYMBOL, timeframe: '1m', limit: 5 });
      expect(served.map((b) => b.openTime)).toEqual([0, 1, 2, 3].map((minute) => bar(minute).openTime));
      expect(processBar.mock.calls.map(([, b]) => b.openTime)).toEqual([0, 1, 2].map((minute) => bar(minute).openTime));
      expect(fills().map((fill) => fill.timestamp)).toEqual([bar(1).openTime, bar(2).openTime]);
      // The mark is the last closed bar's close, not the forming one's.
      const [position] = await exchange.fetchPositions();
      expect(position?.unrealizedPnl).toBeCloseTo(
        (bar(2).close - (position?.entryPrice ?? 0)) * (position?.quantity ?? 0),
        9,
      );

      await source.fetchBars({ symbol: SYMBOL, timeframe: '1m', limit: 5 });
      expect(fills()).toHaveLength(2);

      // What is served for another timeframe is never matched.
      await at(5);
      await source.fetchBars({ symbol: SYMBOL, timeframe: '5m', limit: 5 });
      expect(fills()).toHaveLength(2);
      await source.fetchBars({ symbol: SYMBOL, timeframe: '1m', limit: 5 });
      expect(fills().map((fill) => fill.timestamp)).toEqual([1, 2, 3, 4].map((minute) => bar(minute).openTime));
      expect(clock.now()).toBe(bar(5).openTime);
      expect(bar(5).openTime - bar(4).openTime).toBe(MINUTE);
    });

    it('feedFrom over the CSV source lets a pipeline-like loop trade each real bar once', async () => {
      const { exchange, clock, order, at } = setup({}, 1);
      const csv = await CsvBarSource.load({ path: BTCUSDT, symbol: SYMBOL, clock });
      const source = exchange.feedFrom(csv);
      await exchange.submitOrder(order({ clientOrderId: 'entry', quantity: 1 }));
      await exchange.submitOrder(
        order({ clientOrderId: 'stop', type: 'stop', side: 'sell', quantity: 1, triggerPrice: 23_120 }),
      );
      const seen: number[] = [];
      for (let minute = 2; minute <= 12; minute++) {
        await at(minute);
        const [latest] = await source.fetchBars({ symbol: SYMBOL, timeframe: '1m', limit: 1 });
        seen.push(latest?.openTime ?? Number.NaN);
      }
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((minute) => bar(minute).openTime));
      // bar 00:09 is the first whose low (23 119.69) reaches the stop.
      expect(
        (await exchange.fetchFills(SYMBOL, 0)).map((fill) => [fill.clientOrderId, fill.price, fill.timestamp]),
      ).toEqual([
        ['entry', 23_143.89, bar(1).openTime],
        ['stop', 23_120, bar(9).openTime],
      ]);
      expect(await exchange.fetchPositions()).toEqual([]);
    });
  });
});
