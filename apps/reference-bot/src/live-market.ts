import { type Clock, type Timeframe, timeframeToMs } from '@quant/core';
import { ReplayClock } from './replay-clock.js';
import { type BotInputs, dataSpan, type VenueMarket } from './setup.js';
import { SIMULATION_GROUP_COMMIT_MS } from './store-session.js';

/** Where `live` trades: a replayed file on the simulated exchange, or a venue through ccxt. */
export interface LiveMarket {
  /** The bot's clock. */
  readonly clock: Clock;
  /** The venue's source and broker; `undefined` for the simulated exchange fed by the data files. */
  readonly venue: VenueMarket | undefined;
  /** What the run trades on, for the banner: `simulated exchange`, `binance at http://127.0.0.1:8080`. */
  readonly title: string;
  /** The event store's group commit (see `StoreRecorderOptions.groupCommitMs`). */
  readonly groupCommitMs: number;
  /** The first bar's open time the run reports from, ms UTC. */
  readonly from: number;
  /** The end of a replay's data (the close of its last bar), ms UTC; `undefined` on a venue. */
  readonly end: number | undefined;
  /** Lines for the log at start. */
  readonly description: readonly string[];
  /** Holds the clock while `work` runs (a replay's data time waits for it); a venue's time does not wait. */
  hold<T>(work: Promise<T>): Promise<T>;
  /** Releases the venue's connections. */
  close(): Promise<void>;
}

/** A replay of the data files at `speed` on the simulated exchange. */
export function replayMarket(inputs: BotInputs, speed: number | 'max'): LiveMarket {
  const { first, last } = dataSpan(inputs);
  const stepMs = timeframeToMs(inputs.config.trading.timeframes[0] as Timeframe);
  const clock = new ReplayClock(first + stepMs, speed);
  return {
    clock,
    venue: undefined,
    title: 'simulated exchange',
    // The market is a file: its cycles may follow each other at full speed.
    groupCommitMs: SIMULATION_GROUP_COMMIT_MS,
    from: first,
    end: last + stepMs,
    description: inputs.files.map(
      (file) => `Replaying ${file.path} (${file.data.stats.bars} bars of ${file.symbol}) at speed ${speed}`,
    ),
    hold: (work) => clock.hold(work),
    close: async () => {},
  };
}
