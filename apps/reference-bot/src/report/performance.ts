import type { EquityPoint, TradeRecord } from './recorder.js';

/** Trading days per year for a market that trades every day (crypto): the Sharpe ratio's annualization. */
export const PERIODS_PER_YEAR = 365;

/** Performance figures of a run. */
export interface Performance {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** wins / trades, 0..1; `null` without trades. */
  readonly winRate: number | null;
  readonly initialEquity: number;
  readonly finalEquity: number;
  /** finalEquity − initialEquity, quote currency. */
  readonly totalReturn: number;
  /** totalReturn / initialEquity × 100. */
  readonly totalReturnPct: number;
  /** Largest peak-to-trough fall of equity, quote currency (>= 0). */
  readonly maxDrawdown: number;
  /** maxDrawdown as a percent of the peak it fell from. */
  readonly maxDrawdownPct: number;
  /**
   * Annualized Sharpe ratio of daily (UTC) equity returns, risk-free rate 0:
   * `mean(r) / stdev(r) × √365` (Sharpe, "The Sharpe Ratio", Journal of
   * Portfolio Management, 1994; sample standard deviation); `null` with fewer
   * than two days or no variation.
   */
  readonly sharpeRatio: number | null;
  /** Gross profit / gross loss of closed trades; `null` without a losing trade. */
  readonly profitFactor: number | null;
  /** Share of marked bars with at least one open position, percent. */
  readonly exposurePct: number;
  /** Sum of closed trades' P&L after fees. */
  readonly realizedPnl: number;
}

/**
 * Computes the performance figures from closed trades and the equity curve.
 * @param trades - closed trades.
 * @param equity - equity after each bar, in time order.
 * @param initialEquity - equity before the first bar, quote currency.
 */
export function computePerformance(
  trades: readonly TradeRecord[],
  equity: readonly EquityPoint[],
  initialEquity: number,
): Performance {
  const wins = trades.filter((trade) => trade.pnl > 0).length;
  const grossProfit = trades.reduce((sum, trade) => sum + Math.max(0, trade.pnl), 0);
  const grossLoss = trades.reduce((sum, trade) => sum + Math.max(0, -trade.pnl), 0);
  const finalEquity = equity[equity.length - 1]?.equity ?? initialEquity;
  let peak = initialEquity;
  let maxDrawdown = 0;
  let maxDrawdownPct = 0;
  for (const point of equity) {
    peak = Math.max(peak, point.equity);
    const drawdown = peak - point.equity;
    if (drawdown > maxDrawdown) maxDrawdown = drawdown;
    if (peak > 0 && (drawdown / peak) * 100 > maxDrawdownPct) maxDrawdownPct = (drawdown / peak) * 100;
  }
  return {
    trades: trades.length,
    wins,
    losses: trades.length - wins,
    winRate: trades.length > 0 ? wins / trades.length : null,
    initialEquity,
    finalEquity,
    totalReturn: finalEquity - initialEquity,
    totalReturnPct: ((finalEquity - initialEquity) / initialEquity) * 100,
    maxDrawdown,
    maxDrawdownPct,
    sharpeRatio: sharpe(dailyReturns(equity, initialEquity)),
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    exposurePct:
      equity.length > 0 ? (equity.filter((point) => point.openPositions > 0).length / equity.length) * 100 : 0,
    realizedPnl: trades.reduce((sum, trade) => sum + trade.pnl, 0),
  };
}

/** Returns of equity from one UTC day's last mark to the next (the first against the initial equity). */
export function dailyReturns(equity: readonly EquityPoint[], initialEquity: number): number[] {
  const closes = new Map<number, number>();
  // A mark at 00:00:00 closes the previous day's last bar.
  for (const point of equity) closes.set(Math.floor((point.time - 1) / 86_400_000), point.equity);
  const returns: number[] = [];
  let previous = initialEquity;
  for (const close of closes.values()) {
    returns.push(close / previous - 1);
    previous = close;
  }
  return returns;
}

function sharpe(returns: readonly number[]): number | null {
  if (returns.length < 2) return null;
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (returns.length - 1);
  if (variance === 0) return null;
  return (mean / Math.sqrt(variance)) * Math.sqrt(PERIODS_PER_YEAR);
}
