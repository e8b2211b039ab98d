import type { Bar } from '@quant/core';
import type { Benchmark } from '@quant/services';
import type { EquityPoint } from './equity-curve.js';
import type { SymbolChart } from './html-data.js';
import { priceDecimals } from './html-format.js';
import { timeframeMs } from './html-time.js';

/** The equity chart's series, one value per time (column arrays of the same length). */
export interface EquityModel {
  /** Point times, s since epoch UTC, strictly increasing. */
  readonly time: number[];
  /** Equity at each time, quote currency. */
  readonly equity: number[];
  /** The buy-and-hold benchmark at each time, quote currency; `null` without legs. */
  readonly hold: number[] | null;
  /** Percent below the running peak of equity at each time: 0 or negative (e.g. `-2.5`). */
  readonly drawdown: number[];
  /** Decimals to show money with (2 for 100 000, more for small amounts). */
  readonly decimals: number;
}

/**
 * The equity chart's series from the report's curve: the points with a
 * finite equity, one per second (the last one of a second is kept, as the
 * chart needs strictly increasing times), the buy-and-hold benchmark and the
 * drawdown below the running peak; money rounded to 10 significant digits,
 * the drawdown to 0.0001 %.
 * @param points - the equity curve, in time order (ms).
 * @param initialEquity - equity before the first bar, quote currency.
 * @param legs - the buy-and-hold legs (empty: no benchmark).
 * @param symbols - the symbols' charts, whose bars price the legs.
 */
export function equityModel(
  points: readonly EquityPoint[],
  initialEquity: number,
  legs: readonly Benchmark[],
  symbols: readonly SymbolChart[],
): EquityModel {
  const kept: EquityPoint[] = [];
  for (const point of points) {
    if (!Number.isFinite(point.time) || !Number.isFinite(point.equity)) continue;
    const last = kept[kept.length - 1];
    const second = Math.floor(point.time / 1000);
    if (last && Math.floor(last.time / 1000) === second) kept[kept.length - 1] = point;
    else if (!last || second > Math.floor(last.time / 1000)) kept.push(point);
  }
  const times = kept.map((p) => p.time);
  // Rounded for a smaller page: money to 10 significant digits, drawdown to 0.0001 %.
  const money = (value: number): number => Number(value.toPrecision(10));
  return {
    time: times.map((ms) => Math.floor(ms / 1000)),
    equity: kept.map((p) => money(p.equity)),
    hold: legs.length === 0 ? null : buyAndHoldCurve(times, initialEquity, legs, symbols).map(money),
    drawdown: drawdownPercent(kept.map((p) => p.equity)).map((value) => Math.round(value * 10_000) / 10_000 || 0),
    decimals: priceDecimals([initialEquity]),
  };
}

/**
 * The buy-and-hold benchmark at each time: the initial equity split equally
 * between the legs, each leg `(initialEquity / n) / firstClose × close`,
 * where `close` is the close of the symbol's latest bar that has closed by
 * the time (open time + timeframe <= time), or `firstClose` before the first
 * one (and always for a symbol without bars). A leg without a positive
 * finite first close stays at its share.
 * @param times - ms since epoch UTC, ascending.
 * @param initialEquity - quote currency.
 * @param legs - one per symbol.
 * @param symbols - the bars of the legs' symbols (matched by symbol).
 * @returns one value per time, quote currency.
 */
export function buyAndHoldCurve(
  times: readonly number[],
  initialEquity: number,
  legs: readonly Benchmark[],
  symbols: readonly SymbolChart[],
): number[] {
  const total = times.map(() => 0);
  if (legs.length === 0) return total;
  const share = initialEquity / legs.length;
  for (const leg of legs) {
    const chart = symbols.find((s) => s.symbol === leg.symbol);
    const valid = Number.isFinite(leg.firstClose) && leg.firstClose > 0;
    const bars: readonly Bar[] = valid && chart ? chart.bars : [];
    const length = chart ? timeframeMs(chart.timeframe, chart.bars) : 0;
    let next = 0;
    let close = leg.firstClose;
    times.forEach((time, i) => {
      while (next < bars.length && (bars[next] as Bar).openTime + length <= time) {
        const value = (bars[next] as Bar).close;
        if (Number.isFinite(value)) close = value;
        next++;
      }
      total[i] = (total[i] ?? 0) + (valid ? (share / leg.firstClose) * close : share);
    });
  }
  return total;
}

/**
 * The drawdown of each point: percent below the running peak of the values
 * up to it, `(value / peak - 1) × 100`, so 0 at a new peak and negative
 * below (0 while the peak is not positive).
 * @param values - equity, in time order.
 */
export function drawdownPercent(values: readonly number[]): number[] {
  let peak = Number.NEGATIVE_INFINITY;
  return values.map((value) => {
    if (value > peak) peak = value;
    return peak > 0 ? (value / peak - 1) * 100 : 0;
  });
}
