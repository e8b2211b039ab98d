/**
 * Benchmark of @quant/services, written to bench-results/services.json: the
 * whole pipeline in backtest mode over the real BTCUSDT file (30 240 1-minute
 * bars) with 1m/5m/15m timeframes, the 6 example indicators, regime detection
 * and both example strategies on the simulated exchange.
 *
 * Reports 1-minute bars per second end to end (median of three runs), events
 * per second, peak RSS (of a fresh process doing one run),
 * and the share of time outside indicator math (event bus, services, broker):
 * the indicator math alone (the same processor and regime detector fed the
 * same bars) is timed in the same run and subtracted.
 * Targets: >= 100 000 bars/s, peak RSS < 200 MB, share outside indicators < 50 %.
 *
 * The floor (`reference_loop` in the results): the same work as one plain
 * loop (bench/reference-loop.ts: the same indicator objects, strategies,
 * sizing, risk checks and paper-broker fills, no bus, no services), which
 * makes exactly the pipeline's trades. Pipeline runs and reference-loop runs
 * alternate in this process (9 of each, after a warm-up of each); reported:
 * bars/s of each (medians), the time per bar of the pipeline over the
 * reference loop's (the median of the 9 pairs' ratios; also the ratio of the
 * fastest run of each, less sensitive to a noisy machine), and the parse time of
 * each (CsvBarSource.load for both, outside the timed runs). Target: a ratio
 * per bar of at most 2.5.
 *
 * CSV loading (`csv_load` in the results, bench/csv-load.ts): CsvBarSource.load
 * against csv-parse's sync API on the same file, alternately; target: at most
 * 1.3 times its time.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@quant/config';
import { LogManager, SimulatedClock, type Timeframe } from '@quant/core';
import {
  CsvBarSource,
  createTradingSystem,
  indicatorsFromFile,
  loadIndicators,
  loadStrategies,
  runSimulation,
  SimulatedExchange,
} from '../src/index.js';
import { measureCsvLoad } from './csv-load.js';
import { loadReferenceBars, runReferenceLoop } from './reference-loop.js';

const root = new URL('../../../', import.meta.url);
const DATA = fileURLToPath(new URL('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', root));
const TIMEFRAMES: Timeframe[] = ['1m', '5m', '15m'];
const { config } = loadConfig({
  cwd: fileURLToPath(root),
  env: { TRADING_SYMBOL: 'BTCUSDT', TRADING_TIMEFRAMES: TIMEFRAMES.join(',') },
});
const indicatorsFile = loadIndicators(fileURLToPath(new URL('conf/indicators.yaml', root)));
const STRATEGIES = fileURLToPath(new URL('conf/strategies.yaml', root));

async function pipelineRun() {
  const clock = new SimulatedClock(0);
  const l0 = performance.now();
  const source = await CsvBarSource.load({ path: DATA, symbol: 'BTCUSDT', clock });
  const parseMs = performance.now() - l0;
  const indicators = indicatorsFromFile(indicatorsFile);
  const strategies = loadStrategies(fileURLToPath(new URL('conf/strategies.yaml', root)), {
    outputsFor: (tf) => indicators.processor.outputNames(tf),
  });
  const exchange = new SimulatedExchange({ clock, initialCash: 100_000, feeBps: 10, slippageBps: 1 });
  const logs = new LogManager({ clock, level: 'warn', sinks: [] });
  const system = createTradingSystem(config, {
    clock,
    source: exchange.feedFrom(source),
    broker: exchange,
    strategies,
    ...indicators,
    logs,
  });
  const first = source.stats.firstOpenTime ?? 0;
  const last = source.stats.lastOpenTime ?? 0;
  await clock.advanceTo(first);
  await system.orchestrator.start();
  const t0 = performance.now();
  const cycles = await runSimulation(system.orchestrator, clock, {
    start: first + 60_000,
    end: last + 60_000,
    stepMs: 60_000,
  });
  const ms = performance.now() - t0;
  const events = system.bus.getMetrics().events_published;
  await system.orchestrator.stop();
  return { source, cycles, ms, events, trades: system.positions.account(), parseMs };
}

/** One run of the reference loop: parse (CsvBarSource), then the timed per-bar loop. */
async function referenceRun() {
  const { bars, parseMs } = await loadReferenceBars(DATA, 'BTCUSDT');
  const result = runReferenceLoop(bars, {
    config,
    indicators: indicatorsFile,
    strategiesPath: STRATEGIES,
    initialCash: 100_000,
    feeBps: 10,
    slippageBps: 1,
  });
  return { ...result, parseMs };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

function indicatorMathRun(source: CsvBarSource): number {
  const { processor, regimeDetector } = indicatorsFromFile(indicatorsFile);
  const series = TIMEFRAMES.map((timeframe) => ({ timeframe, bars: source.allBars(timeframe) }));
  const t0 = performance.now();
  for (const { timeframe, bars } of series) {
    const key = { symbol: 'BTCUSDT', timeframe };
    for (const bar of bars) {
      processor.update(key, bar);
      regimeDetector.update(key, bar);
    }
  }
  return performance.now() - t0;
}

// Peak RSS of one run, from a fresh process running just that run.
if (process.argv.includes('--single-run')) {
  await pipelineRun();
  process.stdout.write(JSON.stringify({ peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}
const single = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--single-run'], {
  encoding: 'utf8',
});
const peakRssMb = (JSON.parse(single.stdout) as { peak_rss_mb: number }).peak_rss_mb;

// One warm-up run, then three measured ones; the median is reported (this machine is shared and noisy).
await pipelineRun();
const runs = [await pipelineRun(), await pipelineRun(), await pipelineRun()].sort((a, b) => a.ms - b.ms);
const run = runs[1] as Awaited<ReturnType<typeof pipelineRun>>;
const indicatorMs = indicatorMathRun(run.source);
const barsPerSecond = (run.cycles / run.ms) * 1000;
const outsideShare = (run.ms - indicatorMs) / run.ms;

// The floor: pipeline and reference loop alternately, after a warm-up of the reference loop.
const PAIRS = 9;
await referenceRun();
const pairs: {
  pipeline: Awaited<ReturnType<typeof pipelineRun>>;
  reference: Awaited<ReturnType<typeof referenceRun>>;
}[] = [];
for (let i = 0; i < PAIRS; i++) pairs.push({ pipeline: await pipelineRun(), reference: await referenceRun() });
const perBarRatios = pairs.map(
  ({ pipeline, reference }) => pipeline.ms / pipeline.cycles / (reference.loopMs / reference.bars),
);
const lastPair = pairs[pairs.length - 1] as (typeof pairs)[number];
const referenceLoop = {
  description:
    'bench/reference-loop.ts: the pipeline work as one plain loop (same indicator objects, strategies, sizing, risk checks, paper-broker fills; no bus, no services, no orchestrator), run alternately with the pipeline',
  parsing: 'CsvBarSource.load (+ allBars for the reference loop), outside the timed runs',
  pairs: PAIRS,
  bars: lastPair.reference.bars,
  pipeline_wall_ms_runs: pairs.map(({ pipeline }) => pipeline.ms),
  reference_loop_ms_runs: pairs.map(({ reference }) => reference.loopMs),
  pipeline_bars_per_second: median(pairs.map(({ pipeline }) => (pipeline.cycles / pipeline.ms) * 1000)),
  reference_bars_per_second: median(pairs.map(({ reference }) => (reference.bars / reference.loopMs) * 1000)),
  ratio_per_bar_runs: perBarRatios,
  ratio_per_bar: median(perBarRatios),
  ratio_of_fastest_runs:
    Math.min(...pairs.map(({ pipeline }) => pipeline.ms / pipeline.cycles)) /
    Math.min(...pairs.map(({ reference }) => reference.loopMs / reference.bars)),
  pipeline_parse_ms: median(pairs.map(({ pipeline }) => pipeline.parseMs)),
  reference_parse_ms: median(pairs.map(({ reference }) => reference.parseMs)),
  reference_trades: lastPair.reference.trades.length,
  reference_final_account: lastPair.reference.account,
  same_result: pairs.every(
    ({ pipeline, reference }) =>
      pipeline.trades.equity === reference.account.equity && pipeline.trades.fees === reference.account.fees,
  ),
  targets: { ratio_per_bar_at_most_2_5: median(perBarRatios) <= 2.5 },
};
const csvLoad = await measureCsvLoad(DATA, 'BTCUSDT');
const results = {
  package: '@quant/services',
  date: new Date().toISOString(),
  node: process.version,
  data: 'BTCUSDT_1m.csv (30 240 bars)',
  timeframes: TIMEFRAMES,
  indicators: indicatorsFile.indicators.map((indicator) => indicator.name),
  bars: run.cycles,
  wall_ms: run.ms,
  wall_ms_runs: runs.map((r) => r.ms),
  bars_per_second: barsPerSecond,
  events_published: run.events,
  events_per_second: (run.events / run.ms) * 1000,
  peak_rss_mb: peakRssMb,
  indicator_math_ms: indicatorMs,
  share_outside_indicator_math: outsideShare,
  final_account: run.trades,
  reference_loop: referenceLoop,
  csv_load: { ...csvLoad, targets: { within_1_3x_of_csv_parse_sync: csvLoad.ratio <= 1.3 } },
  targets: {
    bars_per_second_at_least_100k: barsPerSecond >= 100_000,
    peak_rss_under_200mb: peakRssMb < 200,
    share_outside_indicators_under_50pct: outsideShare < 0.5,
  },
};
const outDir = new URL('bench-results/', root);
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL('services.json', outDir), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
