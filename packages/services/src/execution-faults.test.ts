import type { BaseEvent, TradingEventPayloads } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from './ports/broker.js';
import { march, realPipeline } from './test-support/real-data.js';
import { type BrokerFault, faultyBroker } from './testing/index.js';

type Resolved = BaseEvent & TradingEventPayloads['SignalResolved'];
type Signal = BaseEvent & TradingEventPayloads['EntrySignal'];

/** The same venue, declared as one that does not stream: the bot must poll it. */
const polled = (broker: Broker): Broker => ({
  specificationVersion: broker.specificationVersion,
  capabilities: { ...broker.capabilities, streaming: false },
  submitOrder: (request) => broker.submitOrder(request),
  cancelOrder: (symbol, id) => broker.cancelOrder(symbol, id),
  fetchOrder: (symbol, id) => broker.fetchOrder(symbol, id),
  fetchOpenOrders: (symbol) => broker.fetchOpenOrders(symbol),
  fetchFills: (symbol, since) => broker.fetchFills(symbol, since),
  fetchBalances: () => broker.fetchBalances(),
});

/** Runs the example on the real file from March 1 to 8 with the first submit failing as `fault`. */
async function runWithFirstSubmit(fault: BrokerFault, options: { polled?: boolean } = {}) {
  const pipeline = await realPipeline({
    broker: (exchange) => {
      const faulty = faultyBroker(exchange, { submitOrder: [fault] });
      return options.polled ? polled(faulty) : faulty;
    },
  });
  const healthAfter: string[] = [];
  pipeline.system.bus.subscribe('OrderStatusUnknown', () => {
    healthAfter.push(pipeline.system.orchestrator.getServiceHealth().trade_execution?.status ?? '');
  });
  await pipeline.run(march(1), march(8));
  const { events } = pipeline;
  const signals = events.filter((e) => e.type === 'EntrySignal' || e.type === 'ExitSignal') as Signal[];
  const resolved = events.filter((e) => e.type === 'SignalResolved') as Resolved[];
  const first = signals[0] as Signal;
  return {
    pipeline,
    events,
    signals,
    resolved,
    first,
    firstOutcome: resolved.find((r) => r.signalId === first.id) as Resolved,
    healthAfter,
    health: pipeline.system.orchestrator.getServiceHealth().trade_execution?.status,
  };
}

/** Every signal ends in exactly one SignalResolved, published after it. */
function expectOneOutcomeEach(events: readonly BaseEvent[]): void {
  const position = new Map(events.map((event, index) => [event.id, index]));
  const bySignal = new Map<string, number[]>();
  events.forEach((event, index) => {
    if (event.type !== 'SignalResolved') return;
    const { signalId } = event as Resolved;
    bySignal.set(signalId, [...(bySignal.get(signalId) ?? []), index]);
  });
  const signals = events.filter((e) => e.type === 'EntrySignal' || e.type === 'ExitSignal');
  expect(signals.length).toBeGreaterThan(10);
  for (const signal of signals) {
    const outcomes = bySignal.get(signal.id) ?? [];
    expect(outcomes, `${signal.type} ${signal.id}`).toHaveLength(1);
    expect(outcomes[0] as number).toBeGreaterThan(position.get(signal.id) as number);
  }
  expect([...bySignal.keys()].every((id) => position.has(id))).toBe(true);
}

/** Filled signals of the same run on a venue that never fails. */
let cleanFilled = 0;
beforeAll(async () => {
  const clean = await realPipeline();
  await clean.run(march(1), march(8));
  cleanFilled = clean.events.filter((e) => e.type === 'SignalResolved' && (e as Resolved).outcome === 'filled').length;
}, 60_000);

/** Signals after the failed one still trade: all but a few of a clean run's signals fill. */
function expectLaterSignalsTrade(run: Awaited<ReturnType<typeof runWithFirstSubmit>>): void {
  const later = run.resolved.filter((r) => r.timestamp > run.first.timestamp && r.outcome === 'filled');
  expect(cleanFilled).toBeGreaterThan(30);
  expect(later.length).toBeGreaterThanOrEqual(cleanFilled - 3);
  expect(run.events.filter((e) => e.type === 'PositionClosed').length).toBeGreaterThan(15);
}

describe('a fallible venue, on the real BTCUSDT file', () => {
  it('a network error before sending: the order is unknown, not found next cycle, and its signal failed', async () => {
    const run = await runWithFirstSubmit('network_error_before');
    const unknown = run.events.find((e) => e.type === 'OrderStatusUnknown') as BaseEvent &
      TradingEventPayloads['OrderStatusUnknown'];
    expect(unknown.order.clientOrderId).toBe(run.firstOutcome.clientOrderId);
    expect(unknown.reason).toContain('ECONNRESET');
    expect(run.healthAfter[0]).toBe('degraded');
    expect(run.firstOutcome).toMatchObject({ outcome: 'failed', codes: ['not_found'] });
    // Resolved by the next cycle's reconciliation, one minute later.
    expect(run.firstOutcome.timestamp - unknown.timestamp).toBe(60_000);
    expectOneOutcomeEach(run.events);
    expectLaterSignalsTrade(run);
    expect(run.health).toBe('healthy');
  }, 60_000);

  it('a timeout after the venue took the order, on a streaming venue: the stream wins and the order fills once', async () => {
    const run = await runWithFirstSubmit('timeout_after');
    expect(run.firstOutcome).toMatchObject({ outcome: 'filled', codes: [] });
    expect(run.events.filter((e) => e.type === 'OrderStatusUnknown')).toEqual([]);
    const fills = run.events.filter(
      (e) =>
        e.type === 'OrderFilled' &&
        (e as BaseEvent & TradingEventPayloads['OrderFilled']).order.clientOrderId === run.firstOutcome.clientOrderId,
    );
    expect(fills).toHaveLength(1);
    expectOneOutcomeEach(run.events);
    expectLaterSignalsTrade(run);
  }, 60_000);

  it('a timeout after the venue took the order, on a polled venue: unknown, then filled from the next cycle on', async () => {
    const run = await runWithFirstSubmit('timeout_after', { polled: true });
    const unknown = run.events.find((e) => e.type === 'OrderStatusUnknown') as BaseEvent &
      TradingEventPayloads['OrderStatusUnknown'];
    expect(unknown.order).toMatchObject({ clientOrderId: run.firstOutcome.clientOrderId, status: 'unknown' });
    expect(run.events.some((e) => e.type === 'OrderRejected')).toBe(false);
    expect(run.firstOutcome).toMatchObject({ outcome: 'filled' });
    expect(run.firstOutcome.timestamp).toBeGreaterThan(unknown.timestamp);
    await expect(run.pipeline.exchange.fetchFills('BTCUSDT', 0)).resolves.toSatisfy(
      (fills: readonly { clientOrderId: string }[]) =>
        fills.filter((fill) => fill.clientOrderId === run.firstOutcome.clientOrderId).length === 1,
    );
    expectOneOutcomeEach(run.events);
    expectLaterSignalsTrade(run);
  }, 60_000);

  it('a rate limit: nothing was sent, the signal failed with the code, and the next signals trade', async () => {
    const run = await runWithFirstSubmit('rate_limited');
    expect(run.firstOutcome).toMatchObject({ outcome: 'failed', codes: ['rate_limited'] });
    expect(run.events.filter((e) => e.type === 'OrderStatusUnknown')).toEqual([]);
    expectOneOutcomeEach(run.events);
    expectLaterSignalsTrade(run);
  }, 60_000);

  it("a rejection: the signal is rejected with the venue's reason, and the next signals trade", async () => {
    const run = await runWithFirstSubmit('rejected');
    expect(run.firstOutcome).toMatchObject({ outcome: 'rejected', codes: ['rejected'] });
    const rejected = run.events.find((e) => e.type === 'OrderRejected') as BaseEvent &
      TradingEventPayloads['OrderRejected'];
    expect(rejected.order.clientOrderId).toBe(run.firstOutcome.clientOrderId);
    expectOneOutcomeEach(run.events);
    expectLaterSignalsTrade(run);
  }, 60_000);
});

/** Every position was opened by an entry order: no exit or leg ever flipped a position the other way. */
function expectNoFlip(events: readonly BaseEvent[]): void {
  const entries = new Set(
    events
      .filter((e) => e.type === 'OrderFilled')
      .map((e) => (e as BaseEvent & TradingEventPayloads['OrderFilled']).order)
      .filter((order) => order.intent === 'entry')
      .map((order) => `P-${order.clientOrderId}`),
  );
  const opened = events.filter((e) => e.type === 'PositionOpened') as (BaseEvent &
    TradingEventPayloads['PositionOpened'])[];
  expect(opened.length).toBeGreaterThan(10);
  for (const { position } of opened) expect(entries.has(position.positionId), position.positionId).toBe(true);
}

describe('a fallible venue around exits and answers, on the real BTCUSDT file', () => {
  it('a cancel refused before an exit: no exit is sent, the position stays protected, the next exit signal closes it', async () => {
    const pipeline = await realPipeline({
      broker: (exchange) => faultyBroker(exchange, { cancelOrder: ['rate_limited'] }),
    });
    await pipeline.run(march(1), march(8));
    const exits = pipeline.events.filter((e) => e.type === 'ExitSignal');
    const outcomes = pipeline.events.filter((e) => e.type === 'SignalResolved') as Resolved[];
    const first = outcomes.find((r) => r.signalId === exits[0]?.id);
    expect(first).toMatchObject({ outcome: 'failed', codes: ['rate_limited'], clientOrderId: null });
    const later = outcomes.filter((r) => r.intent === 'exit' && r.timestamp > (first?.timestamp ?? 0));
    expect(later.some((r) => r.outcome === 'filled')).toBe(true);
    expectOneOutcomeEach(pipeline.events);
    expectNoFlip(pipeline.events);
    // Nothing of a closed position's plan is left at the venue.
    const open = await pipeline.exchange.fetchOpenOrders('BTCUSDT');
    expect(open.length).toBeLessThanOrEqual(2 * pipeline.system.positions.positions().length);
  }, 60_000);

  it('a leg cancel lost when a position closes is asked again until the venue has cancelled it', async () => {
    const pipeline = await realPipeline({
      broker: (exchange) => faultyBroker(exchange, { cancelOrder: ['pass', 'pass', 'unavailable'] }),
    });
    await pipeline.run(march(1), march(8));
    expectOneOutcomeEach(pipeline.events);
    expectNoFlip(pipeline.events);
    const open = await pipeline.exchange.fetchOpenOrders('BTCUSDT');
    expect(open.length).toBeLessThanOrEqual(2 * pipeline.system.positions.positions().length);
  }, 60_000);

  it('a submit the venue never answers becomes unknown after the deadline, then filled from the venue', async () => {
    let hung = false;
    const pipeline = await realPipeline({
      timeouts: { venueCallMs: 30_000 },
      broker: (exchange) => ({
        ...polled(exchange),
        submitOrder: (request) => {
          if (hung) return exchange.submitOrder(request);
          hung = true;
          // The venue takes the order; the answer never comes back.
          void exchange.submitOrder(request);
          return new Promise(() => undefined);
        },
      }),
    });
    await pipeline.run(march(1), march(8));
    const unknown = pipeline.events.find((e) => e.type === 'OrderStatusUnknown') as BaseEvent &
      TradingEventPayloads['OrderStatusUnknown'];
    expect(unknown.reason).toContain('no answer within 30000 ms');
    const outcome = (pipeline.events.filter((e) => e.type === 'SignalResolved') as Resolved[]).find(
      (r) => r.clientOrderId === unknown.order.clientOrderId,
    );
    expect(outcome).toMatchObject({ outcome: 'filled' });
    expectOneOutcomeEach(pipeline.events);
    expectNoFlip(pipeline.events);
  }, 60_000);

  it('a fill the stream dropped is found by the periodic sync', async () => {
    let dropped: string | undefined;
    const pipeline = await realPipeline({
      timeouts: { syncIntervalMs: 10 * 60_000 },
      broker: (exchange) => ({
        ...faultyBroker(exchange, {}),
        subscribe: (listener) =>
          exchange.subscribe((update) => {
            if (update.type === 'fill' && dropped === undefined) {
              dropped = update.fill.clientOrderId;
              return;
            }
            if (update.type === 'order' && update.order.clientOrderId === dropped) return;
            listener(update);
          }),
      }),
    });
    await pipeline.run(march(1), march(8));
    const resolved = pipeline.events.filter((e) => e.type === 'SignalResolved') as Resolved[];
    const late = resolved.find((r) => r.clientOrderId === dropped);
    const fill = (await pipeline.exchange.fetchFills('BTCUSDT', 0)).find((f) => f.clientOrderId === dropped);
    expect(late).toMatchObject({ outcome: 'filled' });
    expect((late?.timestamp ?? 0) - (fill?.timestamp ?? 0)).toBeLessThanOrEqual(11 * 60_000);
    expectOneOutcomeEach(pipeline.events);
  }, 60_000);
});
