import { fileURLToPath } from 'node:url';
import { SimulatedClock } from '@quant/core';
import { DEFAULT_ACCOUNT, type RunningExchangeSim, startExchangeSim } from '@quant/exchange-sim';
import { CcxtVenue } from '../ccxt-venue.js';

/** The real BTCUSDT 1-minute file of shared/data (March 2023). */
export const BTCUSDT = fileURLToPath(
  new URL('../../../../../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', import.meta.url),
);

/** A local exchange on the real file, on a simulated clock the test advances, and the adapter connected to it. */
export interface LocalExchange {
  readonly sim: RunningExchangeSim;
  readonly clock: SimulatedClock;
  readonly venue: CcxtVenue;
  close(): Promise<void>;
}

/**
 * Starts `@quant/exchange-sim` on the real BTCUSDT file at `start` (on a {@link SimulatedClock} shared with the
 * caller: time moves only when the test moves it) and connects a {@link CcxtVenue} to it, its signed requests
 * stamped on that clock.
 * @param start - the exchange's time, ms UTC.
 * @param timeoutMs - ccxt's request timeout.
 */
export async function startLocalExchange(start: number, timeoutMs = 10_000): Promise<LocalExchange> {
  const clock = new SimulatedClock(start);
  const sim = await startExchangeSim({ data: BTCUSDT, clock });
  const venue = await CcxtVenue.connect({
    exchange: 'binance',
    url: sim.url,
    apiKey: DEFAULT_ACCOUNT.apiKey,
    secret: DEFAULT_ACCOUNT.secret,
    rateLimit: false,
    timeoutMs,
    requestClock: clock,
  });
  return {
    sim,
    clock,
    venue,
    close: async () => {
      await venue.close();
      await sim.close();
    },
  };
}
