import { AsyncLocalStorage } from 'node:async_hooks';
import { sequentialIds } from '../events/event-ids.js';

/**
 * What a correlation scope knows: the correlation id shared by everything done
 * in the scope and, inside an event handler, the id of the event being handled
 * (which becomes the `causationId` of what the handler publishes).
 */
export interface CorrelationScope {
  /** The id shared by every event and log line of one unit of work, e.g. a trading cycle. */
  readonly correlationId: string;
  /** The id of the event whose handler is running, if any. */
  readonly id?: string;
}

const storage = new AsyncLocalStorage<CorrelationScope>();
/** Correlation ids: `randomUUID()` per cycle cost about a microsecond (it refills its entropy buffer every 128 ids). */
const newCorrelationId = sequentialIds();

/**
 * Runs `fn` inside a new correlation scope. Every event created inside it, and
 * inside anything it awaits or schedules, carries `correlationId`.
 *
 * @param fn - the work to run.
 * @param correlationId - the scope's id; by default a new UUID-shaped id, unique across runs (a random per-process prefix and a sequence).
 * @returns what `fn` returns (a promise if `fn` is async).
 */
export function withCorrelation<T>(fn: (correlationId: string) => T, correlationId: string = newCorrelationId()): T {
  return storage.run({ correlationId }, fn, correlationId);
}

/**
 * Runs `fn(scope)` inside the scope of `scope`, typically an event being
 * delivered: what `fn` publishes inherits `scope.correlationId` and gets
 * `scope.id` as its `causationId`.
 * @param scope - the event (or scope) to run in; passed to `fn`.
 * @param fn - the work to run.
 * @returns what `fn` returns.
 */
export function runInScope<S extends CorrelationScope, T>(scope: S, fn: (scope: S) => T): T {
  return storage.run(scope, fn, scope);
}

/**
 * Makes `scope` the current one for the rest of the running synchronous code
 * and for everything it schedules (promises, timers), like
 * {@link runInScope} without a callback: cheaper per call, for the event
 * bus's synchronous delivery loop, which enters each event's scope in turn
 * and gives the caller's scope back with {@link enterScope} when it is done.
 * Internal: not exported from the package.
 * @param scope - the scope to enter; `undefined` leaves every scope.
 */
export function enterScope(scope: CorrelationScope | undefined): void {
  storage.enterWith(scope as CorrelationScope);
}

/** The current scope, or `undefined` outside any correlation scope. */
export function currentScope(): CorrelationScope | undefined {
  return storage.getStore();
}

/** The current correlation id, or `undefined` outside any correlation scope. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
