import { CcxtVenue } from '@quant/adapter-ccxt';
import type { ExchangeConfig } from '@quant/config';
import type { Clock } from '@quant/core';
import { BrokerError } from '@quant/services';
import { UsageError } from './cli-error.js';

/** The venue flags of `live --exchange` and `download-data`. */
export interface VenueFlags {
  /** ccxt's exchange id; `exchange.id` by default. */
  readonly exchange?: string;
  /** An origin replacing the venue's endpoints (a local exchange); `exchange.url` by default. */
  readonly exchangeUrl?: string;
}

/** The `exchange` section of the configuration with the venue flags over it. */
export function exchangeSettings(exchange: ExchangeConfig, flags: VenueFlags): ExchangeConfig {
  if (flags.exchange !== undefined && !/^[a-z][a-z0-9]*$/.test(flags.exchange)) {
    throw new UsageError(
      'BAD_FLAG',
      `--exchange "${flags.exchange}" is not valid: expected a ccxt exchange id in lower case, e.g. binance`,
    );
  }
  if (flags.exchangeUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(flags.exchangeUrl)) {
    throw new UsageError(
      'BAD_FLAG',
      `--exchange-url "${flags.exchangeUrl}" is not valid: expected an http:// or https:// origin, e.g. http://127.0.0.1:8080`,
    );
  }
  return {
    ...exchange,
    ...(flags.exchange === undefined ? {} : { id: flags.exchange }),
    ...(flags.exchangeUrl === undefined ? {} : { url: flags.exchangeUrl }),
  };
}

/**
 * Connects to the venue the settings name and loads its markets; `requestClock`, when given, stamps its signed
 * requests (a local exchange replaying data at its own speed).
 * @throws {@link UsageError} `BAD_FLAG` when ccxt has no such exchange, `VENUE_UNREACHABLE` when it does not
 *   answer (with where it was looked for).
 */
export async function connectVenue(settings: ExchangeConfig, requestClock?: Clock): Promise<CcxtVenue> {
  try {
    return await CcxtVenue.connect({
      // A local exchange's clock runs many times faster than the wall clock: the widest window Binance allows
      // (60 s of its time) keeps a request delayed by a busy machine from being refused as too old (-1021).
      ...(requestClock === undefined ? {} : { requestClock, ccxtOptions: { recvWindow: 60_000 } }),
      exchange: settings.id,
      ...(settings.api_key === '' ? {} : { apiKey: settings.api_key }),
      ...(settings.api_secret === '' ? {} : { secret: settings.api_secret }),
      sandbox: settings.sandbox,
      rateLimit: settings.rate_limit,
      timeoutMs: settings.timeout * 1000,
      ...(settings.url === '' ? {} : { url: settings.url }),
    });
  } catch (error) {
    if (BrokerError.isInstance(error) && error.code === 'unsupported') {
      throw new UsageError('BAD_FLAG', `--exchange "${settings.id}": ${error.message}`, { cause: error });
    }
    if (BrokerError.isInstance(error)) {
      const where = settings.url === '' ? '' : ` at ${settings.url} (is quant-bot exchange-sim running there?)`;
      throw new UsageError('VENUE_UNREACHABLE', `cannot reach ${settings.id}${where}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
