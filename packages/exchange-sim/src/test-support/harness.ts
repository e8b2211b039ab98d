import { fileURLToPath } from 'node:url';
import { SimulatedClock } from '@quant/core';
import ccxt from 'ccxt';
import { type ExchangeSimOptions, type RunningExchangeSim, startExchangeSim } from '../start-exchange-sim.js';

/** The real March 2023 BTCUSDT 1-minute bars of ../shared/data. */
export const DATA = fileURLToPath(
  new URL('../../../../../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', import.meta.url),
);
/** 2023-03-01 00:00 UTC, the first bar's open time. */
export const FIRST_OPEN = Date.UTC(2023, 2, 1);
export const MINUTE = 60_000;
export const ACCOUNT = { apiKey: 'test-key', secret: 'test-secret', balances: { USDT: 100_000 } };

/** A ccxt binance client pointed at `sim`, stamping its requests on the exchange's clock. */
export function client(sim: RunningExchangeSim, overrides: Record<string, unknown> = {}) {
  const exchange = new ccxt.binance({
    apiKey: ACCOUNT.apiKey,
    secret: ACCOUNT.secret,
    urls: { api: { public: `${sim.url}/api/v3`, private: `${sim.url}/api/v3` } },
    options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false },
    timeout: 2_000,
    ...overrides,
  });
  exchange.nonce = () => sim.clock.now();
  return exchange;
}

/** Starts the exchange on the real data with a simulated clock at `start`. */
export async function startSim(
  start = FIRST_OPEN + MINUTE,
  options: Partial<ExchangeSimOptions> = {},
): Promise<{ sim: RunningExchangeSim; clock: SimulatedClock }> {
  const clock = new SimulatedClock(start);
  const sim = await startExchangeSim({ data: DATA, clock, accounts: [ACCOUNT], ...options });
  return { sim, clock };
}
