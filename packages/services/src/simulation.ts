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
 * each step from `start` to `end`, move the clock and run one cycle, awaiting
 * what it awaits. Moving the clock fires the timers due by the step
 * (health rounds, venue calls' deadlines, restart backoffs) with
 * {@link @quant/core!SimulatedClock.advanceTo}: each after the work in flight
 * has settled (an event-loop turn), as on a live clock, where a venue's
 * answer comes long before a 30-second deadline; a step with no timer due
 * moves with `tickTo`, at no cost. A cycle that set a timer (a venue call it
 * does not await, with its deadline) is followed by an event-loop turn at its
 * time, so the call's answer arrives before the clock moves on. Promise work
 * a cycle starts without awaiting it and without a timer on the clock runs
 * when the run next turns the event loop (at the latest 256 cycles later):
 * await such work in the cycle, or give it a deadline on the clock. The services and orchestrator are the same as in live trading;
 * only the clock differs.
 *
 * A cycle that waits on the clock (a retry backoff `await clock.sleep(…)`, a
 * venue call's deadline) does not deadlock the run: the cycle runs under
 * {@link @quant/core!SimulatedClock.runToCompletion}, which, once nothing but a timer can
 * move the cycle on, fires the clock's timers in due order, so the cycle
 * sees the time it waited for pass, as it would live. The cycle's simulated
 * time is not given back: when a cycle waits past the next step's time, the
 * next cycle runs late, at the time the waiting cycle ended (as a live loop
 * would), and the following steps keep their times. A cycle that settles
 * without waiting on a timer (the usual case) costs no event-loop turn. See
 * decision 0007 for why time moves rather than the run failing.
 * @typeParam M - the bus's event map.
 * @param orchestrator - a started orchestrator.
 * @param clock - the simulated clock the system was built on.
 * @param options - time range, step, progress callback, abort signal.
 * @returns the number of cycles run.
 *
 * @example
 * A backtest over a whole CSV file: the data is loaded once, then served on
 * a simulated clock that starts at the file's first bar; one cycle runs at
 * each 1-minute bar's close, with a progress line per simulated day, until
 * the end of the file or Ctrl+C.
 * ```ts
 * import { buildConfig } from '@quant/config';
 * import { LogManager, SimulatedClock } from '@quant/core';
 * import {
 *   CsvBarSource,
 *   createTradingSystem,
 *   indicatorsFromFile,
 *   loadIndicators,
 *   loadStrategies,
 *   runSimulation,
 *   SimulatedExchange,
 * } from '@quant/services';
 *
 * const config = buildConfig({ trading: { symbol: 'BTCUSDT', timeframes: ['1m', '5m', '15m'] } });
 * const data = await CsvBarSource.load({ path: 'data/BTCUSDT_1m.csv', symbol: 'BTCUSDT', clock: new SimulatedClock() });
 * const { firstOpenTime, lastOpenTime } = data.stats;
 * if (firstOpenTime === null || lastOpenTime === null) throw new Error('the file has no bars');
 *
 * const clock = new SimulatedClock(firstOpenTime);
 * const exchange = new SimulatedExchange({ clock, feeBps: 10, slippageBps: 1 });
 * const indicators = indicatorsFromFile(loadIndicators('conf/indicators.yaml'));
 * const system = createTradingSystem(config, {
 *   clock,
 *   source: exchange.feedFrom(data.withClock(clock)), // the same bars, "now" read from this clock
 *   broker: exchange,
 *   strategies: loadStrategies('conf/strategies.yaml', {
 *     outputsFor: (timeframe) => indicators.processor.outputNames(timeframe),
 *   }),
 *   ...indicators,
 *   logs: new LogManager({ clock, level: 'warn' }),
 * });
 *
 * const interrupt = new AbortController();
 * process.once('SIGINT', () => interrupt.abort()); // stops after the current cycle
 * await system.orchestrator.start();
 * const cycles = await runSimulation(system.orchestrator, clock, {
 *   start: firstOpenTime + 60_000, // the first bar's close
 *   end: lastOpenTime + 60_000,
 *   stepMs: 60_000,
 *   signal: interrupt.signal,
 *   onCycle: (time) => {
 *     if (time % 86_400_000 === 0) console.log(`simulated ${new Date(time).toISOString().slice(0, 10)}`);
 *   },
 * });
 * await system.orchestrator.stop();
 * const { equity, realizedPnl, currency } = system.positions.account();
 * console.log(`${cycles} cycles: equity ${equity.toFixed(2)} ${currency}, realized ${realizedPnl.toFixed(2)}`);
 * ```
 */
export async function runSimulation<M extends LifecycleEventPayloads>(
  orchestrator: TradingOrchestrator<M>,
  clock: SimulatedClock,
  options: SimulationOptions,
): Promise<number> {
  let cycles = 0;
  const cycle = (): string | Promise<string> => orchestrator.runCycleNow();
  for (let time = options.start; time <= options.end; time += options.stepMs) {
    if (options.signal?.aborted) break;
    // A timer due by this step (a health round, a venue call's deadline, a restart's backoff) fires after the
    // work in flight has settled, one timer at a time, as on a live clock; a step with none due costs no turn.
    const due = clock.nextTimerDue;
    if (due !== undefined && due <= time) await clock.advanceTo(time);
    else clock.tickTo(time);
    // A cycle done at once (the usual case on in-memory data) makes no promise and costs no await; one that
    // set a timer (a venue call's deadline) started work that is still in flight: it settles (an event-loop
    // turn) at the cycle's time, before the clock moves on.
    const timersBefore = clock.timersSet;
    const outcome = clock.runToCompletionNow(cycle);
    if (typeof outcome !== 'string') await outcome;
    else if (clock.timersSet !== timersBefore) await clock.advanceTo(clock.now());
    cycles++;
    // Cycles are promise work only; yield to the event loop now and then so that
    // signals (Ctrl+C), timers and I/O (such as an events file being written) proceed.
    if (cycles % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    options.onCycle?.(time);
  }
  return cycles;
}
