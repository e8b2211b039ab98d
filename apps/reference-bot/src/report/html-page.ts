import type { SummaryTable } from './build-report.js';
import type { HtmlReportData } from './html-data.js';
import { embedJson, escapeHtml } from './html-format.js';
import type { ReportModel } from './html-model.js';
import { REPORT_CSS } from './html-style.js';
import type { SymbolModel } from './html-symbol.js';
import { RETURN_EXPLAINED, tradeTableHtml } from './html-trade-table.js';

/** The scripts the page runs, inlined: the chart library and the report's own script. */
export interface PageScripts {
  /** The standalone build of lightweight-charts (defines `window.LightweightCharts`). */
  readonly library: string;
  /** The report's script (see `html-script.ts`). */
  readonly report: string;
}

/**
 * The report page: tool bar, title, summary and tables, the equity chart
 * with its drawdown pane, one price chart per symbol, the trade list, then
 * the model as JSON and the inlined scripts. All text from the data is
 * escaped; the page refers to no other file or address.
 * @param data - the report's data (title, summary, tables, symbols).
 * @param model - what the script draws (from `reportModel`).
 * @param scripts - the inlined scripts (`</script` in them is written `<\/script`, the same in a
 *   string, regular expression or comment, so it cannot end the element).
 * @returns a complete HTML document.
 */
export function renderPage(data: HtmlReportData, model: ReportModel, scripts: PageScripts): string {
  const title = escapeHtml(data.title);
  const nav = [
    ['summary', 'Summary'],
    ['equity-section', 'Equity'],
    ...model.symbols.map((s, i): [string, string] => [`symbol-${i}`, s.symbol]),
    ['trades', `Trades (${model.trades.length})`],
  ]
    .map(([id, label]) => `<a href="#${id}">${escapeHtml(label as string)}</a>`)
    .join('');
  const decimals = new Map(model.symbols.map((s) => [s.symbol, s.decimals]));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<div class="toolbar">
<nav>${nav}</nav>
<label><input type="checkbox" id="show-regimes" checked> Regime changes</label>
<button type="button" id="reset-zoom" title="Show the whole run on every chart">Whole run</button>
<span class="legend">Times in UTC. Charts move together: drag or zoom any of them.</span>
</div>
<main>
<h1>${title}</h1>
<section id="summary" class="overview">
<table class="summary">${data.summary.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
${data.tables.map(tableHtml).join('\n')}
</section>
${equitySection(data, model)}
${model.symbols.map(symbolSection).join('\n')}
<section id="trades">
<h2>Trades (${model.trades.length})</h2>
<p class="legend">Click a header to sort (again to reverse); click a trade to zoom the charts to it. ${escapeHtml(RETURN_EXPLAINED)}. Times in UTC.</p>
<div class="table-scroll">${tradeTableHtml(model.trades, data.currency, decimals)}</div>
</section>
<footer>Charts drawn with TradingView Lightweight Charts™ (inlined; the page works offline).</footer>
</main>
<script type="application/json" id="report-data">${embedJson(model)}</script>
<script>${inline(scripts.library)}</script>
<script>${inline(scripts.report)}</script>
</body>
</html>
`;
}

const inline = (script: string): string => script.replace(/<\/(script)/gi, '<\\/$1');

function tableHtml(table: SummaryTable): string {
  const head = table.header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const rows = table.rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<div><h3>${escapeHtml(table.title)}</h3><table class="grid"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function equitySection(data: HtmlReportData, model: ReportModel): string {
  const currency = escapeHtml(data.currency);
  const legs = data.buyAndHold.length;
  const hold =
    legs > 0
      ? `<span class="item"><span class="swatch dashed" style="border-color: var(--hold)"></span>Buy and hold: ${escapeHtml(
          data.initialEquity.toFixed(2),
        )} ${currency} split equally between ${legs === 1 ? 'the symbol' : `the ${legs} symbols`}, each bought at its first close</span>`
      : '';
  const chart =
    model.equity.time.length > 0
      ? '<div id="equity-chart" class="chart equity"></div>'
      : '<p class="empty">No equity points were recorded.</p>';
  return `<section id="equity-section" class="equity">
<h2>Equity (${currency})</h2>
<p class="legend"><span class="item"><span class="swatch" style="border-color: var(--equity)"></span>Equity</span>${hold}<span class="item"><span class="swatch area"></span>Drawdown: % below the running peak of equity (lower pane)</span><br>Curve resolution: ${escapeHtml(
    data.equityResolution,
  )}. The figures above are computed over every bar.</p>
<div class="readout" id="equity-readout"></div>
${chart}
</section>`;
}

/** Regime kinds listed in a chart's legend at most. */
const MAX_REGIME_LEGEND = 12;

function symbolSection(model: SymbolModel, index: number): string {
  const symbol = escapeHtml(model.symbol);
  const chart =
    model.candles.time.length > 0
      ? `<div id="price-${index}" class="chart"></div>`
      : `<p class="empty">No bars of ${symbol} in this run; its trades are listed below.</p>`;
  const kinds = new Map<string, string>();
  for (const regime of model.regimes) kinds.set(regime.text, regime.color);
  const chips = [...kinds]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, MAX_REGIME_LEGEND)
    .map(
      ([text, color]) =>
        `<span class="item"><span class="chip" style="background: ${color}"></span>${escapeHtml(text)}</span>`,
    )
    .join('');
  const regimes =
    kinds.size > 0
      ? `<br>Ribbon under the candles: the regime from each change to the next (${model.regimes.length} changes${kinds.size > MAX_REGIME_LEGEND ? `; ${MAX_REGIME_LEGEND} of ${kinds.size} kinds listed` : ''}): ${chips}`
      : '';
  return `<section id="symbol-${index}" class="symbol" data-symbol="${symbol}">
<h2>${symbol} <small>(${escapeHtml(model.timeframe)} candles)</small></h2>
<p class="legend"><span class="item"><span class="glyph" style="color: var(--entry)">▲</span>long entry (L)</span><span class="item"><span class="glyph" style="color: var(--entry)">▼</span>short entry (S)</span><span class="item"><span class="glyph" style="color: var(--win)">●</span><span class="glyph" style="color: var(--loss)">●</span>exit with its P&amp;L, won / lost</span><span class="item"><span class="swatch" style="border-color: var(--win)"></span><span class="swatch" style="border-color: var(--loss)"></span>entry to exit, won / lost</span><br>Entries and exits sit at their fill prices; their labels show once zoomed in far enough to read them.${regimes}</p>
<div class="readout" id="readout-${index}"></div>
${chart}
</section>`;
}
