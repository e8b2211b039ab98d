import type { TradeRecord } from './recorder.js';

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
 * The equity figures of a run, kept as it goes over every marked bar in
 * constant memory: the last equity, the peak and the largest drawdown from
 * it, the bars with a position open, and one close per UTC day (the Sharpe
 * ratio's input: 365 numbers a year). The figures are exactly those of the
 * whole curve, whatever resolution the curve is kept at.
 */
export class EquityStats {
  #initial: number | undefined;
  #marks = 0;
  #exposed = 0;
  #last: number | undefined;
  #peak = Number.NEGATIVE_INFINITY;
  #maxDrawdown = 0;
  #maxDrawdownPct = 0;
  #day = Number.NaN;
  readonly #dailyCloses: number[] = [];

  /**
   * @param initialEquity - equity before the first bar, the drawdown's first
   *   peak; when unknown now, give it with {@link EquityStats.start} before the first mark.
   */
  constructor(initialEquity?: number) {
    if (initialEquity !== undefined) this.start(initialEquity);
  }

  /**
   * Sets the equity before the first bar, once; later calls change nothing.
   * @param initialEquity - quote currency.
   */
  start(initialEquity: number): void {
    if (this.#initial !== undefined) return;
    this.#initial = initialEquity;
    this.#peak = Math.max(this.#peak, initialEquity);
  }

  /** The equity before the first bar, once known. */
  get initialEquity(): number | undefined {
    return this.#initial;
  }

  /** Bars marked. */
  get marks(): number {
    return this.#marks;
  }

  /** Days with a close kept (the only figure that grows with the run: one number a UTC day). */
  get days(): number {
    return this.#dailyCloses.length;
  }

  /**
   * Takes the account after one bar into the figures.
   * @param time - close time of the bar, ms UTC.
   * @param equity - equity after the bar.
   * @param openPositions - positions open after the bar.
   */
  mark(time: number, equity: number, openPositions: number): void {
    this.#marks++;
    if (openPositions > 0) this.#exposed++;
    this.#last = equity;
    this.#peak = Math.max(this.#peak, equity);
    const drawdown = this.#peak - equity;
    if (drawdown > this.#maxDrawdown) this.#maxDrawdown = drawdown;
    if (this.#peak > 0 && (drawdown / this.#peak) * 100 > this.#maxDrawdownPct)
      this.#maxDrawdownPct = (drawdown / this.#peak) * 100;
    // A mark at 00:00:00 closes the previous day's last bar.
    const day = Math.floor((time - 1) / 86_400_000);
    if (day === this.#day) this.#dailyCloses[this.#dailyCloses.length - 1] = equity;
    else {
      this.#day = day;
      this.#dailyCloses.push(equity);
    }
  }

  /** Equity after the last bar, or `undefined` before the first. */
  get finalEquity(): number | undefined {
    return this.#last;
  }

  /** Largest peak-to-trough fall of equity so far, quote currency (>= 0). */
  get maxDrawdown(): number {
    return this.#maxDrawdown;
  }

  /** The largest fall as a percent of the peak it fell from. */
  get maxDrawdownPct(): number {
    return this.#maxDrawdownPct;
  }

  /** Share of marked bars with at least one open position, percent (0 before the first bar). */
  get exposurePct(): number {
    return this.#marks > 0 ? (this.#exposed / this.#marks) * 100 : 0;
  }

  /**
   * Returns of equity from one UTC day's last mark to the next (the first
   * against `initialEquity`).
   * @param initialEquity - equity before the first bar; the one given to the stats by default.
   */
  dailyReturns(initialEquity: number = this.#initial ?? Number.NaN): number[] {
    const returns: number[] = [];
    let previous = initialEquity;
    for (const close of this.#dailyCloses) {
      returns.push(close / previous - 1);
      previous = close;
    }
    return returns;
  }
}

/**
 * Computes the performance figures from closed trades and the equity figures
 * kept over every bar.
 * @param trades - closed trades.
 * @param equity - the equity figures of every bar.
 * @param initialEquity - equity before the first bar, quote currency.
 */
export function computePerformance(
  trades: readonly TradeRecord[],
  equity: EquityStats,
  initialEquity: number,
): Performance {
  const wins = trades.filter((trade) => trade.pnl > 0).length;
  const grossProfit = trades.reduce((sum, trade) => sum + Math.max(0, trade.pnl), 0);
  const grossLoss = trades.reduce((sum, trade) => sum + Math.max(0, -trade.pnl), 0);
  const finalEquity = equity.finalEquity ?? initialEquity;
  return {
    trades: trades.length,
    wins,
    losses: trades.length - wins,
    winRate: trades.length > 0 ? wins / trades.length : null,
    initialEquity,
    finalEquity,
    totalReturn: finalEquity - initialEquity,
    totalReturnPct: ((finalEquity - initialEquity) / initialEquity) * 100,
    maxDrawdown: equity.maxDrawdown,
    maxDrawdownPct: equity.maxDrawdownPct,
    sharpeRatio: sharpe(equity.dailyReturns(initialEquity)),
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    exposurePct: equity.exposurePct,
    realizedPnl: trades.reduce((sum, trade) => sum + trade.pnl, 0),
  };
}

function sharpe(returns: readonly number[]): number | null {
  if (returns.length < 2) return null;
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (returns.length - 1);
  if (variance === 0) return null;
  return (mean / Math.sqrt(variance)) * Math.sqrt(PERIODS_PER_YEAR);
}
