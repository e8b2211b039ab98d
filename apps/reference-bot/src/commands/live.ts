import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describeConfig } from '@quant/config';
import { timeframeToMs } from '@quant/core';
import { type ApiServer, HttpError } from '@quant/http';
import { readApiListen } from '../api-flag.js';
import { startBotApi } from '../bot-api.js';
import { type BotNotifications, botNotifications } from '../bot-notifications.js';
import { UsageError } from '../cli-error.js';
import { checkDbFlag } from '../db-flag.js';
import { parseEventsFlag } from '../events-flag.js';
import { replayMarket } from '../live-market.js';
import { checkOutputDir, makeOutputDir } from '../paths.js';
import { reconciliationLines } from '../reconciliation-lines.js';
import { buildReport, formatTable } from '../report/build-report.js';
import { EQUITY_STREAM_NAME, RunRecorder } from '../report/recorder.js';
import type { ReportWriteError } from '../report/write-report.js';
import { buildBot, type CommonOptions, readInputs, readVenueInputs } from '../setup.js';
import { onShutdownSignals, yieldToEventLoop } from '../signals.js';
import { openStoreSession } from '../store-session.js';
import { MIN_SPEED } from './speed.js';

/** Flags of `quant-bot live`. */
export interface LiveOptions extends CommonOptions {
  /** The data files to replay, one per symbol (`--replay` repeated). */
  readonly replay?: readonly string[];
  /** The replay's speed; `1` by default. */
  readonly speed?: string;
  /** Trade on this venue (ccxt's exchange id) instead of replaying a file. */
  readonly exchange?: string;
  /** An origin replacing the venue's endpoints (a local exchange). */
  readonly exchangeUrl?: string;
  readonly out?: string;
  /** What `events.jsonl` holds, with `--out`: `trading` (default), `all` or `none`. */
  readonly events?: string;
  /** The event store: a URL (`--db`), `false` (`--no-db`: none), or `store.url` when not given. */
  readonly db?: string | boolean;
  /** Serve the operations API on `[host:]port` (`api.listen` when not given). */
  readonly api?: string;
}

const RULE = '='.repeat(80);
/** The line `live` prints once Ctrl+C is handled and the loop has run its first cycle. */
export const READY_LINE = 'Live loop running (Ctrl+C to stop)';
/** The longest real wait a Node.js timer allows (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Parses `--speed`: a number of recorded ms per real ms, at least
 * {@link MIN_SPEED} (`60` plays a recorded minute per second), or `max`.
 * @throws {@link UsageError} `BAD_FLAG` otherwise.
 */
export function parseSpeed(text: string): number | 'max' {
  if (text === 'max') return 'max';
  const speed = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(speed) || speed < MIN_SPEED)
    throw new UsageError(
      'BAD_FLAG',
      `--speed "${text}" is not valid: expected a number >= ${MIN_SPEED} (recorded ms per real ms; 60 = a minute per second) or "max"`,
    );
  return speed;
}

/**
 * Paper-trades in the live loop: `orchestrator.run()` on a clock, cycles every
 * `fetch_interval`, status lines every `status_log_interval`, and on Ctrl+C or
 * SIGTERM (or at the end of a replay) every service stopped in reverse order
 * and the final metrics printed. The market data comes from `--replay`, played
 * as if live at `--speed`; no exchange adapter ships with the reference bot.
 *
 * Every input (flags, `--out`, configuration, files, log file) is checked
 * before anything is written or printed. Once the SIGINT handler is installed
 * and the loop has run its first cycle, it prints {@link READY_LINE}.
 *
 * Every event the bus publishes (`store.events`: the trading events by default) is appended to the event store
 * (`--db`, else `store.url`; `--no-db`: none), one transaction per cycle, under a run row that heartbeats every
 * `status_log_interval` and ends `clean` at a graceful stop. A failed append stops the loop (exit 1,
 * `STORE_WRITE_FAILED`) rather than trade unrecorded.
 * @returns the exit code.
 * @throws {@link UsageError}, {@link @quant/config!ConfigError} or
 *   {@link @quant/services!ServicesError} for bad input;
 *   {@link ReportWriteError} `OUTPUT_WRITE_FAILED` when a file of the `--out`
 *   folder cannot be written (the temporary files are removed).
 */
export async function live(options: LiveOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const onVenue = options.exchange !== undefined || options.exchangeUrl !== undefined;
  if (onVenue && (options.replay !== undefined || options.speed !== undefined)) {
    throw new UsageError(
      'BAD_FLAG',
      `${options.replay !== undefined ? '--replay' : '--speed'} replays a file: it does not go with --exchange (the venue's market is live)`,
    );
  }
  if (onVenue && options.db === false) {
    throw new UsageError(
      'BAD_FLAG',
      '--no-db does not go with --exchange: on a venue every order is stored before it is sent, so that a restart never sends it twice',
    );
  }
  const speed = parseSpeed(options.speed ?? '1');
  const events = parseEventsFlag(options.events);
  const outDir = options.out === undefined ? undefined : checkOutputDir('--out', options.out, cwd);
  const inputs = onVenue
    ? readVenueInputs(options, cwd, env)
    : await readInputs(options, options.replay ?? [], cwd, env, '--replay');
  const apiListen = readApiListen(options.api, inputs.config.api);
  if (apiListen !== undefined && options.db === false) {
    throw new UsageError(
      'BAD_FLAG',
      `--no-db does not go with ${apiListen.source}: the operations API serves the run's event store`,
    );
  }
  const intervalMs = inputs.config.services.data_fetching.fetch_interval * 1000;
  if (speed !== 'max' && intervalMs / speed > MAX_TIMER_MS) {
    throw new UsageError(
      'BAD_FLAG',
      `--speed "${options.speed}" is too slow for services.data_fetching.fetch_interval = ${intervalMs / 1000} s: a cycle would wait ${(intervalMs / speed / 86_400_000).toFixed(1)} days; expected a --speed of at least ${Math.ceil((intervalMs / MAX_TIMER_MS) * 1000) / 1000}`,
    );
  }
  const stepMs = timeframeToMs(inputs.config.trading.timeframes[0] as Parameters<typeof timeframeToMs>[0]);
  // The venue's code (ccxt) is loaded only with --exchange: a replay starts without it.
  const market = onVenue
    ? await (await import('../venue-market.js')).venueMarket(inputs, options, env)
    : replayMarket(inputs, speed);
  const { clock } = market;
  const controller = new AbortController();
  const runId = randomUUID();
  let session: Awaited<ReturnType<typeof openStoreSession>> | undefined;
  try {
    session =
      options.db === false
        ? undefined
        : await openStoreSession({
            url: typeof options.db === 'string' ? checkDbFlag(options.db) : inputs.config.store.url,
            config: inputs.config,
            runId,
            groupCommitMs: market.groupCommitMs,
            onFailure: (error) => {
              bot.logs
                .getLogger('main')
                .error(`Event store failed: ${error.message}; stopping the live loop rather than trade unrecorded`);
              controller.abort();
            },
          });
  } catch (error) {
    await market.close();
    throw error;
  }
  let bot: ReturnType<typeof buildBot>;
  try {
    // On a venue, an order is in the store before it is sent: a crash cannot lose an order the venue may hold.
    const venue =
      market.venue === undefined || session === undefined
        ? market.venue
        : { ...market.venue, journal: session.journal };
    bot = buildBot(inputs, clock, options.logLevel, session?.onPublish, venue, apiListen !== undefined);
  } catch (error) {
    await session?.store.close();
    await market.close();
    throw error;
  }
  let notifications: BotNotifications = { service: undefined, startLines: [] };
  if (session !== undefined) {
    try {
      notifications = botNotifications({
        config: inputs.config,
        bus: bot.system.bus,
        clock,
        store: session.store,
        flush: () => session?.recorder.flush() ?? Promise.resolve(),
        barMs: stepMs,
        logger: bot.logs.getLogger('notifications'),
      });
    } catch (error) {
      await session.store.close();
      await market.close();
      throw error;
    }
  }
  // Everything is checked: only now is anything written.
  if (outDir !== undefined) makeOutputDir('--out', outDir);
  const out = (text: string): boolean => process.stdout.write(`${text}\n`);
  out(RULE);
  out(`Starting Orchestrated Live Trading System (${market.title})`);
  out(RULE);
  const log = bot.logs.getLogger('main');
  log.info(`Loaded configuration from ${inputs.loaded.file ?? 'defaults'}`);
  for (const warning of inputs.warnings) log.warn(warning);
  for (const line of describeConfig(inputs.loaded)) log.info(`config ${line}`);
  log.info(`Account currency: ${inputs.currency} (${inputs.currencySource})`);
  for (const line of session?.startLines ?? ['Event store: off (--no-db)']) out(line);
  for (const line of notifications.startLines) out(line);
  for (const line of market.description) log.info(line);
  log.info(
    `Strategies: ${inputs.strategies.map((s) => `${s.name} (${s.timeframe})`).join(', ')} from ${inputs.strategiesPath}`,
  );
  const orchestratorLog = bot.logs.getLogger('orchestrator');
  orchestratorLog.info('=== INITIALIZING TRADING SYSTEM ===');
  orchestratorLog.info('Creating EventBus...');
  for (const service of Object.values(bot.system.services)) orchestratorLog.info(`✓ ${service.name} created`);
  orchestratorLog.info(`=== INITIALIZED ${bot.system.orchestrator.serviceNames.length} SERVICES ===`);

  const recorder = new RunRecorder(
    bot.system.bus,
    bot.system.positions,
    bot.executionTimeframe,
    bot.regimeTimeframe,
    outDir === undefined || events === 'none' ? undefined : join(outDir, 'events.jsonl.partial'),
    {
      initialEquity: inputs.config.paper_broker.initial_cash,
      equityPath: outDir === undefined ? null : join(outDir, EQUITY_STREAM_NAME),
      ...(events === 'none' ? {} : { events }),
    },
  );
  const removeHandlers = onShutdownSignals(controller, () => {
    out(`\n${RULE}\nReceived shutdown signal (Ctrl+C)\n${RULE}`);
  });
  const { end } = market;
  if (end !== undefined) {
    bot.system.orchestrator.addCycleWork('replay.end', () => {
      if (clock.now() >= end && !controller.signal.aborted) {
        log.info('Replay reached the end of the data');
        controller.abort();
      }
    });
  }
  if (session !== undefined && market.venue !== undefined) {
    bot.system.bus.subscribe('ReconciliationCompleted', async (event) => {
      for (const line of reconciliationLines(event)) {
        if (event.action === 'halt') log.error(line);
        else log.info(line);
      }
      await session.recordReconciliation(event).catch((error: unknown) => {
        log.warn(`Could not keep the reconciliation summary in the recovery log: ${(error as Error).message}`);
      });
    });
  }
  let ready = false;
  bot.system.orchestrator.addCycleWork('cli.ready', () => {
    if (ready) return;
    ready = true;
    out(READY_LINE);
  });
  // Last: a cycle's events go to the store in one transaction once every other item has run.
  if (session !== undefined) {
    // Data time waits for the append: at --speed max it would otherwise run ahead while PostgreSQL answers.
    bot.system.orchestrator.addCycleWork('store.flush', () => {
      const flushing = session.cycleWork();
      return flushing === undefined ? undefined : market.hold(flushing);
    });
  }

  const wallStart = performance.now();
  let api: ApiServer | undefined;
  try {
    if (apiListen !== undefined && session !== undefined) {
      api = await startBotApi(apiListen, session, bot, inputs.config, cwd).catch((error: unknown) => {
        throw HttpError.isInstance(error) && error.code === 'API_LISTEN_FAILED'
          ? new UsageError('BAD_FLAG', `${apiListen.source}: ${error.message}`, { cause: error })
          : error;
      });
      out(
        `API: ${api.url} (bearer token from API_TOKEN; /api/health, /api/events, /metrics, …)${apiListen.exposed ? ': other machines can reach it, keep it off the internet' : ''}`,
      );
    }
    // Before the orchestrator: the recovery report is published by its start.
    notifications.service?.start();
    await bot.system.orchestrator.start();
  } catch (error) {
    await api?.close();
    await notifications.service?.stop();
    // A venue that refuses the account at start (a bad key, an outage): release what the run opened.
    removeHandlers();
    await market.close().catch(() => {});
    await session?.finish(async () => {}).catch(() => {});
    await recorder.close().catch(() => {});
    await bot.logs.close();
    throw error;
  }
  out('\n=== Initial System Status ===');
  const health = bot.system.orchestrator.getServiceHealth();
  out(
    `Services Health: ${JSON.stringify(Object.fromEntries(Object.entries(health).map(([name, report]) => [name, report.healthy])))}`,
  );
  out('\n=== Starting Trading Loop ===\nPress Ctrl+C to stop gracefully');
  out(RULE);
  out(`Trading session correlation ID: ${runId}`);
  let healthAtEnd = health;
  try {
    await bot.system.orchestrator.run({
      intervalMs,
      signal: controller.signal,
    });
  } finally {
    healthAtEnd = bot.system.orchestrator.getServiceHealth();
    await bot.system.orchestrator.stop();
    // Before the store closes: no request nor notification may find it closed (unsent ones wait for the next start).
    await api?.close();
    await notifications.service?.stop();
  }
  await market.close();
  await session?.finish(async () => {
    await recorder.close().catch(() => {});
    await bot.logs.close();
  });
  const wallMs = performance.now() - wallStart;
  let summary: ReturnType<typeof buildReport>;
  let metrics: ReturnType<typeof bot.system.orchestrator.getAllMetrics>;
  try {
    // Throws ReportWriteError if events.jsonl or equity.csv could not be streamed (e.g. the disk is full).
    await recorder.close();
    metrics = bot.system.orchestrator.getAllMetrics();
    await yieldToEventLoop();
    summary = buildReport({
      mode: 'live',
      inputs,
      bot,
      recorder,
      from: market.from,
      to: Math.min(market.end === undefined ? Number.POSITIVE_INFINITY : market.end - stepMs, clock.now() - stepMs),
      barsProcessed: recorder.candles.get(bot.executionTimeframe) ?? 0,
      cycles: bot.system.orchestrator.getAllMetrics().orchestrator.cycles,
      wallMs,
      interrupted: end === undefined || clock.now() < end,
      ...(outDir === undefined ? {} : { outDir }),
      events,
    });
  } catch (error) {
    await bot.logs.close();
    throw error;
  }
  const services = metrics.services;
  const account = bot.system.positions.account();
  const currency = account.currency;
  out('\n=== Final System Metrics ===');
  out(`Orchestrator Status: ${metrics.orchestrator.status}`);
  out(
    `Uptime: ${metrics.orchestrator.uptime_seconds.toFixed(2)}s (${market.end === undefined ? 'the venue’s time' : 'replayed time'}; wall time ${(wallMs / 1000).toFixed(2)}s)`,
  );
  out(`Services: ${metrics.orchestrator.services_count}`);
  out(`Healthy Services: ${Object.values(healthAtEnd).filter((report) => report.healthy).length}`);
  out('');
  out(`Data Fetches: ${services.data_fetching?.data_fetches ?? 0}`);
  out(`New Candles: ${services.data_fetching?.new_candles_detected ?? 0}`);
  out(`Indicators Calculated: ${services.indicator_calculation?.indicators_calculated ?? 0}`);
  out(`Strategies Evaluated: ${services.strategy_evaluation?.strategies_evaluated ?? 0}`);
  out(`Entry Signals: ${services.strategy_evaluation?.entry_signals_generated ?? 0}`);
  out(`Exit Signals: ${services.strategy_evaluation?.exit_signals_generated ?? 0}`);
  out('');
  out(`Total Events Published: ${metrics.event_bus.events_published}`);
  out(`Event Types: ${Object.keys(metrics.event_bus.events_by_type).length}`);
  out('');
  out(`Trades: ${summary.report.trades} closed, ${bot.system.positions.positions().length} open`);
  out(`Realized P&L: ${account.realizedPnl.toFixed(2)} ${currency}`);
  out(`Unrealized P&L: ${account.unrealizedPnl.toFixed(2)} ${currency}`);
  out(`Equity: ${account.equity.toFixed(2)} ${currency}`);
  if (session !== undefined) {
    out(`Events Stored: ${session.recorder.appended} in ${session.store.location} (run ${runId})`);
  }
  if (summary.report.trades !== 0) for (const table of summary.tables) out(`\n${formatTable(table)}`);
  out(`\n${RULE}\nShutdown complete. Thank you for trading!\n${RULE}`);
  await bot.logs.close();
  // Until here a second Ctrl+C still exits at once (code 130).
  await yieldToEventLoop();
  removeHandlers();
  return 0;
}
