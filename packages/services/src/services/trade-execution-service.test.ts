import { loadConfig } from '@quant/config';
import { EventBus, LogManager, MemorySink, SimulatedClock } from '@quant/core';
import { describe, expect, it } from 'vitest';
import { DefaultEntryManager } from '../execution/default-entry-manager.js';
import { DefaultRiskManager } from '../execution/default-risk-manager.js';
import { PositionLedger } from '../execution/position-ledger.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import { entrySignal } from '../test-support/entry-signal.js';
import { march } from '../test-support/real-data.js';
import { TradeExecutionService } from './trade-execution-service.js';

const signal = entrySignal;

const setup = (env: Record<string, string> = {}, quantityStep?: number) => {
  const clock = new SimulatedClock(march(1, 1));
  const bus = new EventBus({ clock, historyLimit: 1_000 });
  const sink = new MemorySink();
  const { config } = loadConfig({ cwd: '/nonexistent', env });
  const broker = new SimulatedExchange({ clock });
  const service = new TradeExecutionService(
    { bus, clock, logger: new LogManager({ clock, sinks: [sink] }).getLogger('TradeExecutionService') },
    {
      broker,
      ledger: new PositionLedger('USDT'),
      riskManager: new DefaultRiskManager(config.risk),
      entryManager: new DefaultEntryManager(quantityStep === undefined ? {} : { quantityStep }),
      executionTimeframe: '1m',
      botId: config.trading.bot_id,
      symbols: config.trading.symbols,
      config: config.services.trade_execution,
    },
  );
  return { clock, bus, broker, service, sink };
};

describe('TradeExecutionService', () => {
  it('blocks a signal that yields no valid order, so its strategy is not left waiting', async () => {
    const { bus, service } = setup({}, 1);
    await service.start();
    bus.emit('EntrySignal', signal(march(1, 0, 55)));
    await bus.drain();
    expect(bus.history('TradingBlocked').map((event) => event.reasons)).toEqual([['invalid_order']]);
    expect(bus.history('OrderPlaced')).toEqual([]);
    expect(service.getMetrics()).toMatchObject({ orders_rejected: 1, orders_placed: 0 });
  });

  it('submits in batches of batch_size in batch mode', async () => {
    const { bus, service } = setup({
      SERVICES_TRADE_EXECUTION_EXECUTION_MODE: 'batch',
      SERVICES_TRADE_EXECUTION_BATCH_SIZE: '2',
    });
    await service.start();
    bus.emit('EntrySignal', signal(march(1, 0, 50)));
    await bus.drain();
    expect(bus.history('OrderPlaced')).toHaveLength(0);
    bus.emit('EntrySignal', signal(march(1, 0, 55), { strategyName: 'other' }));
    await bus.drain();
    expect(bus.history('OrderPlaced').map((event) => event.order.strategyName)).toEqual(['test', 'other']);
    expect(bus.history('TradingAuthorized')).toHaveLength(2);
  });

  it('blocks a second entry of a strategy whose first is still working, so a batch never doubles a position', async () => {
    const { bus, service } = setup({
      SERVICES_TRADE_EXECUTION_EXECUTION_MODE: 'batch',
      SERVICES_TRADE_EXECUTION_BATCH_SIZE: '2',
    });
    await service.start();
    bus.emit('EntrySignal', signal(march(1, 0, 50)));
    bus.emit('EntrySignal', signal(march(1, 0, 55)));
    await bus.drain();
    expect(bus.history('OrderPlaced')).toHaveLength(1);
    expect(bus.history('SignalResolved').map((event) => [event.outcome, event.codes])).toEqual([
      ['blocked', ['entry_in_progress']],
    ]);
    expect(service.workingOrders()).toHaveLength(1);
  });

  it('ignores an exit signal for a position it does not hold, and says so', async () => {
    const { bus, service, sink } = setup();
    await service.start();
    bus.emit('ExitSignal', { ...signal(march(1, 0, 55)), direction: 'long' });
    await bus.drain();
    expect(bus.history('OrderPlaced')).toEqual([]);
    expect(sink.lines.some((line) => line.includes('Exit signal of test BTCUSDT: no open long position'))).toBe(true);
    expect(bus.history('SignalResolved').map((event) => [event.outcome, event.codes])).toEqual([
      ['blocked', ['no_position']],
    ]);
  });
});
