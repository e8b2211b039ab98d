import { describe, expect, it } from 'vitest';
import { EventBusError, LifecycleError, OrchestratorError } from './core-errors.js';
import { QuantError } from './quant-error.js';

describe('QuantError', () => {
  it('carries a stable code, a message and a cause', () => {
    const cause = new Error('socket closed');
    const error = new QuantError('FETCH_FAILED', 'fetch failed', { cause });
    expect(error.code).toBe('FETCH_FAILED');
    expect(error.message).toBe('fetch failed');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('QuantError');
    expect(error).toBeInstanceOf(Error);
  });

  it('isInstance recognises errors from another copy of the package', () => {
    // A second installed copy defines its own class but registers the same Symbol.for marker.
    const otherCopy = { [Symbol.for('@quant/error')]: true, [Symbol.for('@quant/core.EventBusError')]: true };
    expect(QuantError.isInstance(otherCopy)).toBe(true);
    expect(EventBusError.isInstance(otherCopy)).toBe(true);
    expect(LifecycleError.isInstance(otherCopy)).toBe(false);
  });

  it('subclass checks tell the classes apart and reject plain errors', () => {
    const error = new OrchestratorError('DEPENDENCY_CYCLE', 'a → b → a', ['a', 'b', 'a']);
    expect(QuantError.isInstance(error)).toBe(true);
    expect(OrchestratorError.isInstance(error)).toBe(true);
    expect(EventBusError.isInstance(error)).toBe(false);
    expect(QuantError.isInstance(new Error('plain'))).toBe(false);
    expect(QuantError.isInstance(null)).toBe(false);
    expect(error.services).toEqual(['a', 'b', 'a']);
  });

  it('from() keeps QuantErrors and wraps anything else with its cause', () => {
    const original = new LifecycleError('ILLEGAL_TRANSITION', 'x');
    expect(QuantError.from(original)).toBe(original);
    const wrapped = QuantError.from(new TypeError('bad'), 'HANDLER_FAILED');
    expect(wrapped.code).toBe('HANDLER_FAILED');
    expect(wrapped.message).toBe('bad');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    expect(QuantError.from('text').code).toBe('UNKNOWN');
  });
});
