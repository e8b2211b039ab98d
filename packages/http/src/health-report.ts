import type { Clock } from '@quant/core';
import type { RunRecord, StoreStats } from '@quant/store';
import type { ApiAccount, ApiBot } from './bot-view.js';
import {
  type Check,
  type CheckStatus,
  checkBroker,
  checkDatabase,
  checkDisk,
  checkHeartbeat,
  checkScheduler,
  checkServices,
} from './health-checks.js';
import { processInfo } from './process-info.js';

/** What the health endpoints read. @internal */
export interface HealthSources {
  readonly store: { stats(): Promise<StoreStats>; runs(): Promise<RunRecord[]> };
  readonly bot: ApiBot | undefined;
  readonly clock: Pick<Clock, 'now'>;
  readonly disk: { readonly path: string; readonly minFreeBytes: number };
  /** How long without a heartbeat makes the bot's run stale, ms. */
  readonly staleAfterMs: number;
}

/** The components `/api/health` sums up. */
export type Component = 'database' | 'disk' | 'services' | 'scheduler' | 'broker' | 'heartbeat';

/** The bot's run as the store has it, read once for the checks and the details that need it; none without a run. */
function readBotRun(sources: HealthSources): Promise<RunRecord | undefined> | undefined {
  const runId = sources.bot?.runId;
  if (runId === undefined) return undefined;
  return sources.store.runs().then((runs) => runs.find((record) => record.runId === runId));
}

/**
 * Each component's check, read now: the database and disk always; the others when a bot is attached (the broker when
 * its calls are monitored, the heartbeat when it has a run). @internal
 * @param botRun - the read of the bot's run, when the caller needs the run too.
 */
export async function checkAll(
  sources: HealthSources,
  botRun = readBotRun(sources),
): Promise<Partial<Record<Component, Check>>> {
  const { bot } = sources;
  const [database, disk, heartbeat] = await Promise.all([
    checkDatabase(sources.store),
    checkDisk(sources.disk.path, sources.disk.minFreeBytes),
    botRun === undefined || bot?.runId === undefined
      ? undefined
      : checkHeartbeat(botRun, bot.runId, sources.clock.now(), sources.staleAfterMs),
  ]);
  return {
    database,
    disk,
    ...(bot === undefined
      ? {}
      : {
          services: checkServices(bot),
          scheduler: checkScheduler(bot),
          ...(bot.broker === undefined ? {} : { broker: checkBroker(bot) }),
          ...(heartbeat === undefined ? {} : { heartbeat }),
        }),
  };
}

/** `ok` when every check is, `unhealthy` otherwise. @internal */
export function overallStatus(checks: Partial<Record<Component, Check>>): Exclude<CheckStatus, 'unknown'> {
  return Object.values(checks).every((check) => check.status === 'ok') ? 'ok' : 'unhealthy';
}

/** The bot's account as {@link ApiAccount} declares it: only its fields (the bot's object may hold more). */
function accountOf(bot: ApiBot): ApiAccount | null {
  const account = bot.account?.();
  if (account === undefined) return null;
  const { currency, cash, equity, realizedPnl, unrealizedPnl, fees, openPositions } = account;
  return { currency, cash, equity, realizedPnl, unrealizedPnl, fees, openPositions };
}

/** The body of `/api/health/detailed`: every check in full, the process, the bot's metrics, account and heartbeat. @internal */
export async function detailedHealth(sources: HealthSources): Promise<{ status: string } & Record<string, unknown>> {
  const botRun = readBotRun(sources);
  const checks = await checkAll(sources, botRun);
  const { bot } = sources;
  const run = await botRun;
  const nowMs = sources.clock.now();
  return {
    status: overallStatus(checks),
    checkedAt: nowMs,
    checks,
    process: processInfo(),
    ...(bot === undefined
      ? {}
      : {
          metrics: bot.orchestrator.getAllMetrics(),
          account: accountOf(bot),
          run: run === undefined ? null : { ...run, heartbeatAgeMs: Math.max(0, nowMs - run.lastHeartbeatAt) },
        }),
  };
}
