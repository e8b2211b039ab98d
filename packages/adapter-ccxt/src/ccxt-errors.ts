import { REDACTED } from '@quant/core';
import { BrokerError, type BrokerErrorCode } from '@quant/services';
import ccxt from 'ccxt';

/**
 * What a request did to the venue if it failed without an answer: a `write` (submit, cancel) may have taken
 * effect; a `read` changed nothing.
 */
export type RequestKind = 'write' | 'read';

/** Query parameters whose values must never reach a log: ccxt puts the signed URL in its messages. */
const SIGNED_PARAMETERS = /\b(signature|apiKey|api_key|secret|passphrase)=([^&\s"']+)/gi;

/**
 * The message of a ccxt error with its secrets removed: the `signature` (and any key) of the signed URL ccxt
 * quotes, and the API key and secret wherever they appear.
 * @param message - the error's message.
 * @param secrets - the credentials in use (empty ones are ignored).
 */
export function scrubMessage(message: string, secrets: readonly string[]): string {
  let text = message.replace(SIGNED_PARAMETERS, (_match, name: string) => `${name}=${REDACTED}`);
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join(REDACTED);
  return text;
}

/**
 * The {@link @quant/services!BrokerErrorCode} of a ccxt error (the most specific class first):
 * - `RateLimitExceeded`, `DDoSProtection` → `rate_limited` (nothing was done);
 * - `OrderNotFound` → `not_found`; `InsufficientFunds` → `insufficient_funds`; `NotSupported` → `unsupported`;
 * - `InvalidNonce` (the request's timestamp was refused) and `OnMaintenance` → `unavailable` (nothing was done);
 * - any other `NetworkError` (`RequestTimeout`, `ExchangeNotAvailable`: a 5xx, a dropped connection),
 *   `BadResponse`, `CancelPending`, and an error that is not ccxt's → `unknown_outcome` for a write — it may have
 *   taken effect, never `rejected` — and `unavailable` for a read;
 * - any other `ExchangeError` (`InvalidOrder`, `BadRequest`, `BadSymbol`, `AuthenticationError`,
 *   `OperationRejected`, …): the venue answered no → `rejected` for a write, `unavailable` for a read.
 * @param error - what ccxt threw.
 * @param kind - whether the request was a write or a read.
 */
export function brokerErrorCodeOf(error: unknown, kind: RequestKind): BrokerErrorCode {
  if (error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection) return 'rate_limited';
  if (error instanceof ccxt.OrderNotFound) return 'not_found';
  if (error instanceof ccxt.InsufficientFunds) return 'insufficient_funds';
  if (error instanceof ccxt.NotSupported) return 'unsupported';
  if (error instanceof ccxt.InvalidNonce || error instanceof ccxt.OnMaintenance) return 'unavailable';
  if (error instanceof ccxt.ExchangeError) return kind === 'write' ? 'rejected' : 'unavailable';
  return kind === 'write' ? 'unknown_outcome' : 'unavailable';
}

/**
 * A ccxt error as the {@link @quant/services!BrokerError} the `Broker` port throws: its code ({@link brokerErrorCodeOf}), a
 * message saying what was asked (`what`) and the venue's words without secrets, and as `cause` the ccxt error
 * (a copy of its class whose message has no secrets). A `BrokerError` is returned as it is.
 * @param error - what ccxt threw.
 * @param kind - whether the request was a write or a read.
 * @param what - the request, e.g. `submit of order q-1 (buy 0.1 BTC/USDT market)`.
 * @param secrets - the credentials in use, removed from the message.
 */
export function toBrokerError(
  error: unknown,
  kind: RequestKind,
  what: string,
  secrets: readonly string[],
): BrokerError {
  if (BrokerError.isInstance(error)) return error;
  const code = brokerErrorCodeOf(error, kind);
  const name = error instanceof Error ? error.constructor.name : 'Error';
  const venue = scrubMessage(error instanceof Error ? error.message : String(error), secrets);
  const outcome =
    code === 'unknown_outcome' ? ' (its outcome is unknown: look the order up by its client order id)' : '';
  // The cause is logged with the error: a ccxt error keeps its class but loses the secrets of its message.
  const cause =
    error instanceof ccxt.BaseError ? new (error.constructor as new (message: string) => Error)(venue) : error;
  return new BrokerError(code, `${what} failed${outcome}: ${name}: ${venue}`, { cause });
}
