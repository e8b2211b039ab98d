import { statfs } from 'node:fs/promises';
import type { HealthReport } from '@quant/core';
import { type RunRecord, runLiveness, StoreError, type StoreStats } from '@quant/store';
import type { ApiBot, ApiBrokerStatus, ScheduledJob } from './bot-view.js';

/** A component's state: `ok`, `unhealthy`, or `unknown` (not monitored, e.g. no bot attached to the API). */
export type CheckStatus = 'ok' | 'unhealthy' | 'unknown';

/** One component's check: its status and details (the endpoints' JSON). */
export interface Check {
  readonly status: CheckStatus;
  readonly [detail: string]: unknown;
}

const unknownCheck = (message: string): Check => ({ status: 'unknown', message });

/** How long the database may take to answer a health check, ms. */
export const DATABASE_CHECK_TIMEOUT_MS = 2_000;

/**
 * The database: reachable within {@link DATABASE_CHECK_TIMEOUT_MS}, its size and counts, the round trip's latency.
 * @internal
 */
export async function checkDatabase(store: { stats(): Promise<StoreStats> }): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const stats = await Promise.race([
      store.stats(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${DATABASE_CHECK_TIMEOUT_MS} ms`)),
          DATABASE_CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'ok', reachable: true, latencyMs: round(performance.now() - started), ...stats };
  } catch (error) {
    return {
      status: 'unhealthy',
      reachable: false,
      latencyMs: round(performance.now() - started),
      error: {
        code: StoreError.isInstance(error) ? error.code : 'STORE_TIMEOUT',
        // A StoreError's message names the database by its display form, which never holds a password.
        message: error instanceof Error ? error.message : String(error),
      },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The disk of `path`: free and total bytes, and whether the free space is at least `minFreeBytes`. @internal */
export async function checkDisk(path: string, minFreeBytes: number): Promise<Check> {
  try {
    const fs = await statfs(path);
    const freeBytes = fs.bavail * fs.bsize;
    const totalBytes = fs.blocks * fs.bsize;
    return {
      status: freeBytes >= minFreeBytes ? 'ok' : 'unhealthy',
      path,
      freeBytes,
      totalBytes,
      usedPercent: totalBytes === 0 ? 0 : round(((totalBytes - fs.bfree * fs.bsize) / totalBytes) * 100),
      minFreeBytes,
    };
  } catch (error) {
    return {
      status: 'unhealthy',
      path,
      minFreeBytes,
      error: { code: (error as NodeJS.ErrnoException).code ?? 'ERROR', message: (error as Error).message },
    };
  }
}

/** How many failures in a row make the venue unhealthy (one failure is a blip: the bot retries). */
export const BROKER_FAILURES_UNHEALTHY = 3;

/**
 * The venue: the last successful call, its age (by the bot's clock, which timed the calls) and latency, failures
 * in a row. @internal
 */
export function checkBroker(bot: ApiBot | undefined): Check {
  if (bot?.broker === undefined) return unknownCheck('no broker is monitored by this API');
  const status: ApiBrokerStatus = bot.broker();
  const nowMs = bot.orchestrator.getSchedule().now;
  return {
    status: status.consecutiveFailures >= BROKER_FAILURES_UNHEALTHY ? 'unhealthy' : 'ok',
    ...status,
    lastSuccessAgeMs: status.lastSuccess === null ? null : Math.max(0, nowMs - status.lastSuccess.at),
    unhealthyAfterFailures: BROKER_FAILURES_UNHEALTHY,
  };
}

/** The least lateness that makes the loop stalled, ms (with three cycle intervals, whichever is longer). */
export const MIN_STALL_MS = 60_000;

/**
 * The scheduler: the orchestrator's loop and health rounds, and the bot's other jobs, with their last and next
 * runs. Unhealthy when the orchestrator is not running, or the loop is stalled: its next cycle (or the end of the
 * cycle running) is late by more than three intervals (at least {@link MIN_STALL_MS}).
 * @internal
 */
export function checkScheduler(bot: ApiBot | undefined): Check {
  if (bot === undefined) return unknownCheck('no bot is attached to this API');
  const schedule = bot.orchestrator.getSchedule();
  const interval = schedule.cycleIntervalMs;
  const dueAt =
    interval === null
      ? null
      : schedule.cycleInProgress
        ? (schedule.lastCycleAt ?? schedule.now) + interval
        : schedule.nextCycleAt;
  const lateMs = dueAt === null ? 0 : Math.max(0, schedule.now - dueAt);
  const stallMs = interval === null ? MIN_STALL_MS : Math.max(3 * interval, MIN_STALL_MS);
  const looping = interval !== null && (schedule.cycleInProgress || schedule.nextCycleAt !== null);
  const jobs: ScheduledJob[] = [
    {
      name: 'trading_cycle',
      intervalMs: interval,
      lastRunAt: schedule.lastCycleAt,
      nextRunAt: schedule.nextCycleAt,
    },
    {
      name: 'health_check',
      intervalMs: schedule.healthCheckIntervalMs,
      lastRunAt: schedule.lastHealthCheckAt,
      nextRunAt: schedule.nextHealthCheckAt,
    },
    ...(bot.jobs?.() ?? []),
  ];
  const healthy = schedule.status === 'running' && looping && lateMs <= stallMs;
  return {
    status: healthy ? 'ok' : 'unhealthy',
    orchestrator: schedule.status,
    now: schedule.now,
    cycleInProgress: schedule.cycleInProgress,
    lateMs,
    stalledAfterMs: stallMs,
    jobs,
    ...(healthy
      ? {}
      : {
          reason:
            schedule.status !== 'running'
              ? `the orchestrator is ${schedule.status}`
              : !looping
                ? 'the trading loop is not running'
                : `the trading loop is ${Math.round(lateMs / 1000)} s late`,
        }),
  };
}

/**
 * The bot's services: each one's health report; unhealthy when one is, or when one says trading is halted (its
 * `details.halted`: reconciliation found what it could not resolve, and only an operator can lift it; the service
 * itself is only `degraded`, as exits still go out). @internal
 */
export function checkServices(bot: ApiBot | undefined): Check {
  if (bot === undefined) return unknownCheck('no bot is attached to this API');
  const reports: Record<string, HealthReport> = bot.orchestrator.getServiceHealth();
  const unhealthy = Object.values(reports).filter((report) => report.status === 'unhealthy');
  const halts = Object.values(reports).flatMap((report) =>
    report.details.halted === undefined ? [] : [`${report.service}: trading halted: ${String(report.details.halted)}`],
  );
  const reasons = [
    ...(unhealthy.length === 0 ? [] : [`unhealthy: ${unhealthy.map((report) => report.service).join(', ')}`]),
    ...halts,
  ];
  return {
    status: reasons.length === 0 ? 'ok' : 'unhealthy',
    services: reports,
    ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
  };
}

/**
 * The bot's run in the store: its last heartbeat and its age; unhealthy once older than `staleAfterMs` (the
 * heartbeat stopped: the loop is blocked, or the store no longer takes writes), `unknown` when the store does not
 * answer or holds no such run. @internal
 * @param read - the store's read of the run (`undefined`: the store has no run of that id).
 */
export async function checkHeartbeat(
  read: Promise<RunRecord | undefined>,
  runId: string,
  nowMs: number,
  staleAfterMs: number,
): Promise<Check> {
  let run: RunRecord | undefined;
  try {
    run = await read;
  } catch (error) {
    return unknownCheck(`the store does not answer: ${StoreError.isInstance(error) ? error.code : String(error)}`);
  }
  if (run === undefined) return unknownCheck(`the store holds no run ${runId}`);
  const { state, heartbeatAgeMs } = runLiveness(run, nowMs, staleAfterMs);
  return {
    status: state === 'running' ? 'ok' : 'unhealthy',
    runId,
    lastHeartbeatAt: run.lastHeartbeatAt,
    heartbeatAgeMs,
    staleAfterMs,
    ...(state === 'running'
      ? {}
      : {
          reason:
            state === 'stale'
              ? `no heartbeat for ${Math.round(heartbeatAgeMs / 1000)} s (stale after ${Math.round(staleAfterMs / 1000)} s)`
              : 'the run has ended',
        }),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
