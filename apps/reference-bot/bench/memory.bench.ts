/**
 * Memory benchmark of the reference bot, written to
 * bench-results/reference-bot-memory.json: a live replay (`quant-bot live
 * --replay … --speed max`, the full system: CSV source, simulated exchange,
 * the four services, the run recorder) over 302 400 one-minute bars, the
 * shared BTCUSDT file (30 240 bars) repeated ten times, each copy shifted by
 * 21 days, into a temporary CSV.
 *
 * RSS is sampled after a garbage collection (the children run with
 * `--expose-gc`) once 100 000 and once 300 000 bars of the execution
 * timeframe were processed; the ratio of the two is reported. Two runs, each
 * in a fresh process: without a report folder, and with one (`--out`:
 * events.jsonl and equity.csv streamed to disk), three times each. The CSV file's own column
 * store (about 48 bytes a bar, loaded before the first sample) is the same at
 * both samples. Target: RSS at 300k within 10 % of RSS at 100k (median of the runs).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Timeframe } from '@quant/core';
import { ReplayClock } from '../src/replay-clock.js';
import { RunRecorder } from '../src/report/recorder.js';
import { buildBot, dataSpan, readInputs } from '../src/setup.js';

const root = new URL('../../../', import.meta.url);
const SHARED = fileURLToPath(new URL('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', root));
const COPIES = 10;
const SAMPLES = [100_000, 300_000] as const;
/** Fresh processes per variant; the target is on the median. */
const RUNS = 3;

interface Sample {
  readonly bars: number;
  readonly rss_mb: number;
  readonly heap_used_mb: number;
  readonly heap_total_mb: number;
  readonly external_mb: number;
  readonly array_buffers_mb: number;
}

interface ChildResult {
  readonly samples: Sample[];
  readonly bars: number;
  readonly wall_ms: number;
  readonly retained?: Record<string, number>;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** One replay in this process; prints its samples as JSON. */
async function child(csv: string, outDir: string | undefined): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const inputs = await readInputs({ logLevel: 'warn' }, [csv], fileURLToPath(root), {});
  const { first, last } = dataSpan(inputs);
  const stepMs = 60_000;
  const clock = new ReplayClock(first + stepMs, 'max');
  const bot = buildBot(inputs, clock, 'warn');
  if (outDir) mkdirSync(outDir, { recursive: true });
  const recorder = new RunRecorder(
    bot.system.bus,
    bot.system.positions,
    bot.executionTimeframe,
    bot.regimeTimeframe,
    outDir ? join(outDir, 'events.jsonl.partial') : undefined,
    // Every event, as the bench measured before --events existed: the heaviest stream the recorder writes.
    { initialEquity: inputs.config.paper_broker.initial_cash, events: 'all' },
  );
  const controller = new AbortController();
  const samples: Sample[] = [];
  const end = last + stepMs;
  bot.system.orchestrator.addCycleWork('bench.sample', () => {
    const bars = recorder.candles.get(bot.executionTimeframe as Timeframe) ?? 0;
    const next = SAMPLES[samples.length];
    if (next !== undefined && bars >= next) {
      gc?.();
      gc?.();
      const usage = process.memoryUsage();
      samples.push({
        bars,
        rss_mb: mb(usage.rss),
        heap_used_mb: mb(usage.heapUsed),
        heap_total_mb: mb(usage.heapTotal),
        external_mb: mb(usage.external),
        array_buffers_mb: mb(usage.arrayBuffers),
      });
      if (samples.length === SAMPLES.length) controller.abort();
    }
    if (clock.now() >= end) controller.abort();
  });
  const t0 = performance.now();
  await bot.system.orchestrator.start();
  await bot.system.orchestrator.run({
    intervalMs: inputs.config.services.data_fetching.fetch_interval * 1000,
    signal: controller.signal,
  });
  await bot.system.orchestrator.stop();
  await recorder.close();
  const wallMs = performance.now() - t0;
  const retained = (recorder as unknown as { retained?: () => Record<string, number> }).retained?.();
  const result: ChildResult = {
    samples,
    bars: recorder.candles.get(bot.executionTimeframe as Timeframe) ?? 0,
    wall_ms: Math.round(wallMs),
    ...(retained ? { retained } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The shared file repeated `COPIES` times, each copy shifted by the file's length; returns the number of bars. */
function synthesize(path: string): number {
  const [header, ...rows] = readFileSync(SHARED, 'utf8').trim().split('\n');
  const parsed = rows.map((row) => {
    const [time, ...rest] = row.split(',');
    return { time: Date.parse((time as string).replace(' ', 'T').replace('+00:00', 'Z')), rest: rest.join(',') };
  });
  const shift = parsed.length * 60_000;
  const lines = [header as string];
  for (let copy = 0; copy < COPIES; copy++) {
    for (const { time, rest } of parsed) lines.push(`${new Date(time + copy * shift).toISOString()},${rest}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return lines.length - 1;
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const csv = process.argv[childIndex + 1] as string;
  const out = process.argv[childIndex + 2];
  await child(csv, out === '-' ? undefined : out);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'quant-memory-bench-'));
try {
  const csv = join(work, 'BTCUSDT_1m.csv');
  const bars = synthesize(csv);
  const run = (out: string | undefined): ChildResult => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), '--child', csv, out ?? '-'],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(`memory bench child failed (${child.status}): ${child.stderr}`);
    const line = child.stdout.trim().split('\n').pop() as string;
    return JSON.parse(line) as ChildResult;
  };
  /**
   * RSS after a GC still moves by tens of MB between samples as V8 and the
   * allocator keep or return pages (the live heap moves by about 1 MB per
   * 50k bars), so each variant runs RUNS times and the target is on the median ratio.
   */
  const summarize = (results: ChildResult[]) => {
    const ratioOf = (result: ChildResult, field: 'rss_mb' | 'heap_used_mb') => {
      const [at100k, at300k] = result.samples;
      return at100k && at300k ? at300k[field] / at100k[field] : Number.NaN;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const rssRatios = results.map((result) => ratioOf(result, 'rss_mb'));
    const heapRatios = results.map((result) => ratioOf(result, 'heap_used_mb'));
    return {
      runs: results,
      rss_ratios_300k_to_100k: rssRatios,
      rss_ratio_300k_to_100k_median: median(rssRatios),
      heap_used_ratio_300k_to_100k_median: median(heapRatios),
      flat_within_10pct: median(rssRatios) <= 1.1,
    };
  };
  const runs = (out: string | undefined) => Array.from({ length: RUNS }, () => run(out));
  const plain = summarize(runs(undefined));
  const withOut = summarize(runs(join(work, 'out')));
  const results = {
    package: '@quant/reference-bot',
    date: new Date().toISOString(),
    node: process.version,
    data: `BTCUSDT_1m.csv repeated ${COPIES} times (${bars} bars), live replay at speed max`,
    samples_at_bars: SAMPLES,
    runs_per_variant: RUNS,
    without_out: plain,
    with_out: withOut,
    targets: {
      rss_flat_within_10pct_without_out: plain.flat_within_10pct,
      rss_flat_within_10pct_with_out: withOut.flat_within_10pct,
    },
  };
  const outDir = new URL('bench-results/', root);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(new URL('reference-bot-memory.json', outDir), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}
