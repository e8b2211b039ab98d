/**
 * Example: handlers of your own on a running system. It builds the whole
 * pipeline (the example config, indicators and strategies, a simulated exchange)
 * on two days of the real BTCUSDT data and logs every 15-minute NewCandle and
 * every OrderFilled.
 *
 *   npx tsx examples/custom-handler.ts
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@quant/config';
import { LogManager, SimulatedClock } from '@quant/core';
import {
  CsvBarSource,
  createTradingSystem,
  indicatorsFromFile,
  loadIndicators,
  loadStrategies,
  runSimulation,
  SimulatedExchange,
} from '@quant/services';

const root = new URL('..', import.meta.url);
const path = (relative: string): string => fileURLToPath(new URL(relative, root));

const { config } = loadConfig({ cwd: path('.'), env: { TRADING_SYMBOL: 'BTCUSDT' } });
const clock = new SimulatedClock(Date.UTC(2023, 2, 13));
const source = await CsvBarSource.load({
  path: path('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv'),
  symbol: 'BTCUSDT',
  clock,
});
const indicators = indicatorsFromFile(loadIndicators(path('conf/indicators.yaml')));
const strategies = loadStrategies(path('conf/strategies.yaml'), {
  outputsFor: (tf) => indicators.processor.outputNames(tf),
});
const exchange = new SimulatedExchange({ clock, initialCash: 100_000, feeBps: 10, slippageBps: 1 });
const system = createTradingSystem(config, {
  clock,
  source: exchange.feedFrom(source),
  broker: exchange,
  strategies,
  ...indicators,
  logs: new LogManager({ clock, level: 'warn' }),
});

// Your handlers: typed by event name, isolated from the services (a throw here stops nothing).
system.bus.subscribe('NewCandle', ({ symbol, timeframe, bar }) => {
  if (timeframe === '15m')
    console.log(`NewCandle ${symbol} ${timeframe} ${new Date(bar.openTime).toISOString()} close ${bar.close}`);
});
system.bus.subscribe('OrderFilled', ({ order, fill }) => {
  console.log(
    `OrderFilled ${order.strategyName} ${fill.side} ${fill.quantity} ${fill.symbol} @ ${fill.price.toFixed(2)} (fee ${fill.fee.toFixed(2)}, ${new Date(fill.timestamp).toISOString()})`,
  );
});

await system.orchestrator.start();
await runSimulation(system.orchestrator, clock, {
  start: Date.UTC(2023, 2, 13, 0, 1),
  end: Date.UTC(2023, 2, 15),
  stepMs: 60_000,
});
await system.orchestrator.stop();
const account = system.positions.account();
console.log(`equity ${account.equity.toFixed(2)} ${account.currency}, realized P&L ${account.realizedPnl.toFixed(2)}`);
