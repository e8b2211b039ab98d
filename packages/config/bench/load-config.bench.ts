/**
 * Benchmark of @quant/config, written to bench-results/config.json: loading
 * and validating the example config/services.yaml with environment overrides
 * (file read, YAML parse with positions, .env, overrides, validation, freeze).
 * Target: under 10 ms (the original system claimed under 50 ms).
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { loadConfig } from '../src/index.js';

const cwd = mkdtempSync(join(tmpdir(), 'quant-config-bench-'));
mkdirSync(join(cwd, 'config'));
copyFileSync(new URL('../../../config/services.yaml', import.meta.url), join(cwd, 'config', 'services.yaml'));
writeFileSync(join(cwd, '.env'), 'SYMBOL=XAUUSD\nRISK_MAX_POSITIONS=4\n');
const env = {
  TRADING_SYMBOL: 'BTCUSDT',
  TRADING_TIMEFRAMES: '1m,5m,15m',
  RISK_DAILY_LOSS_LIMIT: '2000',
  SERVICES_DATA_FETCHING_FETCH_INTERVAL: '10',
  ORCHESTRATOR_ENABLE_AUTO_RESTART: 'true',
  LOGGING_LEVEL: 'DEBUG',
};

const bench = new Bench({ time: 2_000, warmupTime: 300 });
bench.add('loadConfig(example + .env + 6 env overrides)', () => {
  loadConfig({ cwd, env });
});
await bench.run();

const latency = bench.tasks[0]?.result?.latency;
if (!latency) throw new Error('no benchmark result');
const results = {
  package: '@quant/config',
  date: new Date().toISOString(),
  node: process.version,
  load_config_ms: {
    mean: latency.mean,
    p99: latency.p99,
    samples: latency.samples.length,
    target_under_10ms: (latency.p99 ?? Number.POSITIVE_INFINITY) < 10,
  },
};
const outDir = new URL('../../../bench-results/', import.meta.url);
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL('config.json', outDir), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
