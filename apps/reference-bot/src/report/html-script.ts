import { SCRIPT_AXES } from './html-script-axes.js';
import { SCRIPT_CHARTS } from './html-script-charts.js';
import { SCRIPT_LIST } from './html-script-list.js';

/**
 * The report page's own script, inlined after the chart library (it uses the
 * global `LightweightCharts`). It reads the model (`ReportModel` of
 * `html-model.ts`) from `<script type="application/json" id="report-data">`
 * and draws:
 *
 * - the equity chart: equity and buy and hold in the upper pane, the
 *   drawdown (% below the running peak) as an area in the lower pane;
 * - one candlestick chart per symbol, with each trade's entry and exit at
 *   its fill price, a line from entry to exit (green won, red lost; one line
 *   series per "lane" of non-overlapping trades, the line from an exit to
 *   the lane's next entry drawn transparent) and the regimes in a
 *   ribbon under the candles, each from its change to the next (a
 *   histogram on a hidden price scale in the bottom 5 % of the chart;
 *   toggled by the `#show-regimes` check box); the
 *   markers' labels are shown only when a bar is wide enough and the labels
 *   do not overlap;
 * - the sortable trade list: clicking a row zooms every chart to the trade.
 *
 * The charts' time axes move together, matched by TIME, not by bar index
 * (the charts have different points, and the data may have gaps): the chart
 * the user works on (the last one the pointer entered, touched or wheeled)
 * leads; its visible logical range is turned into times through its own
 * point times (interpolating between points, extrapolating by the bar
 * length beyond them), and the times into each other chart's logical range
 * through that chart's point times. Only the leader propagates, so the
 * followers' own range events cannot loop back. The crosshair follows the
 * pointer's time on every chart too. Clicking a trade's marker highlights
 * its row in the list.
 *
 * When everything is drawn it sets `window.__reportReady = { symbols,
 * trades, equity, candles: { [symbol]: count } }` (counts: the model's
 * symbols, the trade list's rows, the equity points and each symbol's
 * candles), and it exposes a small test hook, `window.__report`:
 *
 * - `visibleRange(symbol?)`: the visible time range `{ from, to }` (ms UTC)
 *   of the symbol's price chart, or of the equity chart without a symbol;
 *   `null` without such a chart;
 * - `dataRange(symbol?)`: the first and last point times `{ from, to }` (ms);
 * - `regimeMarkers(symbol)`: the regime changes shown now (0 when the
 *   shading is hidden);
 * - `tradeMarkers(symbol)`: the trade markers shown now, `{ time (ms), price,
 *   position, text }`;
 * - `paneElement(name)`: the element holding a chart pane's canvases:
 *   `'equity'`, `'drawdown'` or a symbol.
 *
 * The script is plain ES2017 in template literals, in four parts that share
 * one function scope: this module (constants, test hook, readiness) and
 * `SCRIPT_AXES`, `SCRIPT_CHARTS` and `SCRIPT_LIST`. It holds no backslash,
 * backtick or dollar-brace of its own, so it reaches the page unchanged.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var LWC = window.LightweightCharts;
  var model = JSON.parse(document.getElementById('report-data').textContent);

  // Colours; the legend swatches of the style sheet match them.
  var COLOR = {
    equity: '#1565c0', hold: '#ef6c00', drawdown: '#c62828',
    win: '#1b7f3b', loss: '#c62828', entry: '#1565c0', hidden: 'rgba(0,0,0,0)',
    up: '#5fa8a0', down: '#d9837f', grid: '#f0f3f6', border: '#d8dee4', text: '#3d4450',
  };
  // Labels show once a bar is at least this wide (px), and only where they do not overlap.
  var LABEL_MIN_BAR_SPACING = 4;
  // Estimated width of one label character and height of a label (px, 12 px font), and the free space kept between labels.
  var CHAR_PX = 7;
  var LABEL_HEIGHT_PX = 15;
  var LABEL_GAP_PX = 6;
  // Marker sizes, relative to the library's (which grow with the bar spacing from 12 to 30 px).
  var ENTRY_SIZE = 0.75;
  var EXIT_SIZE = 0.8;
  // Bars of padding on each side of a trade zoomed to from the list, at least.
  var ZOOM_PAD_BARS = 20;
${SCRIPT_AXES}
${SCRIPT_CHARTS}
${SCRIPT_LIST}
  // ---- Test hook (see the module's comment) ----
  function chartOf(symbol) {
    if (symbol === undefined || symbol === null) return charts.filter(function (e) { return e.name === null; })[0] || null;
    return symbols[symbol] ? symbols[symbol].entry : null;
  }
  window.__report = {
    visibleRange: function (symbol) {
      var entry = chartOf(symbol);
      var range = entry && entry.chart.timeScale().getVisibleLogicalRange();
      if (!range) return null;
      return { from: logicalToTime(entry, range.from) * 1000, to: logicalToTime(entry, range.to) * 1000 };
    },
    dataRange: function (symbol) {
      var entry = chartOf(symbol);
      return entry ? { from: entry.times[0] * 1000, to: entry.times[entry.times.length - 1] * 1000 } : null;
    },
    regimeMarkers: function (symbol) {
      var sym = symbols[symbol];
      return sym && sym.shading.options().visible ? sym.model.regimes.length : 0;
    },
    tradeMarkers: function (symbol) {
      if (!symbols[symbol]) return [];
      return symbols[symbol].trades.markers().map(function (m) {
        return { time: m.time * 1000, price: m.price, position: m.position, text: m.text || '' };
      });
    },
    paneElement: function (name) { return panes[name] ? panes[name]() : null; },
  };

  // ---- Ready: once every chart has its size, show the whole run, then let a few frames paint ----
  var frames = 0;
  function whenSized() {
    var sized = charts.every(function (e) { return e.chart.timeScale().width() > 0; });
    if (!sized && ++frames < 600) return requestAnimationFrame(whenSized);
    showWholeRun();
    var painted = 0;
    (function paint() {
      if (++painted < 4) return requestAnimationFrame(paint);
      var candles = {};
      model.symbols.forEach(function (s) { candles[s.symbol] = s.candles.time.length; });
      window.__reportReady = { symbols: model.symbols.length, trades: rows.length, equity: equity.time.length, candles: candles };
    })();
  }
  whenSized();
})();
`;
