import type { LifecycleEventPayloads, SimulatedClock, TradingOrchestrator } from '@quant/core';

/** Cycles between two turns of the event loop. */
const YIELD_EVERY = 256;

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  /** The first cycle's time, ms since epoch, UTC. */
  readonly start: number;
  /** The last cycle's time (inclusive), ms since epoch, UTC. */
  readonly end: number;
  /** Simulated time between two cycles, ms (e.g. 60 000 for 1-minute bars). */
  readonly stepMs: number;
  /** Called after each cycle with the cycle's time; for progress bars. */
  readonly onCycle?: (time: number) => void;
  /** Stops the run early (after the current cycle). */
  readonly signal?: AbortSignal;
}

/**
 * Runs an orchestrator's cycles on a simulated clock as fast as possible: for
 * each step from `start` to `end`, move the clock (firing due timers, such as
 * health checks, with `tickTo`) and run one cycle, awaiting everything it
 * caused. The services and orchestrator are the same as in live trading;
 * only the clock differs.
 * @typeParam M - the bus's event map.
 * @param orchestrator - a started orchestrator.
 * @param clock - the simulated clock the system was built on.
 * @param options - time range, step, progress callback, abort signal.
 * @returns the number of cycles run.
 */
export async function runSimulation<M extends LifecycleEventPayloads>(
  orchestrator: TradingOrchestrator<M>,
  clock: SimulatedClock,
  options: SimulationOptions,
): Promise<number> {
  let cycles = 0;
  for (let time = options.start; time <= options.end; time += options.stepMs) {
    if (options.signal?.aborted) break;
    clock.tickTo(time);
    await orchestrator.runCycle();
    cycles++;
    // Cycles are promise work only; yield to the event loop now and then so that
    // signals (Ctrl+C), timers and I/O (such as an events file being written) proceed.
    if (cycles % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    options.onCycle?.(time);
  }
  return cycles;
}
