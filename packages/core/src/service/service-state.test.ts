import { describe, expect, it } from 'vitest';
import { LifecycleError } from '../errors/core-errors.js';
import { assertTransition, type ServiceState } from './service-state.js';

const STATES: readonly ServiceState[] = [
  'initialized',
  'starting',
  'running',
  'degraded',
  'stopping',
  'stopped',
  'failed',
  'disposed',
];

// The lifecycle as the issue states it, written independently of SERVICE_TRANSITIONS.
const LEGAL = new Set([
  'initialized→starting',
  'starting→running',
  'running→stopping',
  'stopping→stopped',
  'running→degraded',
  'degraded→running',
  'degraded→stopping',
  'starting→failed',
  'running→failed',
  'degraded→failed',
  'stopping→failed',
  'stopped→starting',
  'failed→stopping',
  'initialized→disposed',
  'stopped→disposed',
  'failed→disposed',
]);

describe('service lifecycle transitions', () => {
  const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));

  it.each(pairs.filter(([from, to]) => LEGAL.has(`${from}→${to}`)))('allows %s → %s', (from, to) => {
    expect(() => assertTransition('svc', from, to)).not.toThrow();
  });

  it.each(pairs.filter(([from, to]) => !LEGAL.has(`${from}→${to}`)))('forbids %s → %s', (from, to) => {
    let error: unknown;
    try {
      assertTransition('svc', from, to);
    } catch (thrown) {
      error = thrown;
    }
    expect(LifecycleError.isInstance(error)).toBe(true);
    expect((error as LifecycleError).code).toBe('ILLEGAL_TRANSITION');
    expect((error as Error).message).toContain(`svc: cannot go from ${from} to ${to}`);
  });
});
