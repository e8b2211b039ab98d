import { join } from 'node:path';
import { SimulatedClock } from '@quant/core';
import { runSimulation } from '@quant/services';
import { UsageError } from '../cli-error.js';
import { parseDateFlag } from '../dates.js';
import { checkDbFlag } from '../db-flag.js';
import { parseEventsFlag } from '../events-flag.js';
import { checkOutputDir, makeOutputDir } from '../paths.js';
import { buildReport, formatTable } from '../report/build-report.js';
import { EQUITY_STREAM_NAME, RunRecorder } from '../report/recorder.js';
import type { ReportWriteError } from '../report/write-report.js';
import { buildBot, type CommonOptions, dataSpan, readInputs } from '../setup.js';
import { onShutdownSignals, yieldToEventLoop } from '../signals.js';

/** Flags of `quant-bot backtest`. */
export interface BacktestOptions extends CommonOptions {
  /** The data files, one per symbol (`--data` repeated). */
  readonly data?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly out: string;
  /** What `events.jsonl` holds: `trading` (default), `all` or `none`. */
  readonly events?: string;
  /** Persist the run's events to this event store (a SQLite file or a postgres:// URL); none by default. */
  readonly db?: string;
}

/**
 * Backtests on a simulated clock over the data files (one per symbol, traded
 * together on one account) as fast as possible: one
 * cycle per bar of the execution timeframe, the same services and
 * orchestrator as live trading. Prints a summary and writes the report folder.
 * Logs go to standard output at `--log-level` (warn by default, so a
 * backtest prints its summary rather than a line per bar).
 *
 * Every input is checked before anything is written: the flags, the `--out`
 * folder (writable, probed without leaving anything), the configuration, the
 * strategies, indicators and data files, and the log file; a failure leaves
 * the output folder as it was. Once the run is under way (and Ctrl+C handled)
 * it prints `Backtest running: … (Ctrl+C to stop early)` on standard error.
 *
 * With `--db`, every event the bus publishes (`store.events`: the trading events by default) is appended to that
 * event store, one transaction per cycle, under a run row; a failed append stops the backtest (exit 1,
 * `STORE_WRITE_FAILED`).
 * @returns the exit code.
 * @throws {@link UsageError}, {@link @quant/config!ConfigError} or
 *   {@link @quant/services!ServicesError} for bad input;
 *   {@link ReportWriteError} `OUTPUT_WRITE_FAILED` when a file of the report
 *   folder cannot be written (the temporary files are removed).
 */
export async function backtest(options: BacktestOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const fromFlag = options.from === undefined ? undefined : parseDateFlag('--from', options.from, false);
  const toFlag = options.to === undefined ? undefined : parseDateFlag('--to', options.to, true);
  if (fromFlag !== undefined && toFlag !== undefined && fromFlag > toFlag) {
    throw new UsageError(
      'BAD_FLAG',
      `--from "${options.from}" is after --to "${options.to}": expected --from at or before --to`,
    );
  }
  const events = parseEventsFlag(options.events);
  const outDir = checkOutputDir('--out', options.out, cwd);
  const inputs = await readInputs(options, options.data ?? [], cwd, env);
  const { first, last } = dataSpan(inputs);
  const from = fromFlag === undefined ? first : Math.max(first, fromFlag);
  const to = toFlag === undefined ? last : Math.min(last, toFlag);
  if (from > to)
    throw new UsageError(
      'NO_BARS',
      `--from/--to select no bar: the data covers ${new Date(first).toISOString()} to ${new Date(last).toISOString()}`,
    );

  const controller = new AbortController();
  // Only with --db: the store's code (kysely, the database drivers) is loaded then, so a plain backtest stays fast.
  const dbUrl = options.db;
  const session =
    dbUrl === undefined
      ? undefined
      : await import('../store-session.js').then(({ openStoreSession, SIMULATION_GROUP_COMMIT_MS }) =>
          openStoreSession({
            url: checkDbFlag(dbUrl),
            config: inputs.config,
            groupCommitMs: SIMULATION_GROUP_COMMIT_MS,
            onFailure: (error) => {
              process.stderr.write(`\nEvent store failed: ${error.message}; stopping the backtest\n`);
              controller.abort();
            },
          }),
        );
  const clock = new SimulatedClock(from);
  let bot: ReturnType<typeof buildBot>;
  try {
    bot = buildBot(inputs, clock, options.logLevel ?? 'warn', session?.onPublish);
  } catch (error) {
    await session?.store.close();
    throw error;
  }
  if (session !== undefined) bot.system.orchestrator.addCycleWork('store.flush', session.cycleWork);
  const main = bot.logs.getLogger('main');
  for (const warning of inputs.warnings) main.warn(warning);
  // Everything is checked: only now is the output folder created.
  makeOutputDir('--out', outDir);
  const stepMs = 60_000;
  const recorder = new RunRecorder(
    bot.system.bus,
    bot.system.positions,
    bot.executionTimeframe,
    bot.regimeTimeframe,
    events === 'none' ? undefined : join(outDir, 'events.jsonl.partial'),
    {
      initialEquity: inputs.config.paper_broker.initial_cash,
      equityPath: join(outDir, EQUITY_STREAM_NAME),
      ...(events === 'none' ? {} : { events }),
    },
  );
  const removeHandlers = onShutdownSignals(controller, () =>
    process.stderr.write('\nInterrupted: finishing the report (Ctrl+C again to quit now)\n'),
  );
  const total = Math.floor((to - from) / stepMs) + 1;
  await bot.system.orchestrator.start();
  for (const line of session?.startLines ?? []) process.stderr.write(`${line}\n`);
  process.stderr.write(`Backtest running: ${total} bars of ${inputs.symbols.join(', ')} (Ctrl+C to stop early)\n`);
  // The progress bar's library is loaded only for a terminal.
  const progress = process.stderr.isTTY ? (await import('../progress-bar.js')).backtestProgressBar() : undefined;
  progress?.start(total, 0);
  let done = 0;
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
  await session?.finish(async () => {
    await recorder.close().catch(() => {});
    await bot.logs.close();
  });
  try {
    // Throws ReportWriteError if events.jsonl or equity.csv could not be streamed (e.g. the disk is full).
    await recorder.close();
  } finally {
    await bot.logs.close();
  }
  await yieldToEventLoop();
  const summary = buildReport({
    mode: 'backtest',
    inputs,
    bot,
    recorder,
    from,
    to: Math.min(to, from + (done - 1) * stepMs),
    barsProcessed: recorder.candles.get(bot.executionTimeframe) ?? 0,
    cycles: done,
    wallMs,
    interrupted: controller.signal.aborted,
    outDir,
    events,
  });
  const width = Math.max(...summary.lines.map(([label]) => label.length));
  process.stdout.write(
    `\n=== Backtest summary ===\n${summary.lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`,
  );
  for (const table of summary.tables) process.stdout.write(`\n${formatTable(table)}\n`);
  process.stdout.write(
    `\nReport: ${join(outDir, 'report.html')} (also report.json, trades.csv, equity.csv${events === 'none' ? '' : `, events.jsonl (${events} events)`})\n`,
  );
  if (session !== undefined) {
    process.stdout.write(
      `Event store: ${session.recorder.appended} events appended to ${session.store.location} (run ${session.runId})\n`,
    );
  }
  // Until here a second Ctrl+C still exits at once (code 130).
  await yieldToEventLoop();
  removeHandlers();
  return 0;
}
