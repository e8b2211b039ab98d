import { fileURLToPath } from 'node:url';
import { type BaseEvent, SimulatedClock } from '@quant/core';
import { runSimulation } from '@quant/services';
import { fileBot } from '@quant/services/testing';

const REPO = new URL('../../../../', import.meta.url);
/** The real BTCUSDT 1-minute file of shared/data (March 2023). */
export const BTCUSDT = fileURLToPath(new URL('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', REPO));

/** Open time of a bar of March 2023, UTC. */
export const march = (day: number, hour = 0, minute = 0): number => Date.UTC(2023, 2, day, hour, minute);

/** What a test adds to the example bot's run. */
export interface RealRunHooks {
  /** The bus's `onPublish` hook. */
  readonly onPublish?: (event: BaseEvent) => void;
  /** A cycle work item, added after the services' (so it runs last in each cycle). */
  readonly cycleWork?: () => Promise<void> | undefined;
}

/**
 * Runs the example bot (conf/ indicators and strategies, BTCUSDT on 1m, 5m and 15m) on the real file with a
 * simulated exchange from the close of the bar at `from` to that of the bar at `to`, and returns every event the
 * bus published, in publication order (as a `'*'` subscriber sees them).
 */
export async function runRealBot(from: number, to: number, hooks: RealRunHooks = {}): Promise<BaseEvent[]> {
  const clock = new SimulatedClock(Date.UTC(2023, 1, 28, 23, 59));
  const { system } = await fileBot({
    dataFile: BTCUSDT,
    symbol: 'BTCUSDT',
    configDir: fileURLToPath(REPO),
    clock,
    ...(hooks.onPublish === undefined ? {} : { onPublish: hooks.onPublish }),
  });
  if (hooks.cycleWork !== undefined) system.orchestrator.addCycleWork('test.last', hooks.cycleWork);
  const events: BaseEvent[] = [];
  system.bus.subscribe('*', (event) => void events.push(event));
  await system.orchestrator.start();
  await runSimulation(system.orchestrator, clock, { start: from + 60_000, end: to + 60_000, stepMs: 60_000 });
  await system.orchestrator.stop();
  return events;
}

/** Events split into batches of one correlation id (a cycle, or the start-up), in publication order. */
export function cyclesOf(events: readonly BaseEvent[]): BaseEvent[][] {
  const cycles: BaseEvent[][] = [];
  let current: BaseEvent[] = [];
  for (const event of events) {
    if (current.length > 0 && current[0]?.correlationId !== event.correlationId) {
      cycles.push(current);
      current = [];
    }
    current.push(event);
  }
  if (current.length > 0) cycles.push(current);
  return cycles;
}

/** {@link runRealBot}'s events split into its cycles ({@link cyclesOf}). */
export async function realEventBatches(from: number, to: number): Promise<BaseEvent[][]> {
  return cyclesOf(await runRealBot(from, to));
}
