/**
 * Part of the report page's script (see `html-script.ts`): the equity chart
 * with its drawdown pane, the price charts (candles, regime ribbon, trade
 * lines, entry and exit markers, read-outs) and the markers' labels.
 * Defines `equity`, `panes`, `pointIndex`, `symbols`, `regimesShown`,
 * `markerOf`, `fittingLabels` and `refreshLabels`; uses the constants of
 * `html-script.ts` and the names of `SCRIPT_AXES`, and calls `selectRow` of
 * `SCRIPT_LIST` (on a marker click).
 */
export const SCRIPT_CHARTS = `
  // ---- Equity chart: equity and buy and hold, drawdown in a second pane ----
  var equity = model.equity;
  var panes = {};
  var equityElement = document.getElementById('equity-chart');
  if (equityElement && equity.time.length > 0) {
    var equityChart = LWC.createChart(equityElement, baseOptions());
    var line = function (values) {
      return equity.time.map(function (time, i) { return { time: time, value: values[i] }; });
    };
    var money = { type: 'price', precision: equity.decimals, minMove: Math.pow(10, -equity.decimals) };
    var equitySeries = equityChart.addSeries(LWC.LineSeries, { color: COLOR.equity, lineWidth: 2, priceLineVisible: false, priceFormat: money });
    equitySeries.setData(line(equity.equity));
    if (equity.hold) {
      var holdSeries = equityChart.addSeries(LWC.LineSeries, { color: COLOR.hold, lineWidth: 2, lineStyle: LWC.LineStyle.Dashed, priceLineVisible: false, crosshairMarkerVisible: false, priceFormat: money });
      holdSeries.setData(line(equity.hold));
    }
    var drawdownSeries = equityChart.addSeries(LWC.BaselineSeries, {
      baseValue: { type: 'price', price: 0 }, lineWidth: 1, priceLineVisible: false,
      topLineColor: 'rgba(0,0,0,0)', topFillColor1: 'rgba(0,0,0,0)', topFillColor2: 'rgba(0,0,0,0)',
      bottomLineColor: COLOR.drawdown, bottomFillColor1: 'rgba(198,40,40,0.30)', bottomFillColor2: 'rgba(198,40,40,0.55)',
      priceFormat: { type: 'custom', minMove: 0.01, formatter: function (v) { return v.toFixed(2) + ' %'; } },
    }, 1);
    drawdownSeries.setData(line(equity.drawdown));
    equityChart.panes()[0].setStretchFactor(3);
    equityChart.panes()[1].setStretchFactor(1);
    panes.equity = function () { return equityChart.panes()[0].getHTMLElement(); };
    panes.drawdown = function () { return equityChart.panes()[1].getHTMLElement(); };
    var equityEntry = {
      name: null, chart: equityChart, times: equity.time, step: medianStep(equity.time), element: equityElement,
      series: equitySeries, valueAt: function (i) { return equity.equity[i]; },
    };
    register(equityEntry);
    var equityReadout = document.getElementById('equity-readout');
    var showEquity = function (i) {
      equityReadout.textContent = utc(equity.time[i]) + '   Equity ' + num(equity.equity[i], equity.decimals) +
        (equity.hold ? '   Buy and hold ' + num(equity.hold[i], equity.decimals) : '') + '   Drawdown ' + num(equity.drawdown[i], 2) + ' %';
    };
    equityEntry.show = showEquity;
    equityChart.subscribeCrosshairMove(function (param) {
      showEquity(pointIndex(param, equity.time.length));
      syncCrosshair(equityEntry, param);
    });
    showEquity(equity.time.length - 1);
  }
  // The point under the crosshair, or the last one.
  function pointIndex(param, length) {
    if (param.logical === undefined || param.logical === null || param.time === undefined) return length - 1;
    return Math.max(0, Math.min(length - 1, Math.round(param.logical)));
  }

  // ---- Price charts ----
  var symbols = {};
  var regimesShown = document.getElementById('show-regimes');
  model.symbols.forEach(function (s, index) {
    var element = document.getElementById('price-' + index);
    var c = s.candles;
    if (!element || c.time.length === 0) return;
    var chart = LWC.createChart(element, baseOptions());
    var minMove = Math.pow(10, -s.decimals);
    // The regime ribbon: one column per bar, in the colour of the regime then, in the bottom 5 % of the chart.
    var regimeAt = [], r = -1;
    c.time.forEach(function (time, i) {
      while (r + 1 < s.regimes.length && s.regimes[r + 1].time <= time) r++;
      regimeAt[i] = r;
    });
    var shading = chart.addSeries(LWC.HistogramSeries, {
      priceScaleId: 'regimes', priceLineVisible: false, lastValueVisible: false, base: 0,
      visible: !regimesShown || regimesShown.checked,
    });
    chart.priceScale('regimes').applyOptions({ visible: false, scaleMargins: { top: 0.95, bottom: 0 } });
    // The prices keep clear of the ribbon, with room for the markers and their labels over the highest
    // and under the lowest price.
    chart.priceScale('right').applyOptions({ scaleMargins: { top: 0.12, bottom: 0.16 } });
    shading.setData(c.time.map(function (time, i) {
      return regimeAt[i] < 0 ? { time: time } : { time: time, value: 1, color: s.regimes[regimeAt[i]].color };
    }));
    var candles = chart.addSeries(LWC.CandlestickSeries, {
      upColor: COLOR.up, downColor: COLOR.down, borderUpColor: COLOR.up, borderDownColor: COLOR.down,
      wickUpColor: COLOR.up, wickDownColor: COLOR.down, priceLineVisible: false,
      priceFormat: { type: 'price', precision: s.decimals, minMove: minMove },
    });
    candles.setData(c.time.map(function (time, i) {
      return { time: time, open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i] };
    }));
    // One line series per lane; a segment takes the colour of the point it starts from.
    s.lanes.forEach(function (points) {
      var lane = chart.addSeries(LWC.LineSeries, {
        lineWidth: 2, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false,
        priceFormat: { type: 'price', precision: s.decimals, minMove: minMove },
      });
      lane.setData(points.map(function (p) {
        return { time: p[0], value: p[1], color: p[2] === 1 ? COLOR.win : p[2] === 0 ? COLOR.loss : COLOR.hidden };
      }));
    });
    var entry = {
      name: s.symbol, chart: chart, times: c.time, step: s.barSeconds || medianStep(c.time), element: element,
      series: candles, valueAt: function (i) { return c.close[i]; },
    };
    var sym = {
      model: s, entry: entry, labelKey: '', labelFrame: 0, shading: shading,
      // Each marker's bar index, for the label spacing.
      tradeIndexes: s.markers.map(function (m) { return Math.round(timeToLogical(entry, m.time)); }),
      candles: candles,
      trades: LWC.createSeriesMarkers(candles, s.markers.map(function (x) { return markerOf(x, ''); })),
    };
    symbols[s.symbol] = sym;
    panes[s.symbol] = function () { return chart.panes()[0].getHTMLElement(); };
    register(entry, function () { refreshLabels(sym); });
    chart.subscribeClick(function (param) {
      var id = param.hoveredInfo ? param.hoveredInfo.objectId : param.hoveredObjectId;
      if (typeof id === 'string' && id.charAt(0) === 't') selectRow(Number(id.slice(1)), false);
    });
    var readout = document.getElementById('readout-' + index);
    var showBar = function (i) {
      var change = c.open[i] ? (c.close[i] / c.open[i] - 1) * 100 : 0;
      readout.textContent = utc(c.time[i]) + '   O ' + num(c.open[i], s.decimals) + '   H ' + num(c.high[i], s.decimals) +
        '   L ' + num(c.low[i], s.decimals) + '   C ' + num(c.close[i], s.decimals) + '   ' + (change >= 0 ? '+' : '') + change.toFixed(2) + ' %' +
        (regimeAt[i] >= 0 ? '   Regime ' + s.regimes[regimeAt[i]].text : '');
    };
    entry.show = showBar;
    chart.subscribeCrosshairMove(function (param) {
      showBar(pointIndex(param, c.time.length));
      syncCrosshair(entry, param);
    });
    showBar(c.time.length - 1);
    refreshLabels(sym);
  });

  // The markers' shapes (in the library's terms), by kind and side.
  function markerOf(x, text) {
    var entry = x.kind === 'entry', short = x.side === 'short';
    return {
      time: x.time, price: x.price, id: 't' + x.trade, text: text,
      position: entry ? (short ? 'atPriceTop' : 'atPriceBottom') : 'atPriceMiddle',
      shape: entry ? (short ? 'arrowDown' : 'arrowUp') : 'circle',
      color: entry ? COLOR.entry : x.win ? COLOR.win : COLOR.loss,
      size: entry ? ENTRY_SIZE : EXIT_SIZE,
    };
  }
  // Which labels fit: the visible markers, left to right, each label kept
  // unless its box overlaps a label kept before or another marker's shape.
  // The boxes are estimates of where the library draws: a label under an
  // exit's circle or a long entry's arrow (which hangs under the price),
  // over a short entry's arrow (which stands over it).
  function fittingLabels(sym, spacing, range) {
    var m = sym.model, texts = m.markers.map(function () { return ''; });
    if (spacing < LABEL_MIN_BAR_SPACING) return texts;
    var base = Math.min(Math.max(spacing, 12), 30), margin = Math.max(base * 0.1, 3);
    var arrow = base * ENTRY_SIZE, circle = base * EXIT_SIZE * 0.8;
    var shapes = [];
    m.markers.forEach(function (x, i) {
      var index = sym.tradeIndexes[i];
      var y = index < range.from - 1 || index > range.to + 1 ? null : sym.candles.priceToCoordinate(x.price);
      if (y === null) return;
      var entry = x.kind === 'entry', short = x.side === 'short';
      var size = entry ? arrow : circle, centre = !entry ? y : short ? y - arrow / 2 : y + arrow / 2;
      var label = !entry ? y + circle / 2 + margin + 7 : short ? y - arrow - 7 : y + arrow + margin + 7;
      shapes.push({ i: i, x: (index - range.from) * spacing, y: centre, w: size, h: size, labelY: label });
    });
    var kept = [];
    var overlaps = function (a, b) { return Math.abs(a.x - b.x) < (a.w + b.w) / 2 && Math.abs(a.y - b.y) < (a.h + b.h) / 2; };
    shapes.forEach(function (shape) {
      var text = m.markers[shape.i].label;
      var box = { x: shape.x, y: shape.labelY, w: text.length * CHAR_PX + LABEL_GAP_PX, h: LABEL_HEIGHT_PX };
      var blocked = kept.some(function (other) { return overlaps(box, other); }) ||
        shapes.some(function (other) { return other !== shape && overlaps(box, other); });
      if (blocked) return;
      kept.push(box);
      texts[shape.i] = text;
    });
    return texts;
  }
  // Sets the markers again, once per frame at most, when the labels that fit changed.
  function refreshLabels(sym) {
    if (sym.labelFrame) return;
    sym.labelFrame = requestAnimationFrame(function () {
      sym.labelFrame = 0;
      var timeScale = sym.entry.chart.timeScale(), range = timeScale.getVisibleLogicalRange();
      if (!range) return;
      var texts = fittingLabels(sym, timeScale.options().barSpacing, range);
      var key = texts.join('|');
      if (key === sym.labelKey) return;
      sym.labelKey = key;
      sym.trades.setMarkers(sym.model.markers.map(function (x, i) { return markerOf(x, texts[i]); }));
    });
  }
  if (regimesShown) regimesShown.addEventListener('change', function () {
    Object.keys(symbols).forEach(function (name) { symbols[name].shading.applyOptions({ visible: regimesShown.checked }); });
  });
  var reset = document.getElementById('reset-zoom');
  if (reset) reset.addEventListener('click', function () { leader = null; showWholeRun(); });
`;
