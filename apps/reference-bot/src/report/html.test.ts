import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from './html.js';
import { SAMPLE_START, sampleBars, sampleData, sampleTrade } from './html.samples.test-support.js';
import type { HtmlReportData } from './html-data.js';
import { buyAndHoldCurve, drawdownPercent } from './html-equity.js';
import { embedJson, formatDuration, formatSignedPnl, formatUtc, priceDecimals } from './html-format.js';
import type { ReportModel } from './html-model.js';
import { regimeColor, tradeLanes } from './html-symbol.js';
import { barIndexAt } from './html-time.js';

/** The model embedded in a page. */
function embedded(html: string): ReportModel {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match?.[1] ?? 'null');
}

/** The `data-trade-index` values of the trade list's rows. */
const rowIndexes = (html: string): number[] =>
  [...html.matchAll(/<tr data-trade-index="(\d+)"/g)].map((m) => Number(m[1]));

describe('renderHtmlReport', () => {
  const data = sampleData();
  const html = renderHtmlReport(data);

  it('escapes every text of the data', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('<title>Backtest &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</title>');
    expect(html).toContain('<th>Note &lt;b&gt;</th><td>a &amp; b &quot;quoted&quot;</td>');
    expect(html).toContain('By strategy &lt;i&gt;');
    expect(html).toContain('<td>revert&lt;x&gt;</td>');
    expect(html).not.toContain('revert<x>');
  });

  it('lists every trade once, with its index, symbol and figures', () => {
    expect(rowIndexes(html)).toEqual([0, 1, 2, 3, 4]);
    expect(html).toContain('<tr data-trade-index="4" data-symbol="ETHUSDT"');
    expect(html).toMatch(/data-key="pnl" data-type="number"[^>]*>P&amp;L USDT/);
    expect(html).toContain('title="Return % = P&amp;L ÷ (entry price × quantity) × 100, after fees"');
    // The first trade: 57 on 20 050 × 0.5 is 0.57 %.
    expect(html).toMatch(/<td class="num win">57\.00<\/td><td class="num win">0\.57<\/td><td class="num">2h 30m<\/td>/);
  });

  it('embeds the model as JSON that parses back, with no "<" in it', () => {
    const script = /id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(script).not.toContain('<');
    const model = embedded(html);
    expect(model.trades).toHaveLength(5);
    expect(model.trades[1]?.strategy).toBe('revert<x>');
    expect(model.symbols.map((s) => [s.symbol, s.candles.time.length])).toEqual([
      ['BTCUSDT', 300],
      ['ETHUSDT', 270],
    ]);
    expect(model.equity.time).toHaveLength(300);
  });

  it('loads nothing: no remote src or href, no link or img element', () => {
    // The markup and style sheet, without the scripts' text (the chart library's own SVG logo has `url(#a)`).
    const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');
    expect(markup).not.toMatch(/\s(?:src|href)\s*=\s*["']?(?:[a-z]+:)?\/\//i);
    expect(markup).not.toMatch(/<(?:link|img|iframe|object|embed)\b/i);
    expect(markup).not.toMatch(/@import|url\(|@font-face/i);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest|new WebSocket/);
    expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script type="application/json" id="report-data">',
      '<script>',
      '<script>',
    ]);
  });

  it('marks entries and exits at their fill prices on the bars that contain their times', () => {
    const btc = embedded(html).symbols[0];
    const entry = btc?.markers.find((m) => m.trade === 0 && m.kind === 'entry');
    const exit = btc?.markers.find((m) => m.trade === 0 && m.kind === 'exit');
    // Filled one minute into bars 10 and 40.
    expect(entry).toEqual({
      time: (SAMPLE_START + 10 * 300_000) / 1000,
      price: 20_050,
      kind: 'entry',
      side: 'long',
      win: true,
      label: 'L',
      trade: 0,
    });
    expect(exit).toMatchObject({
      time: (SAMPLE_START + 40 * 300_000) / 1000,
      price: 20_150,
      kind: 'exit',
      label: '+57',
    });
    expect(btc?.markers.find((m) => m.trade === 1 && m.kind === 'entry')?.label).toBe('S');
    expect(btc?.markers.find((m) => m.trade === 1 && m.kind === 'exit')?.label).toBe('-101');
    const times = btc?.markers.map((m) => m.time) ?? [];
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('puts overlapping trades in separate lanes, the line from an exit to the next entry hidden', () => {
    const btc = embedded(html).symbols[0];
    const bar = (i: number): number => (SAMPLE_START + i * 300_000) / 1000;
    // Trade 0 (bars 10-40) and trade 1 (20-60) overlap; trade 3 (62-90) follows trade 0 in its lane;
    // trade 2 opens and closes on bar 61: no line.
    expect(btc?.lanes).toEqual([
      [
        [bar(10), 20_050, 1],
        [bar(40), 20_150, -1],
        [bar(62), 20_000, 1],
        [bar(90), 20_100, -1],
      ],
      [
        [bar(20), 20_000, 0],
        [bar(60), 20_200, -1],
      ],
    ]);
  });

  it('starts a new lane for a trade entering on the bar where the lane last exited', () => {
    const seconds = [0, 300, 600, 900];
    const trade = sampleTrade({ from: 0, to: 1 });
    expect(
      tradeLanes(
        [
          { entry: 0, exit: 1, trade },
          { entry: 1, exit: 2, trade },
          { entry: 2, exit: 3, trade },
        ],
        seconds,
      ).map((lane) => lane.map((p) => p[0])),
    ).toEqual([
      [0, 300, 600, 900],
      [300, 600],
    ]);
  });

  it('draws the buy-and-hold benchmark and the drawdown at every equity point', () => {
    const model = embedded(html);
    expect(model.equity.hold).toHaveLength(300);
    expect(model.equity.drawdown).toHaveLength(300);
    expect(Math.max(...model.equity.drawdown)).toBe(0);
    expect(Math.min(...model.equity.drawdown)).toBeLessThan(0);
  });

  it('renders a run without trades, with a symbol without bars and a trade outside the bars', () => {
    expect(rowIndexes(renderHtmlReport(sampleData([])))).toEqual([]);
    const outside = sampleTrade({ from: 400, to: 420 });
    const before = sampleTrade({ from: -50, to: 5, symbol: 'ETHUSDT' });
    const lonely = sampleTrade({ from: 1, to: 2, symbol: 'SOLUSDT' });
    const edge: HtmlReportData = {
      ...sampleData([outside, before, lonely]),
      symbols: [...sampleData().symbols, { symbol: 'SOLUSDT', timeframe: '5m', bars: [], regimes: [] }],
      equity: [],
    };
    const page = renderHtmlReport(edge);
    expect(rowIndexes(page)).toEqual([0, 1, 2]);
    expect(page).toContain('No bars of SOLUSDT in this run');
    expect(page).toContain('No equity points were recorded.');
    const model = embedded(page);
    expect(model.symbols[0]?.markers).toEqual([]);
    expect(model.symbols[1]?.markers.map((m) => m.kind)).toEqual(['exit']);
    expect(model.symbols[2]?.candles.time).toEqual([]);
  });

  it('keeps the last equity point of a second and drops non-finite values', () => {
    const base = sampleData([]);
    const point = (time: number, equity: number) => ({
      time,
      equity,
      cash: equity,
      unrealizedPnl: 0,
      openPositions: 0,
    });
    const model = embedded(
      renderHtmlReport({
        ...base,
        equity: [point(1_000, 1), point(1_500, 2), point(2_000, Number.NaN), point(3_000, 3)],
        buyAndHold: [],
      }),
    );
    expect(model.equity).toEqual({ time: [1, 3], equity: [2, 3], hold: null, drawdown: [0, 0], decimals: 2 });
  });
});

describe('the report page helpers', () => {
  it('prices buy and hold from the bars closed by each time, the initial equity split equally', () => {
    const bars = sampleBars(3, 100);
    const chart = { symbol: 'A', timeframe: '5m', bars, regimes: [] };
    const legs = [
      { symbol: 'A', firstClose: 50, lastClose: 0 },
      { symbol: 'B', firstClose: 10, lastClose: 0 },
    ];
    const at = [SAMPLE_START, SAMPLE_START + 300_000, SAMPLE_START + 900_000];
    const closes = bars.map((b) => b.close);
    expect(buyAndHoldCurve(at, 1_000, legs, [chart])).toEqual([
      1_000,
      (500 / 50) * (closes[0] ?? 0) + 500,
      (500 / 50) * (closes[2] ?? 0) + 500,
    ]);
  });

  it('computes the drawdown in percent below the running peak', () => {
    const drawdown = drawdownPercent([100, 110, 99, 121, 110]);
    expect(drawdown.map((value) => Number(value.toFixed(4)))).toEqual([0, 0, -10, 0, -9.0909]);
  });

  it('finds the bar that contains a time', () => {
    const opens = [0, 300, 600, 1_500];
    expect([-1, 0, 299, 300, 900, 1_499, 1_500, 1_800, 1_801].map((t) => barIndexAt(opens, 300, t))).toEqual([
      null,
      0,
      0,
      1,
      2,
      2,
      3,
      3,
      null,
    ]);
  });

  it('colours regimes by trend and volatility', () => {
    expect(['15m trend_up/high', '15m trend_down/low', '1h range/normal'].map(regimeColor)).toEqual([
      'rgba(46,125,50,0.9)',
      'rgba(198,40,40,0.35)',
      'rgba(120,144,156,0.6)',
    ]);
  });

  it('formats times in UTC, durations, P&L labels and price decimals', () => {
    expect(formatUtc(Date.UTC(2023, 2, 1, 9, 5))).toBe('2023-03-01 09:05');
    expect(formatUtc(Date.UTC(2023, 2, 1, 9, 5, 7))).toBe('2023-03-01 09:05:07');
    expect(formatUtc(Number.NaN)).toBe('n/a');
    expect([45, 150, 3_065].map((m) => formatDuration(m * 60_000))).toEqual(['45m', '2h 30m', '2d 3h 05m']);
    expect([57.4, -101.2, 3.44, -0.01, 0].map(formatSignedPnl)).toEqual(['+57', '-101', '+3.4', '+0.0', '+0.0']);
    expect([[23_142.31], [1.08321], [0.00001234], []].map(priceDecimals)).toEqual([2, 5, 8, 2]);
    expect(embedJson({ a: '</script><!--\u2028' })).toBe('{"a":"\\u003c/script>\\u003c!--\\u2028"}');
  });
});
