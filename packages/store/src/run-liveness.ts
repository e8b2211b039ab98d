import type { RunRecord } from './store-types.js';

/** How a run looks from outside, by its heartbeat (what `db status` and `/api/health` report). */
export interface RunLiveness {
  /**
   * `ended` (it closed, clean or crashed); `running` (not ended, heartbeat within `staleAfterMs`); `stale` (not
   * ended, no heartbeat for longer: the process may be down — what an outside monitor alerts on; its next start
   * records it as crashed).
   */
  readonly state: 'running' | 'stale' | 'ended';
  /** Time since the last heartbeat, ms (at `nowMs`). */
  readonly heartbeatAgeMs: number;
}

/**
 * Whether a run is alive, from its last heartbeat.
 * @param run - the run, as {@link EventStore.runs} gives it.
 * @param nowMs - the time to judge at, ms since epoch, UTC (the clock of whoever looks).
 * @param staleAfterMs - how long without a heartbeat makes a run stale (`recovery.stale_after` × 1000).
 */
export function runLiveness(run: RunRecord, nowMs: number, staleAfterMs: number): RunLiveness {
  const heartbeatAgeMs = Math.max(0, nowMs - run.lastHeartbeatAt);
  if (run.endedAt !== null) return { state: 'ended', heartbeatAgeMs };
  return { state: heartbeatAgeMs > staleAfterMs ? 'stale' : 'running', heartbeatAgeMs };
}
