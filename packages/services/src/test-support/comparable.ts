import type { BaseEvent } from '@quant/core';

/**
 * An event without what differs between two runs of the same data: its id, correlation and causation, and the
 * references to other events' ids (`signalId`, and an order's `origin.signalId`).
 */
export function comparable(event: BaseEvent): Record<string, unknown> {
  const {
    id: _id,
    correlationId: _c,
    causationId: _k,
    signalId: _s,
    ...rest
  } = event as BaseEvent & Record<string, unknown>;
  const origin = rest.origin as Record<string, unknown> | undefined;
  return origin === undefined
    ? rest
    : { ...rest, origin: { ...origin, signalId: origin.signalId === null ? null : 'signal' } };
}
