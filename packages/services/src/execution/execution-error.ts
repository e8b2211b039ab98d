import { hasMarker, QuantError, type QuantErrorOptions } from '@quant/core';

const MARKER = '@quant/services.ExecutionError';
const marker = Symbol.for(MARKER);

/**
 * Codes of {@link ExecutionError}, the bot-side errors of order handling:
 * - `ILLEGAL_ORDER_TRANSITION`: an order was asked to move to a state the
 *   order state machine does not allow from its current one;
 * - `DUPLICATE_ORDER`: an order was created with a client order id already in use;
 * - `UNKNOWN_ORDER`: no order with that client order id;
 * - `NO_CAPITAL`: the venue reports no balance in the account currency, so the ledger has no capital;
 * - `UNSUPPORTED_BROKER`: the broker implements another version of the port;
 * - `RECONCILIATION_FAILED`: at start, the venue did not answer the questions of reconciliation (orders, fills,
 *   balances), so the bot does not trade on a state it could not check (a restart tries again).
 */
export type ExecutionErrorCode =
  | 'ILLEGAL_ORDER_TRANSITION'
  | 'DUPLICATE_ORDER'
  | 'UNKNOWN_ORDER'
  | 'NO_CAPITAL'
  | 'UNSUPPORTED_BROKER'
  | 'RECONCILIATION_FAILED';

/** Errors of the execution core (order book, ledger, execution service), with a stable `code`. */
export class ExecutionError extends QuantError<ExecutionErrorCode> {
  readonly [marker] = true;

  /**
   * @param code - the stable error code.
   * @param message - what is wrong.
   * @param options - `cause`.
   */
  constructor(code: ExecutionErrorCode, message: string, options: QuantErrorOptions = {}) {
    super(code, message, options);
  }

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is ExecutionError {
    return hasMarker(value, MARKER);
  }
}
