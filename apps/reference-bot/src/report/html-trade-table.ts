import type { ClosedTrade } from '@quant/services';
import { escapeHtml, formatDuration, formatNumber, formatQuantity, formatUtc, priceDecimals } from './html-format.js';

/** One trade as the page's script sorts and zooms it (times ms UTC, prices and P&L in quote currency). */
export interface TradeRow {
  readonly symbol: string;
  readonly strategy: string;
  readonly side: 'long' | 'short';
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly exitTime: number;
  readonly exitPrice: number;
  /** Base units. */
  readonly quantity: number;
  readonly pnl: number;
  /** `pnl / (entryPrice × quantity) × 100`; `null` when the entry value is not positive. */
  readonly returnPct: number | null;
  /** `exitTime - entryTime`, ms. */
  readonly duration: number;
  readonly reason: string;
}

/** The sort type of a column: numbers (and times) sort by value, text alphabetically. */
type ColumnType = 'number' | 'text';

interface Column {
  readonly key: keyof TradeRow | 'index';
  readonly label: string;
  readonly type: ColumnType;
  readonly title?: string;
}

/** What the return column means, for its tooltip and the legend under the list. */
export const RETURN_EXPLAINED = 'Return % = P&L ÷ (entry price × quantity) × 100, after fees';

/**
 * The trades as rows for the page's script.
 * @param trades - the run's trades, in the order they closed.
 */
export function tradeRows(trades: readonly ClosedTrade[]): TradeRow[] {
  return trades.map((trade) => {
    const value = trade.entryPrice * trade.quantity;
    return {
      symbol: trade.symbol,
      strategy: trade.strategy,
      side: trade.direction,
      entryTime: trade.entryTime,
      entryPrice: trade.entryPrice,
      exitTime: trade.exitTime,
      exitPrice: trade.exitPrice,
      quantity: trade.quantity,
      pnl: trade.pnl,
      returnPct: Number.isFinite(value) && value > 0 ? (trade.pnl / value) * 100 : null,
      duration: trade.exitTime - trade.entryTime,
      reason: trade.reason,
    };
  });
}

/**
 * The trade list: a table whose header cells carry `data-key` and
 * `data-type` (`number` or `text`) for sorting, and one row per trade with
 * `data-trade-index` (its index in `trades`), all text escaped.
 * @param rows - from {@link tradeRows}.
 * @param currency - the account currency, for the P&L header.
 * @param decimals - price decimals by symbol (a symbol not there gets decimals from its own prices).
 * @returns the `<table>` element's HTML.
 */
export function tradeTableHtml(
  rows: readonly TradeRow[],
  currency: string,
  decimals: ReadonlyMap<string, number>,
): string {
  const columns: Column[] = [
    { key: 'index', label: '#', type: 'number', title: 'Order in which the trades closed' },
    { key: 'symbol', label: 'Symbol', type: 'text' },
    { key: 'strategy', label: 'Strategy', type: 'text' },
    { key: 'side', label: 'Side', type: 'text' },
    { key: 'entryTime', label: 'Entry (UTC)', type: 'number' },
    { key: 'entryPrice', label: 'Entry price', type: 'number' },
    { key: 'exitTime', label: 'Exit (UTC)', type: 'number' },
    { key: 'exitPrice', label: 'Exit price', type: 'number' },
    { key: 'quantity', label: 'Quantity', type: 'number' },
    { key: 'pnl', label: `P&L ${currency}`, type: 'number', title: 'Realized P&L after fees' },
    { key: 'returnPct', label: 'Return %', type: 'number', title: RETURN_EXPLAINED },
    { key: 'duration', label: 'Duration', type: 'number' },
    { key: 'reason', label: 'Exit reason', type: 'text' },
  ];
  const head = columns
    .map(
      (column) =>
        `<th data-key="${column.key}" data-type="${column.type}"${column.type === 'number' ? ' class="num"' : ''}${column.title ? ` title="${escapeHtml(column.title)}"` : ''} aria-sort="none" tabindex="0">${escapeHtml(column.label)}<span class="sort" aria-hidden="true"></span></th>`,
    )
    .join('');
  const body = rows.map((row, index) => rowHtml(row, index, decimals)).join('\n');
  return `<table id="trade-table" class="trades"><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

function rowHtml(row: TradeRow, index: number, decimals: ReadonlyMap<string, number>): string {
  const places = decimals.get(row.symbol) ?? priceDecimals([row.entryPrice, row.exitPrice]);
  const result = row.pnl > 0 ? 'win' : row.pnl < 0 ? 'loss' : '';
  const cells = [
    num(String(index + 1)),
    text(row.symbol),
    text(row.strategy === '' ? '(none)' : row.strategy),
    text(row.side),
    num(formatUtc(row.entryTime)),
    num(formatNumber(row.entryPrice, places)),
    num(formatUtc(row.exitTime)),
    num(formatNumber(row.exitPrice, places)),
    num(formatQuantity(row.quantity)),
    num(formatNumber(row.pnl, 2), result),
    num(row.returnPct === null ? 'n/a' : formatNumber(row.returnPct, 2), result),
    num(formatDuration(row.duration)),
    text(row.reason),
  ];
  return `<tr data-trade-index="${index}" data-symbol="${escapeHtml(row.symbol)}" tabindex="0">${cells.join('')}</tr>`;
}

const text = (value: string): string => `<td>${escapeHtml(value)}</td>`;
const num = (value: string, extra = ''): string =>
  `<td class="num${extra ? ` ${extra}` : ''}">${escapeHtml(value)}</td>`;
