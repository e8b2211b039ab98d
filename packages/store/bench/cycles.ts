import type { BaseEvent } from '@quant/core';
import { MARKET_DATA_EVENT_TYPES } from '../src/envelope.js';

/** What the recorder appends with `store.events: trading`: each cycle's trading events, when it has any. */
export function tradingCycles(cycles: readonly BaseEvent[][]): BaseEvent[][] {
  const marketData = new Set(MARKET_DATA_EVENT_TYPES);
  return cycles.map((cycle) => cycle.filter((event) => !marketData.has(event.type))).filter((c) => c.length > 0);
}

/** Whole cycles joined into batches of at least `size` events: what group commit appends at full speed. */
export function groupedCycles(cycles: readonly BaseEvent[][], size: number): BaseEvent[][] {
  const groups: BaseEvent[][] = [];
  let current: BaseEvent[] = [];
  for (const cycle of cycles) {
    current.push(...cycle);
    if (current.length >= size) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Copy `copy` of a run's events, as if the run went on `copy` times `shiftMs` later: new ids, correlation and
 * causation ids, and timestamps; the payloads as they were. Copy 0 is the run itself.
 */
export function shiftedCopy(events: readonly BaseEvent[], copy: number, shiftMs: number): BaseEvent[] {
  if (copy === 0) return [...events];
  const suffix = `#${copy}`;
  return events.map((event) => ({
    ...event,
    id: `${event.id}${suffix}`,
    correlationId: `${event.correlationId}${suffix}`,
    causationId: event.causationId === null ? null : `${event.causationId}${suffix}`,
    timestamp: event.timestamp + copy * shiftMs,
  }));
}

/** The median of numbers. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** A quantile (0 to 1) of numbers, by the nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
