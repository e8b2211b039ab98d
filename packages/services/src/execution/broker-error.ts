import { hasMarker, QuantError, type QuantErrorOptions } from '@quant/core';

const MARKER = '@quant/services.BrokerError';
const marker = Symbol.for(MARKER);

/**
 * Codes of {@link BrokerError}, what every {@link Broker} maps its venue's errors to:
 * - `rejected`: the venue refused the request (invalid order, market closed, …);
 * - `insufficient_funds`: the account cannot pay for the order;
 * - `rate_limited`: too many requests; nothing was done, try later;
 * - `not_found`: no order with that client order id;
 * - `unsupported`: the venue does not support the order type or time in force;
 * - `unknown_outcome`: the request may or may not have taken effect (a timeout
 *   after sending, a dropped connection): never to be read as `rejected`;
 * - `unavailable`: the venue could not be reached and nothing was sent (for reads: no answer).
 */
export type BrokerErrorCode =
  | 'rejected'
  | 'insufficient_funds'
  | 'rate_limited'
  | 'not_found'
  | 'unsupported'
  | 'unknown_outcome'
  | 'unavailable';

/**
 * The one error type of the {@link Broker} port, with a stable `code`; the
 * venue's own error is kept as `cause`.
 */
export class BrokerError extends QuantError<BrokerErrorCode> {
  readonly [marker] = true;

  /**
   * @param code - the stable error code.
   * @param message - what happened, in the venue's words where possible.
   * @param options - `cause`: the venue's or transport's error.
   */
  constructor(code: BrokerErrorCode, message: string, options: QuantErrorOptions = {}) {
    super(code, message, options);
  }

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is BrokerError {
    return hasMarker(value, MARKER);
  }
}
