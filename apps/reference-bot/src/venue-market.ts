import { CcxtBroker, CcxtMarketData, type CcxtVenue } from '@quant/adapter-ccxt';
import { type Clock, LiveClock } from '@quant/core';
import { ScaledClock } from '@quant/exchange-sim';
import { withChaos } from './chaos/chaos-broker.js';
import { UsageError } from './cli-error.js';
import type { LiveMarket } from './live-market.js';
import type { BotInputs } from './setup.js';
import { connectVenue, exchangeSettings, type VenueFlags } from './venue-connection.js';

/*
 * The venue side of `live`: a module of its own, which `live` imports only with --exchange, so that a replay
 * does not load ccxt (about as much code as the rest of the bot).
 */

/** How much longer than ccxt's timeout the order manager waits for a venue call, real ms. */
const VENUE_CALL_MARGIN_MS = 5000;

/** What the local exchange says of its clock (`GET /sim/status`), when the URL is one. */
async function localExchangeClock(url: string): Promise<{ now: number; speed: number } | undefined> {
  try {
    const response = await fetch(new URL('/sim/status', url), { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return undefined;
    const status = (await response.json()) as { now?: unknown; speed?: unknown };
    return typeof status.now === 'number' && typeof status.speed === 'number'
      ? { now: status.now, speed: status.speed }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A venue through ccxt (the `exchange` section with the flags over it). The bot's clock follows the venue's server time when the venue is the local exchange
 * replaying data (`quant-bot exchange-sim`, found by its `/sim/status`): its time and speed, and the venue's
 * signed requests are stamped on it; otherwise it is the wall clock.
 */
export async function venueMarket(inputs: BotInputs, flags: VenueFlags, env: NodeJS.ProcessEnv): Promise<LiveMarket> {
  const settings = exchangeSettings(inputs.config.exchange, flags);
  if (settings.api_key === '' || settings.api_secret === '') {
    throw new UsageError(
      'BAD_FLAG',
      `--exchange ${settings.id} needs the account's API key and secret: set EXCHANGE_API_KEY and EXCHANGE_API_SECRET in the environment (quant-bot exchange-sim prints its test account's)`,
    );
  }
  const local = settings.url === '' ? undefined : await localExchangeClock(settings.url);
  const clock: Clock =
    local === undefined ? new LiveClock() : new ScaledClock({ startTime: local.now, speed: local.speed });
  // A local exchange replays data faster than the wall clock and limits no request: spacing requests by Binance's
  // weights (a second per fills query) would let its bars close unseen.
  const venue: CcxtVenue = await connectVenue(
    local === undefined ? settings : { ...settings, rate_limit: false },
    local === undefined ? undefined : clock,
  );
  const where = settings.url === '' ? venue.id : `${venue.id} at ${settings.url}`;
  let symbols: string[];
  try {
    symbols = inputs.symbols.map((symbol) => venue.markets.venueSymbol(symbol));
  } catch (error) {
    await venue.close();
    throw new UsageError(
      'BAD_FLAG',
      `--symbol (or trading.symbols): ${(error as Error).message}; pass the symbols to trade, e.g. --symbol BTCUSDT`,
      { cause: error },
    );
  }
  return {
    clock,
    venue: {
      source: new CcxtMarketData(venue, { clock }),
      broker: withChaos(new CcxtBroker(venue), env, clock.now()),
      // A venue call's deadline runs on the bot's clock: past ccxt's own timeout (so that ccxt reports first), in
      // the venue's time, which a local exchange may run many times faster than the wall clock.
      executionTimeouts: { venueCallMs: (settings.timeout * 1000 + VENUE_CALL_MARGIN_MS) * (local?.speed ?? 1) },
    },
    title: where,
    groupCommitMs: 0,
    from: clock.now(),
    end: undefined,
    description: [
      `Trading ${symbols.join(', ')} on ${where}${
        local === undefined
          ? ''
          : ` (a local exchange replaying data: the bot follows its clock, ${new Date(local.now).toISOString()} at speed ${local.speed})`
      }`,
    ],
    hold: (work) => work,
    close: () => venue.close(),
  };
}
