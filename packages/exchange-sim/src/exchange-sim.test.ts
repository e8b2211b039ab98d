import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bar, SimulatedClock } from '@quant/core';
import { CsvBarSource, SimulatedExchange } from '@quant/services';
import ccxt from 'ccxt';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ExchangeSimError } from './exchange-sim-error.js';
import { startExchangeSim } from './start-exchange-sim.js';
import { ACCOUNT, client, DATA, FIRST_OPEN, MINUTE, startSim } from './test-support/harness.js';

const HOUR = 60 * MINUTE;
let bars: Bar[];
let csv: CsvBarSource;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  csv = await CsvBarSource.load({ path: DATA, symbol: 'BTCUSDT', clock: new SimulatedClock(0) });
  bars = csv.allBars();
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function running(start = FIRST_OPEN + HOUR, options = {}) {
  const { sim, clock } = await startSim(start, options);
  closers.push(() => sim.close());
  return { sim, clock, exchange: client(sim) };
}

const ohlcv = (bar: Bar) => [bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.volume];

describe('public market data through ccxt', () => {
  test('server time is data time, and markets carry the filters', async () => {
    const { exchange, clock } = await running();
    expect(await exchange.fetchTime()).toBe(clock.now());
    const markets = await exchange.loadMarkets();
    expect(Object.keys(markets)).toEqual(['BTC/USDT']);
    const market = markets['BTC/USDT'];
    expect(market?.precision).toMatchObject({ amount: 0.00001, price: 0.01 });
    expect(market?.limits).toMatchObject({
      amount: { min: 0.00001, max: 9000 },
      cost: { min: 5 },
      price: { min: 0.01 },
    });
  });

  test('closed bars equal the CSV and the forming bar shows only its open', async () => {
    const { exchange, clock } = await running(FIRST_OPEN + HOUR + 30_000); // 01:00:30, the 01:00 bar forming
    const latest = await exchange.fetchOHLCV('BTC/USDT', '1m', undefined, 3);
    expect(latest.slice(0, 2)).toEqual(bars.slice(58, 60).map(ohlcv));
    const forming = bars[60] as Bar;
    expect(latest[2]).toEqual([forming.openTime, forming.open, forming.open, forming.open, forming.open, 0]);
    // Since and limit, and pagination by since: the first 100 minutes from 00:00 asked 40 at a time.
    clock.tickTo(FIRST_OPEN + 3 * HOUR);
    const pages: number[][] = [];
    for (let since = FIRST_OPEN; pages.length < 100; ) {
      const page = await exchange.fetchOHLCV('BTC/USDT', '1m', since, 40);
      pages.push(...page.map((candle) => candle.map(Number)));
      since = Number(page.at(-1)?.[0]) + MINUTE;
    }
    expect(pages.slice(0, 100)).toEqual(bars.slice(0, 100).map(ohlcv));
    // Nothing after now, even when asked for.
    const future = await exchange.fetchOHLCV('BTC/USDT', '1m', FIRST_OPEN + 5 * HOUR, 10);
    expect(future).toEqual([]);
  });

  test('coarser timeframes are resampled and their forming bar holds only closed minutes', async () => {
    const { exchange } = await running(FIRST_OPEN + 2 * HOUR + 7 * MINUTE + 1); // 02:07
    for (const timeframe of ['5m', '15m', '1h'] as const) {
      const candles = await exchange.fetchOHLCV('BTC/USDT', timeframe, FIRST_OPEN, 1000);
      const all = csv.allBars(timeframe);
      const closed = candles.filter(
        (candle) => Number(candle[0]) < FIRST_OPEN + 2 * HOUR + (timeframe === '5m' ? 5 : 0) * MINUTE,
      );
      const eightDecimals = (bar: Bar) => ohlcv({ ...bar, volume: Number(bar.volume.toFixed(8)) });
      expect(closed).toEqual(all.slice(0, closed.length).map(eightDecimals));
    }
    const [hour] = (await exchange.fetchOHLCV('BTC/USDT', '1h', FIRST_OPEN + 2 * HOUR, 1)) as number[][];
    const minutes = bars.slice(120, 127); // 02:00 to 02:06, closed by 02:07
    expect(hour).toEqual([
      FIRST_OPEN + 2 * HOUR,
      minutes[0]?.open,
      Math.max(...minutes.map((bar) => bar.high)),
      Math.min(...minutes.map((bar) => bar.low)),
      minutes.at(-1)?.close,
      Number(minutes.reduce((sum, bar) => sum + bar.volume, 0).toFixed(8)),
    ]);
  });
});

describe('orders through ccxt', () => {
  test('market and limit orders by client order id: open, filled, traded, cancelled, balances', async () => {
    const { exchange, clock } = await running();
    await exchange.loadMarkets();
    const entry = await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, {
      clientOrderId: 'entry-1',
    });
    expect(entry).toMatchObject({ id: '1', clientOrderId: 'entry-1', status: 'open', filled: 0 });
    const target = await exchange.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 30_000, { clientOrderId: 'target-1' });
    expect((await exchange.fetchOpenOrders('BTC/USDT')).map((order) => order.clientOrderId)).toEqual([
      'entry-1',
      'target-1',
    ]);

    clock.tickTo(clock.now() + 2 * MINUTE); // the 01:00 bar closes: the entry fills at its open plus 1 bp
    const open = bars[60] as Bar;
    const filled = await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'entry-1' });
    expect(filled).toMatchObject({ status: 'closed', filled: 0.01 });
    expect(filled.average).toBeCloseTo(open.open * 1.0001, 6);
    expect((await exchange.fetchOpenOrders('BTC/USDT')).map((order) => order.id)).toEqual([target.id]);

    const trades = await exchange.fetchMyTrades('BTC/USDT');
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ id: '1', order: '1', side: 'buy', amount: 0.01, timestamp: open.openTime });
    expect(trades[0]?.fee?.cost).toBeCloseTo(0.01 * open.open * 1.0001 * 0.001, 6);
    expect((await exchange.fetchMyTrades('BTC/USDT')).map((trade) => trade.id)).toEqual(['1']); // stable ids

    const cancelled = await exchange.cancelOrder(String(target.id), 'BTC/USDT');
    expect(cancelled).toMatchObject({ id: target.id, status: 'canceled' });
    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);

    const balance = await exchange.fetchBalance();
    expect(balance.BTC).toMatchObject({ free: 0.01, used: 0, total: 0.01 });
    expect(balance.USDT?.total).toBeCloseTo(100_000 - 0.01 * open.open * 1.0001 * 1.001, 6);
  });

  test('fills equal those of a SimulatedExchange fed the same bars', async () => {
    const { exchange, clock } = await running();
    await exchange.loadMarkets();
    const reference = new SimulatedExchange({ clock: new SimulatedClock(clock.now()), feeBps: 10, slippageBps: 1 });
    const orders = [
      { id: 'a', side: 'buy', type: 'market', quantity: 0.5 },
      { id: 'b', side: 'sell', type: 'limit', quantity: 0.5, price: 23_250 },
      { id: 'c', side: 'sell', type: 'market', quantity: 0.3 }, // a short: the venue lets a sell exceed the base held
    ] as const;
    for (const order of orders) {
      const price = 'price' in order ? order.price : undefined;
      await exchange.createOrder('BTC/USDT', order.type, order.side, order.quantity, price, {
        clientOrderId: order.id,
      });
      await reference.submitOrder({
        clientOrderId: order.id,
        symbol: 'BTCUSDT',
        side: order.side,
        type: order.type,
        quantity: order.quantity,
        ...(price === undefined ? {} : { limitPrice: price }),
      });
    }
    clock.tickTo(FIRST_OPEN + 6 * HOUR);
    for (const bar of bars.filter(
      (bar) => bar.openTime >= FIRST_OPEN + HOUR && bar.openTime < FIRST_OPEN + 6 * HOUR - MINUTE,
    )) {
      reference.processBar('BTCUSDT', bar);
    }
    const expected = await reference.fetchFills('BTCUSDT', 0);
    const trades = await exchange.fetchMyTrades('BTC/USDT', FIRST_OPEN);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(trades.map((trade) => [trade.id, trade.order, trade.side, trade.amount, trade.timestamp])).toEqual(
      expected.map((fill) => [
        fill.fillId.replace('sim-f-', ''),
        fill.orderId.replace('sim-o-', ''),
        fill.side,
        fill.quantity,
        fill.timestamp,
      ]),
    );
    trades.forEach((trade, i) => {
      expect(trade.price).toBeCloseTo((expected[i] as { price: number }).price, 6);
      expect(trade.fee?.cost).toBeCloseTo((expected[i] as { fee: number }).fee, 6);
    });
    const balance = await exchange.fetchBalance();
    const net = expected.reduce((sum, fill) => sum + (fill.side === 'buy' ? fill.quantity : -fill.quantity), 0);
    expect(balance.BTC?.total).toBeCloseTo(net, 8); // negative when short: the venue's margin-like behaviour
  });

  test('state survives a restart of the exchange on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exsim-'));
    try {
      const state = join(dir, 'state.sqlite');
      const first = await startSim(FIRST_OPEN + HOUR, { state });
      const before = client(first.sim);
      await before.createOrder('BTC/USDT', 'market', 'buy', 0.02, undefined, { clientOrderId: 'kept-1' });
      await before.createOrder('BTC/USDT', 'limit', 'buy', 0.02, 20_000, { clientOrderId: 'kept-2' });
      first.clock.tickTo(FIRST_OPEN + HOUR + 3 * MINUTE);
      const trades = await before.fetchMyTrades('BTC/USDT');
      const balance = await before.fetchBalance();
      await first.sim.close();

      await expect(startSim(FIRST_OPEN + HOUR, { state })).rejects.toMatchObject({ code: 'EXSIM_STATE_UNREADABLE' });
      const second = await startSim(FIRST_OPEN + HOUR + 3 * MINUTE, { state });
      closers.push(() => second.sim.close());
      const after = client(second.sim);
      expect(await after.fetchMyTrades('BTC/USDT')).toEqual(trades);
      expect((await after.fetchBalance()).total).toEqual(balance.total);
      expect((await after.fetchOpenOrders('BTC/USDT')).map((order) => order.clientOrderId)).toEqual(['kept-2']);
      // The restored open order is back in the matcher: cancellable, and new ids follow on.
      await after.cancelOrder('', 'BTC/USDT', { clientOrderId: 'kept-2' });
      const next = await after.createOrder('BTC/USDT', 'market', 'sell', 0.02, undefined, { clientOrderId: 'kept-3' });
      expect(next.id).toBe('3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Binance errors, as ccxt maps them', () => {
  test('authentication, timestamps, filters, balances, unknown orders', async () => {
    const { exchange, sim } = await running();
    await exchange.loadMarkets();
    const wrongSecret = client(sim, { secret: 'not-the-secret' });
    await expect(wrongSecret.fetchBalance()).rejects.toThrow(ccxt.AuthenticationError);
    await expect(wrongSecret.fetchBalance()).rejects.toThrow(/-1022/);
    await expect(client(sim, { apiKey: 'unknown-key' }).fetchBalance()).rejects.toThrow(/-2015/);
    const late = client(sim);
    late.nonce = () => sim.clock.now() - 10_001;
    await expect(late.fetchBalance()).rejects.toThrow(ccxt.InvalidNonce); // -1021, outside the 10 s recvWindow ccxt sends
    const ahead = client(sim);
    ahead.nonce = () => sim.clock.now() + 1_000;
    await expect(ahead.fetchBalance()).rejects.toThrow(/-1021/);

    const raw = (params: Record<string, string>) => exchange.privatePostOrder({ symbol: 'BTCUSDT', ...params });
    const lot = raw({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000015', price: '20000' });
    await expect(lot).rejects.toThrow(ccxt.InvalidOrder);
    await expect(
      raw({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000015', price: '20000' }),
    ).rejects.toThrow(/LOT_SIZE/);
    await expect(
      raw({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '20000.001' }),
    ).rejects.toThrow(/PRICE_FILTER/);
    // -1013 NOTIONAL: ccxt's generic mapping of -1013 (off api.binance.com) is BadRequest.
    const small = raw({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00012', price: '20000' });
    await expect(small).rejects.toThrow(ccxt.BadRequest);
    await expect(exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.00012, 20_000)).rejects.toThrow(
      /Filter failure: NOTIONAL/,
    );
    await expect(raw({ side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '20000' })).rejects.toThrow(
      /-1102.*timeInForce/,
    );
    await expect(
      raw({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1e-3', price: '20000' }),
    ).rejects.toThrow(/-1100/);
    await expect(exchange.publicGetKlines({ symbol: 'ETHUSDT', interval: '1m' })).rejects.toThrow(ccxt.BadSymbol);
    await expect(exchange.createOrder('BTC/USDT', 'market', 'buy', 10)).rejects.toThrow(ccxt.InsufficientFunds);

    await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'dup-1' });
    const duplicate = exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'dup-1' });
    await expect(duplicate).rejects.toThrow(ccxt.InvalidOrder);
    await expect(exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'nope' })).rejects.toThrow(ccxt.OrderNotFound);
    await expect(exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'nope' })).rejects.toThrow(/-2013/);
    await expect(exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'nope' })).rejects.toThrow(ccxt.OrderNotFound);
    await expect(exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'nope' })).rejects.toThrow(/-2011/);
  });

  test('faults: rate limit, server error, dropped connection, delay', async () => {
    const { exchange, sim } = await running();
    await exchange.loadMarkets();
    sim.faults.inject({ kind: 'rate_limit', method: 'GET', path: '/api/v3/account', retryAfterS: 7 });
    // ccxt maps Binance's 429 to DDoSProtection (its handleErrors), a NetworkError like RateLimitExceeded.
    await expect(exchange.fetchBalance()).rejects.toThrow(ccxt.DDoSProtection);
    const response = await fetch(`${sim.url}/sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'rate_limit', path: '/api/v3/time', retryAfterS: 7 }),
    });
    expect(response.status).toBe(201);
    const limited = await fetch(`${sim.url}/api/v3/time`);
    expect([limited.status, limited.headers.get('retry-after'), await limited.json()]).toEqual([
      429,
      '7',
      expect.objectContaining({ code: -1003 }),
    ]);

    sim.faults.inject({ kind: 'server_error', path: '/api/v3/openOrders', status: 503 });
    await expect(exchange.fetchOpenOrders('BTC/USDT')).rejects.toThrow(ccxt.ExchangeNotAvailable);
    sim.faults.inject({ kind: 'server_error', path: '/api/v3/openOrders' });
    await expect(exchange.fetchOpenOrders('BTC/USDT')).rejects.toThrow(/-1001/);
    // A server error after acting: the order was placed although the client saw a 504.
    sim.faults.inject({ kind: 'server_error', method: 'POST', path: '/api/v3/order', status: 504, after: true });
    const gateway = exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 20_000, { clientOrderId: 'after-504' });
    await expect(gateway).rejects.toThrow(ccxt.RequestTimeout);
    expect(await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'after-504' })).toMatchObject({ status: 'open' });
    sim.faults.inject({ kind: 'drop', path: '/api/v3/openOrders' });
    await expect(exchange.fetchOpenOrders('BTC/USDT')).rejects.toThrow(ccxt.NetworkError);
    sim.faults.inject({ kind: 'drop', method: 'DELETE', path: '/api/v3/order', after: true });
    await expect(exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'after-504' })).rejects.toThrow(
      ccxt.NetworkError,
    );
    expect(await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'after-504' })).toMatchObject({
      status: 'canceled',
    });

    // The exchange accepts the order, then holds the answer past ccxt's timeout: the order exists.
    sim.faults.inject({ kind: 'delay', method: 'POST', path: '/api/v3/order', delayMs: 60_000 });
    const slow = client(sim, { timeout: 300 });
    await slow.loadMarkets();
    await expect(
      slow.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 20_000, { clientOrderId: 'in-flight-1' }),
    ).rejects.toThrow(ccxt.RequestTimeout);
    expect(await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'in-flight-1' })).toMatchObject({
      clientOrderId: 'in-flight-1',
      status: 'open',
    });
    expect(sim.faults.pending()).toEqual([]);
  });
});

describe('bad options', () => {
  test('typed errors with stable codes', async () => {
    await expect(startExchangeSim({ data: '/nowhere/BTCUSDT_1m.csv' })).rejects.toMatchObject({
      code: 'EXSIM_DATA_UNREADABLE',
    });
    await expect(startExchangeSim({ data: DATA, port: 70_000 })).rejects.toMatchObject({
      code: 'EXSIM_BAD_OPTIONS',
      message: expect.stringContaining('port must be an integer from 0 to 65535'),
    });
    await expect(startExchangeSim({ data: DATA, speed: 0 })).rejects.toMatchObject({ code: 'EXSIM_BAD_OPTIONS' });
    const { sim } = await running();
    const taken = startExchangeSim({ data: DATA, port: sim.port, accounts: [ACCOUNT] });
    await expect(taken).rejects.toSatisfy(
      (error) => ExchangeSimError.isInstance(error) && error.code === 'EXSIM_PORT_IN_USE',
    );
  });

  test('the default clock runs from the first closed bar at the given speed, and onReady gets the URL', async () => {
    let ready = '';
    const sim = await startExchangeSim({ data: DATA, speed: 60, onReady: (url) => (ready = url) });
    closers.push(() => sim.close());
    expect(ready).toBe(sim.url);
    expect(sim.readyLine).toContain(sim.url);
    expect(sim.clock.now() - (FIRST_OPEN + MINUTE)).toBeGreaterThanOrEqual(0);
    expect(sim.clock.now() - (FIRST_OPEN + MINUTE)).toBeLessThan(60 * 5_000);
  });
});
