import type { HtmlReportData } from './html-data.js';
import { type EquityModel, equityModel } from './html-equity.js';
import { type SymbolModel, symbolModel } from './html-symbol.js';
import { type TradeRow, tradeRows } from './html-trade-table.js';

/**
 * Everything the page's script draws, embedded in the page as JSON (see
 * `html-script.ts`). Chart times are s since epoch UTC (what the chart
 * library takes), trade times ms.
 */
export interface ReportModel {
  /** The account currency, e.g. `USDT`. */
  readonly currency: string;
  readonly equity: EquityModel;
  /** One per symbol, in the report's order. */
  readonly symbols: SymbolModel[];
  /** One per trade, in the order they closed (row `data-trade-index` = index here). */
  readonly trades: TradeRow[];
}

/**
 * Builds the page's model from the report's data.
 * @param data - the report's data.
 */
export function reportModel(data: HtmlReportData): ReportModel {
  return {
    currency: data.currency,
    equity: equityModel(data.equity, data.initialEquity, data.buyAndHold, data.symbols),
    symbols: data.symbols.map((chart) => symbolModel(chart, data.trades)),
    trades: tradeRows(data.trades),
  };
}
