import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BTCUSDT, ROOT } from './test-support/run-cli.js';

/** The first ```ts block of a README: the example a new user copies. */
function firstTypeScriptBlock(readme: string): string {
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('the README has no ```ts block');
  return match[1];
}

/**
 * A new project beside nothing of this repository: the published packages
 * (linked, as `npm install` would place them), the data and the two YAML
 * files the example names, and the example copied as it is written.
 */
function freshProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quant-readme-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-bot', private: true, type: 'module' }));
  mkdirSync(join(dir, 'node_modules', '@quant'), { recursive: true });
  for (const name of ['core', 'config', 'services']) {
    symlinkSync(join(ROOT, 'packages', name), join(dir, 'node_modules', '@quant', name), 'dir');
  }
  mkdirSync(join(dir, 'conf'));
  copyFileSync(join(ROOT, 'conf', 'indicators.yaml'), join(dir, 'conf', 'indicators.yaml'));
  copyFileSync(join(ROOT, 'conf', 'strategies.yaml'), join(dir, 'conf', 'strategies.yaml'));
  copyFileSync(BTCUSDT, join(dir, 'BTCUSDT_1m.csv'));
  return dir;
}

const example = firstTypeScriptBlock(readFileSync(join(ROOT, 'packages', 'services', 'README.md'), 'utf8'));

/** Runs `source` as `backtest.ts` in a fresh project with tsx, as a new user would. */
function runInFreshProject(source: string) {
  const dir = freshProject();
  writeFileSync(join(dir, 'backtest.ts'), source);
  const tsx = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx/esm')).href;
  return spawnSync(process.execPath, ['--import', tsx, 'backtest.ts'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? '' },
  });
}

describe('the @quant/services README example', () => {
  it('runs as written in a fresh project, trades, and warns about nothing', () => {
    const result = runInFreshProject(example);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const summary = /^(\d+) fills, (\d+) trades closed, equity (\d+\.\d\d) USDT$/m.exec(result.stdout);
    expect(summary, result.stdout).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThan(0);
    expect(Number(summary?.[2])).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/^max drawdown \d+\.\d\d %, Sharpe -?\d+\.\d\d$/m);
    expect(result.stdout).toMatch(/rsi_reversion/);
    expect(result.stderr).toBe('');
  }, 150_000);

  it('with a symbol the data does not serve, says why on every fetch and finishes instead of dying silently', () => {
    const wrongSymbol = example.replace("symbol: 'BTCUSDT', timeframes", "symbol: 'EURUSD', timeframes");
    expect(wrongSymbol).not.toBe(example);
    const result = runInFreshProject(wrongSymbol);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(
      /ERROR .*Fetching EURUSD 1m failed after 4 attempts: this CSV source serves BTCUSDT, not EURUSD/,
    );
    expect(result.stdout).toMatch(/ERROR .*data_fetching failed and will not be restarted/);
    expect(result.stdout).toMatch(/^0 fills, 0 trades closed, equity 100000\.00 USDT$/m);
  }, 150_000);
});
