import { type Bar, SimulatedClock, timeframeToMs } from '@quant/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { CsvBarSource } from '../market-data/csv-bar-source.js';
import type { SubmitOrderRequest } from '../ports/broker.js';
import { BTCUSDT } from '../test-support/real-data.js';
import { type ConformanceHarness, describeBrokerConformance, faultyBroker } from '../testing/index.js';
import { BrokerError } from './broker-error.js';
import { SimulatedExchange, type SimulatedExchangeOptions } from './simulated-exchange.js';

const SYMBOL = 'BTCUSDT';
const BAR_MS = timeframeToMs('1m');

let bars: Promise<Bar[]> | undefined;
/** The first 2 000 real 1-minute bars of March 2023, loaded once. */
const realBars = (): Promise<Bar[]> => {
  bars ??= CsvBarSource.load({ path: BTCUSDT, symbol: SYMBOL, clock: new SimulatedClock(0) }).then((source) =>
    source.allBars().slice(0, 2_000),
  );
  return bars;
};

/**
 * A simulated exchange on the real bars: the clock stands at the open of the
 * next bar to trade, and `advance()` trades it, then moves the clock to its close.
 */
function simulated(options: Partial<SimulatedExchangeOptions> = {}): () => Promise<ConformanceHarness> {
  return async () => {
    const series = await realBars();
    const first = series[0] as Bar;
    const clock = new SimulatedClock(first.openTime);
    const exchange = new SimulatedExchange({ clock, feeBps: 10, slippageBps: 1, ...options });
    let next = 0;
    return {
      broker: exchange,
      symbol: SYMBOL,
      quantity: 0.01,
      referencePrice: () => (series[Math.max(0, next - 1)] as Bar).close,
      advance: async () => {
        const bar = series[next++];
        if (bar === undefined) throw new Error('the real bars have run out');
        exchange.processBar(SYMBOL, bar);
        await clock.advanceTo(bar.openTime + BAR_MS);
      },
    };
  };
}

describeBrokerConformance('SimulatedExchange', simulated());
describeBrokerConformance('SimulatedExchange without native stops', simulated({ nativeStops: false }));
describeBrokerConformance('SimulatedExchange with partial fills', simulated({ maxVolumeShare: 0.5 }));

describe('faultyBroker', () => {
  let harness: ConformanceHarness;
  beforeEach(async () => {
    harness = await simulated()();
  });
  const request = (clientOrderId: string): SubmitOrderRequest => ({
    clientOrderId,
    symbol: SYMBOL,
    side: 'buy',
    type: 'market',
    quantity: 0.01,
  });
  /** What a call rejected with: the BrokerError's code, a plain error's message, or `'resolved'`. */
  const outcome = async (call: Promise<unknown>): Promise<string> => {
    try {
      await call;
      return 'resolved';
    } catch (error) {
      if (BrokerError.isInstance(error)) return error.code;
      return error instanceof Error ? `Error: ${error.message}` : String(error);
    }
  };

  it('plays each scripted fault once, in order, then passes calls through', async () => {
    const { broker } = harness;
    const faulty = faultyBroker(broker, {
      submitOrder: ['network_error_before', 'timeout_after', 'rate_limited', 'pass', 'rejected'],
    });
    expect(await outcome(faulty.submitOrder(request('a')))).toBe('Error: ECONNRESET');
    expect(await outcome(broker.fetchOrder(SYMBOL, 'a'))).toBe('not_found'); // never sent
    expect(await outcome(faulty.submitOrder(request('a')))).toBe('unknown_outcome');
    const placed = await broker.fetchOrder(SYMBOL, 'a'); // sent: the order exists
    expect(placed.status).toBe('open');
    expect(await outcome(faulty.submitOrder(request('b')))).toBe('rate_limited');
    expect(await outcome(broker.fetchOrder(SYMBOL, 'b'))).toBe('not_found');
    expect(await faulty.submitOrder(request('a'))).toBe(placed); // idempotent retry after the unknown outcome
    expect(await outcome(faulty.submitOrder(request('c')))).toBe('rejected');
    expect(await outcome(faulty.submitOrder(request('c')))).toBe('resolved');
    expect((await broker.fetchOpenOrders(SYMBOL)).map((order) => order.clientOrderId)).toEqual(['a', 'c']);
  });

  it('keeps the script of each method apart, and the wrapped version, capabilities and updates', async () => {
    const { broker } = harness;
    const faulty = faultyBroker(broker, { fetchBalances: ['unavailable'], fetchPositions: ['timeout_after'] });
    expect(faulty.specificationVersion).toBe(1);
    expect(faulty.capabilities).toBe(broker.capabilities);
    expect(await outcome(faulty.fetchBalances())).toBe('unavailable');
    expect(await outcome(faulty.fetchBalances())).toBe('resolved');
    expect(await outcome(faulty.fetchPositions?.() ?? Promise.reject(new Error('no fetchPositions')))).toBe(
      'unknown_outcome',
    );
    expect(await outcome(faulty.fetchOrder(SYMBOL, 'nothing'))).toBe('not_found'); // the venue's own answer

    const seen: string[] = [];
    const stop = faulty.subscribe?.((update) => seen.push(update.type));
    await faulty.submitOrder(request('streamed'));
    await harness.advance();
    stop?.();
    expect(seen).toEqual(['order', 'fill', 'order']);
  });

  it("a timeout after sending keeps the venue's own error as the cause", async () => {
    const faulty = faultyBroker(harness.broker, { cancelOrder: ['timeout_after'] });
    const error = await faulty.cancelOrder(SYMBOL, 'never-sent').catch((caught: unknown) => caught);
    expect(BrokerError.isInstance(error) && error.code).toBe('unknown_outcome');
    expect(BrokerError.isInstance(error) && BrokerError.isInstance(error.cause) && error.cause.code).toBe('not_found');
  });
});
