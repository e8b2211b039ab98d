import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDC, BTCUSDT, ROOT, runCli, startCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-multi-'));
/** Limits of the account that never bind, so that the symbols do not interact. */
const LOOSE = { RISK_MAX_POSITIONS: '100', RISK_DAILY_LOSS_LIMIT: '1000000000', RISK_MAX_LEVERAGE: '100' };
let strategies: string;

/** The rows of a run's trades.csv (header left out). */
const trades = (out: string): string[] => readFileSync(join(out, 'trades.csv'), 'utf8').trim().split('\n').slice(1);

beforeAll(() => {
  // The example strategies sized by a fixed quantity: risk_percent sizes from the equity the symbols share.
  const yaml = readFileSync(join(ROOT, 'conf', 'strategies.yaml'), 'utf8').replace(
    /sizing: \{ type: risk_percent, percent: [\d.]+ \}/g,
    'sizing: { type: fixed, quantity: 0.3 }',
  );
  strategies = join(dir, 'strategies.yaml');
  writeFileSync(strategies, yaml);
});

describe('quant-bot with several symbols', () => {
  it("backtests BTCUSDT and BTCUSDC together, each symbol's trades those of its one-symbol run", async () => {
    const run = async (name: string, data: readonly string[]) => {
      const out = join(dir, name);
      const flags = data.flatMap((file) => ['--data', file]);
      const result = await runCli(
        ['backtest', ...flags, '--currency', 'USD', '--strategies', strategies, '--to', '2023-03-10', '--out', out],
        LOOSE,
      );
      expect(result.code, result.stderr).toBe(0);
      return { out, stdout: result.stdout };
    };
    const [both, usdt, usdc] = await Promise.all([
      run('both', [BTCUSDT, BTCUSDC]),
      run('usdt', [BTCUSDT]),
      run('usdc', [BTCUSDC]),
    ]);
    const alone = { BTCUSDT: trades(usdt.out), BTCUSDC: trades(usdc.out) };
    const together = trades(both.out);
    for (const [symbol, rows] of Object.entries(alone)) {
      expect(rows.length).toBeGreaterThan(10);
      expect(together.filter((row) => row.split(',')[1] === symbol)).toEqual(rows);
    }
    expect(together).toHaveLength(alone.BTCUSDT.length + alone.BTCUSDC.length);

    const report = JSON.parse(readFileSync(join(both.out, 'report.json'), 'utf8'));
    expect(report.symbols).toEqual(['BTCUSDT', 'BTCUSDC']);
    expect(report.data_files).toEqual({ BTCUSDT, BTCUSDC });
    expect(report.currency).toBe('USD');
    expect(report.by_symbol.map((group: { key: string; trades: number }) => [group.key, group.trades])).toEqual([
      ['BTCUSDC', alone.BTCUSDC.length],
      ['BTCUSDT', alone.BTCUSDT.length],
    ]);
    expect(report.buy_and_hold.map((leg: { symbol: string }) => leg.symbol)).toEqual(['BTCUSDT', 'BTCUSDC']);
    expect(report.bars_processed).toBe(2 * report.cycles);
    expect(both.stdout).toMatch(/Symbols +BTCUSDT, BTCUSDC \(2023-03-01T00:00:00\.000Z/);
    expect(both.stdout).toContain('Trades by symbol');
    expect(both.stdout).toMatch(/Buy and hold, equal split +-?\d+\.\d\d %/);
    expect(both.stdout).toMatch(/Total return +-?\d+\.\d\d USD /);
  }, 180_000);

  it('takes the currency from the symbols when they share one, and replays several files live', async () => {
    const slice = (source: string, name: string) => {
      const path = join(dir, name);
      writeFileSync(path, `${readFileSync(source, 'utf8').split('\n').slice(0, 3_000).join('\n')}\n`);
      return path;
    };
    const usdt = slice(BTCUSDT, 'BTCUSDT_1m.csv');
    const usd = slice(BTCUSDC, 'ETHUSDT_1m.csv'); // another symbol quoted in USDT
    const out = join(dir, 'live');
    const run = startCli(['live', '--replay', usdt, '--replay', usd, '--speed', 'max', '--out', out], {
      ...LOOSE,
      LOGGING_LEVEL: 'INFO',
    });
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Replaying ${usdt} (2999 bars of BTCUSDT)`);
    expect(result.stdout).toContain(`Replaying ${usd} (2999 bars of ETHUSDT)`);
    expect(result.stdout).toMatch(/New candle detected for ETHUSDT 1m/);
    expect(result.stdout).toMatch(/Equity: \d+\.\d\d USDT/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(report.currency).toBe('USDT');
    expect(report.candles['1m']).toBe(2 * 2_999);
    expect(result.stdout).toContain('Account currency: USDT (the quote currency of BTCUSDT, ETHUSDT)');
  }, 120_000);
});
