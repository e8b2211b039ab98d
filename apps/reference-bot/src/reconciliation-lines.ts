import type { TradingEventPayloads } from '@quant/core';

/**
 * What the log says of a reconciliation with the venue: one line of counts, then one per external order and per
 * mismatch, and, on a halt, what the operator does.
 */
export function reconciliationLines(summary: TradingEventPayloads['ReconciliationCompleted']): string[] {
  const previous =
    summary.previousRun === null ? '' : `previous run ${summary.previousRun.runId} ended ${summary.previousRun.end}; `;
  const lines = [
    `Reconciliation (${summary.phase}): ${previous}${summary.ordersRestored} working orders and ${summary.positionsRestored} positions restored, ${summary.ordersResolved.length} orders resolved, ${summary.fillsRecovered} fills recovered, ${summary.externalOrders.length} external orders, ${summary.externalFills.length} external fills, ${summary.mismatches.length} mismatches: ${summary.action}`,
  ];
  for (const change of summary.ordersResolved) {
    lines.push(`Reconciliation: order ${change.clientOrderId} ${change.from} -> ${change.to} at the venue`);
  }
  for (const order of summary.externalOrders) {
    lines.push(
      `Reconciliation: external order ${order.clientOrderId} (${order.side} ${order.quantity} ${order.symbol}) ${order.handling}`,
    );
  }
  for (const mismatch of summary.mismatches) lines.push(`Reconciliation mismatch: ${mismatch.message}`);
  if (summary.action === 'halt') {
    lines.push(
      'TRADING HALTED: the bot sends no new order. Check the account at the venue, then restart the bot (recovery.on_mismatch: adopt takes the venue’s quantities); see docs/RECOVERY.md',
    );
  }
  return lines;
}
