import { fileURLToPath } from 'node:url';
import { loadConfig } from '@quant/config';
import { type BaseEvent, LogManager, type Order } from '@quant/core';
import { type Broker, createTradingSystem, indicatorsFromFile, loadIndicators, loadStrategies } from '@quant/services';
import { afterEach, describe, expect, it } from 'vitest';
import { CcxtBroker } from './ccxt-broker.js';
import { CcxtMarketData } from './ccxt-market-data.js';
import { type LocalExchange, startLocalExchange } from './test-support/local-exchange.js';

const REPO = new URL('../../../', import.meta.url);
const at = (hour: number, minute: number) => Date.UTC(2023, 2, 1, hour, minute);

/**
 * A broker whose calls in flight can be awaited: the test's loop starts a cycle once the venue answered (or the
 * request timed out), as a live bot's cycles, seconds apart, do; simulated time never races real I/O.
 */
function awaitable(broker: CcxtBroker): { broker: Broker; settled: () => Promise<void> } {
  const inFlight = new Set<Promise<unknown>>();
  const wrapped = new Proxy(broker, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) {
          inFlight.add(result);
          void result.then(
            () => inFlight.delete(result),
            () => inFlight.delete(result),
          );
        }
        return result;
      };
    },
  });
  return {
    broker: wrapped,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** The example bot (conf/) on BTCUSDT 1m/5m/15m through the adapter on the local exchange, a cycle a minute. */
async function runExampleBot(local: LocalExchange, until: number): Promise<BaseEvent[]> {
  const { clock, venue } = local;
  const config = loadConfig({
    cwd: fileURLToPath(REPO),
    env: { TRADING_SYMBOL: 'BTCUSDT', TRADING_TIMEFRAMES: '1m,5m,15m', PAPER_BROKER_NATIVE_STOPS: 'false' },
  }).config;
  const indicators = indicatorsFromFile(loadIndicators(fileURLToPath(new URL('conf/indicators.yaml', REPO))));
  const strategies = loadStrategies(fileURLToPath(new URL('conf/strategies.yaml', REPO)), {
    outputsFor: (tf) => indicators.processor.outputNames(tf),
  });
  const { broker, settled } = awaitable(new CcxtBroker(venue));
  const system = createTradingSystem(config, {
    clock,
    source: new CcxtMarketData(venue, { clock }),
    broker,
    strategies,
    ...indicators,
    logs: new LogManager({ clock, level: 'warn', sinks: [] }),
  });
  const events: BaseEvent[] = [];
  system.bus.subscribe('*', (event) => void events.push(event));
  await system.orchestrator.start();
  for (let time = clock.now(); time <= until; time += 60_000) {
    clock.tickTo(time);
    await system.orchestrator.runCycleNow();
    await settled();
  }
  await system.orchestrator.stop();
  return events;
}

const orderOf = (event: BaseEvent) => (event as BaseEvent & { order?: Order }).order;

describe('a submit whose answer is lost, on the local exchange', () => {
  let local: LocalExchange | undefined;
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });

  it('is unknown, then resolved to the real order by its client order id on the next cycle, never placed twice', async () => {
    // ccxt gives up after 300 ms; the exchange accepts the first order and holds its answer for 1.5 s.
    local = await startLocalExchange(at(12, 0), 300);
    local.sim.faults.inject({ kind: 'delay', method: 'POST', path: '/api/v3/order', delayMs: 1500 });
    const events = await runExampleBot(local, at(14, 10));

    const unknown = events.find((event) => event.type === 'OrderStatusUnknown');
    const clientOrderId = unknown === undefined ? undefined : orderOf(unknown)?.clientOrderId;
    expect(clientOrderId, 'the first submit timed out').toBeDefined();
    const filled = events.filter(
      (event) => event.type === 'OrderFilled' && orderOf(event)?.clientOrderId === clientOrderId,
    );
    expect(filled, 'resolved to the order the venue holds, and filled once').toHaveLength(1);
    // The next cycle asked the venue for it by its client order id.
    expect(filled[0]?.timestamp).toBe((unknown?.timestamp ?? 0) + 60_000);
    // The entry is the backtest's: the 13:35 bar's open plus slippage (see the reference bot's venue e2e test).
    const position = events.find((event) => event.type === 'PositionOpened') as BaseEvent & {
      position: { entryPrice: number; openedAt: number };
    };
    expect(position.position.openedAt).toBe(at(13, 35));
    expect(position.position.entryPrice).toBeCloseTo(23_627.622526, 6);

    // At the venue: one order under that client order id, and no fills but the bot's.
    const venueFills = await new CcxtBroker(local.venue).fetchFills('BTCUSDT', at(12, 0));
    const botFills = events.filter((event) => event.type === 'OrderFilled');
    expect(venueFills.filter((fill) => fill.clientOrderId === clientOrderId)).toHaveLength(1);
    expect(venueFills.map((fill) => fill.clientOrderId)).toEqual(
      botFills.map((event) => orderOf(event)?.clientOrderId),
    );
  }, 60_000);
});
