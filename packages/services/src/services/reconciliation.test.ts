import { loadConfig } from '@quant/config';
import { type Bar, EventBus, LogManager, MemorySink, SimulatedClock, type TradingEventPayloads } from '@quant/core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BrokerError } from '../execution/broker-error.js';
import { DefaultEntryManager } from '../execution/default-entry-manager.js';
import { DefaultRiskManager } from '../execution/default-risk-manager.js';
import { PositionLedger } from '../execution/position-ledger.js';
import { DEFAULT_RECOVERY, type RecoverySettings } from '../execution/reconciler.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import { entrySignal } from '../test-support/entry-signal.js';
import { MemoryJournal } from '../test-support/memory-journal.js';
import { realBars } from '../test-support/real-data.js';
import { TradeExecutionService } from './trade-execution-service.js';

/**
 * Reconciliation with the venue, one case per test: a bot process trades on a simulated exchange with an
 * in-memory journal, "dies" (its bus and book are dropped; what it had not committed is lost), the venue moves on
 * (bars of the real BTCUSDT file fill its orders, an operator trades by hand), and a new process on the same
 * journal and venue starts. Everything runs on one simulated clock.
 */
let bars: Bar[];
beforeAll(async () => {
  bars = await realBars('1m', 240);
});

const { config } = loadConfig({ cwd: '/nonexistent', env: {} });
type Completed = TradingEventPayloads['ReconciliationCompleted'];

const entry = (bar: Bar) =>
  entrySignal(bar.openTime, {
    timeframe: '1m',
    price: bar.close,
    stopLoss: bar.close * 0.9,
    takeProfit: bar.close * 1.1,
  });

/** The venue and the journal outlive the bot processes. */
function world(options: { nativeStops?: boolean } = {}) {
  const clock = new SimulatedClock(bars[0]?.openTime ?? 0);
  const broker = new SimulatedExchange({ clock, nativeStops: options.nativeStops ?? true });
  const journal = new MemoryJournal();
  let next = 0;
  /** Closes the next bar at the venue (its orders match), moving the clock to its close. */
  const trade = (count = 1) => {
    for (let i = 0; i < count; i++) {
      const bar = bars[next++] as Bar;
      clock.tickTo(bar.openTime + 60_000);
      broker.processBar('BTCUSDT', bar);
    }
    return bars[next - 1] as Bar;
  };
  return { clock, broker, journal, trade };
}

/** A bot process on the world's venue and journal; `start()` runs the startup reconciliation. */
async function startBot(w: ReturnType<typeof world>, recovery: Partial<RecoverySettings> = {}) {
  const { clock, broker, journal } = w;
  const bus = new EventBus({ clock, historyLimit: 10_000, onPublish: journal.record });
  const ledger = new PositionLedger('USDT');
  const service = new TradeExecutionService(
    { bus, clock, logger: new LogManager({ clock, sinks: [new MemorySink()] }).getLogger('TradeExecutionService') },
    {
      broker,
      ledger,
      riskManager: new DefaultRiskManager(config.risk),
      entryManager: new DefaultEntryManager(),
      executionTimeframe: '1m',
      botId: config.trading.bot_id,
      symbols: ['BTCUSDT'],
      config: config.services.trade_execution,
      journal,
      recovery: { ...DEFAULT_RECOVERY, ...recovery },
    },
  );
  await service.start();
  await bus.drain();
  const completed = () => bus.history('ReconciliationCompleted').map((event) => event as unknown as Completed);
  /** Publishes a signal and waits for the venue's answer (or, with `answered: false`, for the submit). */
  const signal = async (payload: TradingEventPayloads['EntrySignal'], answered = true) => {
    bus.emit('EntrySignal', payload);
    await bus.drain();
    const sending = () => service.workingOrders().filter((order) => order.status === 'submitting');
    await vi.waitFor(() => expect(bus.history('OrderSubmitted')).toHaveLength(1));
    if (answered) await vi.waitFor(() => expect(sending()).toEqual([]));
  };
  /** The end of a cycle: the journal commits. */
  const commit = () => journal.commit();
  /** A kill: nothing more is committed. */
  const die = async () => {
    await bus.drain();
    journal.crash();
    await service.stop();
  };
  return { bus, ledger, service, completed, signal, commit, die };
}

/** A world where a bot placed an entry (open at the venue, not filled yet), recorded it, and died. */
async function openThenDown() {
  const w = world();
  const first = await startBot(w);
  await first.signal(entry(w.trade()));
  const id = first.service.workingOrders()[0]?.clientOrderId as string;
  await first.commit();
  await first.die();
  return { w, id };
}

/** A world where a bot opened a 0.5 BTC long, recorded it, and died. */
async function heldThenDown() {
  const w = world();
  const first = await startBot(w);
  await first.signal(entry(w.trade()));
  w.trade();
  await vi.waitFor(() => expect(first.ledger.positions()).toHaveLength(1));
  await first.commit();
  await first.die();
  return w;
}

describe('reconciliation at start', () => {
  it('first start: sets the capital once (CapitalSet) and finds nothing', async () => {
    const w = world();
    const bot = await startBot(w);
    expect(bot.bus.history('CapitalSet')).toHaveLength(1);
    expect(bot.completed()).toMatchObject([
      { phase: 'startup', ordersRestored: 0, positionsRestored: 0, mismatches: [], action: 'trade' },
    ]);
    await bot.commit();
    await bot.die();
    const again = await startBot(w);
    expect(again.bus.history('CapitalSet'), 'the capital is read back, not set again').toHaveLength(0);
    expect(again.ledger.capital).toBe(100_000);
  });

  it('fill during downtime: an open order filled while the bot was down is applied, as events, at start', async () => {
    const { w, id } = await openThenDown();
    w.trade(); // the market order fills at the venue while no bot runs
    const second = await startBot(w);
    const [summary] = second.completed();
    expect(summary).toMatchObject({
      ordersRestored: 1,
      ordersResolved: [{ clientOrderId: id, from: 'open', to: 'filled' }],
      fillsRecovered: 1,
      mismatches: [],
      action: 'trade',
    });
    expect(second.bus.history('OrderFilled').map((event) => event.order.clientOrderId)).toEqual([id]);
    expect(second.bus.history('PositionOpened')).toHaveLength(1);
    expect(second.ledger.position('test', 'BTCUSDT')?.quantity).toBe(0.5);
    // The exit plan of the position is at the venue (native stops): a stop and a take-profit.
    await vi.waitFor(async () => expect(await w.broker.fetchOpenOrders()).toHaveLength(2));
  });

  it('late fill: an order recorded `submitting` (the submit answer lost in the crash) that the venue filled', async () => {
    const w = world();
    const first = await startBot(w);
    const journal = w.journal;
    const commit = vi.spyOn(journal, 'commit');
    await first.signal(entry(w.trade()));
    expect(commit).toHaveBeenCalledTimes(1); // at the submit: OrderSubmitted is durable, OrderPlaced is not
    await first.die();
    w.trade();
    const second = await startBot(w);
    expect(second.completed()[0]).toMatchObject({
      ordersResolved: [{ from: 'submitting', to: 'filled' }],
      fillsRecovered: 1,
      action: 'trade',
    });
    const entries = second.bus.history('OrderPlaced').filter((event) => event.order.intent === 'entry');
    expect(entries, 'the entry is placed once; the others are its exit plan').toHaveLength(1);
    expect(second.ledger.positions()).toHaveLength(1);
  });

  it('order cancelled at the venue while the bot was down: OrderCancelled, and the signal ends', async () => {
    const { w, id } = await openThenDown();
    await w.broker.cancelOrder('BTCUSDT', id);
    const second = await startBot(w);
    expect(second.completed()[0]).toMatchObject({
      ordersResolved: [{ clientOrderId: id, from: 'open', to: 'cancelled' }],
      mismatches: [],
    });
    expect(second.bus.history('OrderCancelled')).toHaveLength(1);
    expect(second.bus.history('SignalResolved').map((event) => event.outcome)).toEqual(['cancelled']);
  });

  it('order unknown at the venue: recorded `submitting` but never received is unknown, then rejected after the grace period, never sent', async () => {
    const w = world();
    const submit = vi.spyOn(w.broker, 'submitOrder').mockImplementationOnce(() => new Promise(() => {}));
    const first = await startBot(w);
    await first.signal(entry(w.trade()), false);
    await first.die(); // died while the submit was on the wire; the venue never got it
    const second = await startBot(w);
    // A venue may list a new order late: not rejected before the grace period (60 s) since it was recorded.
    expect(second.completed()[0]).toMatchObject({ ordersResolved: [{ from: 'submitting', to: 'unknown' }] });
    expect(second.bus.history('OrderRejected')).toEqual([]);
    w.trade();
    await second.service.reconcile();
    await second.bus.drain();
    expect(second.bus.history('OrderRejected')[0]?.reason).toContain('not_found');
    expect(second.bus.history('SignalResolved').map((event) => event.outcome)).toEqual(['failed']);
    expect(submit).toHaveBeenCalledTimes(1);
    expect(await w.broker.fetchOpenOrders()).toEqual([]);
  });

  it('a regenerated signal after a restart sends nothing: the order is in the rebuilt book', async () => {
    const w = world();
    const submit = vi.spyOn(w.broker, 'submitOrder');
    const first = await startBot(w);
    const bar = w.trade();
    await first.signal(entry(bar));
    await first.die();
    const second = await startBot(w);
    second.bus.emit('EntrySignal', entry(bar));
    await second.bus.drain();
    expect(submit).toHaveBeenCalledTimes(1);
    expect(second.bus.history('OrderSubmitted')).toHaveLength(0);
  });

  it('external order: reported and never touched — or cancelled when configured', async () => {
    for (const cancel of [false, true]) {
      const w = world();
      await w.broker.submitOrder({
        clientOrderId: 'manual-1',
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'limit',
        limitPrice: 1000,
        quantity: 0.1,
      });
      const bot = await startBot(w, { cancelExternalOrders: cancel });
      expect(bot.completed()[0]?.externalOrders).toEqual([
        {
          clientOrderId: 'manual-1',
          symbol: 'BTCUSDT',
          side: 'buy',
          quantity: 0.1,
          handling: cancel ? 'cancelled' : 'ignored',
        },
      ]);
      expect((await w.broker.fetchOrder('BTCUSDT', 'manual-1')).status).toBe(cancel ? 'cancelled' : 'open');
      expect(bot.completed()[0]?.action).toBe('trade');
    }
  });

  it('external position: fills of an order the bot did not place are counted, reported, not a mismatch', async () => {
    const w = world();
    const first = await startBot(w);
    await first.commit();
    await first.die();
    await w.broker.submitOrder({
      clientOrderId: 'manual-2',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: 0.2,
    });
    w.trade();
    const second = await startBot(w);
    expect(second.completed()[0]).toMatchObject({
      externalFills: [expect.objectContaining({ clientOrderId: 'manual-2', side: 'buy', quantity: 0.2 })],
      externalPositions: [{ symbol: 'BTCUSDT', quantity: 0.2 }],
      mismatches: [],
      action: 'trade',
    });
    expect(second.ledger.positions()).toEqual([]);
    // Read back at the next start, not counted again (the fills before the last check are not asked for again).
    await second.commit();
    await second.die();
    const third = await startBot(w);
    expect(third.completed()[0]).toMatchObject({
      externalFills: [],
      externalPositions: [{ symbol: 'BTCUSDT', quantity: 0.2 }],
      mismatches: [],
    });
  });

  it('position mismatch, halt: says what differs and sends no order until restarted', async () => {
    const w = await heldThenDown();
    // The venue no longer holds the position (e.g. liquidated by hand on another account view).
    vi.spyOn(w.broker, 'fetchPositions').mockResolvedValue([]);
    const second = await startBot(w);
    const [summary] = second.completed();
    expect(summary?.action).toBe('halt');
    expect(summary?.mismatches).toEqual([
      expect.objectContaining({ kind: 'position', subject: 'BTCUSDT', expected: 0.5, actual: 0 }),
    ]);
    const submit = vi.spyOn(w.broker, 'submitOrder');
    second.bus.emit('EntrySignal', { ...entry(w.trade()), strategyName: 'other' });
    await second.bus.drain();
    expect(second.bus.history('SignalResolved').at(-1)).toMatchObject({
      outcome: 'blocked',
      codes: ['reconciliation_halt'],
    });
    expect(submit).not.toHaveBeenCalled();
    expect(second.service.healthCheck().details.halted).toContain('BTCUSDT');
    // A halt stops new exposure only: an exit still goes out.
    second.bus.emit('ExitSignal', { ...entry(w.trade()), reason: 'exit rule' });
    await second.bus.drain();
    await vi.waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
    expect(submit.mock.calls[0]?.[0]).toMatchObject({ side: 'sell', quantity: 0.5 });
  });

  it("position mismatch, adopt: the venue's quantity becomes the bot's, and trading goes on", async () => {
    const w = await heldThenDown();
    vi.spyOn(w.broker, 'fetchPositions').mockResolvedValue([
      { symbol: 'BTCUSDT', direction: 'long', quantity: 0.3, entryPrice: 23_000, unrealizedPnl: 0 },
    ]);
    const second = await startBot(w, { onMismatch: 'adopt' });
    expect(second.completed()[0]?.action).toBe('adopt');
    expect(second.ledger.position('test', 'BTCUSDT')?.quantity).toBeCloseTo(0.3, 12);
    expect(second.bus.history('PositionClosed')).toMatchObject([{ reason: 'reconciliation' }]);
    expect(second.service.healthCheck().details.halted).toBeUndefined();
    // The adoption is in the journal: the next start (halting on a mismatch) rebuilds 0.3 and finds nothing.
    await second.commit();
    await second.die();
    const third = await startBot(w);
    expect(third.completed()[0]).toMatchObject({ mismatches: [], action: 'trade' });
    expect(third.ledger.position('test', 'BTCUSDT')?.quantity).toBeCloseTo(0.3, 12);
  });

  it('an order the venue acknowledged and no longer finds: a mismatch — kept with halt, cancelled with adopt', async () => {
    for (const onMismatch of ['halt', 'adopt'] as const) {
      const { w, id } = await openThenDown();
      vi.spyOn(w.broker, 'fetchOrder').mockRejectedValue(new BrokerError('not_found', 'Order does not exist.'));
      vi.spyOn(w.broker, 'fetchOpenOrders').mockResolvedValue([]);
      const second = await startBot(w, { onMismatch });
      const [summary] = second.completed();
      expect(summary?.mismatches).toEqual([expect.objectContaining({ kind: 'order', subject: id })]);
      expect(summary?.action).toBe(onMismatch);
      if (onMismatch === 'halt') {
        expect(second.service.workingOrders().map((order) => order.clientOrderId)).toEqual([id]);
      } else {
        expect(second.service.workingOrders()).toEqual([]);
        expect(summary?.ordersResolved).toEqual([{ clientOrderId: id, from: 'open', to: 'cancelled' }]);
        expect(second.bus.history('SignalResolved').map((event) => event.outcome)).toEqual(['cancelled']);
      }
    }
  });

  it('refuses to start when the venue does not answer (RECONCILIATION_FAILED)', async () => {
    const w = world();
    vi.spyOn(w.broker, 'fetchOpenOrders').mockRejectedValue(new Error('HTTP 503'));
    await expect(startBot(w)).rejects.toThrow(/did not answer reconciliation \(HTTP 503\)/);
  });
});

describe('reconciliation while running', () => {
  it('checks open orders every reconcile_interval and publishes only what it found', async () => {
    const w = world();
    const bot = await startBot(w, { reconcileIntervalMs: 300_000 });
    await bot.service.reconcile();
    expect(bot.completed()).toHaveLength(1);
    await w.broker.submitOrder({
      clientOrderId: 'manual-3',
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'limit',
      limitPrice: 90_000,
      quantity: 0.1,
    });
    w.trade(4);
    await bot.service.reconcile();
    await bot.bus.drain();
    expect(bot.completed(), 'not yet: 4 of 5 minutes').toHaveLength(1);
    w.trade(1);
    await bot.service.reconcile();
    await bot.bus.drain();
    expect(bot.completed()).toHaveLength(2);
    expect(bot.completed()[1]).toMatchObject({ phase: 'runtime', externalOrders: [{ clientOrderId: 'manual-3' }] });
    w.trade(5);
    await bot.service.reconcile();
    await bot.bus.drain();
    expect(bot.completed(), 'an external order is reported once').toHaveLength(2);
  });
});
