import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimulatedClock } from '@quant/core';
import { runSimulation } from '@quant/services';
import { SingleBar } from 'cli-progress';
import { UsageError } from '../cli-error.js';
import { parseDateFlag } from '../dates.js';
import { buildReport } from '../report/build-report.js';
import { RunRecorder } from '../report/recorder.js';
import { buildBot, type CommonOptions, readInputs } from '../setup.js';
import { onShutdownSignals, yieldToEventLoop } from '../signals.js';

/** Flags of `quant-bot backtest`. */
export interface BacktestOptions extends CommonOptions {
  readonly data?: string;
  readonly from?: string;
  readonly to?: string;
  readonly out: string;
}

/**
 * Backtests on a simulated clock over the data file as fast as possible: one
 * cycle per bar of the execution timeframe, the same services and
 * orchestrator as live trading. Prints a summary and writes the report folder.
 * Logs go to standard output at `--log-level` (warn by default, so a
 * backtest prints its summary rather than a line per bar).
 * @returns the exit code.
 */
export async function backtest(options: BacktestOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const inputs = await readInputs(options, options.data, cwd, env);
  const first = inputs.data.stats.firstOpenTime as number;
  const last = inputs.data.stats.lastOpenTime as number;
  const from = options.from ? Math.max(first, parseDateFlag('--from', options.from, false)) : first;
  const to = options.to ? Math.min(last, parseDateFlag('--to', options.to, true)) : last;
  if (from > to)
    throw new UsageError(
      `--from/--to select no bar: the data covers ${new Date(first).toISOString()} to ${new Date(last).toISOString()}`,
    );
  const outDir = resolve(cwd, options.out);
  mkdirSync(outDir, { recursive: true });

  const clock = new SimulatedClock(from);
  const bot = buildBot(inputs, clock, options.logLevel ?? 'warn');
  const stepMs = 60_000;
  const recorder = new RunRecorder(
    bot.system.bus,
    bot.system.positions,
    bot.executionTimeframe,
    bot.regimeTimeframe,
    join(outDir, 'events.jsonl.partial'),
  );
  const controller = new AbortController();
  const removeHandlers = onShutdownSignals(controller, () =>
    process.stderr.write('\nInterrupted: finishing the report (Ctrl+C again to quit now)\n'),
  );
  const total = Math.floor((to - from) / stepMs) + 1;
  const progress = process.stderr.isTTY
    ? new SingleBar({
        format: 'backtest [{bar}] {percentage}% | {value}/{total} bars | {eta_formatted} left',
        stream: process.stderr,
        hideCursor: true,
      })
    : undefined;
  progress?.start(total, 0);
  let done = 0;
  await bot.system.orchestrator.start();
  const t0 = performance.now();
  try {
    done = await runSimulation(bot.system.orchestrator, clock, {
      start: from + stepMs,
      end: to + stepMs,
      stepMs,
      signal: controller.signal,
      onCycle: () => {
        done++;
        if (progress && done % 500 === 0) progress.update(done);
      },
    });
  } finally {
    progress?.update(done);
    progress?.stop();
  }
  const wallMs = performance.now() - t0;
  await bot.system.orchestrator.stop();
  await recorder.close();
  await bot.logs.close();
  await yieldToEventLoop();
  const summary = buildReport({
    mode: 'backtest',
    inputs,
    bot,
    recorder,
    from,
    to: Math.min(to, from + (done - 1) * stepMs),
    barsProcessed: done,
    wallMs,
    interrupted: controller.signal.aborted,
    outDir,
  });
  const width = Math.max(...summary.lines.map(([label]) => label.length));
  process.stdout.write(
    `\n=== Backtest summary ===\n${summary.lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`,
  );
  process.stdout.write(
    `\nReport: ${join(outDir, 'report.html')} (also report.json, trades.csv, equity.csv, events.jsonl)\n`,
  );
  // Until here a second Ctrl+C still exits at once (code 130).
  await yieldToEventLoop();
  removeHandlers();
  return 0;
}
