import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@quant/config';
import { LogManager, SimulatedClock } from '@quant/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClosedTrade, closedTradeFrom } from './analysis/closed-trade.js';
import { createTradingSystem } from './create-trading-system.js';
import { SimulatedExchange } from './execution/simulated-exchange.js';
import { indicatorsFromFile } from './indicators/from-file.js';
import { loadIndicators } from './indicators/load-indicators.js';
import { CsvBarSource } from './market-data/csv-bar-source.js';
import { MultiSymbolSource } from './market-data/multi-symbol-source.js';
import { runSimulation } from './simulation.js';
import { loadStrategies } from './strategies/load-strategies.js';
import { BTCUSDC, BTCUSDT, conf, march } from './test-support/real-data.js';

const FILES: Readonly<Record<string, string>> = { BTCUSDT, BTCUSDC };
let strategiesPath: string;
const data = new Map<string, CsvBarSource>();

beforeAll(async () => {
  // The example strategies with a fixed size: risk_percent sizes from the account's equity, which the symbols share.
  const yaml = readFileSync(conf('strategies.yaml'), 'utf8').replace(
    /sizing: \{ type: risk_percent, percent: [\d.]+ \}/g,
    'sizing: { type: fixed, quantity: 0.3 }',
  );
  expect(yaml).not.toContain('risk_percent');
  strategiesPath = join(mkdtempSync(join(tmpdir(), 'quant-multi-')), 'strategies.yaml');
  writeFileSync(strategiesPath, yaml);
  for (const [symbol, path] of Object.entries(FILES)) {
    data.set(symbol, await CsvBarSource.load({ path, symbol, clock: new SimulatedClock(0) }));
  }
});

/** Backtests `symbols` together over the first two weeks of March, with account-wide limits that never bind. */
async function backtest(
  symbols: readonly string[],
  env: Record<string, string> = {},
): Promise<ClosedTrade[] & { blocked: string[]; mostOpen: number }> {
  const clock = new SimulatedClock(march(1, 0, 0));
  const { config } = loadConfig({
    cwd: '/nonexistent',
    env: {
      TRADING_SYMBOLS: symbols.join(','),
      TRADING_TIMEFRAMES: '1m,5m,15m',
      RISK_MAX_POSITIONS: '100',
      RISK_DAILY_LOSS_LIMIT: '1000000000',
      RISK_MAX_LEVERAGE: '100',
      ...env,
    },
  });
  const indicators = indicatorsFromFile(loadIndicators(conf('indicators.yaml')));
  const strategies = loadStrategies(strategiesPath, {
    outputsFor: (tf) => indicators.processor.outputNames(tf),
    timeframes: config.trading.timeframes,
    symbols: config.trading.symbols,
  });
  const exchange = new SimulatedExchange({ clock, initialCash: 100_000, feeBps: 10, slippageBps: 1 });
  const source = new MultiSymbolSource(
    Object.fromEntries(symbols.map((symbol) => [symbol, (data.get(symbol) as CsvBarSource).withClock(clock)])),
  );
  const system = createTradingSystem(config, {
    clock,
    source: exchange.feedFrom(source),
    broker: exchange,
    strategies,
    ...indicators,
    logs: new LogManager({ clock, level: 'silent' }),
  });
  const trades = Object.assign([] as ClosedTrade[], { blocked: [] as string[], mostOpen: 0 });
  system.bus.subscribe('PositionClosed', (event) => {
    trades.push(closedTradeFrom(event));
  });
  system.bus.subscribe('PositionOpened', () => {
    trades.mostOpen = Math.max(trades.mostOpen, system.positions.positions().length);
  });
  system.bus.subscribe('TradingBlocked', (event) => {
    trades.blocked.push(`${event.symbol} ${event.reasons.join(',')}`);
  });
  await system.orchestrator.start();
  await runSimulation(system.orchestrator, clock, { start: march(1, 0, 1), end: march(15), stepMs: 60_000 });
  await system.orchestrator.stop();
  return trades;
}

describe('a backtest of several symbols', () => {
  it("gives each symbol exactly the trades of its one-symbol run when the account's limits do not bind", async () => {
    const together = await backtest(['BTCUSDT', 'BTCUSDC']);
    const alone = {
      BTCUSDT: await backtest(['BTCUSDT']),
      BTCUSDC: await backtest(['BTCUSDC']),
    };
    for (const symbol of ['BTCUSDT', 'BTCUSDC'] as const) {
      expect(alone[symbol].length).toBeGreaterThan(10);
      expect(alone[symbol].every((trade) => trade.symbol === symbol)).toBe(true);
      expect(together.filter((trade) => trade.symbol === symbol)).toEqual([...alone[symbol]]);
    }
    expect(together).toHaveLength(alone.BTCUSDT.length + alone.BTCUSDC.length);
    // The two markets differ, so the runs are not the same run twice.
    expect(alone.BTCUSDT.map((trade) => trade.entryPrice)).not.toEqual(alone.BTCUSDC.map((trade) => trade.entryPrice));
  }, 120_000);

  it('applies max_positions across the account and max_position_sizes per symbol', async () => {
    const one = await backtest(['BTCUSDT', 'BTCUSDC'], { RISK_MAX_POSITIONS: '1' });
    expect(one.mostOpen).toBe(1);
    // Both symbols were held at some point, and each was blocked while the other was.
    expect(new Set(one.map((trade) => trade.symbol))).toEqual(new Set(['BTCUSDT', 'BTCUSDC']));
    expect(one.blocked).toContain('BTCUSDT max_positions');
    expect(one.blocked).toContain('BTCUSDC max_positions');
    const sized = await backtest(['BTCUSDT', 'BTCUSDC'], { RISK_MAX_POSITION_SIZES: 'BTCUSDC=0.1' });
    expect(sized.filter((trade) => trade.symbol === 'BTCUSDC')).toEqual([]);
    expect(sized.blocked.filter((entry) => entry.startsWith('BTCUSDC')).length).toBeGreaterThan(10);
    expect(sized.blocked.every((entry) => entry === 'BTCUSDC max_position_size')).toBe(true);
    expect(sized.filter((trade) => trade.symbol === 'BTCUSDT').length).toBeGreaterThan(10);
  }, 120_000);
});
