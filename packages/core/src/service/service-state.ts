import { LifecycleError } from '../errors/core-errors.js';

/**
 * Lifecycle states of a service:
 * `initialized → starting → running → stopping → stopped`, `running ⇄ degraded`,
 * any active state `→ failed`, `stopped → starting` (restart), `failed → stopping`
 * (clean-up before a restart), and `initialized | stopped | failed → disposed`.
 */
export type ServiceState =
  | 'initialized'
  | 'starting'
  | 'running'
  | 'degraded'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'disposed';

/** The allowed transitions, as data: `SERVICE_TRANSITIONS[from]` lists the states `from` may move to. */
export const SERVICE_TRANSITIONS: Readonly<Record<ServiceState, readonly ServiceState[]>> = Object.freeze({
  initialized: ['starting', 'disposed'],
  starting: ['running', 'failed'],
  running: ['degraded', 'stopping', 'failed'],
  degraded: ['running', 'stopping', 'failed'],
  stopping: ['stopped', 'failed'],
  stopped: ['starting', 'disposed'],
  failed: ['stopping', 'disposed'],
  disposed: [],
});

/** States in which a service is doing work: `starting`, `running`, `degraded`, `stopping`. */
export const ACTIVE_STATES: readonly ServiceState[] = ['starting', 'running', 'degraded', 'stopping'];

/**
 * Checks a transition against {@link SERVICE_TRANSITIONS}.
 * @param service - the service's name, for the error message.
 * @param from - the current state.
 * @param to - the requested state.
 * @throws {@link LifecycleError} `ILLEGAL_TRANSITION` when the table does not allow it.
 */
export function assertTransition(service: string, from: ServiceState, to: ServiceState): void {
  if (!SERVICE_TRANSITIONS[from].includes(to)) {
    const allowed = SERVICE_TRANSITIONS[from].join(', ') || 'nothing';
    throw new LifecycleError('ILLEGAL_TRANSITION', `${service}: cannot go from ${from} to ${to} (allowed: ${allowed})`);
  }
}
