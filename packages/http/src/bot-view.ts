import type { TradingOrchestrator } from '@quant/core';

/** The account of a running bot, as the API shows it: amounts in the account (quote) currency. */
export interface ApiAccount {
  /** The account currency, e.g. `USDT`. */
  readonly currency: string;
  /** The capital plus the realized P&L (before fees) less every fee paid. */
  readonly cash: number;
  /** `cash` plus the unrealized P&L of the open positions at the last mark. */
  readonly equity: number;
  /** P&L of closed positions, after fees. */
  readonly realizedPnl: number;
  /** P&L of the open positions at the last price. */
  readonly unrealizedPnl: number;
  /** Every fee paid. */
  readonly fees: number;
  /** Positions open now. */
  readonly openPositions: number;
}

/** How the venue has answered lately (the shape of `@quant/services`' `MonitoredBroker.status()`). */
export interface ApiBrokerStatus {
  /** Calls made. */
  readonly calls: number;
  /** Calls that failed (the venue unreachable, a timeout, …; a refusal is an answer, not a failure). */
  readonly failures: number;
  /** Failures in a row since the last success. */
  readonly consecutiveFailures: number;
  /** The last call that succeeded: its method, when (ms UTC, the bot's clock) and its latency (ms). */
  readonly lastSuccess: { readonly method: string; readonly at: number; readonly latencyMs: number } | null;
  /** The last call that failed, with its error code and message. */
  readonly lastFailure: {
    readonly method: string;
    readonly at: number;
    readonly latencyMs: number;
    readonly code: string;
    readonly message: string;
  } | null;
}

/** A job the bot runs on a schedule, as `/api/health/scheduler` lists it. Times in ms since epoch UTC. */
export interface ScheduledJob {
  /** Its name, e.g. `trading_cycle`, `heartbeat`, `daily_summary`. */
  readonly name: string;
  /** Its period, ms, or `null` (a calendar schedule: `schedule` says it). */
  readonly intervalMs: number | null;
  /** Its calendar schedule (a cron expression with its time zone), or `null`. */
  readonly schedule?: string | null;
  /** When it last ran, or `null`. */
  readonly lastRunAt: number | null;
  /** When it runs next, or `null` (running now, or not scheduled). */
  readonly nextRunAt: number | null;
}

/**
 * The running bot the API reports on, besides its event store: the health endpoints and `/metrics` read it at
 * each request (nothing is cached). Only `orchestrator` is required; a part left out is reported `unknown`.
 */
export interface ApiBot {
  /** The bot's orchestrator: its services' health, the metrics of every service and of the bus, its schedule. */
  readonly orchestrator: Pick<TradingOrchestrator, 'getServiceHealth' | 'getAllMetrics' | 'getSchedule'>;
  /** The account now (e.g. from `system.positions.account()` and `.positions().length`). */
  readonly account?: () => ApiAccount;
  /** How the venue has answered (e.g. a `MonitoredBroker`'s `status()`). */
  readonly broker?: () => ApiBrokerStatus;
  /** Jobs scheduled besides the orchestrator's cycles and health rounds (a heartbeat, a daily summary, …). */
  readonly jobs?: () => readonly ScheduledJob[];
  /** The bot's run in the store: its heartbeat's age is reported (`/api/health/detailed`, `/metrics`). */
  readonly runId?: string;
}
