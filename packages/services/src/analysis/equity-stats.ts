/** Milliseconds in a day: the span of one UTC day of {@link EquityStats.dailyReturns}. */
export const DAY_MS = 86_400_000;

/**
 * The equity figures of a run, kept as it goes over every marked bar in
 * constant memory: the last equity, the peak and the largest drawdown from
 * it with its duration, the bars with a position open, and one close per UTC
 * day (the input of the Sharpe and Sortino ratios: 365 numbers a year, the
 * only figure that grows with the run). The figures are exactly those of the
 * whole curve, whatever resolution a chart keeps of it.
 *
 * Feed it the account after every bar ({@link EquityStats.mark}) and give it
 * to {@link analyzeRun} when the run is over. All amounts are in the quote
 * currency of the account (e.g. USDT); times are ms since epoch, UTC.
 *
 * @example
 * ```ts
 * import { EquityStats } from '@quant/services';
 *
 * const stats = new EquityStats(100_000);
 * stats.mark(Date.UTC(2023, 2, 1, 0, 1), 100_000, 0);
 * stats.mark(Date.UTC(2023, 2, 1, 0, 2), 99_500, 1);
 * stats.maxDrawdown; // 500
 * ```
 */
export class EquityStats {
  #initial: number | undefined;
  #marks = 0;
  #exposed = 0;
  #last: number | undefined;
  #firstTime: number | undefined;
  #lastTime: number | undefined;
  #peak = Number.NEGATIVE_INFINITY;
  #peakTime: number | undefined;
  #maxDrawdown = 0;
  #maxDrawdownPct = 0;
  /** Peak the largest drawdown fell from, its time, and the time equity got back to it (if it did). */
  #ddPeak = Number.NaN;
  #ddPeakTime: number | undefined;
  #ddRecoveredAt: number | undefined;
  #day = Number.NaN;
  readonly #dailyCloses: number[] = [];

  /**
   * @param initialEquity - equity before the first bar, quote currency: the
   *   drawdown's first peak and the first daily return's base; when unknown
   *   now, give it with {@link EquityStats.start} before the first mark.
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
    if (initialEquity >= this.#peak) this.#peak = initialEquity;
  }

  /** The equity before the first bar, quote currency, once known. */
  get initialEquity(): number | undefined {
    return this.#initial;
  }

  /** Bars marked. */
  get marks(): number {
    return this.#marks;
  }

  /** UTC days with a close kept (the only figure that grows with the run: one number a day). */
  get days(): number {
    return this.#dailyCloses.length;
  }

  /** Time of the first mark, ms since epoch UTC; `undefined` before it. */
  get firstTime(): number | undefined {
    return this.#firstTime;
  }

  /** Time of the last mark, ms since epoch UTC; `undefined` before the first. */
  get lastTime(): number | undefined {
    return this.#lastTime;
  }

  /**
   * Takes the account after one bar into the figures. Marks are expected in
   * time order.
   * @param time - close time of the bar, ms since epoch UTC (a mark at
   *   00:00:00.000 closes the previous UTC day).
   * @param equity - equity after the bar, quote currency.
   * @param openPositions - positions open after the bar.
   */
  mark(time: number, equity: number, openPositions: number): void {
    this.#marks++;
    if (openPositions > 0) this.#exposed++;
    this.#firstTime ??= time;
    this.#lastTime = time;
    this.#last = equity;
    // The peak before the first mark (the initial equity) is dated at the first mark.
    this.#peakTime ??= time;
    if (equity >= this.#peak) {
      if (this.#ddPeakTime !== undefined && this.#ddRecoveredAt === undefined && equity >= this.#ddPeak)
        this.#ddRecoveredAt = time;
      this.#peak = equity;
      this.#peakTime = time;
    }
    const drawdown = this.#peak - equity;
    if (drawdown > this.#maxDrawdown) {
      this.#maxDrawdown = drawdown;
      if (this.#ddPeakTime !== this.#peakTime || this.#ddPeak !== this.#peak) {
        this.#ddPeak = this.#peak;
        this.#ddPeakTime = this.#peakTime;
        this.#ddRecoveredAt = undefined;
      }
    }
    if (this.#peak > 0 && (drawdown / this.#peak) * 100 > this.#maxDrawdownPct)
      this.#maxDrawdownPct = (drawdown / this.#peak) * 100;
    const day = Math.floor((time - 1) / DAY_MS);
    if (day === this.#day) this.#dailyCloses[this.#dailyCloses.length - 1] = equity;
    else {
      this.#day = day;
      this.#dailyCloses.push(equity);
    }
  }

  /** Equity after the last bar, quote currency, or `undefined` before the first. */
  get finalEquity(): number | undefined {
    return this.#last;
  }

  /**
   * Largest peak-to-trough fall of equity so far, quote currency (>= 0); the peaks include the initial equity.
   * Source: maximum drawdown as in C. R. Bacon, "Practical Portfolio Performance Measurement and Attribution"
   * (Wiley), and backtesting.py's `Max. Drawdown` (`backtesting/_stats.py`), here in currency and over every bar.
   */
  get maxDrawdown(): number {
    return this.#maxDrawdown;
  }

  /**
   * The largest fall as a percent of the peak it fell from (0..100). It may
   * come from another peak than {@link EquityStats.maxDrawdown} (a smaller
   * fall from a lower peak can be a larger percent).
   */
  get maxDrawdownPct(): number {
    return this.#maxDrawdownPct;
  }

  /**
   * How long the largest drawdown ({@link EquityStats.maxDrawdown}) lasted, ms:
   * from the last mark at the peak it fell from (the first mark when that peak
   * is the initial equity) to the first mark at or above that peak again, or
   * to the last mark when equity never got back to it. 0 without a drawdown.
   */
  get maxDrawdownDurationMs(): number {
    if (this.#ddPeakTime === undefined) return 0;
    return (this.#ddRecoveredAt ?? this.#lastTime ?? this.#ddPeakTime) - this.#ddPeakTime;
  }

  /** Whether equity got back to the peak of the largest drawdown before the last mark (`true` without a drawdown). */
  get maxDrawdownRecovered(): boolean {
    return this.#ddPeakTime === undefined || this.#ddRecoveredAt !== undefined;
  }

  /** Share of marked bars with at least one open position, percent (0 before the first bar). */
  get exposurePct(): number {
    return this.#marks > 0 ? (this.#exposed / this.#marks) * 100 : 0;
  }

  /**
   * Simple returns of equity from one UTC day's last mark to the next's
   * (`close / previousClose − 1`, a fraction: 0.01 is 1 %), the first against
   * the initial equity.
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
