import type { DailySummary } from './daily-summary.js';
import { cents, signedAmount } from './format.js';
import { wallTime } from './time-zone.js';

/**
 * The daily summary as plain text (a terminal, the text part of an email): the day's figures, a line per trade,
 * per open position and per watched symbol. Times in the summary's time zone.
 * @param summary - what {@link buildDailySummary} built.
 * @returns the text, lines ending in `\n`.
 */
export function dailySummaryText(summary: DailySummary): string {
  const { currency, timeZone } = summary;
  const at = (ms: number) => wallTime(ms, timeZone).time;
  const lines = [
    `Daily summary ${summary.day} (${timeZone})`,
    '',
    `Trades closed: ${summary.trades.length}` +
      (summary.winRate === null ? '' : `, ${summary.wins} won (win rate ${(summary.winRate * 100).toFixed(1)} %)`),
    `Realized P&L: ${signedAmount(summary.realizedPnl, currency)}`,
    `Open positions: ${summary.openPositions.length}, unrealized P&L ${signedAmount(summary.unrealizedPnl, currency)}`,
    ...(summary.equity === null
      ? []
      : [
          `Equity: ${summary.equity.toFixed(2)}${currency === null ? '' : ` ${currency}`}, drawdown ${((summary.drawdown ?? 0) * 100).toFixed(2)} % from its peak`,
        ]),
    '',
    'Trades',
    ...(summary.trades.length === 0
      ? ['  none']
      : summary.trades.map(
          (t) =>
            `  ${at(t.closedAt)} ${t.symbol} ${t.direction} ${t.quantity} @ ${cents(t.entryPrice)} -> ${cents(t.exitPrice)} ${signedAmount(t.realizedPnl, currency)} (${t.reason}${t.strategyName === null ? '' : `, ${t.strategyName}`})`,
        )),
    '',
    'Open positions',
    ...(summary.openPositions.length === 0
      ? ['  none']
      : summary.openPositions.map(
          (p) =>
            `  ${p.symbol} ${p.direction} ${p.quantity} @ ${cents(p.entryPrice)}, mark ${cents(p.markPrice)}, ${signedAmount(p.unrealizedPnl, currency)}`,
        )),
    '',
    'Watchlist (entry signals)',
    ...(summary.watchlist.length === 0
      ? ['  none']
      : summary.watchlist.map(
          (w) =>
            `  ${w.symbol}: ${w.signals} signal${w.signals === 1 ? '' : 's'}, last ${w.lastDirection} by ${w.lastStrategy} at ${at(w.lastAt)}`,
        )),
  ];
  return `${lines.join('\n')}\n`;
}
