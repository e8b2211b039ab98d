import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './test-support/run-cli.js';

const runExample = (name: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', name)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('examples', () => {
  it('custom-handler.ts logs 15-minute candles and fills from the running pipeline', () => {
    const result = runExample('custom-handler.ts');
    expect(result.status, result.stderr).toBe(0);
    const candles = result.stdout.split('\n').filter((line) => line.startsWith('NewCandle BTCUSDT 15m '));
    // The first fetch (00:01 on the 13th) publishes the last closed bar, 23:45 on the 12th; then every bar of two days.
    expect(candles).toHaveLength(1 + 2 * 96);
    expect(candles[0]).toBe('NewCandle BTCUSDT 15m 2023-03-12T23:45:00.000Z close 21995.39');
    expect(candles[1]).toBe('NewCandle BTCUSDT 15m 2023-03-13T00:00:00.000Z close 21931.94');
    expect(result.stdout).toMatch(
      /^OrderFilled rsi_reversion (buy|sell) 0\.5 BTCUSDT @ \d+\.\d\d \(fee \d+\.\d\d, 2023-03-1[34]T/m,
    );
    expect(result.stdout).toMatch(/^equity \d+\.\d\d USDT, realized P&L -?\d+\.\d\d$/m);
  }, 60_000);

  it('custom-service.ts runs its own service beside the trading services and publishes a custom event', () => {
    const result = runExample('custom-service.ts');
    expect(result.status, result.stderr).toBe(0);
    const spikes = result.stdout.split('\n').filter((line) => line.startsWith('VolumeSpike BTCUSDT 2023-03-10T'));
    expect(spikes.length).toBeGreaterThan(0);
    expect(result.stdout).toContain(`spikes detected: ${spikes.length}`);
  }, 60_000);
});
