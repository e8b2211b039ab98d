/**
 * The bot's account, in its currency (the quote currency of the symbols
 * traded), as the position ledger keeps it from fills: the capital the bot
 * started with, plus realized P&L, minus fees, plus the unrealized P&L of
 * open positions at their last mark.
 */
export interface Account {
  /** Currency of every amount below, e.g. `USDT`. */
  readonly currency: string;
  /** Capital plus realized P&L (before fees) minus every fee paid. */
  readonly cash: number;
  /** `cash` plus the unrealized P&L of open positions at the last mark. */
  readonly equity: number;
  /** Realized P&L of closed quantities, after their fees. */
  readonly realizedPnl: number;
  /** Unrealized P&L of open positions at the last mark, before exit fees. */
  readonly unrealizedPnl: number;
  /** Fees paid, quote currency. */
  readonly fees: number;
}
