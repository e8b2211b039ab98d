import { BrokerError } from '@quant/services';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CcxtBroker } from './ccxt-broker.js';
import { CcxtVenue } from './ccxt-venue.js';
import { type ScriptedBinance, startScriptedBinance } from './test-support/scripted-binance.js';

const API_KEY = 'test-key-AbCdEf123456';
const SECRET = 'test-secret-ZyXw987654';
const T0 = Date.UTC(2023, 2, 1, 12);

/** A Binance order as `GET /api/v3/order` returns it (shape from Binance's spot API docs). */
function binanceOrder(fields: Record<string, unknown> = {}) {
  return {
    symbol: 'BTCUSDT',
    orderId: 28,
    orderListId: -1,
    clientOrderId: 'bot-1-0001',
    price: '20000.00',
    origQty: '0.01000',
    executedQty: '0.00000',
    cummulativeQuoteQty: '0.00000000',
    status: 'NEW',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: T0,
    updateTime: T0,
    isWorking: true,
    workingTime: T0,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'NONE',
    ...fields,
  };
}

const binanceError = (status: number, code: number, msg: string) => ({ status, body: { code, msg } });

describe('CcxtBroker on a scripted Binance peer', () => {
  let peer: ScriptedBinance;
  let venue: CcxtVenue;
  let broker: CcxtBroker;
  const connect = async (timeoutMs = 10_000) => {
    venue = await CcxtVenue.connect({ exchange: 'binance', apiKey: API_KEY, secret: SECRET, url: peer.url, timeoutMs });
    broker = new CcxtBroker(venue);
  };
  beforeEach(async () => {
    peer = await startScriptedBinance(T0);
    await connect();
  });
  afterEach(async () => {
    await venue.close();
    await peer.close();
  });

  it('maps the bot’s symbols to the venue’s through its markets', () => {
    expect(venue.markets.venueSymbol('BTCUSDT')).toBe('BTC/USDT');
    expect(venue.markets.botSymbol('BTC/USDT')).toBe('BTCUSDT');
    expect(() => venue.markets.venueSymbol('ETHUSDT')).toThrow(/lists no spot market ETHUSDT/);
  });

  it('sends a limit order fitted to the lot and tick sizes, with the client order id in newClientOrderId', async () => {
    peer.answer('POST /api/v3/order', ({ body }) => {
      const form = new URLSearchParams(body);
      return {
        status: 200,
        body: binanceOrder({
          clientOrderId: form.get('newClientOrderId'),
          origQty: form.get('quantity'),
          price: form.get('price'),
          transactTime: T0,
        }),
      };
    });
    const order = await broker.submitOrder({
      clientOrderId: 'bot-1-0001',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.0123456789,
      limitPrice: 20_000.004,
    });
    const sent = new URLSearchParams(peer.seen.find((r) => r.method === 'POST')?.body);
    expect(sent.get('newClientOrderId')).toBe('bot-1-0001');
    expect(sent.get('quantity')).toBe('0.01234');
    expect(sent.get('price')).toBe('20000');
    expect(sent.get('timeInForce')).toBe('GTC');
    expect(sent.get('signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(order).toMatchObject({
      orderId: '28',
      clientOrderId: 'bot-1-0001',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.01234,
      limitPrice: 20_000,
      status: 'open',
      filledQuantity: 0,
    });
  });

  it('rejects, without a request, an order below the minimum quantity or notional, saying what is required', async () => {
    const tiny = broker.submitOrder({
      clientOrderId: 'a',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: 0.000001,
    });
    await expect(tiny).rejects.toMatchObject({ code: 'rejected' });
    await expect(tiny).rejects.toThrow(/below binance's minimum 0.00001 BTC/);
    const small = broker.submitOrder({
      clientOrderId: 'b',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.0001,
      limitPrice: 20_000,
    });
    await expect(small).rejects.toThrow(/notional 2\.00000000 USDT of BTCUSDT is below binance's minimum 5 USDT/);
    const stop = broker.submitOrder({
      clientOrderId: 'c',
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'stop',
      quantity: 1,
      triggerPrice: 1,
    });
    await expect(stop).rejects.toMatchObject({ code: 'unsupported' });
    expect(peer.seen.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it.each([
    [
      'insufficient balance',
      binanceError(400, -2010, 'Account has insufficient balance for requested action.'),
      'insufficient_funds',
    ],
    ['a filter failure', binanceError(400, -1013, 'Filter failure: LOT_SIZE'), 'rejected'],
    [
      'a rate limit',
      binanceError(429, -1003, 'Too many requests; current limit is 6000 request weight per 1 MINUTE.'),
      'rate_limited',
    ],
    [
      'a 503',
      { status: 503, body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } },
      'unknown_outcome',
    ],
    ['a dropped connection', 'drop' as const, 'unknown_outcome'],
  ])('maps %s on submit to %s, with no secret in the message', async (_name, answer, code) => {
    peer.answer('POST /api/v3/order', answer);
    const error = await broker
      .submitOrder({ clientOrderId: 'bot-1-0002', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: 0.01 })
      .catch((thrown: unknown) => thrown);
    expect(BrokerError.isInstance(error)).toBe(true);
    expect((error as BrokerError).code).toBe(code);
    const text = `${(error as Error).message} ${((error as Error).cause as Error | undefined)?.message ?? ''}`;
    expect(text).not.toContain(API_KEY);
    expect(text).not.toMatch(/signature=[0-9a-f]{8}/);
  });

  it('reads a submit whose answer never comes as unknown_outcome, never rejected', async () => {
    await venue.close();
    await connect(300);
    peer.answer('POST /api/v3/order', 'hang');
    await expect(
      broker.submitOrder({
        clientOrderId: 'bot-1-0003',
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: 0.01,
      }),
    ).rejects.toMatchObject({ code: 'unknown_outcome' });
  });

  it('returns the order holding a client order id the venue refuses as a duplicate', async () => {
    peer.answer('POST /api/v3/order', binanceError(400, -2010, 'Duplicate order sent.'));
    peer.answer('GET /api/v3/order', { status: 200, body: binanceOrder({ clientOrderId: 'bot-1-0004' }) });
    const order = await broker.submitOrder({
      clientOrderId: 'bot-1-0004',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      limitPrice: 20_000,
    });
    expect(order).toMatchObject({ clientOrderId: 'bot-1-0004', status: 'open' });
    expect(
      peer.seen.find((r) => r.method === 'GET' && r.path === '/api/v3/order')?.query.get('origClientOrderId'),
    ).toBe('bot-1-0004');
  });

  it('looks an order up by client order id and maps its state; an unknown one is not_found', async () => {
    peer.answer(
      'GET /api/v3/order',
      {
        status: 200,
        body: binanceOrder({ status: 'PARTIALLY_FILLED', executedQty: '0.00400', cummulativeQuoteQty: '80.00000000' }),
      },
      binanceError(400, -2013, 'Order does not exist.'),
    );
    expect(await broker.fetchOrder('BTCUSDT', 'bot-1-0001')).toMatchObject({
      status: 'partially_filled',
      filledQuantity: 0.004,
      averagePrice: 20_000,
    });
    await expect(broker.fetchOrder('BTCUSDT', 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('cancels by client order id; a final order is returned as it is, an unknown one is not_found', async () => {
    peer.answer(
      'DELETE /api/v3/order',
      { status: 200, body: binanceOrder({ status: 'CANCELED' }) },
      binanceError(400, -2011, 'Unknown order sent.'),
    );
    peer.answer(
      'GET /api/v3/order',
      { status: 200, body: binanceOrder({ status: 'FILLED', executedQty: '0.01000', cummulativeQuoteQty: '200.00' }) },
      binanceError(400, -2013, 'Order does not exist.'),
    );
    expect((await broker.cancelOrder('BTCUSDT', 'bot-1-0001')).status).toBe('cancelled');
    expect((await broker.cancelOrder('BTCUSDT', 'bot-1-0001')).status).toBe('filled');
    await expect(broker.cancelOrder('BTCUSDT', 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reads fills page by page with the venue’s trade ids, their client order ids and fees in the quote currency', async () => {
    const trade = (id: number, time: number, commissionAsset: string) => ({
      symbol: 'BTCUSDT',
      id,
      orderId: 28,
      orderListId: -1,
      price: '20000.00',
      qty: '0.00500',
      quoteQty: '100.00',
      commission: commissionAsset === 'BTC' ? '0.00000500' : '0.10000000',
      commissionAsset,
      time,
      isBuyer: true,
      isMaker: false,
      isBestMatch: true,
    });
    const all = Array.from({ length: 1500 }, (_, index) =>
      trade(index + 1, T0 + Math.floor(index / 2), index % 2 ? 'BTC' : 'USDT'),
    );
    peer.answer('GET /api/v3/myTrades', ({ query }) => {
      const start = Number(query.get('startTime'));
      const limit = Number(query.get('limit'));
      return { status: 200, body: all.filter((t) => t.time >= start).slice(0, limit) };
    });
    peer.answer('GET /api/v3/order', { status: 200, body: binanceOrder({ orderId: 28, clientOrderId: 'bot-1-0009' }) });
    const fills = await broker.fetchFills('BTCUSDT', T0);
    expect(fills.map((fill) => fill.fillId)).toEqual(all.map((t) => String(t.id)));
    expect(fills[0]).toEqual({
      fillId: '1',
      orderId: '28',
      clientOrderId: 'bot-1-0009',
      symbol: 'BTCUSDT',
      side: 'buy',
      quantity: 0.005,
      price: 20_000,
      fee: 0.1,
      timestamp: T0,
    });
    expect(fills[1]?.fee).toBeCloseTo(0.1, 12); // 0.000005 BTC at 20 000
    expect(peer.seen.filter((r) => r.path === '/api/v3/order')).toHaveLength(1);
  });

  it('lists open orders oldest first, and the balances held', async () => {
    peer.answer('GET /api/v3/openOrders', {
      status: 200,
      body: [
        binanceOrder({ orderId: 2, clientOrderId: 'b', time: T0 + 5 }),
        binanceOrder({ orderId: 1, clientOrderId: 'a' }),
      ],
    });
    peer.answer('GET /api/v3/account', {
      status: 200,
      body: {
        makerCommission: 10,
        takerCommission: 10,
        canTrade: true,
        accountType: 'SPOT',
        updateTime: T0,
        balances: [
          { asset: 'BTC', free: '0.50000000', locked: '0.01000000' },
          { asset: 'USDT', free: '90000.00000000', locked: '200.00000000' },
          { asset: 'ETH', free: '0.00000000', locked: '0.00000000' },
        ],
        permissions: ['SPOT'],
      },
    });
    expect((await broker.fetchOpenOrders('BTCUSDT')).map((order) => order.clientOrderId)).toEqual(['a', 'b']);
    expect(await broker.fetchBalances()).toEqual([
      { currency: 'BTC', free: 0.5, used: 0.01, total: 0.51 },
      { currency: 'USDT', free: 90_000, used: 200, total: 90_200 },
    ]);
  });
});
