/**
 * Part of the report page's script (see `html-script.ts`): the trade list,
 * sorted by a click on a header and zooming every chart to a trade on a
 * click on its row. Defines `table`, `body`, `rows`, `rowOf`, `sortBy` and
 * `selectRow`; uses `model`, `ZOOM_PAD_BARS`, `symbols`, `charts`, `leader`
 * and `showEverywhere`.
 */
export const SCRIPT_LIST = `
  // ---- Trade list: sorting and zooming ----
  var table = document.getElementById('trade-table');
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var rowOf = {};
  rows.forEach(function (row) { rowOf[row.getAttribute('data-trade-index')] = row; });
  var sortKey = 'index', sortAscending = true;
  function value(i, key) { return key === 'index' ? i : model.trades[i][key]; }
  function sortBy(th) {
    var key = th.getAttribute('data-key'), numeric = th.getAttribute('data-type') === 'number';
    sortAscending = key === sortKey ? !sortAscending : true;
    sortKey = key;
    var sign = sortAscending ? 1 : -1;
    var order = rows.map(function (row) { return Number(row.getAttribute('data-trade-index')); });
    order.sort(function (a, b) {
      var x = value(a, key), y = value(b, key), result;
      if (numeric) {
        var missingX = x === null || !isFinite(x), missingY = y === null || !isFinite(y);
        if (missingX || missingY) return missingX === missingY ? a - b : missingX ? 1 : -1; // missing values last
        result = x - y;
      } else {
        result = String(x).localeCompare(String(y));
      }
      return result !== 0 ? sign * result : a - b;
    });
    var fragment = document.createDocumentFragment();
    order.forEach(function (i) { fragment.appendChild(rowOf[i]); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.setAttribute('aria-sort', cell === th ? (sortAscending ? 'ascending' : 'descending') : 'none');
    });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener('click', function () { sortBy(th); });
    th.addEventListener('keydown', function (event) { if (event.key === 'Enter') sortBy(th); });
  });
  // Highlights a row; from the list, also zooms every chart to the trade and brings its chart into view.
  var selected = null;
  function selectRow(index, zoom) {
    var row = rowOf[index], trade = model.trades[index];
    if (!row || !trade) return;
    if (selected) selected.classList.remove('selected');
    selected = row;
    row.classList.add('selected');
    if (!zoom) {
      var box = row.closest('.table-scroll');
      if (box) box.scrollTop = row.offsetTop - box.clientHeight / 2;
      return;
    }
    var from = Math.min(trade.entryTime, trade.exitTime) / 1000, to = Math.max(trade.entryTime, trade.exitTime) / 1000;
    if (!isFinite(from) || !isFinite(to)) return;
    var sym = symbols[trade.symbol];
    var step = sym ? sym.entry.step : charts.length ? charts[0].step : 60;
    var pad = Math.max((to - from) * 0.5, ZOOM_PAD_BARS * step);
    leader = null;
    showEverywhere(from - pad, to + pad);
    var symbolIndex = model.symbols.findIndex(function (s) { return s.symbol === trade.symbol; });
    var section = document.getElementById(symbolIndex >= 0 ? 'symbol-' + symbolIndex : 'equity-section');
    if (section) section.scrollIntoView({ block: 'start' });
  }
  body.addEventListener('click', function (event) {
    var row = event.target.closest('tr[data-trade-index]');
    if (row) selectRow(Number(row.getAttribute('data-trade-index')), true);
  });
  body.addEventListener('keydown', function (event) {
    var row = event.target.closest('tr[data-trade-index]');
    if (row && event.key === 'Enter') selectRow(Number(row.getAttribute('data-trade-index')), true);
  });
`;
