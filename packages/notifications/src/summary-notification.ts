import type { DailySummary } from './daily-summary.js';
import { cents, quantity, signedAmount } from './format.js';
import type { Notification } from './notification.js';
import { wallTime } from './time-zone.js';

/**
 * The daily summary as a notification (kind `daily_summary`, id `daily_summary:<day>`): the day's figures as
 * fields, then tables of the trades closed, the open positions and the watchlist. Times in the summary's zone.
 * @param summary - what {@link buildDailySummary} built.
 * @param createdAt - when it is sent (the job's due time), ms since epoch UTC.
 */
export function dailySummaryNotification(summary: DailySummary, createdAt: number): Notification {
  const { currency, timeZone } = summary;
  const at = (ms: number) => wallTime(ms, timeZone).time;
  const fields: [string, string][] = [
    ['Day', `${summary.day} (${timeZone})`],
    ['Trades closed', String(summary.trades.length)],
    ['Win rate', summary.winRate === null ? '-' : `${(summary.winRate * 100).toFixed(1)} % (${summary.wins} won)`],
    ['Realized P&L', signedAmount(summary.realizedPnl, currency)],
    ['Open positions', String(summary.openPositions.length)],
    ['Unrealized P&L', signedAmount(summary.unrealizedPnl, currency)],
  ];
  if (summary.equity !== null) {
    fields.push(['Equity', `${cents(summary.equity)}${currency === null ? '' : ` ${currency}`}`]);
    fields.push(['Drawdown', `${((summary.drawdown ?? 0) * 100).toFixed(2)} % from the peak`]);
  }
  return {
    id: `daily_summary:${summary.day}`,
    kind: 'daily_summary',
    severity: 'info',
    title: `Daily summary ${summary.day}: ${summary.trades.length} trade${summary.trades.length === 1 ? '' : 's'}, ${signedAmount(summary.realizedPnl, currency)}`,
    fields,
    tables: [
      {
        heading: 'Trades',
        columns: ['Closed', 'Symbol', 'Direction', 'Quantity', 'Entry', 'Exit', 'P&L', 'Reason', 'Strategy'],
        rows: summary.trades.map((t) => [
          at(t.closedAt),
          t.symbol,
          t.direction,
          quantity(t.quantity),
          cents(t.entryPrice),
          cents(t.exitPrice),
          signedAmount(t.realizedPnl, currency),
          t.reason,
          t.strategyName ?? '-',
        ]),
        empty: 'none',
      },
      {
        heading: 'Open positions',
        columns: ['Symbol', 'Direction', 'Quantity', 'Entry', 'Mark', 'Unrealized P&L', 'Strategy'],
        rows: summary.openPositions.map((p) => [
          p.symbol,
          p.direction,
          quantity(p.quantity),
          cents(p.entryPrice),
          cents(p.markPrice),
          signedAmount(p.unrealizedPnl, currency),
          p.strategyName ?? '-',
        ]),
        empty: 'none',
      },
      {
        heading: 'Watchlist (entry signals)',
        columns: ['Symbol', 'Signals', 'Last', 'Strategy', 'At'],
        rows: summary.watchlist.map((w) => [
          w.symbol,
          String(w.signals),
          w.lastDirection,
          w.lastStrategy,
          at(w.lastAt),
        ]),
        empty: 'none',
      },
    ],
    data: { ...summary },
    coalesceKey: null,
    createdAt,
  };
}
