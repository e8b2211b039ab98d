import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HtmlReportData } from './html-data.js';
import { reportModel } from './html-model.js';
import { renderPage } from './html-page.js';
import { REPORT_SCRIPT } from './html-script.js';

export type { HtmlReportData } from './html-data.js';

const require = createRequire(import.meta.url);
let library: string | undefined;

/** The standalone build of TradingView's lightweight-charts (read once), inlined so the page works offline. */
function chartLibrary(): string {
  if (library === undefined) {
    const root = dirname(require.resolve('lightweight-charts/package.json'));
    library = readFileSync(join(root, 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
  }
  return library;
}

/**
 * Renders the report as one self-contained HTML page: the summary and its
 * tables, the equity chart (with buy and hold and a drawdown pane), one
 * candlestick chart per symbol with every trade's entry and exit at its fill
 * price, the trade lines and the regime changes, and a sortable trade list
 * that zooms the charts to a trade. The charts' time axes move together.
 * Times are shown in UTC. The chart library and the page's script are
 * inlined; the page loads nothing (no network, fonts or images). Sizes stay
 * bounded by the data: the bars given (e.g. 5-minute), the bounded equity
 * curve and the trades.
 * @param data - the report's figures and series (see {@link HtmlReportData}).
 * @returns the HTML document.
 */
export function renderHtmlReport(data: HtmlReportData): string {
  return renderPage(data, reportModel(data), { library: chartLibrary(), report: REPORT_SCRIPT });
}
