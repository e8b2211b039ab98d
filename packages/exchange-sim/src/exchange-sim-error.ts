import { hasMarker, QuantError, type QuantErrorOptions } from '@quant/core';

const MARKER = '@quant/exchange-sim.ExchangeSimError';
const marker = Symbol.for(MARKER);

/**
 * Codes of {@link ExchangeSimError}, thrown by {@link startExchangeSim} before the exchange serves anything:
 * - `EXSIM_BAD_OPTIONS`: an option is out of range (port, speed, start time, fee, slippage, filters, accounts,
 *   symbol or timeframe that cannot be told from the file name); the message names the option and what was expected;
 * - `EXSIM_DATA_UNREADABLE`: the bar CSV is missing, unreadable, invalid or empty (`cause`: the CSV reader's error);
 * - `EXSIM_PORT_IN_USE`: the port is taken (or the host cannot be bound: `cause` keeps the socket error);
 * - `EXSIM_STATE_UNREADABLE`: the state file cannot be opened, or it belongs to another symbol, or it is ahead of
 *   the clock given (its data time is later than the clock's now).
 */
export type ExchangeSimErrorCode =
  | 'EXSIM_BAD_OPTIONS'
  | 'EXSIM_DATA_UNREADABLE'
  | 'EXSIM_PORT_IN_USE'
  | 'EXSIM_STATE_UNREADABLE';

/** The error of `@quant/exchange-sim`'s start-up; narrow by `code` (see {@link ExchangeSimErrorCode}). */
export class ExchangeSimError extends QuantError<ExchangeSimErrorCode> {
  readonly [marker] = true;

  /**
   * @param code - the stable error code.
   * @param message - what was wrong and what was expected.
   * @param options - `cause`: the underlying error.
   */
  constructor(code: ExchangeSimErrorCode, message: string, options: QuantErrorOptions = {}) {
    super(code, message, options);
  }

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is ExchangeSimError {
    return hasMarker(value, MARKER);
  }
}
