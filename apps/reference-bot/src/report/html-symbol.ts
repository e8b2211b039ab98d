import type { Bar } from '@quant/core';
import type { ClosedTrade } from '@quant/services';
import type { SymbolChart } from './html-data.js';
import { formatSignedPnl, priceDecimals } from './html-format.js';
import { barIndexAt, timeframeMs } from './html-time.js';

/** The candles of a price chart as column arrays of the same length. */
export interface CandleColumns {
  /** Open times, s since epoch UTC, strictly increasing. */
  readonly time: number[];
  readonly open: number[];
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
}

/** An entry or an exit of a trade, drawn at its fill price on the bar that contains its time. */
export interface TradeMarker {
  /** Open time of the bar, s since epoch UTC. */
  readonly time: number;
  /** The fill price, quote currency. */
  readonly price: number;
  readonly kind: 'entry' | 'exit';
  readonly side: 'long' | 'short';
  /** The trade made money (P&L > 0). */
  readonly win: boolean;
  /** The label shown when zoomed in: `L`/`S` on entries, the P&L (`+57`, `-101`) on exits. */
  readonly label: string;
  /** Index of the trade in the report's trades. */
  readonly trade: number;
}

/**
 * A point of a trade line: `[time s, price, style]`. The line from a point
 * to the next one of its lane is drawn in the style of the point it starts
 * from: `1` won (green), `0` lost (red), `-1` hidden (from an exit to the
 * next trade's entry).
 */
export type LanePoint = readonly [number, number, 1 | 0 | -1];

/** A regime change on the bar that confirmed it; the regime lasts until the next change. */
export interface RegimeModel {
  /** Open time of the bar, s since epoch UTC. */
  readonly time: number;
  readonly text: string;
  /** The regime's colour in the chart's regime ribbon, a CSS colour (see {@link regimeColor}). */
  readonly color: string;
}

/** What the page draws for one symbol. */
export interface SymbolModel {
  readonly symbol: string;
  readonly timeframe: string;
  /** One bar's length, s. */
  readonly barSeconds: number;
  /** Decimals of the price axis. */
  readonly decimals: number;
  readonly candles: CandleColumns;
  /** Entries and exits, in time order. */
  readonly markers: TradeMarker[];
  /**
   * Lines from each trade's entry to its exit, split into lanes: a line
   * series needs increasing times, so trades that overlap (or exit and
   * enter on the same bar) go to different lanes. Every point's time is a
   * candle's, so no lane adds a time to the chart's axis.
   */
  readonly lanes: LanePoint[][];
  /** Regime changes, in time order, one per bar at most (the last of a bar). */
  readonly regimes: RegimeModel[];
}

/** Lanes drawn at most per symbol; the lines of trades beyond are left out (their markers stay). */
export const MAX_LANES = 32;

const finite = (...values: number[]): boolean => values.every(Number.isFinite);

/**
 * The model of one symbol's chart: its valid bars (finite prices, one per
 * second, in increasing time) as candles, its trades' entries and exits
 * snapped to the bars that contain their times (a time outside the bars
 * gets no marker), the trade lines and the regime changes.
 * @param chart - the symbol's bars and regime changes.
 * @param trades - all the run's trades (those of other symbols are skipped).
 */
export function symbolModel(chart: SymbolChart, trades: readonly ClosedTrade[]): SymbolModel {
  const bars: Bar[] = [];
  for (const bar of chart.bars) {
    const last = bars[bars.length - 1];
    if (!finite(bar.openTime, bar.open, bar.high, bar.low, bar.close)) continue;
    if (last && Math.floor(bar.openTime / 1000) <= Math.floor(last.openTime / 1000)) continue;
    bars.push(bar);
  }
  const lengthMs = timeframeMs(chart.timeframe, bars);
  const openTimes = bars.map((bar) => bar.openTime);
  const seconds = openTimes.map((ms) => Math.floor(ms / 1000));
  const at = (time: number): number | null => barIndexAt(openTimes, lengthMs, time);

  const markers: TradeMarker[] = [];
  const entries = new Set<string>();
  const spans: { entry: number; exit: number; trade: ClosedTrade }[] = [];
  trades.forEach((trade, index) => {
    if (trade.symbol !== chart.symbol) return;
    const win = trade.pnl > 0;
    const entry = finite(trade.entryPrice) ? at(trade.entryTime) : null;
    const exit = finite(trade.exitPrice) ? at(trade.exitTime) : null;
    // Partial closes of one position repeat its entry: mark it once.
    const key = `${entry}|${trade.entryPrice}|${trade.direction}|${trade.strategy}`;
    if (entry !== null && !entries.has(key)) {
      entries.add(key);
      markers.push(marker(seconds[entry] as number, trade.entryPrice, 'entry', trade, win, index));
    }
    if (exit !== null) markers.push(marker(seconds[exit] as number, trade.exitPrice, 'exit', trade, win, index));
    if (entry !== null && exit !== null && entry < exit) spans.push({ entry, exit, trade });
  });
  markers.sort((a, b) => a.time - b.time);

  const regimes: RegimeModel[] = [];
  for (const regime of chart.regimes) {
    const index = at(regime.time);
    if (index === null) continue;
    const time = seconds[index] as number;
    const last = regimes[regimes.length - 1];
    const mark = { time, text: regime.text, color: regimeColor(regime.text) };
    if (last && last.time === time) regimes[regimes.length - 1] = mark;
    else if (!last || time > last.time) regimes.push(mark);
  }

  return {
    symbol: chart.symbol,
    timeframe: chart.timeframe,
    barSeconds: lengthMs / 1000,
    decimals: priceDecimals(bars.map((bar) => bar.close)),
    candles: {
      time: seconds,
      open: bars.map((bar) => bar.open),
      high: bars.map((bar) => bar.high),
      low: bars.map((bar) => bar.low),
      close: bars.map((bar) => bar.close),
    },
    markers,
    lanes: tradeLanes(spans, seconds),
    regimes,
  };
}

function marker(
  time: number,
  price: number,
  kind: 'entry' | 'exit',
  trade: ClosedTrade,
  win: boolean,
  index: number,
): TradeMarker {
  const label = kind === 'entry' ? (trade.direction === 'short' ? 'S' : 'L') : formatSignedPnl(trade.pnl);
  return { time, price, kind, side: trade.direction, win, label, trade: index };
}

/**
 * Puts each trade's line in the first lane free for it: a lane is free when
 * its last trade exited on an earlier bar than this entry's.
 * @param spans - bar indexes of each trade's entry and exit (entry < exit).
 * @param seconds - the bars' times, s.
 */
export function tradeLanes(
  spans: readonly { readonly entry: number; readonly exit: number; readonly trade: ClosedTrade }[],
  seconds: readonly number[],
): LanePoint[][] {
  const lanes: { points: LanePoint[]; lastExit: number }[] = [];
  const sorted = [...spans].sort((a, b) => a.entry - b.entry || a.exit - b.exit);
  for (const { entry, exit, trade } of sorted) {
    let lane = lanes.find((candidate) => candidate.lastExit < entry);
    if (!lane) {
      if (lanes.length >= MAX_LANES) continue;
      lane = { points: [], lastExit: Number.NEGATIVE_INFINITY };
      lanes.push(lane);
    }
    lane.points.push(
      [seconds[entry] as number, trade.entryPrice, trade.pnl > 0 ? 1 : 0],
      [seconds[exit] as number, trade.exitPrice, -1],
    );
    lane.lastExit = exit;
  }
  return lanes.map((lane) => lane.points);
}

/**
 * The colour of a regime in the chart's regime ribbon, from its words:
 * green for an up trend (`up`, `bull`), red for a down trend (`down`,
 * `bear`), blue-grey otherwise; stronger for `high` volatility, lighter for
 * `low`.
 * @param text - e.g. `15m trend_up/high`.
 * @returns an `rgba(…)` colour.
 */
export function regimeColor(text: string): string {
  const words = text.toLowerCase();
  const rgb = /up|bull/.test(words) ? '46,125,50' : /down|bear/.test(words) ? '198,40,40' : '120,144,156';
  const alpha = /high/.test(words) ? 0.9 : /low/.test(words) ? 0.35 : 0.6;
  return `rgba(${rgb},${alpha})`;
}
