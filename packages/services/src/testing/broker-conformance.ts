import type { Fill, OrderType } from '@quant/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrokerError } from '../execution/broker-error.js';
import {
  BROKER_SPECIFICATION_VERSION,
  type Broker,
  type BrokerUpdate,
  type SubmitOrderRequest,
  type VenueOrder,
} from '../ports/broker.js';

/** What {@link describeBrokerConformance} needs to exercise one venue. */
export interface ConformanceHarness {
  /** The implementation under test. */
  readonly broker: Broker;
  /** The instrument to trade, in the broker's spelling (e.g. `'BTCUSDT'`). */
  readonly symbol: string;
  /** A valid small order size, base units: the venue must accept (and be able to pay for) it. */
  readonly quantity: number;
  /**
   * A price near the market, quote currency: limit buys are placed at half of
   * it (rounded to 3 significant digits), far enough not to fill.
   */
  referencePrice(): number | Promise<number>;
  /**
   * Lets the venue trade: for a simulation, processes the next bar; for a
   * real or local exchange, waits or ticks. Called until what a test waits
   * for happens, at most {@link ConformanceHarness.maxAdvances} times.
   */
  advance(): Promise<void>;
  /** How many times a test may call {@link ConformanceHarness.advance} while it waits; 5 by default. */
  readonly maxAdvances?: number;
  /** Releases the venue (connections, timers) after each test. */
  close?(): Promise<void>;
}

/** Options of {@link describeBrokerConformance}. */
export interface ConformanceOptions {
  /** Timeout of each test and of each harness setup, ms; vitest's default when omitted. */
  readonly timeoutMs?: number;
}

const ORDER_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'take_profit'];

/**
 * Registers a vitest suite that checks a {@link Broker} implementation
 * against the port's contract: version and capabilities, idempotent submits
 * by client order id, order states, fills (stable ids, `since`), cancels,
 * `not_found` / `rejected` / `unsupported` errors, balances, and — where the
 * capabilities say so — streaming and positions.
 *
 * `setup` runs before every test and gives a fresh {@link ConformanceHarness}.
 * Each test uses client order ids with its own random prefix and cancels the
 * orders it left working, so the suite also runs against a persistent venue
 * (a testnet, a local exchange). Tests of market orders buy
 * {@link ConformanceHarness.quantity} and leave it bought: use a test account.
 *
 * Call it at the top level of a test file; it needs `vitest` (>= 3) installed,
 * an optional peer dependency of `@quant/services`.
 *
 * @param name - the implementation's name, shown in the suite's title.
 * @param setup - builds a harness for one test.
 * @param options - timeout.
 *
 * @example
 * How an adapter package (here a hypothetical ccxt one) runs the kit against
 * a local exchange:
 * ```ts
 * // packages/ccxt/src/ccxt-broker.conformance.test.ts
 * import { describeBrokerConformance } from '@quant/services/testing';
 * import { CcxtBroker } from './ccxt-broker.js';
 *
 * describeBrokerConformance(
 *   'CcxtBroker (local exchange)',
 *   async () => {
 *     const broker = await CcxtBroker.connect({ exchange: 'binance', urls: { api: 'http://localhost:8080' } });
 *     return {
 *       broker,
 *       symbol: 'BTC/USDT',
 *       quantity: 0.001,
 *       referencePrice: async () => (await broker.exchange.fetchTicker('BTC/USDT')).last ?? 0,
 *       advance: () => new Promise((resolve) => setTimeout(resolve, 1_000)), // let the matching engine run
 *       maxAdvances: 10,
 *       close: () => broker.close(),
 *     };
 *   },
 *   { timeoutMs: 30_000 },
 * );
 * ```
 */
export function describeBrokerConformance(
  name: string,
  setup: () => Promise<ConformanceHarness> | ConformanceHarness,
  options: ConformanceOptions = {},
): void {
  const timeout = options.timeoutMs;
  describe(`Broker conformance: ${name}`, () => {
    let harness: ConformanceHarness;
    let prefix: string;
    let placed: string[];

    beforeEach(async () => {
      harness = await setup();
      prefix = `cf${Math.random().toString(36).slice(2, 10)}`;
      placed = [];
    }, timeout);

    afterEach(async () => {
      for (const clientOrderId of placed) {
        await harness.broker.cancelOrder(harness.symbol, clientOrderId).catch(() => undefined);
      }
      await harness.close?.();
    }, timeout);

    /** A client order id unique to this test. */
    const id = (label: string): string => `${prefix}-${label}`;

    /** Submits an order of the harness's symbol and quantity (a market buy unless told otherwise). */
    const submit = (label: string, request: Partial<SubmitOrderRequest> = {}): Promise<VenueOrder> => {
      const clientOrderId = id(label);
      placed.push(clientOrderId);
      return harness.broker.submitOrder({
        clientOrderId,
        symbol: harness.symbol,
        side: 'buy',
        type: 'market',
        quantity: harness.quantity,
        ...request,
      });
    };

    /** Half the reference price, to 3 significant digits: a price the market will not reach. */
    const farPrice = async (): Promise<number> => Number(((await harness.referencePrice()) / 2).toPrecision(3));

    /** A limit buy at {@link farPrice}. */
    const submitFarLimit = async (label: string): Promise<VenueOrder> =>
      submit(label, { type: 'limit', limitPrice: await farPrice() });

    /** Advances the venue until `probe` answers something, or fails saying what did not happen. */
    const eventually = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
      const attempts = harness.maxAdvances ?? 5;
      for (let attempt = 0; attempt <= attempts; attempt++) {
        if (attempt > 0) await harness.advance();
        const found = await probe();
        if (found !== undefined) return found;
      }
      return expect.fail(`expected ${what} within ${attempts} advances`);
    };

    /** Waits until the order is filled and returns it. */
    const filled = (clientOrderId: string): Promise<VenueOrder> =>
      eventually(`order ${clientOrderId} to be filled`, async () => {
        const order = await harness.broker.fetchOrder(harness.symbol, clientOrderId);
        return order.status === 'filled' ? order : undefined;
      });

    /** What a call rejected with: the BrokerError's code, `'resolved'`, or a description of another error. */
    const outcome = async (call: Promise<unknown>): Promise<string> => {
      try {
        await call;
        return 'resolved';
      } catch (error) {
        return BrokerError.isInstance(error) ? error.code : `not a BrokerError: ${String(error)}`;
      }
    };

    const fillsOf = (fills: readonly Fill[], clientOrderId: string): Fill[] =>
      fills.filter((fill) => fill.clientOrderId === clientOrderId);

    it(
      'declares specification version 1 and coherent capabilities',
      () => {
        const { broker } = harness;
        expect(broker.specificationVersion).toBe(BROKER_SPECIFICATION_VERSION);
        expect(broker.specificationVersion).toBe(1);
        const { capabilities } = broker;
        expect(capabilities.orderTypes).toContain('market');
        expect(capabilities.timeInForce).toContain('GTC');
        for (const type of capabilities.orderTypes) expect(ORDER_TYPES).toContain(type);
        if (capabilities.nativeStops)
          expect(capabilities.orderTypes).toEqual(expect.arrayContaining(['stop', 'take_profit']));
        expect(typeof capabilities.partialFills).toBe('boolean');
        expect(['spot', 'derivatives']).toContain(capabilities.accountType);
        if (capabilities.accountType === 'derivatives') expect(typeof broker.fetchPositions).toBe('function');
        if (capabilities.streaming) expect(typeof broker.subscribe).toBe('function');
      },
      timeout,
    );

    it(
      'submit returns the order under its client order id, as ordered',
      async () => {
        const order = await submitFarLimit('ack');
        expect(order).toMatchObject({
          clientOrderId: id('ack'),
          symbol: harness.symbol,
          side: 'buy',
          type: 'limit',
          timeInForce: 'GTC',
          quantity: harness.quantity,
          triggerPrice: null,
        });
        expect(typeof order.orderId).toBe('string');
        expect(order.orderId).not.toBe('');
        expect(['open', 'filled']).toContain(order.status);

        const market = await submit('ack-market');
        expect(market.clientOrderId).toBe(id('ack-market'));
        expect(['open', 'filled']).toContain(market.status);
      },
      timeout,
    );

    it(
      'is idempotent by client order id: a repeated submit places nothing new',
      async () => {
        const first = await submitFarLimit('twice');
        const again = await submitFarLimit('twice');
        expect(again.orderId).toBe(first.orderId);
        const open = await harness.broker.fetchOpenOrders(harness.symbol);
        expect(open.filter((order) => order.clientOrderId === id('twice'))).toHaveLength(1);

        const market = await submit('twice-market');
        const repeated = await submit('twice-market');
        expect(repeated.orderId).toBe(market.orderId);
        const done = await filled(id('twice-market'));
        const fills = fillsOf(await harness.broker.fetchFills(harness.symbol, done.createdAt), id('twice-market'));
        const total = fills.reduce((sum, fill) => sum + fill.quantity, 0);
        expect(total).toBeCloseTo(harness.quantity, 9);
      },
      timeout,
    );

    it(
      'fetchOrder reports an order by its client order id',
      async () => {
        const order = await submitFarLimit('state');
        const fetched = await harness.broker.fetchOrder(harness.symbol, id('state'));
        expect(fetched).toMatchObject({
          orderId: order.orderId,
          clientOrderId: id('state'),
          symbol: harness.symbol,
          status: 'open',
          filledQuantity: 0,
        });
      },
      timeout,
    );

    it(
      'fills a market order; its fills have stable, unique ids and honour since',
      async () => {
        const order = await submit('fill');
        const done = await filled(id('fill'));
        expect(done.orderId).toBe(order.orderId);
        expect(done.filledQuantity).toBeCloseTo(harness.quantity, 9);
        expect(done.averagePrice).toBeGreaterThan(0);

        const fills = await harness.broker.fetchFills(harness.symbol, order.createdAt);
        const own = fillsOf(fills, id('fill'));
        expect(own.length).toBeGreaterThan(0);
        for (const fill of own) {
          expect(fill).toMatchObject({ orderId: order.orderId, symbol: harness.symbol, side: 'buy' });
          expect(fill.quantity).toBeGreaterThan(0);
          expect(fill.price).toBeGreaterThan(0);
          expect(fill.fee).toBeGreaterThanOrEqual(0);
          expect(fill.timestamp).toBeGreaterThanOrEqual(order.createdAt);
        }
        const ids = fills.map((fill) => fill.fillId);
        expect(new Set(ids).size).toBe(ids.length);
        const timestamps = fills.map((fill) => fill.timestamp);
        expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));

        const again = await harness.broker.fetchFills(harness.symbol, order.createdAt);
        expect(fillsOf(again, id('fill'))).toEqual(own);

        const last = Math.max(...own.map((fill) => fill.timestamp));
        const later = await harness.broker.fetchFills(harness.symbol, last + 1);
        const ownIds = new Set(own.map((fill) => fill.fillId));
        expect(later.filter((fill) => ownIds.has(fill.fillId))).toEqual([]);
        for (const fill of later) expect(fill.timestamp).toBeGreaterThan(last);
      },
      timeout,
    );

    it(
      'keeps a far limit order open until cancelled; cancelling again changes nothing',
      async () => {
        const order = await submitFarLimit('cancel');
        await harness.advance();
        expect(await harness.broker.fetchOrder(harness.symbol, id('cancel'))).toMatchObject({ status: 'open' });
        const open = await harness.broker.fetchOpenOrders(harness.symbol);
        expect(open.map((working) => working.clientOrderId)).toContain(id('cancel'));

        const cancelled = await harness.broker.cancelOrder(harness.symbol, id('cancel'));
        expect(cancelled).toMatchObject({ orderId: order.orderId, clientOrderId: id('cancel'), status: 'cancelled' });
        const again = await harness.broker.cancelOrder(harness.symbol, id('cancel'));
        expect(again).toMatchObject({ orderId: order.orderId, status: 'cancelled' });
        expect(await harness.broker.fetchOrder(harness.symbol, id('cancel'))).toMatchObject({ status: 'cancelled' });
        const after = await harness.broker.fetchOpenOrders(harness.symbol);
        expect(after.map((working) => working.clientOrderId)).not.toContain(id('cancel'));
      },
      timeout,
    );

    it(
      'answers not_found for an unknown client order id',
      async () => {
        expect(await outcome(harness.broker.fetchOrder(harness.symbol, id('unknown')))).toBe('not_found');
        expect(await outcome(harness.broker.cancelOrder(harness.symbol, id('unknown')))).toBe('not_found');
      },
      timeout,
    );

    it(
      'rejects an invalid quantity with a BrokerError "rejected"',
      async () => {
        expect(await outcome(submit('zero', { quantity: 0 }))).toBe('rejected');
        expect(await outcome(submit('negative', { quantity: -1 }))).toBe('rejected');
      },
      timeout,
    );

    it(
      'answers "unsupported" for an order type it does not declare',
      async (context) => {
        const { orderTypes } = harness.broker.capabilities;
        const type = ORDER_TYPES.find((candidate) => !orderTypes.includes(candidate));
        if (type === undefined) return context.skip('every order type is supported');
        const price = await farPrice();
        const prices = type === 'limit' ? { limitPrice: price } : type === 'market' ? {} : { triggerPrice: price };
        expect(await outcome(submit('unsupported', { type, side: 'sell', ...prices }))).toBe('unsupported');
      },
      timeout,
    );

    it(
      'reports balances whose total is free + used',
      async () => {
        const balances = await harness.broker.fetchBalances();
        for (const balance of balances) {
          expect(typeof balance.currency).toBe('string');
          expect(balance.currency).not.toBe('');
          for (const value of [balance.free, balance.used, balance.total]) expect(Number.isFinite(value)).toBe(true);
          expect(balance.total).toBeCloseTo(balance.free + balance.used, 6);
        }
      },
      timeout,
    );

    it(
      'streams the order and its fill to subscribers',
      async (context) => {
        const { broker } = harness;
        if (!broker.capabilities.streaming || !broker.subscribe) return context.skip('not a streaming venue');
        const updates: BrokerUpdate[] = [];
        const stop = broker.subscribe((update) => updates.push(update));
        try {
          await submit('stream');
          await eventually('a fill update', () =>
            Promise.resolve(
              updates.find((update) => update.type === 'fill' && update.fill.clientOrderId === id('stream')),
            ),
          );
          expect(updates).toContainEqual(
            expect.objectContaining({ type: 'order', order: expect.objectContaining({ clientOrderId: id('stream') }) }),
          );
        } finally {
          stop();
        }
      },
      timeout,
    );

    it(
      'reflects a filled market order in its positions',
      async (context) => {
        const { broker, symbol, quantity } = harness;
        if (broker.capabilities.accountType !== 'derivatives' || !broker.fetchPositions) {
          return context.skip('not a derivatives venue');
        }
        const net = async (): Promise<number> => {
          const positions = (await broker.fetchPositions?.()) ?? [];
          return positions
            .filter((position) => position.symbol === symbol)
            .reduce((sum, position) => sum + (position.direction === 'long' ? 1 : -1) * position.quantity, 0);
        };
        const before = await net();
        await submit('position');
        await filled(id('position'));
        expect(await net()).toBeCloseTo(before + quantity, 9);
      },
      timeout,
    );
  });
}
