import type { Clock } from '@quant/core';
import { BrokerError, type BrokerErrorCode } from './broker-error.js';

/**
 * Settles like `call`, or rejects with a {@link BrokerError} of `code` when
 * `call` has not settled `ms` after now on `clock` (a venue that never
 * answers must not leave an order `submitting` for ever). An answer arriving
 * after the deadline is dropped.
 * @param clock - the clock the deadline runs on.
 * @param ms - the deadline, ms.
 * @param call - the venue call, already started.
 * @param what - the call, for the message.
 * @param code - `unknown_outcome` for a call that changes something (submit, cancel), `unavailable` for a read.
 */
export function withDeadline<T>(
  clock: Clock,
  ms: number,
  call: Promise<T>,
  what: string,
  code: Extract<BrokerErrorCode, 'unknown_outcome' | 'unavailable'>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(() => reject(new BrokerError(code, `${what}: no answer within ${ms} ms`)), ms);
    call.then(
      (value) => {
        timer.cancel();
        resolve(value);
      },
      (error: unknown) => {
        timer.cancel();
        reject(error);
      },
    );
  });
}
