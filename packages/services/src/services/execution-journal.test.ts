import { loadConfig } from '@quant/config';
import { EventBus, LogManager, MemorySink, SimulatedClock } from '@quant/core';
import { describe, expect, it, vi } from 'vitest';
import { BrokerError } from '../execution/broker-error.js';
import { DefaultEntryManager } from '../execution/default-entry-manager.js';
import { DefaultRiskManager } from '../execution/default-risk-manager.js';
import { PositionLedger } from '../execution/position-ledger.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import type { ExecutionJournal } from '../ports/execution-journal.js';
import { entrySignal } from '../test-support/entry-signal.js';
import { EMPTY_RECORD, MemoryJournal } from '../test-support/memory-journal.js';
import { march } from '../test-support/real-data.js';
import { TradeExecutionService } from './trade-execution-service.js';

const entry = (barOpenTime: number) => entrySignal(barOpenTime);

/** A journal whose commits the test settles, recording what the bus had published at each. */
function heldJournal(bus: EventBus) {
  const commits: { published: string[]; settle: (error?: Error) => void }[] = [];
  const journal: ExecutionJournal = {
    commit: () =>
      new Promise<void>((resolve, reject) => {
        commits.push({
          published: bus.history().map((event) => event.type),
          settle: (error) => (error ? reject(error) : resolve()),
        });
      }),
    load: async () => EMPTY_RECORD,
  };
  return { journal, commits };
}

/** A venue on a simulated clock, and the order submits it received. */
const venue = () => {
  const clock = new SimulatedClock(march(1, 1));
  const broker = new SimulatedExchange({ clock });
  return { clock, broker, submit: vi.spyOn(broker, 'submitOrder') };
};

/** A bot process on the venue: its own bus and order book, the journal `journalOf` makes for its bus. */
const botProcess = (
  { clock, broker }: ReturnType<typeof venue>,
  journalOf: (bus: EventBus) => ExecutionJournal = () => new MemoryJournal(),
) => {
  const bus = new EventBus({ clock, historyLimit: 1_000 });
  const { config } = loadConfig({ cwd: '/nonexistent', env: {} });
  const service = new TradeExecutionService(
    { bus, clock, logger: new LogManager({ clock, sinks: [new MemorySink()] }).getLogger('TradeExecutionService') },
    {
      broker,
      ledger: new PositionLedger('USDT'),
      riskManager: new DefaultRiskManager(config.risk),
      entryManager: new DefaultEntryManager(),
      executionTimeframe: '1m',
      botId: config.trading.bot_id,
      symbols: config.trading.symbols,
      config: config.services.trade_execution,
      journal: journalOf(bus),
    },
  );
  return { bus, service };
};

const setup = (journalOf: (bus: EventBus) => ExecutionJournal) => {
  const market = venue();
  return { ...botProcess(market, journalOf), submit: market.submit };
};

/** A started bot whose journal holds its commits, after an entry signal reached the commit before its submit. */
async function signalAwaitingCommit() {
  let held: ReturnType<typeof heldJournal> | undefined;
  const { bus, submit, service } = setup((bus) => {
    held = heldJournal(bus);
    return held.journal;
  });
  await service.start();
  bus.emit('EntrySignal', entry(march(1, 0, 55)));
  await bus.drain();
  await Promise.resolve();
  return { bus, submit, commits: held?.commits ?? [] };
}

describe('TradeExecutionService with an execution journal', () => {
  it('persists OrderSubmitted (and what came before it) before the venue is called', async () => {
    const { bus, submit, commits } = await signalAwaitingCommit();
    expect(commits).toHaveLength(1);
    expect(commits[0]?.published.slice(-3)).toEqual(['EntrySignal', 'TradingAuthorized', 'OrderSubmitted']);
    expect(bus.history('OrderSubmitted').map((event) => event.order.status)).toEqual(['submitting']);
    expect(submit, 'nothing is sent before the commit').not.toHaveBeenCalled();
    commits[0]?.settle();
    await vi.waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
    expect(submit.mock.calls[0]?.[0].clientOrderId).toBe(bus.history('OrderSubmitted')[0]?.order.clientOrderId);
    await vi.waitFor(() => expect(bus.history('OrderPlaced')).toHaveLength(1));
  });

  it('rejects, never sends, an order whose commit fails, and ends its signal', async () => {
    const { bus, submit, commits } = await signalAwaitingCommit();
    commits[0]?.settle(new Error('disk full'));
    await vi.waitFor(() => expect(bus.history('OrderRejected')).toHaveLength(1));
    expect(bus.history('OrderRejected')[0]?.reason).toContain(
      'not sent: the order could not be persisted before its submit (disk full)',
    );
    expect(bus.history('SignalResolved').map((event) => event.outcome)).toEqual(['rejected']);
    expect(submit).not.toHaveBeenCalled();
  });

  it('does not send an order the venue cannot say it holds: the order is unknown until the venue answers', async () => {
    const market = venue();
    const { broker, submit } = market;
    vi.spyOn(broker, 'fetchOrder').mockRejectedValueOnce(new BrokerError('unavailable', 'HTTP 503'));
    const { bus, service } = botProcess(market);
    await service.start();
    bus.emit('EntrySignal', entry(march(1, 0, 55)));
    await bus.drain();
    await vi.waitFor(() => expect(bus.history('OrderStatusUnknown')).toHaveLength(1));
    expect(bus.history('OrderStatusUnknown')[0]?.reason).toContain('not sent yet');
    expect(submit).not.toHaveBeenCalled();
  });
});
