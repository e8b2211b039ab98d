import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@quant/store';
import { describe, expect, it } from 'vitest';
import { BTCUSDT, runCli, sigintDelivered, startCli, testStoreUrl } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-live-'));
const TRADING = new Set([
  'EntrySignal',
  'ExitSignal',
  'TradingAuthorized',
  'TradingBlocked',
  'OrderPlaced',
  'OrderRejected',
  'OrderFilled',
  'OrderCancelled',
  'PositionOpened',
  'PositionClosed',
  'RiskLimitBreached',
]);

/** The signals, orders, fills and positions of an events file, without ids and correlation ids. */
function tradingEvents(path: string): string[] {
  const events: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '' || !TRADING.has(/"type":"(\w+)"/.exec(line)?.[1] ?? '')) continue;
    const { id: _id, correlationId: _c, causationId: _k, ...rest } = JSON.parse(line);
    events.push(JSON.stringify(rest));
  }
  return events;
}

describe('quant-bot live', () => {
  it('produces the same signals, orders, fills and positions as the backtest on the real file (parity)', async () => {
    const [backtest, replay] = await Promise.all([
      runCli(['backtest', '--events', 'all', '--out', join(dir, 'backtest')]),
      runCli([
        'live',
        '--replay',
        BTCUSDT,
        '--speed',
        'max',
        '--log-level',
        'warn',
        '--events',
        'all',
        '--out',
        join(dir, 'live'),
      ]),
    ]);
    expect(backtest.code, backtest.stderr).toBe(0);
    expect(replay.code, replay.stderr).toBe(0);
    const expected = tradingEvents(join(dir, 'backtest', 'events.jsonl'));
    const actual = tradingEvents(join(dir, 'live', 'events.jsonl'));
    expect(expected.length).toBeGreaterThan(100);
    expect(actual.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expect(actual[i], `event ${i}`).toBe(expected[i]);
  }, 180_000);

  it('replays a slice as if live, stops gracefully on SIGINT and prints the final metrics', async () => {
    const slice = join(dir, 'BTCUSDT_1m.csv');
    writeFileSync(slice, readFileSync(BTCUSDT, 'utf8').split('\n').slice(0, 2001).join('\n'));
    const run = startCli(['live', '--replay', slice, '--speed', '600']);
    // The readiness line comes once the SIGINT handler is installed and the first cycle has run;
    // then wait (no fixed delay) for the loop to have evaluated strategies and logged a status line.
    await run.waitFor('Live loop running (Ctrl+C to stop)');
    await run.waitFor('Evaluated strategies:');
    await run.waitFor('INFO orchestrator: Status: 4/4 services healthy');
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const output = result.stdout;
    for (const line of [
      'Starting Orchestrated Live Trading System',
      'config trading.symbols = ["BTCUSDT"] (env TRADING_SYMBOLS)',
      'config services.data_fetching.fetch_interval = 30 (config/services.yaml:7:21)',
      '✓ DataFetchingService created',
      '=== STARTING ALL SERVICES ===',
      '✓ trade_execution started',
      '=== Initial System Status ===',
      'Services Health: {"data_fetching":true,"indicator_calculation":true,"strategy_evaluation":true,"trade_execution":true}',
      'Trading session correlation ID: ',
      '=== STARTING TRADING LOOP (interval=30s) ===',
      'Fetched data for BTCUSDT 1m',
      'Calculated indicators for BTCUSDT 1m',
      'Evaluated strategies:',
      'INFO orchestrator: Status: 4/4 services healthy',
      'Received shutdown signal (Ctrl+C)',
      '=== STOPPING ALL SERVICES ===',
      '✓ trade_execution stopped',
      '✓ data_fetching stopped',
      '=== ALL SERVICES STOPPED ===',
      '=== Final System Metrics ===',
      'Orchestrator Status: stopped',
      'Services: 4',
      'Healthy Services: 4',
      'Total Events Published: ',
      'Shutdown complete. Thank you for trading!',
    ]) {
      expect(output, line).toContain(line);
    }
    const metric = (label: string): number => Number(new RegExp(`^${label}: (\\d+)`, 'm').exec(output)?.[1]);
    expect(metric('New Candles')).toBeGreaterThan(0);
    expect(metric('New Candles')).toBeLessThan(2000);
    expect(metric('Indicators Calculated')).toBe(metric('New Candles'));
    expect(metric('Data Fetches')).toBeGreaterThanOrEqual(metric('New Candles'));
    expect(output).toMatch(/^Uptime: \d+\.\d\ds/m);
    expect(output).toMatch(/^Event Types: \d+/m);
    expect(output).toMatch(/^Realized P&L: -?\d+\.\d\d USDT/m);
    // The correlation id of a cycle shows on its log lines.
    expect(output).toMatch(
      /\] \[[0-9a-f]{8}\] \[DataFetchingService\] INFO services\.DataFetchingService: Fetched data for BTCUSDT 1m/,
    );
    // The events went to store.url (the test's STORE_URL) by default, under a run that ended clean at the stop.
    const runId = /^Trading session correlation ID: (\S+)$/m.exec(output)?.[1] as string;
    expect(output).toContain(`Event store: ${testStoreUrl()} (SQLite, trading events, run ${runId})`);
    const stored = Number(/^Events Stored: (\d+) in /m.exec(output)?.[1]);
    expect(stored).toBeGreaterThan(4);
    const store = await EventStore.open(testStoreUrl());
    try {
      const run = (await store.runs()).find((r) => r.runId === runId);
      expect(run).toMatchObject({ botId: 'quant', endReason: 'clean' });
      expect((await store.events({ stream: `run-${runId}`, types: ['ServiceStarted'] })).events).toHaveLength(4);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('exits at once with code 130 on a second Ctrl+C', async () => {
    const run = startCli(['backtest', '--out', join(dir, 'interrupted')]);
    // Once the backtest runs with its handlers installed, interrupt twice; the second signal is sent once
    // the kernel has delivered the first (so they cannot merge), well before the graceful shutdown ends.
    await run.waitFor('Backtest running: ', 'stderr');
    run.child.kill('SIGINT');
    await sigintDelivered(run.child.pid as number);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('Interrupted: finishing the report (Ctrl+C again to quit now)');
    expect(result.stderr).toContain('Second interrupt: exiting now.');
  }, 60_000);
});
