import { fileURLToPath } from 'node:url';
import { type BaseEvent, SimulatedClock } from '@quant/core';
import {
  type Broker,
  BrokerError,
  MonitoredBroker,
  runSimulation,
  type SimulatedExchange,
  type TradingSystem,
} from '@quant/services';
import { fileBot } from '@quant/services/testing';
import { type EventStore, StoreRecorder } from '@quant/store';

const REPO = new URL('../../../../', import.meta.url);
const BTCUSDT = fileURLToPath(new URL('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', REPO));

/** Open time of a bar of March 2023, ms UTC. */
export const march = (day: number, hour = 0, minute = 0): number => Date.UTC(2023, 2, day, hour, minute);

/** The runs {@link recordRealRuns} leaves in the store. */
export const RUNS = {
  /** Started, heartbeat once, never ended: found crashed by `clean`'s start. */
  crashed: 'run-1-crashed',
  /** Found `crashed`, recorded a recovery summary, ran the example bot, stopped clean. */
  clean: 'run-2-clean',
  /** Started after `clean` and still running (last heartbeat at its start). */
  running: 'run-3-running',
} as const;

/** The bot id of every run of {@link recordRealRuns}. */
export const BOT_ID = 'reference-bot';

/**
 * The example bot (conf/ indicators and strategies, BTCUSDT on 1m, 5m and 15m) on the real file, trading on a
 * simulated exchange (100 000 USDT, 10 bps fees, 1 bp slippage) on `clock`, not started.
 * @param options - `onPublish`: the bus's publish hook (a store recorder); `broker`: wraps the exchange (a monitor).
 */
async function exampleBot(
  clock: SimulatedClock,
  options: { onPublish?: (event: BaseEvent) => void; broker?: (exchange: SimulatedExchange) => Broker } = {},
): Promise<{ system: TradingSystem; exchange: SimulatedExchange }> {
  return await fileBot({
    dataFile: BTCUSDT,
    symbol: 'BTCUSDT',
    configDir: fileURLToPath(REPO),
    clock,
    ...options,
  });
}

/**
 * The exchange as a venue that can go away: while `isDown()` is true, every call that reaches the venue rejects with
 * the `BrokerError` `unavailable` of a refused connection, and the exchange is not called.
 */
function switchableVenue(exchange: SimulatedExchange, isDown: () => boolean): Broker {
  return new Proxy(exchange, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      if (key === 'subscribe') return value.bind(target);
      return (...args: unknown[]) =>
        isDown()
          ? Promise.reject(new BrokerError('unavailable', 'connect ECONNREFUSED 127.0.0.1:9'))
          : value.apply(target, args);
    },
  });
}

/**
 * The example bot as `live --api` runs it: recording into `store` (a cycle's events flushed by its last cycle work
 * item), its venue the simulated exchange behind {@link switchableVenue} and a `MonitoredBroker`; not started.
 * @param isDown - whether the venue is unreachable now.
 */
export async function monitoredBot(
  store: EventStore,
  clock: SimulatedClock,
  isDown: () => boolean,
): Promise<{ system: TradingSystem; broker: MonitoredBroker }> {
  const recorder = new StoreRecorder(store);
  let broker: MonitoredBroker | undefined;
  const { system } = await exampleBot(clock, {
    onPublish: recorder.record,
    broker: (exchange) => {
      broker = new MonitoredBroker(switchableVenue(exchange, isDown), clock);
      return broker;
    },
  });
  system.orchestrator.addCycleWork('store.flush', recorder.flushCycle);
  return { system, broker: broker as MonitoredBroker };
}

/**
 * Fills a store as a bot's life would: a run that died, a run that found it crashed, recorded its recovery
 * summary and traded the example bot (conf/ indicators and strategies, BTCUSDT on 1m, 5m and 15m) on the real file
 * from the close of the bar at `from` to that at `to`, recording its trading events with a `StoreRecorder`, one
 * append a cycle, and leaving the notifications of its first two trades in the outbox (one sent, one dead); then a
 * third run still going.
 */
export async function recordRealRuns(store: EventStore, from: number, to: number): Promise<void> {
  await store.startRun({ runId: RUNS.crashed, botId: BOT_ID, startedAt: from - 600_000 });
  await store.heartbeat(RUNS.crashed, from - 540_000);
  await store.startRun({ runId: RUNS.clean, botId: BOT_ID, startedAt: from });
  await store.recordRecovery({
    id: `recovery_summary:${RUNS.clean}`,
    runId: RUNS.clean,
    timestamp: from,
    kind: 'recovery_summary',
    detail: { phase: 'startup', action: 'none', mismatches: [] },
  });

  const clock = new SimulatedClock(Date.UTC(2023, 1, 28, 23, 59));
  const recorder = new StoreRecorder(store);
  const { system } = await exampleBot(clock, { onPublish: recorder.record });
  system.orchestrator.addCycleWork('store.flush', recorder.flushCycle);
  await system.orchestrator.start();
  await runSimulation(system.orchestrator, clock, { start: from + 60_000, end: to + 60_000, stepMs: 60_000 });
  await system.orchestrator.stop();
  await recorder.flush();
  if (recorder.failure !== undefined) throw recorder.failure;
  await store.endRun(RUNS.clean, 'clean', to + 60_000);
  // The clean run's notifications of its first two trades: the first emailed, the second dead after 3 attempts.
  const closes = (await store.events({ types: ['PositionClosed'] }, { limit: 2 })).events;
  for (const [index, close] of closes.entries()) {
    const id = `position_closed:${close.id}`;
    await store.outbox.enqueue(
      {
        id: `${id}:email`,
        notificationId: id,
        channel: 'email',
        kind: 'position',
        severity: 'info',
        recipients: ['ops@example.com'],
        subject: `[${BOT_ID}] Position closed`,
        text: 'Position closed\n',
        html: '<p>Position closed</p>',
        data: close.payload,
        coalesceKey: null,
        createdAt: close.timestamp,
      },
      0,
    );
    if (index === 0) await store.outbox.markSent(`${id}:email`, close.timestamp + 1000);
    else
      for (const retryAt of [close.timestamp + 5000, close.timestamp + 10_000, null]) {
        await store.outbox.markFailed(`${id}:email`, 'connect ECONNREFUSED 127.0.0.1:587', retryAt);
      }
  }
  await store.startRun({ runId: RUNS.running, botId: BOT_ID, startedAt: to + 120_000 });
}
