import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bar, SimulatedClock } from '@quant/core';
import { CsvBarSource } from '@quant/services';
import ccxt from 'ccxt';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_ACCOUNT, type ExchangeSimOptions, type RunningExchangeSim } from './start-exchange-sim.js';
import { ACCOUNT, client, DATA, FIRST_OPEN, MINUTE, startSim } from './test-support/harness.js';
import type { SimOrderRow, SimTradeRow } from './venue.js';

const HOUR = 60 * MINUTE;
const START = FIRST_OPEN + HOUR; // 01:00, the 01:00 bar forming
let bars: Bar[];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const csv = await CsvBarSource.load({ path: DATA, symbol: 'BTCUSDT', clock: new SimulatedClock(0) });
  bars = csv.allBars();
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function start(options: Partial<ExchangeSimOptions> = {}, start = START) {
  const { sim, clock } = await startSim(start, options);
  closers.push(() => sim.close());
  const exchange = client(sim);
  await exchange.loadMarkets();
  return { sim, clock, exchange };
}

/** `GET <url>/sim/<what>`, with `?apiKey=` unless `apiKey` is null: status and JSON body. */
async function simGet(
  exsim: RunningExchangeSim,
  what: 'orders' | 'trades',
  apiKey: string | null = ACCOUNT.apiKey,
): Promise<{ status: number; body: unknown }> {
  const query = apiKey === null ? '' : `?apiKey=${encodeURIComponent(apiKey)}`;
  const response = await fetch(`${exsim.url}/sim/${what}${query}`);
  return { status: response.status, body: await response.json() };
}
const orders = async (exsim: RunningExchangeSim) => (await simGet(exsim, 'orders')).body as SimOrderRow[];
const trades = async (exsim: RunningExchangeSim) => (await simGet(exsim, 'trades')).body as SimTradeRow[];

type Client = ReturnType<typeof client>;
const limitBuy = (exchange: Client, clientOrderId: string) =>
  exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 20_000, { clientOrderId }); // far below: stays open
const marketBuy = (exchange: Client, clientOrderId: string) =>
  exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId });

describe("clientIdReuse 'binance': an id is refused while its order is open, and places a new order once closed", () => {
  test('open: refused; cancelled or filled: a new order, found by origClientOrderId', async () => {
    const { sim: exsim, clock, exchange } = await start({ clientIdReuse: 'binance' });
    const first = await limitBuy(exchange, 'again-1');
    await expect(limitBuy(exchange, 'again-1')).rejects.toThrow(ccxt.InvalidOrder);
    await expect(marketBuy(exchange, 'again-1')).rejects.toThrow(/-2010.*Duplicate order sent\./);

    await exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'again-1' }); // closed: cancelled
    const second = await marketBuy(exchange, 'again-1');
    expect([first.id, second.id]).toEqual(['1', '2']);
    expect(second).toMatchObject({ clientOrderId: 'again-1', status: 'open' });
    await expect(marketBuy(exchange, 'again-1')).rejects.toThrow(/Duplicate order sent/); // the market order is open
    expect(await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'again-1' })).toMatchObject({ id: '2' });

    clock.tickTo(START + 2 * MINUTE); // the 01:00 bar closes: order 2 fills
    expect(await exchange.fetchOrder('2', 'BTC/USDT')).toMatchObject({ status: 'closed', filled: 0.01 });
    const third = await limitBuy(exchange, 'again-1'); // closed: filled
    expect(third).toMatchObject({ id: '3', clientOrderId: 'again-1', status: 'open' });
    // By client id: the most recent order; by orderId: each one.
    expect(await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'again-1' })).toMatchObject({
      id: '3',
      status: 'open',
    });
    expect(await exchange.fetchOrder('1', 'BTC/USDT')).toMatchObject({ clientOrderId: 'again-1', status: 'canceled' });
    const cancelled = await exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'again-1' });
    expect(cancelled).toMatchObject({ id: '3', status: 'canceled' });
    await expect(exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'again-1' })).rejects.toThrow(/-2011/);
    expect((await exchange.fetchMyTrades('BTC/USDT')).map((trade) => trade.order)).toEqual(['2']);

    expect(await orders(exsim)).toEqual([
      expect.objectContaining({ orderId: 1, clientOrderId: 'again-1', type: 'LIMIT', status: 'CANCELED' }),
      expect.objectContaining({ orderId: 2, clientOrderId: 'again-1', type: 'MARKET', status: 'FILLED' }),
      expect.objectContaining({ orderId: 3, clientOrderId: 'again-1', type: 'LIMIT', status: 'CANCELED' }),
    ]);
  });

  test('an id the exchange made for a reused one stays free for the client', async () => {
    const { sim: exsim, exchange } = await start({ clientIdReuse: 'binance' });
    await limitBuy(exchange, 'x');
    await exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'x' });
    await limitBuy(exchange, 'x'); // order 2: the matcher knows it as x_r2
    const own = await limitBuy(exchange, 'x_r2'); // a new id to the client: a new order, not order 2
    expect(own).toMatchObject({ id: '3', clientOrderId: 'x_r2', status: 'open' });
    const long = 'a'.repeat(36);
    await limitBuy(exchange, long);
    await exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: long });
    expect(await limitBuy(exchange, long)).toMatchObject({ id: '5', clientOrderId: long });
    expect((await orders(exsim)).map((order) => [order.orderId, order.clientOrderId, order.status])).toEqual([
      [1, 'x', 'CANCELED'],
      [2, 'x', 'NEW'],
      [3, 'x_r2', 'NEW'],
      [4, long, 'CANCELED'],
      [5, long, 'NEW'],
    ]);
    expect((await exchange.fetchOpenOrders('BTC/USDT')).map((order) => order.clientOrderId)).toEqual([
      'x',
      'x_r2',
      long,
    ]);
  });
});

describe("clientIdReuse 'never' (the default): a used id is refused whatever its order's status", () => {
  test.each([[{}], [{ clientIdReuse: 'never' as const }]])('%o', async (options) => {
    const { sim: exsim, clock, exchange } = await start(options);
    await limitBuy(exchange, 'once-1');
    await expect(limitBuy(exchange, 'once-1')).rejects.toThrow(/-2010.*Duplicate order sent\./); // open
    await exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'once-1' });
    await expect(limitBuy(exchange, 'once-1')).rejects.toThrow(/Duplicate order sent/); // cancelled
    await marketBuy(exchange, 'once-2');
    clock.tickTo(START + 2 * MINUTE);
    await expect(marketBuy(exchange, 'once-2')).rejects.toThrow(/Duplicate order sent/); // filled
    expect((await orders(exsim)).map((order) => [order.clientOrderId, order.status])).toEqual([
      ['once-1', 'CANCELED'],
      ['once-2', 'FILLED'],
    ]);
  });

  test('a value other than never or binance is refused', async () => {
    await expect(
      startSim(START, { clientIdReuse: 'sometimes' as ExchangeSimOptions['clientIdReuse'] }),
    ).rejects.toMatchObject({
      code: 'EXSIM_BAD_OPTIONS',
      message: expect.stringContaining("clientIdReuse must be 'never'"),
    });
  });
});

describe('GET /sim/orders and /sim/trades: what an account sent and traded', () => {
  test('orders with their fields as numbers, trades with their order and client id', async () => {
    const { sim: exsim, clock, exchange } = await start({ clientIdReuse: 'binance' });
    await marketBuy(exchange, 'in-1');
    await limitBuy(exchange, 'low-1');
    clock.tickTo(START + 2 * MINUTE); // in-1 fills at the 01:00 bar's open
    await exchange.createOrder('BTC/USDT', 'market', 'sell', 0.01, undefined, { clientOrderId: 'in-1' }); // reused
    clock.tickTo(START + 3 * MINUTE); // the sell fills at the 01:02 bar's open
    const entry = bars[60] as Bar;
    const exit = bars[62] as Bar;

    expect(await orders(exsim)).toEqual([
      {
        orderId: 1,
        clientOrderId: 'in-1',
        side: 'BUY',
        type: 'MARKET',
        status: 'FILLED',
        quantity: 0.01,
        filledQuantity: 0.01,
        createdAt: START,
      },
      {
        orderId: 2,
        clientOrderId: 'low-1',
        side: 'BUY',
        type: 'LIMIT',
        status: 'NEW',
        quantity: 0.01,
        filledQuantity: 0,
        createdAt: START,
      },
      {
        orderId: 3,
        clientOrderId: 'in-1',
        side: 'SELL',
        type: 'MARKET',
        status: 'FILLED',
        quantity: 0.01,
        filledQuantity: 0.01,
        createdAt: START + 2 * MINUTE,
      },
    ]);
    const listed = await trades(exsim);
    expect(listed).toEqual([
      {
        tradeId: 1,
        orderId: 1,
        clientOrderId: 'in-1',
        side: 'BUY',
        quantity: 0.01,
        price: expect.closeTo(entry.open * 1.0001, 6),
        fee: expect.closeTo(0.01 * entry.open * 1.0001 * 0.001, 8),
        time: entry.openTime,
      },
      {
        tradeId: 2,
        orderId: 3,
        clientOrderId: 'in-1',
        side: 'SELL',
        quantity: 0.01,
        price: expect.closeTo(exit.open * 0.9999, 6),
        fee: expect.closeTo(0.01 * exit.open * 0.9999 * 0.001, 8),
        time: exit.openTime,
      },
    ]);
    // The same trades as myTrades reports.
    const mine = await exchange.fetchMyTrades('BTC/USDT');
    expect(mine.map((trade) => [Number(trade.id), Number(trade.order), trade.timestamp])).toEqual(
      listed.map((trade) => [trade.tradeId, trade.orderId, trade.time]),
    );
  });

  test("the default account's without apiKey; an unknown key is a 404 with Binance's error body", async () => {
    const { sim: exsim } = await start({ accounts: [ACCOUNT, DEFAULT_ACCOUNT] });
    const other = client(exsim, { apiKey: DEFAULT_ACCOUNT.apiKey, secret: DEFAULT_ACCOUNT.secret });
    await other.loadMarkets();
    await limitBuy(other, 'default-1');
    expect(((await simGet(exsim, 'orders', null)).body as SimOrderRow[]).map((o) => o.clientOrderId)).toEqual([
      'default-1',
    ]);
    expect(await simGet(exsim, 'orders')).toEqual({ status: 200, body: [] }); // ACCOUNT's: none
    expect(await simGet(exsim, 'trades', null)).toEqual({ status: 200, body: [] });
    const unknown = { status: 404, body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } };
    expect(await simGet(exsim, 'orders', 'nobody')).toEqual(unknown);
    expect(await simGet(exsim, 'trades', 'nobody')).toEqual(unknown);
    expect(await simGet(exsim, 'orders', '')).toEqual(unknown);
  });

  test('without the default account, no apiKey is a 404', async () => {
    const { sim: exsim } = await start(); // ACCOUNT only
    expect((await simGet(exsim, 'orders', null)).status).toBe(404);
  });
});

describe('a restart on the same state file with reused client ids', () => {
  test('gives the same orders, trades, lookups and open orders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exsim-reuse-'));
    try {
      const state = join(dir, 'state.sqlite');
      const first = await start({ clientIdReuse: 'binance', state });
      await marketBuy(first.exchange, 'r-1');
      await limitBuy(first.exchange, 'r-2');
      first.clock.tickTo(START + 2 * MINUTE);
      await first.exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'r-2' });
      await first.exchange.createOrder('BTC/USDT', 'market', 'sell', 0.01, undefined, { clientOrderId: 'r-1' });
      await limitBuy(first.exchange, 'r-2'); // open when the exchange stops
      first.clock.tickTo(START + 4 * MINUTE);
      const before = { orders: await orders(first.sim), trades: await trades(first.sim) };
      expect(before.orders.map((order) => [order.clientOrderId, order.status])).toEqual([
        ['r-1', 'FILLED'],
        ['r-2', 'CANCELED'],
        ['r-1', 'FILLED'],
        ['r-2', 'NEW'],
      ]);
      expect(before.trades).toHaveLength(2);
      const balance = (await first.exchange.fetchBalance()).total;
      await first.sim.close();

      const second = await start({ clientIdReuse: 'binance', state }, START + 4 * MINUTE);
      expect(await orders(second.sim)).toEqual(before.orders);
      expect(await trades(second.sim)).toEqual(before.trades);
      expect((await second.exchange.fetchBalance()).total).toEqual(balance);
      expect(await second.exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'r-1' })).toMatchObject({ id: '3' });
      expect((await second.exchange.fetchOpenOrders('BTC/USDT')).map((order) => order.id)).toEqual(['4']);
      // The restored open order is back in the matcher under its own key: refused while open, cancellable, reusable.
      await expect(limitBuy(second.exchange, 'r-2')).rejects.toThrow(/Duplicate order sent/);
      expect(await second.exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'r-2' })).toMatchObject({ id: '4' });
      expect(await limitBuy(second.exchange, 'r-2')).toMatchObject({ id: '5', clientOrderId: 'r-2' });
      await second.sim.close();

      // Restored the same in 'never' mode: the mode only decides about new orders.
      const third = await start({ state }, START + 4 * MINUTE);
      const restored = await orders(third.sim);
      expect(restored.slice(0, 4)).toEqual([...before.orders.slice(0, 3), { ...before.orders[3], status: 'CANCELED' }]);
      expect(restored.map((order) => order.orderId)).toEqual([1, 2, 3, 4, 5]);
      await expect(limitBuy(third.exchange, 'r-1')).rejects.toThrow(/Duplicate order sent/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
