import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Bar } from '@quant/core';
import type { EquityPoint } from './equity-curve.js';
import type { ChartMarker } from './recorder.js';

/** What the HTML report shows. */
export interface HtmlReportData {
  readonly title: string;
  /** Summary lines shown above the charts: label and value. */
  readonly summary: readonly (readonly [string, string])[];
  /** Tables shown under the summary (the trades by strategy and by exit reason): a title, a header and rows of text cells. */
  readonly tables?: readonly {
    readonly title: string;
    readonly header: readonly string[];
    readonly rows: readonly (readonly string[])[];
  }[];
  /** Price bars (e.g. 5-minute) for the candlestick chart. */
  readonly bars: readonly Bar[];
  /**
   * The equity curve to draw, in time order, already bounded (see
   * `RunRecorder.equity`: at most 6 000 points); drawn as given.
   */
  readonly equity: readonly EquityPoint[];
  /** The curve's resolution in words, shown under the chart's title (e.g. `every bar`). */
  readonly equityResolution?: string;
  readonly markers: readonly ChartMarker[];
}

const require = createRequire(import.meta.url);

/** The standalone build of TradingView's lightweight-charts, inlined so the page works offline. */
function chartLibrary(): string {
  const root = dirname(require.resolve('lightweight-charts/package.json'));
  return readFileSync(join(root, 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe to embed in a script element. */
const embed = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * Renders a self-contained HTML page: the summary, the equity curve and the
 * price chart with entries, exits and regime changes marked. Times are shown
 * in UTC. The chart library is inlined; the page loads nothing.
 * @param data - the figures and series.
 */
export function renderHtmlReport(data: HtmlReportData): string {
  const seconds = (ms: number): number => Math.floor(ms / 1000);
  const candles = data.bars.map((bar) => ({
    time: seconds(bar.openTime),
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
  }));
  const equity = data.equity.map((p) => ({ time: seconds(p.time), value: p.equity }));
  const barSeconds = candles.length > 1 ? (candles[1]?.time ?? 0) - (candles[0]?.time ?? 0) : 60;
  const markers = data.markers
    .map((marker) => ({
      time: Math.floor(seconds(marker.time) / barSeconds) * barSeconds,
      position: marker.kind === 'regime' ? 'aboveBar' : marker.direction === 'short' ? 'aboveBar' : 'belowBar',
      color: marker.kind === 'regime' ? '#8e44ad' : marker.kind === 'entry' ? '#1565c0' : '#ef6c00',
      shape:
        marker.kind === 'regime'
          ? 'square'
          : marker.kind === 'entry'
            ? marker.direction === 'short'
              ? 'arrowDown'
              : 'arrowUp'
            : 'circle',
      text: marker.kind === 'regime' ? '' : marker.text,
      size: marker.kind === 'regime' ? 0.5 : 1,
      kind: marker.kind,
    }))
    .sort((a, b) => a.time - b.time);
  const rows = data.summary
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const tables = (data.tables ?? [])
    .map(
      (table) =>
        `<h2>${escapeHtml(table.title)}</h2>\n<table class="grid"><tr>${table.header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>${table.rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
          .join('')}</table>\n`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(data.title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
  h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
  table { border-collapse: collapse; font-size: 14px; }
  th { text-align: left; padding: 3px 16px 3px 0; font-weight: 500; color: #555; } td { padding: 3px 0; font-variant-numeric: tabular-nums; }
  .chart { width: 100%; height: 360px; border: 1px solid #ddd; }
  .legend { font-size: 13px; color: #555; }
  table.grid td { padding: 3px 16px 3px 0; text-align: right; } table.grid td:first-child { text-align: left; }
</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<table>${rows}</table>
${tables}<h2>Equity (quote currency)</h2>
${data.equityResolution ? `<p class="legend">Curve resolution: ${escapeHtml(data.equityResolution)}. The figures above are computed over every bar.</p>\n` : ''}<div id="equity" class="chart"></div>
<h2>Price with entries, exits and regime changes</h2>
<p class="legend">Blue arrows: entries (L long, S short). Orange circles: exits, with their P&amp;L. Purple squares: regime changes of the coarsest timeframe. Times in UTC.</p>
<div id="price" class="chart"></div>
<script type="application/json" id="report-data">${embed({ candles, equity, markers })}</script>
<script>${chartLibrary()}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var options = { autoSize: true, timeScale: { timeVisible: true, minBarSpacing: 0.01 }, localization: { timeFormatter: function (t) { return new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' '); } } };
  var equityChart = LightweightCharts.createChart(document.getElementById('equity'), options);
  equityChart.addSeries(LightweightCharts.LineSeries, { color: '#2e7d32', lineWidth: 2 }).setData(data.equity);
  equityChart.timeScale().fitContent();
  var priceChart = LightweightCharts.createChart(document.getElementById('price'), options);
  var candles = priceChart.addSeries(LightweightCharts.CandlestickSeries, {});
  candles.setData(data.candles);
  LightweightCharts.createSeriesMarkers(candles, data.markers);
  priceChart.timeScale().fitContent();
  window.__reportReady = { candles: data.candles.length, equity: data.equity.length, markers: data.markers.length };
})();
</script>
</body>
</html>
`;
}
