/**
 * Periods per year of daily returns for a market that trades every day
 * (crypto): the default annualization of {@link sharpeRatio} and
 * {@link sortinoRatio} in {@link analyzeRun}. Use 252 for a market open on
 * weekdays only (whose weekend days then give zero returns: prefer 365 with
 * calendar-day returns).
 */
export const CRYPTO_PERIODS_PER_YEAR = 365;

/**
 * Arithmetic mean of `values`; `NaN` when empty.
 * @param values - any numbers.
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Median of `values`: the middle one in sorted order, or the mean of the two
 * middle ones for an even count; `null` when empty.
 * @param values - any numbers (not changed).
 */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Annualized Sharpe ratio of periodic returns with a risk-free rate of 0:
 * `mean(r) / s(r) × √periodsPerYear`, where `s` is the sample standard
 * deviation (`n − 1` in the denominator). Source: W. F. Sharpe, "The Sharpe
 * Ratio", Journal of Portfolio Management 21(1), 1994 (the ex-post ratio of
 * the mean differential return to its standard deviation), annualized by
 * `√periodsPerYear` as for independent returns.
 * @param returns - simple returns per period, fractions (0.01 is 1 %).
 * @param periodsPerYear - periods in a year (365 for daily crypto returns).
 * @returns the ratio; `null` with fewer than two returns or no variation.
 */
export function sharpeRatio(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const average = mean(returns);
  let squares = 0;
  for (const r of returns) squares += (r - average) ** 2;
  const variance = squares / (returns.length - 1);
  if (variance === 0) return null;
  return (average / Math.sqrt(variance)) * Math.sqrt(periodsPerYear);
}

/**
 * Annualized Sortino ratio of periodic returns with a target (minimum
 * acceptable) return of 0: `mean(r) / TDD × √periodsPerYear`, where the
 * target downside deviation is `TDD = √( Σ min(0, rᵢ)² / n )` over all `n`
 * returns (the periods above the target count as zero, they are not
 * dropped). Source: F. A. Sortino and L. N. Price, "Performance Measurement in
 * a Downside Risk Framework", Journal of Investing 3(3), 1994; the TDD as
 * defined by T. Rollinger and S. Hoffman, "Sortino: A 'Sharper' Ratio", Red
 * Rock Capital, 2013.
 * @param returns - simple returns per period, fractions (0.01 is 1 %).
 * @param periodsPerYear - periods in a year (365 for daily crypto returns).
 * @returns the ratio; `null` with fewer than two returns or none below 0.
 */
export function sortinoRatio(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  let squares = 0;
  for (const r of returns) if (r < 0) squares += r * r;
  if (squares === 0) return null;
  const downside = Math.sqrt(squares / returns.length);
  return (mean(returns) / downside) * Math.sqrt(periodsPerYear);
}
