import { hasMarker, QuantError, type QuantErrorOptions } from '@quant/core';

const HTTP_MARKER = '@quant/http.HttpError';
const httpMarker = Symbol.for(HTTP_MARKER);

/**
 * Codes of {@link HttpError}:
 * - `API_TOKEN_REQUIRED`: {@link startApiServer} was asked to bind an address other than loopback (`127.0.0.0/8`,
 *   `::1`, `localhost`) without a bearer token: anyone on the network could read the bot's orders and positions;
 * - `API_BAD_OPTION`: an option is out of range (a token shorter than {@link MIN_TOKEN_LENGTH} characters, a port
 *   outside 0 to 65 535, a query limit below 256 bytes, a negative `staleAfterMs`); the message names it, never the
 *   token;
 * - `API_LISTEN_FAILED`: the server could not listen (the port is in use, the address is not local, …).
 */
export type HttpErrorCode = 'API_TOKEN_REQUIRED' | 'API_BAD_OPTION' | 'API_LISTEN_FAILED';

/** Thrown by {@link createApi} and {@link startApiServer}; narrow by `code` (see {@link HttpErrorCode}). */
export class HttpError extends QuantError<HttpErrorCode> {
  readonly [httpMarker] = true;

  /**
   * @param code - the stable error code.
   * @param message - what went wrong (never holds the token).
   * @param options - `cause`: the underlying error (e.g. the `EADDRINUSE` of `listen`).
   */
  constructor(code: HttpErrorCode, message: string, options: QuantErrorOptions = {}) {
    super(code, message, options);
  }

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is HttpError {
    return hasMarker(value, HTTP_MARKER);
  }
}
