/**
 * Part of the report page's script (see `html-script.ts`, which puts the
 * parts together in one function scope): formatting in UTC, the charts'
 * common options, the mapping between a chart's logical indexes and times,
 * and the synchronised time axes and crosshairs. Defines `utc`, `num`,
 * `baseOptions`, `logicalToTime`, `timeToLogical`, `medianStep`, `charts`,
 * `leader`, `showTimes`, `showEverywhere`, `showWholeRun`, `syncCrosshair`
 * and `register`; uses `LWC` and `COLOR`.
 */
export const SCRIPT_AXES = `
  // ---- Formatting (UTC) ----
  function utc(seconds) {
    var iso = new Date(seconds * 1000).toISOString();
    return iso.slice(0, 10) + ' ' + iso.slice(11, 16);
  }
  function num(value, decimals) {
    if (value === null || value === undefined || !isFinite(value)) return 'n/a';
    return Number(value).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }
  function baseOptions() {
    return {
      autoSize: true,
      layout: {
        background: { type: 'solid', color: '#ffffff' }, textColor: COLOR.text, fontSize: 12,
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        panes: { separatorColor: COLOR.border },
      },
      grid: { vertLines: { color: COLOR.grid }, horzLines: { color: COLOR.grid } },
      rightPriceScale: { borderColor: COLOR.border },
      timeScale: { borderColor: COLOR.border, timeVisible: true, secondsVisible: false, minBarSpacing: 0.001, rightOffset: 0 },
      crosshair: { mode: LWC.CrosshairMode.Normal },
      localization: { timeFormatter: utc },
    };
  }

  // ---- Time <-> logical index, per chart ----
  // A chart entry: { name (symbol, null for equity), chart, times (s, increasing), step (s), element,
  // series (the main one), valueAt(index) (its value there), show(index) (puts that point in the read-out) }.
  function logicalToTime(entry, x) {
    var t = entry.times, n = t.length;
    if (x <= 0) return t[0] + x * entry.step;
    if (x >= n - 1) return t[n - 1] + (x - (n - 1)) * entry.step;
    var i = Math.floor(x);
    return t[i] + (x - i) * (t[i + 1] - t[i]);
  }
  function timeToLogical(entry, time) {
    var t = entry.times, n = t.length;
    if (time <= t[0]) return (time - t[0]) / entry.step;
    if (time >= t[n - 1]) return n - 1 + (time - t[n - 1]) / entry.step;
    var low = 0, high = n - 1;
    while (high - low > 1) {
      var middle = (low + high) >> 1;
      if (t[middle] <= time) low = middle; else high = middle;
    }
    return low + (time - t[low]) / (t[high] - t[low]);
  }
  function medianStep(times) {
    var steps = [];
    for (var i = 1; i < times.length; i++) steps.push(times[i] - times[i - 1]);
    steps.sort(function (a, b) { return a - b; });
    return steps.length ? steps[steps.length >> 1] || 60 : 60;
  }

  // ---- Synchronised time axes ----
  var charts = [];
  var leader = null;
  function showTimes(entry, from, to) {
    var a = timeToLogical(entry, from), b = timeToLogical(entry, to);
    if (isFinite(a) && isFinite(b) && b > a) entry.chart.timeScale().setVisibleLogicalRange({ from: a, to: b });
  }
  function showEverywhere(from, to) {
    charts.forEach(function (entry) { showTimes(entry, from, to); });
  }
  function showWholeRun() {
    if (!charts.length) return;
    var from = Math.min.apply(null, charts.map(function (e) { return e.times[0]; }));
    var to = Math.max.apply(null, charts.map(function (e) { return e.times[e.times.length - 1]; }));
    var margin = Math.max((to - from) * 0.002, 60);
    showEverywhere(from - margin, to + margin);
  }
  // The crosshair of the chart under the pointer shows the same time on the
  // others (on the bar that contains it), and their read-outs that bar. Only
  // moves that come from the pointer (with a source event) are passed on,
  // not those set here.
  function syncCrosshair(entry, param) {
    if (!param.sourceEvent) return;
    charts.forEach(function (other) {
      if (other === entry) return;
      var i = param.time === undefined ? -1 : Math.floor(timeToLogical(other, param.time) + 1e-9);
      if (i < 0 || i >= other.times.length) {
        other.chart.clearCrosshairPosition();
        other.show(other.times.length - 1);
      } else {
        other.chart.setCrosshairPosition(other.valueAt(i), other.times[i], other.series);
        other.show(i);
      }
    });
  }
  function register(entry, onRange) {
    charts.push(entry);
    ['pointerenter', 'pointerdown', 'wheel', 'touchstart'].forEach(function (type) {
      entry.element.addEventListener(type, function () { leader = entry; }, { passive: true });
    });
    // The pointer left: the other charts drop the crosshair set from this one.
    entry.element.addEventListener('pointerleave', function () {
      charts.forEach(function (other) {
        if (other === entry) return;
        other.chart.clearCrosshairPosition();
        other.show(other.times.length - 1);
      });
    });
    entry.chart.timeScale().subscribeVisibleLogicalRangeChange(function (range) {
      if (onRange) onRange();
      if (leader !== entry || !range) return;
      var from = logicalToTime(entry, range.from), to = logicalToTime(entry, range.to);
      charts.forEach(function (other) { if (other !== entry) showTimes(other, from, to); });
    });
  }
`;
