import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Bar, SimulatedClock } from '@quant/core';
import { type ClosedTrade, CsvBarSource } from '@quant/services';
import { BTCUSDC, BTCUSDT } from '../test-support/run-cli.js';
import type { SummaryTable } from './build-report.js';
import { EquityCurve } from './equity-curve.js';
import { renderHtmlReport } from './html.js';
import type { HtmlReportData, RegimeMark, SymbolChart } from './html-data.js';

const MINUTE = 60_000;
const INITIAL_EQUITY = 100_000;
/** Notional of each trade, quote currency. */
const NOTIONAL = 10_000;
/** Fee rate per side. */
const FEE = 0.001;

/**
 * A realistic report of a two-symbol run, for testing the page: the real
 * BTCUSDT and BTCUSDC minutes of March 2023 as 5-minute candles, trades of
 * two strategies per symbol (they overlap) filled at real minute closes,
 * with stop losses and take profits at their levels, the equity of those
 * trades minute by minute (bounded like the bot's curve) and the regime
 * changes of the 15-minute bars. Deterministic.
 * @returns the report's data.
 */
export async function fixtureReportData(): Promise<HtmlReportData> {
  const sources = await Promise.all(
    [
      ['BTCUSDT', BTCUSDT],
      ['BTCUSDC', BTCUSDC],
    ].map(([symbol, path]) =>
      CsvBarSource.load({ path: path as string, symbol: symbol as string, clock: new SimulatedClock(0) }),
    ),
  );
  const minutes = new Map(sources.map((source) => [source.symbol, source.allBars('1m')]));
  const trades = sources
    .flatMap((source) => [
      ...simulate(source.symbol, 'trend_follow', minutes.get(source.symbol) ?? [], 1),
      ...simulate(source.symbol, 'mean_reversion', minutes.get(source.symbol) ?? [], -1),
    ])
    .sort((a, b) => a.exitTime - b.exitTime);
  const curve = equityCurve(minutes, trades);
  const points = curve.points();
  const symbols: SymbolChart[] = sources.map((source) => ({
    symbol: source.symbol,
    timeframe: '5m',
    bars: source.allBars('5m'),
    regimes: regimes(source.allBars('15m')),
  }));
  const buyAndHold = sources.map((source) => {
    const bars = minutes.get(source.symbol) ?? [];
    return {
      symbol: source.symbol,
      firstClose: bars[0]?.close ?? 0,
      lastClose: bars[bars.length - 1]?.close ?? 0,
    };
  });
  const finalEquity = points[points.length - 1]?.equity ?? INITIAL_EQUITY;
  const wins = trades.filter((t) => t.pnl > 0).length;
  const hold = buyAndHold.reduce(
    (sum, leg) => sum + (INITIAL_EQUITY / buyAndHold.length / leg.firstClose) * leg.lastClose,
    0,
  );
  return {
    title: 'Backtest BTCUSDT + BTCUSDC, 2023-03-01 to 2023-03-21 (fixture)',
    currency: 'USD',
    initialEquity: INITIAL_EQUITY,
    summary: [
      ['Period', '2023-03-01 00:00 to 2023-03-22 00:00 UTC'],
      ['Symbols', 'BTCUSDT, BTCUSDC'],
      ['Trades', String(trades.length)],
      ['Win rate', `${((wins / Math.max(1, trades.length)) * 100).toFixed(1)} %`],
      ['Final equity', `${finalEquity.toFixed(2)} USD`],
      ['Total return', `${((finalEquity / INITIAL_EQUITY - 1) * 100).toFixed(2)} %`],
      ...buyAndHold.map((leg): [string, string] => [
        `Buy and hold ${leg.symbol}`,
        `${((leg.lastClose / leg.firstClose - 1) * 100).toFixed(2)} %`,
      ]),
      ['Buy and hold (equal split)', `${hold.toFixed(2)} USD`],
    ],
    tables: [
      groupTable('Trades by strategy', 'Strategy', trades, (t) => t.strategy),
      groupTable('Trades by symbol', 'Symbol', trades, (t) => t.symbol),
      groupTable('Trades by exit reason', 'Exit reason', trades, (t) => t.reason),
    ],
    equity: points,
    equityResolution: curve.resolution().description,
    buyAndHold,
    symbols,
    trades,
  };
}

/**
 * Writes the fixture report's page to `dir/report.html`.
 * @param dir - an existing folder.
 * @returns the page's path and the data it shows.
 */
export async function writeFixtureReport(dir: string): Promise<{ path: string; data: HtmlReportData }> {
  const data = await fixtureReportData();
  const path = join(dir, 'report.html');
  writeFileSync(path, renderHtmlReport(data));
  return { path, data };
}

/**
 * A deterministic strategy on minute bars: every few hours it enters at a
 * minute's close, long when the last hour rose (`bias` 1) or fell (`bias`
 * -1), else short; it leaves at a 0.6 % stop, a 0.9 % take profit or after
 * its holding time, at the level or the minute's close.
 */
function simulate(symbol: string, strategy: string, bars: readonly Bar[], bias: 1 | -1): ClosedTrade[] {
  let seed = (symbol.charCodeAt(5) * 31 + strategy.length * 7919) % 2_147_483_647;
  const random = (): number => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const trades: ClosedTrade[] = [];
  let i = 60 + Math.floor(random() * 120);
  while (i < bars.length - 2) {
    const bar = bars[i] as Bar;
    const rising = bar.close > (bars[i - 60] as Bar).close;
    const direction = (rising ? bias : -bias) === 1 ? 'long' : 'short';
    const sign = direction === 'long' ? 1 : -1;
    const entryPrice = bar.close;
    const quantity = Number((NOTIONAL / entryPrice).toFixed(5));
    const stop = entryPrice * (1 - sign * 0.006);
    const target = entryPrice * (1 + sign * 0.009);
    const hold = 20 + Math.floor(random() * 400);
    let exit = Math.min(bars.length - 1, i + hold);
    let exitPrice = (bars[exit] as Bar).close;
    let reason = 'exit_signal';
    for (let j = i + 1; j <= exit; j++) {
      const b = bars[j] as Bar;
      if ((sign === 1 ? b.low : -b.high) <= sign * stop) {
        [exit, exitPrice, reason] = [j, stop, 'stop_loss'];
        break;
      }
      if ((sign === 1 ? b.high : -b.low) >= sign * target) {
        [exit, exitPrice, reason] = [j, target, 'take_profit'];
        break;
      }
    }
    const fees = FEE * quantity * (entryPrice + exitPrice);
    trades.push({
      strategy,
      symbol,
      direction,
      quantity,
      entryTime: bar.openTime + MINUTE,
      entryPrice,
      exitTime: (bars[exit] as Bar).openTime + MINUTE,
      exitPrice,
      pnl: sign * (exitPrice - entryPrice) * quantity - fees,
      fees,
      reason,
    });
    // Now and then the next trade starts on the exit's minute; mostly hours later.
    i = exit + (random() < 0.15 ? 0 : 30 + Math.floor(random() * 500));
  }
  return trades;
}

/** The account minute by minute: initial equity, realized P&L of closed trades and unrealized of open ones. */
function equityCurve(minutes: ReadonlyMap<string, readonly Bar[]>, trades: readonly ClosedTrade[]): EquityCurve {
  const curve = new EquityCurve();
  const clock = minutes.values().next().value ?? [];
  const closes = new Map(
    [...minutes].map(([symbol, bars]) => [symbol, new Map(bars.map((b) => [b.openTime, b.close]))]),
  );
  const byEntry = [...trades].sort((a, b) => a.entryTime - b.entryTime);
  const byExit = [...trades].sort((a, b) => a.exitTime - b.exitTime);
  const open = new Set<ClosedTrade>();
  let realized = 0;
  let entered = 0;
  let exited = 0;
  const last = new Map<string, number>();
  for (const bar of clock) {
    const time = bar.openTime + MINUTE;
    for (const [symbol, map] of closes) {
      const close = map.get(bar.openTime);
      if (close !== undefined) last.set(symbol, close);
    }
    while (entered < byEntry.length && (byEntry[entered] as ClosedTrade).entryTime <= time)
      open.add(byEntry[entered++] as ClosedTrade);
    while (exited < byExit.length && (byExit[exited] as ClosedTrade).exitTime <= time) {
      const trade = byExit[exited++] as ClosedTrade;
      open.delete(trade);
      realized += trade.pnl;
    }
    let unrealized = 0;
    for (const trade of open) {
      const price = last.get(trade.symbol) ?? trade.entryPrice;
      unrealized += (trade.direction === 'long' ? 1 : -1) * (price - trade.entryPrice) * trade.quantity;
    }
    const equity = INITIAL_EQUITY + realized + unrealized;
    curve.add({ time, equity, cash: equity - unrealized, unrealizedPnl: unrealized, openPositions: open.size });
  }
  return curve;
}

/** Regime changes of 15-minute bars: trend against the 20-bar average, volatility by the bar's range. */
function regimes(bars: readonly Bar[]): RegimeMark[] {
  const marks: RegimeMark[] = [];
  let previous = '';
  for (let i = 20; i < bars.length; i++) {
    const bar = bars[i] as Bar;
    const average = bars.slice(i - 20, i).reduce((sum, b) => sum + b.close, 0) / 20;
    const trend = bar.close > average * 1.003 ? 'trend_up' : bar.close < average * 0.997 ? 'trend_down' : 'range';
    const size = (bar.high - bar.low) / bar.close;
    const volatility = size > 0.006 ? 'high' : size > 0.002 ? 'normal' : 'low';
    const text = `15m ${trend}/${volatility}`;
    if (text !== previous) marks.push({ time: bar.openTime, text });
    previous = text;
  }
  return marks.slice(-1_000);
}

function groupTable(
  title: string,
  label: string,
  trades: readonly ClosedTrade[],
  key: (trade: ClosedTrade) => string,
): SummaryTable {
  const groups = new Map<string, ClosedTrade[]>();
  for (const trade of trades) groups.set(key(trade), [...(groups.get(key(trade)) ?? []), trade]);
  return {
    title,
    header: [label, 'Trades', 'Wins', 'Win %', 'Total P&L USD', 'Avg P&L USD'],
    rows: [...groups].map(([name, group]) => {
      const total = group.reduce((sum, t) => sum + t.pnl, 0);
      const wins = group.filter((t) => t.pnl > 0).length;
      return [
        name,
        String(group.length),
        String(wins),
        ((wins / group.length) * 100).toFixed(1),
        total.toFixed(2),
        (total / group.length).toFixed(2),
      ];
    }),
  };
}
