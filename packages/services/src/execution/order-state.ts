import type { OrderStatus } from '@quant/core';
import { ExecutionError } from './execution-error.js';

/**
 * The order state machine, as data: `ORDER_TRANSITIONS[from]` lists the
 * states an order in `from` may move to.
 *
 * `created → submitting → open → partially_filled → filled`, with `cancelled`,
 * `rejected` and `expired` as the other ends. `unknown` is entered when the
 * venue's answer is lost (a submit or cancel timed out); it is left by asking
 * the venue for the order (`fetchOrder` by client order id) — to whatever the
 * venue says, or to `rejected` when the venue never received it. A venue may
 * report a later state first (a fill before the submit's answer), so
 * `submitting` and `unknown` may move straight to any state the venue reports.
 * `filled`, `cancelled`, `rejected` and `expired` are final.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = Object.freeze({
  created: ['submitting'],
  submitting: ['open', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired', 'unknown'],
  open: ['partially_filled', 'filled', 'cancelled', 'expired', 'unknown'],
  partially_filled: ['partially_filled', 'filled', 'cancelled', 'expired', 'unknown'],
  unknown: ['open', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
});

/** Whether `status` is final (`filled`, `cancelled`, `rejected`, `expired`). */
export function isFinalOrderStatus(status: OrderStatus): boolean {
  return ORDER_TRANSITIONS[status].length === 0;
}

/**
 * Checks a transition against {@link ORDER_TRANSITIONS}.
 * @param clientOrderId - the order, for the message.
 * @param from - its current state.
 * @param to - the requested state.
 * @throws {@link ExecutionError} `ILLEGAL_ORDER_TRANSITION` when the table does not allow it.
 */
export function assertOrderTransition(clientOrderId: string, from: OrderStatus, to: OrderStatus): void {
  if (!ORDER_TRANSITIONS[from].includes(to)) {
    const allowed = ORDER_TRANSITIONS[from].join(', ') || 'nothing (final)';
    throw new ExecutionError(
      'ILLEGAL_ORDER_TRANSITION',
      `order ${clientOrderId}: cannot go from ${from} to ${to} (allowed: ${allowed})`,
    );
  }
}
