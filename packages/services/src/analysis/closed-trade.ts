import type { PositionClosure } from '../execution/position-ledger.js';

/**
 * One closed trade: a position closed in full or in part (a partial close is
 * a trade of its own, with the position's entry time and price). The input
 * of {@link analyzeRun}; {@link closedTradeFrom} makes one from the ledger's
 * `PositionClosed` event.
 */
export interface ClosedTrade {
  /** The strategy that held the position (`''`: the account's own). */
  readonly strategy: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  /** Closed quantity, base units (> 0). */
  readonly quantity: number;
  /** When the position was opened, ms since epoch UTC. */
  readonly entryTime: number;
  /** Average entry price, quote currency. */
  readonly entryPrice: number;
  /** Time of the closing fill, ms since epoch UTC. */
  readonly exitTime: number;
  /** Average exit price, quote currency. */
  readonly exitPrice: number;
  /** Realized P&L after fees (entry share and exit), quote currency. */
  readonly pnl: number;
  /** Fees of the closed quantity (entry share and exit), quote currency. */
  readonly fees: number;
  /** Why it closed: `exit_signal`, `stop_loss`, `take_profit`, `manual`, … */
  readonly reason: string;
}

/**
 * The trade of one `PositionClosed` event (a {@link PositionClosure}).
 * @param closure - the event's payload.
 * @returns the trade; a position without a strategy gets `strategy: ''`.
 */
export function closedTradeFrom(closure: PositionClosure): ClosedTrade {
  return {
    strategy: closure.position.strategyName ?? '',
    symbol: closure.position.symbol,
    direction: closure.position.direction,
    quantity: closure.quantity,
    entryTime: closure.position.openedAt,
    entryPrice: closure.position.entryPrice,
    exitTime: closure.closedAt,
    exitPrice: closure.exitPrice,
    pnl: closure.realizedPnl,
    fees: closure.fees,
    reason: closure.reason,
  };
}
