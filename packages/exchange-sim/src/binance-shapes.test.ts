import type { SimulatedClock } from '@quant/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningExchangeSim } from './start-exchange-sim.js';
import { client, FIRST_OPEN, MINUTE, startSim } from './test-support/harness.js';

// Responses from Binance's spot REST API documentation (developers.binance.com, "General endpoints",
// "Market data endpoints", "Trading endpoints", "Account endpoints"): the venue's answers carry the same fields.
const FIXTURES = {
  order: {
    symbol: 'LTCBTC',
    orderId: 1,
    orderListId: -1,
    clientOrderId: 'myOrder1',
    price: '0.1',
    origQty: '1.0',
    executedQty: '0.0',
    cummulativeQuoteQty: '0.0',
    status: 'NEW',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    stopPrice: '0.0',
    icebergQty: '0.0',
    time: 1499827319559,
    updateTime: 1499827319559,
    isWorking: true,
    workingTime: 1499827319559,
    origQuoteOrderQty: '0.000000',
    selfTradePreventionMode: 'NONE',
  },
  newOrderAck: {
    symbol: 'BTCUSDT',
    orderId: 28,
    orderListId: -1,
    clientOrderId: '6gCrw2kRUAF9CvJDGP16IP',
    transactTime: 1507725176595,
  },
  myTrade: {
    symbol: 'BNBBTC',
    id: 28457,
    orderId: 100234,
    orderListId: -1,
    price: '4.00000100',
    qty: '12.00000000',
    quoteQty: '48.000012',
    commission: '10.10000000',
    commissionAsset: 'BNB',
    time: 1499865549590,
    isBuyer: true,
    isMaker: false,
    isBestMatch: true,
  },
  balance: { asset: 'BTC', free: '4723846.89208129', locked: '0.00000000' },
  kline: [
    1499040000000,
    '0.01634790',
    '0.80000000',
    '0.01575800',
    '0.01577100',
    '148976.11427815',
    1499644799999,
    '2434.19055334',
    308,
    '1756.87402397',
    '28.46694368',
    '0',
  ],
  cancel: {
    symbol: 'LTCBTC',
    origClientOrderId: 'myOrder1',
    orderId: 4,
    orderListId: -1,
    clientOrderId: 'cancelMyOrder1',
    transactTime: 1684804350068,
    price: '2.00000000',
    origQty: '1.00000000',
    executedQty: '0.00000000',
    cummulativeQuoteQty: '0.00000000',
    status: 'CANCELED',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    selfTradePreventionMode: 'NONE',
  },
};

const keys = (value: object) => Object.keys(value).sort();
const types = (value: unknown[]) => value.map((entry) => typeof entry);
let sim: RunningExchangeSim;
let clock: SimulatedClock;
let exchange: ReturnType<typeof client>;

beforeAll(async () => {
  ({ sim, clock } = await startSim(FIRST_OPEN + 60 * MINUTE));
  exchange = client(sim);
});
afterAll(() => sim.close());

test('orders, trades, balances, klines and cancels have Binance’s fields and types', async () => {
  const signed = { symbol: 'BTCUSDT' };
  const ack = await exchange.privatePostOrder({
    ...signed,
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.01',
    price: '20000',
    newOrderRespType: 'ACK',
  });
  expect(keys(ack)).toEqual(keys(FIXTURES.newOrderAck));
  const order = await exchange.privateGetOrder({ ...signed, orderId: ack.orderId });
  expect(keys(order)).toEqual(keys(FIXTURES.order));
  await exchange.privatePostOrder({ ...signed, side: 'BUY', type: 'MARKET', quantity: '0.01' });
  clock.tickTo(FIRST_OPEN + 63 * MINUTE);
  const [trade] = await exchange.privateGetMyTrades(signed);
  expect(keys(trade)).toEqual(keys(FIXTURES.myTrade));
  const account = await exchange.privateGetAccount();
  expect(keys(account.balances[0])).toEqual(keys(FIXTURES.balance));
  const [kline] = await exchange.publicGetKlines({ ...signed, interval: '1m', limit: 1 });
  expect(types(kline)).toEqual(types(FIXTURES.kline));
  const cancel = await exchange.privateDeleteOrder({ ...signed, orderId: ack.orderId });
  expect(keys(cancel)).toEqual(keys({ ...FIXTURES.cancel, origQuoteOrderQty: '0.00000000' }));
});
