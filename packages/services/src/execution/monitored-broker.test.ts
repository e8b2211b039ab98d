import { type Bar, SimulatedClock } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../ports/broker.js';
import { realBars } from '../test-support/real-data.js';
import { BrokerError } from './broker-error.js';
import { MonitoredBroker } from './monitored-broker.js';
import { SimulatedExchange } from './simulated-exchange.js';

let bars: Bar[];
beforeAll(async () => {
  bars = await realBars('1m', 10);
});

/** A simulated exchange on real bars, behind a switch that makes every call fail as an unreachable venue does. */
function setup() {
  const clock = new SimulatedClock((bars[1] as Bar).openTime);
  const exchange = new SimulatedExchange({ clock, initialCash: 100_000, feeBps: 0, slippageBps: 0 });
  let down = false;
  const venue: Broker = new Proxy(exchange, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || key === 'subscribe') return value;
      return (...args: unknown[]) =>
        down
          ? Promise.reject(new BrokerError('unavailable', 'connect ECONNREFUSED 127.0.0.1:8080'))
          : value.apply(target, args);
    },
  });
  return { clock, exchange, broker: new MonitoredBroker(venue, clock), setDown: (value: boolean) => (down = value) };
}

describe('MonitoredBroker', () => {
  it('passes calls through unchanged and remembers the last success with its time and latency', async () => {
    const { clock, exchange, broker } = setup();
    expect(broker.status()).toEqual({
      calls: 0,
      failures: 0,
      consecutiveFailures: 0,
      lastSuccess: null,
      lastFailure: null,
    });
    expect(broker.capabilities).toBe(exchange.capabilities);
    expect(broker.specificationVersion).toBe(exchange.specificationVersion);
    const order = await broker.submitOrder({
      clientOrderId: 'c-1',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: 0.1,
    });
    expect(order).toEqual(await exchange.fetchOrder('BTCUSDT', 'c-1'));
    expect(await broker.fetchBalances()).toEqual(await exchange.fetchBalances());
    const status = broker.status();
    expect(status).toMatchObject({ calls: 2, failures: 0, consecutiveFailures: 0, lastFailure: null });
    expect(status.lastSuccess).toMatchObject({ method: 'fetchBalances', at: clock.now() });
    expect(status.lastSuccess?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('counts failures in a row with their code, rethrows them unchanged, and resets the run on a success', async () => {
    const { clock, broker, setDown } = setup();
    await broker.fetchOpenOrders('BTCUSDT');
    setDown(true);
    await clock.advanceBy(60_000);
    for (let i = 0; i < 3; i++) {
      await expect(broker.fetchBalances()).rejects.toMatchObject({ code: 'unavailable' });
    }
    let status = broker.status();
    expect(status).toMatchObject({ calls: 4, failures: 3, consecutiveFailures: 3 });
    expect(status.lastSuccess).toMatchObject({ method: 'fetchOpenOrders', at: clock.now() - 60_000 });
    expect(status.lastFailure).toMatchObject({
      method: 'fetchBalances',
      at: clock.now(),
      code: 'unavailable',
      message: 'connect ECONNREFUSED 127.0.0.1:8080',
    });
    setDown(false);
    await broker.fetchFills('BTCUSDT', 0);
    status = broker.status();
    expect(status).toMatchObject({ calls: 5, failures: 3, consecutiveFailures: 0 });
    expect(status.lastSuccess?.method).toBe('fetchFills');
  });

  it('takes the venue saying it has no such order as an answer, not as a failure of the venue', async () => {
    const { broker } = setup();
    await expect(broker.fetchOrder('BTCUSDT', 'no-such-order')).rejects.toMatchObject({ code: 'not_found' });
    await expect(broker.cancelOrder('BTCUSDT', 'no-such-order')).rejects.toMatchObject({ code: 'not_found' });
    expect(broker.status()).toMatchObject({ calls: 2, failures: 0, consecutiveFailures: 0, lastFailure: null });
  });
});
