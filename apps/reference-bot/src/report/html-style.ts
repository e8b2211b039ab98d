/**
 * The report page's style sheet: system fonts only (the page loads nothing),
 * tabular figures, a sticky tool bar, chart boxes and the trade list in a
 * scrolling box with a sticky header. The chart colours live in the page's
 * script (`html-script.ts`); the legend swatches here match them.
 */
export const REPORT_CSS = `
  :root { --text: #1f2328; --muted: #59636e; --line: #d8dee4; --win: #1b7f3b; --loss: #c62828;
    --equity: #1565c0; --hold: #ef6c00; --entry: #1565c0; }
  * { box-sizing: border-box; }
  body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 0; color: var(--text); background: #fff; }
  main { padding: 8px 24px 48px; max-width: 1800px; margin: 0 auto; }
  h1 { font-size: 22px; margin: 12px 0 8px; }
  h2 { font-size: 17px; margin: 28px 0 6px; }
  h3 { font-size: 14px; margin: 0 0 4px; color: var(--muted); font-weight: 600; }
  .toolbar { position: sticky; top: 0; z-index: 10; display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center;
    padding: 8px 24px; background: rgba(255,255,255,0.96); border-bottom: 1px solid var(--line); font-size: 13px; }
  .toolbar nav { display: flex; flex-wrap: wrap; gap: 4px 12px; }
  .toolbar a { color: var(--equity); text-decoration: none; } .toolbar a:hover { text-decoration: underline; }
  .toolbar label { display: inline-flex; gap: 6px; align-items: center; cursor: pointer; }
  .toolbar button { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 4px; background: #f6f8fa; cursor: pointer; }
  .overview { display: flex; flex-wrap: wrap; gap: 12px 40px; align-items: flex-start; }
  table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
  table.summary th { text-align: left; padding: 2px 18px 2px 0; font-weight: 500; color: var(--muted); }
  table.summary td { padding: 2px 0; }
  table.grid th, table.grid td { padding: 3px 10px; border-bottom: 1px solid #eef1f4; text-align: right; }
  table.grid th { color: var(--muted); font-weight: 600; border-bottom-color: var(--line); }
  table.grid th:first-child, table.grid td:first-child { text-align: left; padding-left: 0; }
  .legend { font-size: 13px; color: var(--muted); margin: 2px 0 6px; line-height: 1.6; }
  .legend .item { white-space: nowrap; margin-right: 14px; }
  .swatch { display: inline-block; width: 18px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 5px; }
  .swatch.dashed { border-top-style: dashed; }
  .swatch.area { height: 10px; border: 0; background: rgba(198,40,40,0.35); border-top: 2px solid var(--loss); }
  .chip { display: inline-block; width: 14px; height: 12px; vertical-align: middle; margin-right: 5px; border: 1px solid #c9d1d9; }
  .glyph { display: inline-block; width: 14px; text-align: center; font-weight: 700; margin-right: 3px; }
  .readout { font-size: 12px; color: var(--muted); min-height: 18px; font-variant-numeric: tabular-nums; white-space: pre; }
  .chart { width: 100%; height: 420px; border: 1px solid var(--line); border-radius: 4px; position: relative; }
  .chart.equity { height: 520px; }
  .empty { padding: 16px; color: var(--muted); border: 1px dashed var(--line); border-radius: 4px; }
  section.symbol, section.equity { scroll-margin-top: 48px; }
  .table-scroll { max-height: 640px; overflow: auto; border: 1px solid var(--line); border-radius: 4px; }
  table.trades { width: 100%; }
  table.trades th { position: sticky; top: 0; background: #f6f8fa; z-index: 1; text-align: left; padding: 6px 8px;
    font-weight: 600; border-bottom: 1px solid var(--line); cursor: pointer; user-select: none; white-space: nowrap; }
  table.trades td { padding: 3px 8px; border-bottom: 1px solid #eef1f4; white-space: nowrap; }
  table.trades .num { text-align: right; }
  table.trades tbody tr { cursor: pointer; }
  table.trades tbody tr:hover { background: #f3f7fc; }
  table.trades tbody tr.selected { background: #fff2b3; }
  table.trades td.win { color: var(--win); } table.trades td.loss { color: var(--loss); }
  th .sort::after { content: ''; margin-left: 4px; color: var(--muted); }
  th[aria-sort="ascending"] .sort::after { content: '▲'; } th[aria-sort="descending"] .sort::after { content: '▼'; }
  footer { margin-top: 32px; font-size: 12px; color: var(--muted); }
`;
