import { execSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDC, BTCUSDT, runCli } from '../test-support/run-cli.js';
import { writeFixtureReport } from './html.fixture.test-support.js';
import { renderHtmlReport } from './html.js';
import { sampleData, sampleTrade } from './html.samples.test-support.js';
import type { HtmlReportData } from './html-data.js';

/** Copies of the screenshots, to look at. */
const SHOTS = '/tmp/report-shots';

/** What the page reports when drawn (see `html-script.ts`). */
interface Ready {
  readonly symbols: number;
  readonly trades: number;
  readonly equity: number;
  readonly candles: Record<string, number>;
}

/** The page's test hook, `window.__report` (see `html-script.ts`). */
interface Hook {
  visibleRange(symbol?: string): { from: number; to: number } | null;
  dataRange(symbol?: string): { from: number; to: number } | null;
  regimeMarkers(symbol: string): number;
  tradeMarkers(symbol: string): { time: number; price: number; position: string; text: string }[];
  paneElement(name: string): HTMLElement | null;
}

/** The trade figures embedded in the page. */
interface Trade {
  readonly symbol: string;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly exitTime: number;
  readonly exitPrice: number;
  readonly pnl: number;
}

let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: execSync('command -v chromium', { encoding: 'utf8' }).trim(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** A page with listeners that collect console errors, page errors and every request not to a `file:` URL. */
async function open(path: string): Promise<{ page: Page; errors: string[]; requests: string[]; ready: Ready }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) requests.push(request.url());
  });
  await page.goto(`file://${path}`);
  const handle = await page.waitForFunction(() => (window as unknown as ReportWindow).__reportReady, null, {
    timeout: 60_000,
  });
  return { page, errors, requests, ready: (await handle.jsonValue()) as Ready };
}

/** Whether each named chart pane has a canvas with more than a few colours. */
function painted(page: Page, names: readonly string[]): Promise<boolean[]> {
  return page.evaluate(
    (list) =>
      list.map((name) => {
        const hook = (window as unknown as ReportWindow).__report;
        const canvases = [...(hook.paneElement(name)?.querySelectorAll('canvas') ?? [])];
        return canvases.some((canvas) => {
          const context = canvas.getContext('2d');
          if (!context || canvas.width === 0 || canvas.height === 0) return false;
          const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
          const colors = new Set<number>();
          for (let i = 0; i < data.length; i += 4 * 97)
            colors.add((data[i] ?? 0) * 65_536 + (data[i + 1] ?? 0) * 256 + (data[i + 2] ?? 0));
          return colors.size > 3;
        });
      }),
    names,
  );
}

/** The window of a report page. */
type ReportWindow = { __report: Hook; __reportReady?: Ready };

/** Calls of the page's test hook. */
const visibleRange = (page: Page, symbol?: string) =>
  page.evaluate((s) => (window as unknown as ReportWindow).__report.visibleRange(s ?? undefined), symbol ?? null);
const dataRange = (page: Page, symbol?: string) =>
  page.evaluate((s) => (window as unknown as ReportWindow).__report.dataRange(s ?? undefined), symbol ?? null);
const regimeMarkers = (page: Page, symbols: readonly string[]) =>
  page.evaluate((list) => list.map((s) => (window as unknown as ReportWindow).__report.regimeMarkers(s)), symbols);
const tradeMarkers = (page: Page, symbol: string) =>
  page.evaluate((s) => (window as unknown as ReportWindow).__report.tradeMarkers(s), symbol);

/** The rows' `data-trade-index`, in the order shown. */
const rowOrder = (page: Page): Promise<number[]> =>
  page.$$eval('#trade-table tbody tr', (rows) => rows.map((row) => Number(row.getAttribute('data-trade-index'))));

/**
 * The checks of a report page with price charts for `symbols` and `trades` trades: every chart
 * drawn, every trade listed, sorting, zooming to a trade from the list and the charts following,
 * the regime toggle, and a page that loads nothing and logs no error. Saves `report.png` in
 * `outDir` and copies of the screenshots in {@link SHOTS} named after `name`.
 */
/**
 * Waits until the equity chart's visible range satisfies `when` (wider than
 * a width, or starting after a time, ms) and `symbol`'s chart shows the same
 * times, within 10 minutes at either end.
 */
function waitUntilSynced(page: Page, symbol: string, when: { widerThan?: number; fromAfter?: number }) {
  return page.waitForFunction(
    ([s, w]) => {
      const h = (window as unknown as ReportWindow).__report;
      const equity = h.visibleRange();
      const own = h.visibleRange(s);
      return (
        equity !== null &&
        own !== null &&
        (w.widerThan === undefined || equity.to - equity.from > w.widerThan) &&
        (w.fromAfter === undefined || equity.from > w.fromAfter) &&
        Math.abs(own.from - equity.from) < 600_000 &&
        Math.abs(own.to - equity.to) < 600_000
      );
    },
    [symbol, when] as const,
    { timeout: 60_000 },
  );
}

async function checkReport(path: string, outDir: string, name: string, symbols: readonly string[], trades: number) {
  const { page, errors, requests, ready } = await open(path);
  try {
    expect(ready.symbols).toBe(symbols.length);
    expect(ready.trades).toBe(trades);
    expect(ready.equity).toBeGreaterThan(100);
    for (const symbol of symbols) expect(ready.candles[symbol], symbol).toBeGreaterThan(100);
    expect(await painted(page, ['equity', 'drawdown', ...symbols])).toEqual(
      ['equity', 'drawdown', ...symbols].map(() => true),
    );
    expect((await rowOrder(page)).sort((a, b) => a - b)).toEqual(Array.from({ length: trades }, (_, i) => i));
    const shot = await page.screenshot({ path: join(outDir, 'report.png'), fullPage: true });
    expect(shot.length).toBeGreaterThan(50_000);
    copyFileSync(join(outDir, 'report.png'), join(SHOTS, `${name}-full.png`));
    // At the whole run, the charts are too dense for labels.
    for (const symbol of symbols) expect((await tradeMarkers(page, symbol)).filter((m) => m.text)).toEqual([]);

    const list: Trade[] = await page.evaluate(
      () => JSON.parse(document.getElementById('report-data')?.textContent ?? '{}').trades,
    );

    // Sorting by P&L, ascending then descending.
    await page.click('th[data-key="pnl"]');
    const ascending = (await rowOrder(page)).map((i) => list[i]?.pnl ?? Number.NaN);
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.click('th[data-key="pnl"]');
    const descending = (await rowOrder(page)).map((i) => list[i]?.pnl ?? Number.NaN);
    expect(descending).toEqual([...ascending].reverse());

    // A trade in the middle of the run: clicking its row zooms its chart, and the equity chart follows.
    const [first, last] = [Math.min(...list.map((t) => t.entryTime)), Math.max(...list.map((t) => t.entryTime))];
    const middle = list
      .map((trade, index) => ({ trade, index }))
      .filter(({ trade }) => symbols.includes(trade.symbol))
      .sort(
        (a, b) => Math.abs(a.trade.entryTime - (first + last) / 2) - Math.abs(b.trade.entryTime - (first + last) / 2),
      )[0];
    expect(middle).toBeDefined();
    const { trade, index } = middle as { trade: Trade; index: number };
    const full = (await dataRange(page, trade.symbol)) as { from: number; to: number };
    await page.click(`tr[data-trade-index="${index}"]`);
    expect(await page.getAttribute(`tr[data-trade-index="${index}"]`, 'class')).toContain('selected');
    await page.waitForFunction(
      ([symbol, entry, exit, span]) => {
        const h = (window as unknown as ReportWindow).__report;
        const own = h.visibleRange(symbol as string);
        const equity = h.visibleRange();
        const inside = (r: { from: number; to: number } | null) =>
          r !== null &&
          r.from <= (entry as number) &&
          r.to >= (exit as number) &&
          r.to - r.from < (span as number) / 10;
        return inside(own) && inside(equity) && Math.abs((own?.from ?? 0) - (equity?.from ?? 0)) < 600_000;
      },
      [trade.symbol, trade.entryTime, trade.exitTime, full.to - full.from] as const,
      { timeout: 60_000 },
    );
    // Zoomed in: the labels show, and the trade's entry and exit sit at their fill prices.
    await page.waitForFunction(
      (symbol) => (window as unknown as ReportWindow).__report.tradeMarkers(symbol).some((m) => m.text !== ''),
      trade.symbol,
      { timeout: 60_000 },
    );
    const markers = await tradeMarkers(page, trade.symbol);
    const near = (time: number) => (m: { time: number }) => m.time <= time && time - m.time < 3_600_000;
    expect(markers.some((m) => m.price === trade.entryPrice && near(trade.entryTime)(m))).toBe(true);
    expect(markers.some((m) => m.price === trade.exitPrice && near(trade.exitTime)(m))).toBe(true);
    await page.screenshot({ path: join(SHOTS, `${name}-zoomed.png`) });

    // Wheel-zooming the equity chart moves the price charts to the same times.
    await page.locator('#equity-chart').scrollIntoViewIfNeeded();
    const equityBox = (await page.locator('#equity-chart').boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    await page.mouse.move(equityBox.x + equityBox.width / 2, equityBox.y + equityBox.height / 3);
    const before = await visibleRange(page);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 300);
    await waitUntilSynced(page, symbols[symbols.length - 1] as string, {
      widerThan: ((before?.to ?? 0) - (before?.from ?? 0)) * 1.1,
    });

    // Dragging a price chart moves the equity chart to the same times; the crosshair follows there too.
    const priceChart = page.locator('#price-0');
    await priceChart.scrollIntoViewIfNeeded();
    const priceBox = (await priceChart.boundingBox()) as { x: number; y: number; width: number; height: number };
    const equityBefore = (await visibleRange(page)) as { from: number; to: number };
    const readout = await page.textContent('#equity-readout');
    await page.mouse.move(priceBox.x + priceBox.width * 0.7, priceBox.y + priceBox.height / 2);
    await page.mouse.down();
    await page.mouse.move(priceBox.x + priceBox.width * 0.3, priceBox.y + priceBox.height / 2, { steps: 8 });
    await page.mouse.up();
    await waitUntilSynced(page, symbols[0] as string, { fromAfter: equityBefore.from + 60_000 });
    expect(await page.textContent('#equity-readout')).not.toBe(readout);

    // The regime toggle hides and shows the regime markers.
    const regimes = await regimeMarkers(page, symbols);
    await page.uncheck('#show-regimes');
    expect(await regimeMarkers(page, symbols)).toEqual(symbols.map(() => 0));
    await page.check('#show-regimes');
    expect(await regimeMarkers(page, symbols)).toEqual(regimes);

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    return { regimes };
  } finally {
    await page.close();
  }
}

describe('report.html in headless Chromium', () => {
  it('draws the fixture two-symbol report offline: charts, trade list, zoom to a trade, synced axes, regime toggle', async () => {
    const out = mkdtempSync(join(tmpdir(), 'quant-report-html-'));
    const { path, data } = await writeFixtureReport(out);
    expect(data.trades.length).toBeGreaterThan(100);
    const { regimes } = await checkReport(path, out, 'fixture', ['BTCUSDT', 'BTCUSDC'], data.trades.length);
    expect(regimes.every((count) => count > 0)).toBe(true);
  }, 120_000);

  it('draws a page without trouble: no trades, no equity, a symbol without bars, a trade outside the bars', async () => {
    const out = mkdtempSync(join(tmpdir(), 'quant-report-html-edge-'));
    const base = sampleData([sampleTrade({ from: 400, to: 420 }), sampleTrade({ from: 1, to: 2, symbol: 'SOLUSDT' })]);
    const cases: [string, HtmlReportData][] = [
      ['no-trades', sampleData([])],
      [
        'edge',
        {
          ...base,
          equity: [],
          symbols: [...base.symbols, { symbol: 'SOLUSDT', timeframe: '5m', bars: [], regimes: [] }],
        },
      ],
      ['one-symbol', { ...sampleData([]), symbols: sampleData([]).symbols.slice(0, 1), buyAndHold: [] }],
      ['no-symbols', { ...sampleData(), symbols: [], buyAndHold: [] }],
    ];
    for (const [name, data] of cases) {
      const path = join(out, `${name}.html`);
      writeFileSync(path, renderHtmlReport(data));
      const { page, errors, requests, ready } = await open(path);
      expect(ready.trades, name).toBe(data.trades.length);
      // Clicking every row (zoom or not) and sorting every column raise nothing.
      for (const row of await page.$$('#trade-table tbody tr')) await row.click();
      for (const header of await page.$$('#trade-table th')) await header.click();
      await page.click('#reset-zoom');
      await page.uncheck('#show-regimes');
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      expect(errors, name).toEqual([]);
      expect(requests, name).toEqual([]);
      await page.close();
    }
  }, 120_000);

  // Needs the command line's repeated `--data` and `--currency` (and a build: `npm run build`).
  it('draws the report of a real two-symbol backtest', async () => {
    const out = mkdtempSync(join(tmpdir(), 'quant-report-html-cli-'));
    const result = await runCli(['backtest', '--data', BTCUSDT, '--data', BTCUSDC, '--currency', 'USD', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const trades = parse(readFileSync(join(out, 'trades.csv'), 'utf8'), { columns: true }) as unknown[];
    await checkReport(join(out, 'report.html'), out, 'cli', ['BTCUSDT', 'BTCUSDC'], trades.length);
  }, 300_000);
});
