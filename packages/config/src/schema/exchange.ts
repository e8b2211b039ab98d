import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { flag, seconds, section } from './fields.js';

/** Why an `exchange.url` is refused, or `undefined`: empty (the venue's own endpoints) or an http(s) origin. */
function urlProblem(url: string): string | undefined {
  if (url === '') return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return undefined;
  } catch {
    // reported below
  }
  return `expected an http:// or https:// URL (e.g. http://127.0.0.1:8080 for quant-bot exchange-sim), got "${url}"`;
}

/** A secret: empty unless given, and only from the environment (the loader refuses one written in a file). */
const secret = (description: string) => v.optional(v.pipe(v.string(), v.description(description)), '');

/**
 * `exchange`: the venue `quant-bot live --exchange` trades on, through `@quant/adapter-ccxt`. The API key and
 * secret come from the environment only (`EXCHANGE_API_KEY`, `EXCHANGE_API_SECRET`): one written in a
 * configuration file is refused, and both are redacted wherever the configuration is shown.
 */
export const exchangeSchema = section(
  {
    id: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^[a-z][a-z0-9]*$/, 'expected a ccxt exchange id in lower case, e.g. binance'),
        v.description("The venue: ccxt's exchange id (binance, kraken, …)."),
      ),
      'binance',
    ),
    sandbox: flag(false, "Trade on the venue's test network (ccxt's sandbox mode)."),
    rate_limit: flag(true, "Space requests by the venue's rate limit (ccxt's enableRateLimit)."),
    url: v.optional(
      v.pipe(
        v.string(),
        v.check(
          (url) => urlProblem(url) === undefined,
          (issue) => urlProblem(issue.input as string) ?? '',
        ),
        v.description(
          "An origin replacing the venue's own REST endpoints (a local exchange such as quant-bot exchange-sim, or a proxy); empty for the venue's.",
        ),
      ),
      '',
    ),
    timeout: seconds(
      10,
      'Seconds a request to the venue may take; past it, an order’s outcome is unknown and is looked up.',
    ),
    api_key: secret('The API key: from EXCHANGE_API_KEY only, never written in a file.'),
    api_secret: secret('The API secret: from EXCHANGE_API_SECRET only, never written in a file.'),
  },
  'The venue of live --exchange.',
);

/** The validated `exchange` section. */
export type ExchangeConfig = DeepReadonly<v.InferOutput<typeof exchangeSchema>>;
