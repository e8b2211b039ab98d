import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDT, type CliResult, runCli } from './test-support/run-cli.js';

const out = mkdtempSync(join(tmpdir(), 'quant-bot-backtest-'));
const outAsync = mkdtempSync(join(tmpdir(), 'quant-bot-backtest-async-'));
let result: CliResult;
let asyncResult: CliResult;
let report: Record<string, unknown> & Record<string, number>;

beforeAll(async () => {
  // The README's command, with the output folder in a temporary directory; and the same on an asynchronous bus.
  [result, asyncResult] = await Promise.all([
    runCli(['backtest', '--events', 'all', '--out', out]),
    runCli(['backtest', '--events', 'all', '--out', outAsync], { EVENT_BUS_MODE: 'asynchronous' }),
  ]);
  report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
}, 180_000);

/** Lines of `events.jsonl` whose `causationId` is not the `id` of an earlier line. */
function effectsBeforeCauses(folder: string): {
  readonly events: number;
  readonly caused: number;
  readonly early: string[];
} {
  const seen = new Set<string>();
  const early: string[] = [];
  let events = 0;
  let caused = 0;
  for (const line of readFileSync(join(folder, 'events.jsonl'), 'utf8').trim().split('\n')) {
    const event = JSON.parse(line) as { id: string; type: string; causationId: string | null };
    events++;
    if (event.causationId !== null) {
      caused++;
      if (!seen.has(event.causationId)) early.push(`line ${events}: ${event.type} ${event.id}`);
    }
    seen.add(event.id);
  }
  return { events, caused, early };
}

const rows = (name: string): Record<string, string>[] =>
  parse(readFileSync(join(out, name), 'utf8'), { columns: true });

describe('quant-bot backtest on the full BTCUSDT file', () => {
  it('finishes, prints the summary and writes the five outputs', () => {
    expect(result.code, result.stderr).toBe(0);
    for (const name of ['report.json', 'trades.csv', 'equity.csv', 'events.jsonl', 'report.html']) {
      expect(existsSync(join(out, name)), name).toBe(true);
    }
    expect(existsSync(join(out, 'events.jsonl.partial'))).toBe(false);
    expect(existsSync(join(out, 'equity.csv.stream'))).toBe(false);
    for (const label of [
      'Bars processed',
      'Candles',
      'Signals',
      'Orders',
      'Trades',
      'Win rate',
      'Total return',
      'Max drawdown',
      'Sharpe ratio',
      'Profit factor',
      'Exposure',
      'Fees',
    ]) {
      expect(result.stdout).toContain(label);
    }
    expect(result.stdout).toContain('365 periods per year');
    expect(report.data_files).toEqual({ BTCUSDT });
    expect(report.symbols).toEqual(['BTCUSDT']);
    expect(report.bars_processed).toBe(30_240);
    expect(report.cycles).toBe(30_240);
    expect(result.stdout).toMatch(/Bars processed +30240 \(30240 cycles\)/);
    expect(report.candles).toEqual({ '1m': 30_240, '5m': 6_048, '15m': 2_016 });
  });

  it('reports numbers that trades.csv and equity.csv reproduce', () => {
    const trades = rows('trades.csv');
    const equity = rows('equity.csv').map((row) => ({
      time: Date.parse(row.time as string),
      equity: Number(row.equity),
      open: Number(row.open_positions),
    }));
    const pnl = trades.map((trade) => Number(trade.pnl));
    const wins = pnl.filter((value) => value > 0).length;
    expect(report.trades).toBe(trades.length);
    expect(report.trades).toBeGreaterThan(10);
    expect(report.wins).toBe(wins);
    expect(report.win_rate).toBeCloseTo(wins / trades.length, 12);
    const profit = pnl.filter((v) => v > 0).reduce((a, b) => a + b, 0);
    const loss = -pnl.filter((v) => v < 0).reduce((a, b) => a + b, 0);
    expect(report.profit_factor).toBeCloseTo(profit / loss, 9);
    expect(report.realized_pnl).toBeCloseTo(
      pnl.reduce((a, b) => a + b, 0),
      6,
    );
    expect(equity).toHaveLength(30_240);
    const initial = 100_000;
    expect(report.initial_equity).toBe(initial);
    const final = equity[equity.length - 1]?.equity ?? Number.NaN;
    expect(report.final_equity).toBeCloseTo(final, 6);
    expect(report.total_return).toBeCloseTo(final - initial, 6);
    expect(report.total_return_pct).toBeCloseTo(((final - initial) / initial) * 100, 9);
    let peak = initial;
    let drawdown = 0;
    for (const point of equity) {
      peak = Math.max(peak, point.equity);
      drawdown = Math.max(drawdown, peak - point.equity);
    }
    expect(report.max_drawdown).toBeCloseTo(drawdown, 6);
    expect(report.exposure_pct).toBeCloseTo((equity.filter((p) => p.open > 0).length / equity.length) * 100, 9);
    // Sharpe: daily returns of the last equity mark of each UTC day, √365 annualization.
    const byDay = new Map<string, number>();
    for (const point of equity) byDay.set(new Date(point.time - 1).toISOString().slice(0, 10), point.equity);
    const closes = [initial, ...byDay.values()];
    const returns = closes.slice(1).map((close, i) => close / (closes[i] as number) - 1);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1));
    expect(returns).toHaveLength(21);
    expect(report.sharpe_ratio).toBeCloseTo((mean / sd) * Math.sqrt(365), 9);
    expect(report.open_positions_at_end).toBe(0);
    // The chart's curve is bounded; the figures above and equity.csv cover every bar.
    expect(report.equity_chart).toEqual({
      points: expect.any(Number),
      bars_per_bucket: 16,
      resolution: 'lowest, highest and last equity of every 16 bars',
      figures_basis: 'every bar',
    });
    expect((report.equity_chart as unknown as { points: number }).points).toBeLessThanOrEqual(6_000);
    expect(report.fees).toBeCloseTo(
      trades.map((t) => Number(t.fees)).reduce((a, b) => a + b, 0),
      6,
    );
  });

  it('reports the analysis figures that trades.csv, equity.csv and the data file reproduce', () => {
    const trades = rows('trades.csv').map((row) => ({
      strategy: row.strategy as string,
      reason: row.reason as string,
      pnl: Number(row.pnl),
      fees: Number(row.fees),
      notional: Number(row.entry_price) * Number(row.quantity),
      duration: Date.parse(row.exit_time as string) - Date.parse(row.entry_time as string),
    }));
    const equity = rows('equity.csv').map((row) => ({
      time: Date.parse(row.time as string),
      equity: Number(row.equity),
    }));
    const initial = 100_000;
    const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
    // Expectancy: mean P&L per trade, and mean P&L over entry notional in percent.
    expect(report.expectancy).toBeCloseTo(total(trades.map((t) => t.pnl)) / trades.length, 9);
    expect(report.expectancy_pct).toBeCloseTo(total(trades.map((t) => (t.pnl / t.notional) * 100)) / trades.length, 9);
    expect(report.gross_profit).toBeCloseTo(total(trades.filter((t) => t.pnl > 0).map((t) => t.pnl)), 9);
    expect(report.gross_loss).toBeCloseTo(-total(trades.filter((t) => t.pnl < 0).map((t) => t.pnl)), 9);
    expect(report.trade_fees).toBeCloseTo(total(trades.map((t) => t.fees)), 9);
    // Durations: mean and median of exit − entry.
    const durations = trades.map((t) => t.duration).sort((a, b) => a - b);
    expect(report.average_trade_duration_ms).toBeCloseTo(total(durations) / durations.length, 6);
    const mid = durations.length / 2;
    expect(report.median_trade_duration_ms).toBe(
      durations.length % 2 === 0
        ? ((durations[mid - 1] as number) + (durations[mid] as number)) / 2
        : durations[Math.floor(mid)],
    );
    const pnls = trades.map((t) => t.pnl);
    const best = report.best_trade as unknown as { pnl: number };
    const worst = report.worst_trade as unknown as { pnl: number };
    expect(best.pnl).toBe(Math.max(...pnls));
    expect(worst.pnl).toBe(Math.min(...pnls));
    // Drawdown duration: from the last mark at the peak the largest drawdown fell from, to the first mark back at it or the end.
    let peak = initial;
    let peakTime = equity[0]?.time as number;
    let largest = 0;
    let from = peakTime;
    let ddPeak = peak;
    for (const point of equity) {
      if (point.equity >= peak) {
        peak = point.equity;
        peakTime = point.time;
      }
      if (peak - point.equity > largest) {
        largest = peak - point.equity;
        from = peakTime;
        ddPeak = peak;
      }
    }
    const back = equity.find((p) => p.time > from && p.equity >= ddPeak);
    const end = back?.time ?? (equity[equity.length - 1]?.time as number);
    expect(report.max_drawdown_duration_ms).toBe(end - from);
    expect(report.max_drawdown_recovered).toBe(back !== undefined);
    // Sortino: daily UTC closes, target 0, downside deviation over every day, √365.
    const byDay = new Map<string, number>();
    for (const point of equity) byDay.set(new Date(point.time - 1).toISOString().slice(0, 10), point.equity);
    const closes = [initial, ...byDay.values()];
    const returns = closes.slice(1).map((close, i) => close / (closes[i] as number) - 1);
    const tdd = Math.sqrt(total(returns.map((r) => Math.min(0, r) ** 2)) / returns.length);
    expect(report.sortino_ratio).toBeCloseTo((total(returns) / returns.length / tdd) * Math.sqrt(365), 9);
    expect(report.days).toBe(21);
    // Buy and hold: first and last close of the data file's 1-minute bars over the run (the whole file).
    const data = parse(readFileSync(BTCUSDT, 'utf8'), { columns: true }) as Record<string, string>[];
    const closeOf = (row: Record<string, string> | undefined) => Number(row?.close);
    const first = closeOf(data[0]);
    const last = closeOf(data[data.length - 1]);
    expect(report.buy_and_hold).toEqual([
      {
        symbol: 'BTCUSDT',
        first_close: first,
        last_close: last,
        return_pct: expect.closeTo((last / first - 1) * 100, 9),
      },
    ]);
    expect((last / first - 1) * 100).toBeCloseTo(21.5, 0);
    // Breakdowns: per strategy and per exit reason, from the rows.
    const group = (key: (t: (typeof trades)[number]) => string) => {
      const keys = [...new Set(trades.map(key))].sort();
      return keys.map((k) => {
        const of = trades.filter((t) => key(t) === k);
        const wins = of.filter((t) => t.pnl > 0).length;
        const pnl = total(of.map((t) => t.pnl));
        return {
          key: k,
          trades: of.length,
          wins,
          losses: of.length - wins,
          win_rate: wins / of.length,
          total_pnl: expect.closeTo(pnl, 6),
          average_pnl: expect.closeTo(pnl / of.length, 6),
          fees: expect.closeTo(total(of.map((t) => t.fees)), 6),
        };
      });
    };
    expect(report.by_strategy).toEqual(group((t) => t.strategy));
    expect(report.by_exit_reason).toEqual(group((t) => t.reason));
    expect(report.by_symbol).toEqual(group(() => 'BTCUSDT'));
    // The known facts of the example.
    const byStrategy = report.by_strategy as unknown as { key: string; trades: number; total_pnl: number }[];
    expect(byStrategy.map((g) => [g.key, g.trades, Number(g.total_pnl.toFixed(2))])).toEqual([
      ['ema_trend', 7, -484.69],
      ['rsi_reversion', 73, -2131.94],
    ]);
    const stops = (report.by_exit_reason as unknown as { key: string; trades: number }[]).find(
      (g) => g.key === 'stop_loss',
    );
    expect(stops?.trades).toBe(49);
    // The printed tables.
    expect(result.stdout).toMatch(/Trades by strategy\nStrategy +Trades +Wins +Win % +Total P&L USDT +Avg P&L USDT\n/);
    expect(result.stdout).toMatch(/\nrsi_reversion +73 +22 +30\.1 +-2131\.94 +-29\.20\n/);
    expect(result.stdout).toMatch(/Trades by exit reason\n[^\n]+\n(?:[^\n]+\n)*stop_loss +49 +0 +0\.0 +-4074\.66 /);
    expect(result.stdout).toMatch(/Sortino ratio +-11\.37 /);
    expect(result.stdout).toMatch(/Buy and hold BTCUSDT +21\.47 %/);
  });

  it('writes every event, in order, as JSON lines', () => {
    const lines = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(report.events_published as number);
    const first = JSON.parse(lines[0] as string);
    expect(first).toMatchObject({ type: 'ServiceStarted', service: 'data_fetching' });
    let previous = 0;
    for (const line of lines.slice(0, 5000)) {
      const event = JSON.parse(line);
      expect(event.timestamp).toBeGreaterThanOrEqual(previous);
      previous = event.timestamp;
    }
  });

  it('writes every cause before its effects, with a synchronous and with an asynchronous bus', () => {
    expect(asyncResult.code, asyncResult.stderr).toBe(0);
    for (const folder of [out, outAsync]) {
      const { events, caused, early } = effectsBeforeCauses(folder);
      expect(events).toBeGreaterThan(100_000);
      expect(caused).toBeGreaterThan(40_000);
      expect(early.slice(0, 5), folder).toEqual([]);
    }
  }, 60_000);

  it('trades the same on an asynchronous bus: 80 trades, final equity 97,383.38 USDT', () => {
    expect(readFileSync(join(outAsync, 'trades.csv'), 'utf8')).toBe(readFileSync(join(out, 'trades.csv'), 'utf8'));
    expect(rows('trades.csv')).toHaveLength(80);
    expect(result.stdout).toMatch(/Final equity\s+97383\.38 USDT/);
  });

  it('places every order it fills: stop and target exits are orders too (268 placed, 160 filled, 12 blocked)', () => {
    const orders = report.orders as unknown as { placed: number; filled: number; rejected: number };
    expect(orders).toMatchObject({ placed: 268, filled: 160, rejected: 0 });
    expect(orders.placed).toBeGreaterThanOrEqual(orders.filled);
    expect(result.stdout).toMatch(/Orders\s+268 placed, 160 filled, 0 rejected, 12 blocked by risk/);
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n');
    const placed = new Set<string>();
    for (const line of events) {
      const event = JSON.parse(line) as { type: string; order?: { clientOrderId?: string } };
      const id = event.order?.clientOrderId;
      if (event.type === 'OrderPlaced' && id !== undefined) placed.add(id);
      if (event.type === 'OrderFilled')
        expect(placed.has(id as string), `${id} filled before it was placed`).toBe(true);
    }
  });

  it('reports the figures the example has always reported (computed over every bar, not the chart curve)', () => {
    expect(result.stdout).toMatch(/Max drawdown\s+2944\.62 USDT \(2\.94 %\)/);
    expect(result.stdout).toMatch(/Sharpe ratio\s+-13\.72 /);
    expect(result.stdout).toMatch(/Profit factor\s+0\.41\n/);
    expect(result.stdout).toMatch(/Exposure\s+12\.2 %/);
    expect(result.stdout).toMatch(/Fees\s+1940\.49 USDT/);
    expect(report.max_drawdown).toBeCloseTo(2944.6213595924637, 9);
    expect(report.sharpe_ratio).toBeCloseTo(-13.720046711445027, 9);
  });
});

describe('quant-bot backtest --events', () => {
  it('writes the trading events by default, every event with all, and no file with none; the figures the same', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'quant-bot-events-'));
    const run = (name: string, extra: string[]) =>
      runCli(['backtest', '--to', '2023-03-03', ...extra, '--out', join(folder, name)]);
    const [trading, all, none] = await Promise.all([
      run('trading', []),
      run('all', ['--events', 'all']),
      run('none', ['--events', 'none']),
    ]);
    for (const result of [trading, all, none]) expect(result.code, result.stderr).toBe(0);
    const types = (name: string) =>
      readFileSync(join(folder, name, 'events.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { type: string }).type);
    const allTypes = types('all');
    const tradingTypes = types('trading');
    const marketData = new Set(['DataFetched', 'HistoryLoaded', 'NewCandle', 'IndicatorsCalculated']);
    // The trading file is the full stream without the per-bar market data, in the same order.
    expect(tradingTypes).toEqual(allTypes.filter((type) => !marketData.has(type)));
    expect(tradingTypes).toContain('OrderFilled');
    expect(tradingTypes).toContain('RegimeChanged');
    expect(tradingTypes.length * 20).toBeLessThan(allTypes.length);
    expect(existsSync(join(folder, 'none', 'events.jsonl'))).toBe(false);
    expect(existsSync(join(folder, 'none', 'events.jsonl.partial'))).toBe(false);
    expect(existsSync(join(folder, 'none', 'equity.csv'))).toBe(true);
    const report = (name: string) => JSON.parse(readFileSync(join(folder, name, 'report.json'), 'utf8'));
    expect(report('trading')).toMatchObject({ events_file: 'trading', events_written: tradingTypes.length });
    expect(report('none')).toMatchObject({ events_file: 'none', events_written: 0 });
    for (const name of ['all', 'none']) {
      expect(readFileSync(join(folder, name, 'trades.csv'), 'utf8')).toBe(
        readFileSync(join(folder, 'trading', 'trades.csv'), 'utf8'),
      );
    }
  }, 120_000);
});

describe('quant-bot backtest on a file with a gap', () => {
  it('counts the bars in the data as bars processed, and the minutes as cycles', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'quant-bot-gap-'));
    // The first 600 minutes of BTCUSDT without the hour 01:40-02:39: 540 bars over 600 minutes.
    const lines = readFileSync(BTCUSDT, 'utf8').split('\n').slice(0, 601);
    const data = join(folder, 'BTCUSDT_1m.csv');
    writeFileSync(data, `${[...lines.slice(0, 101), ...lines.slice(161)].join('\n')}\n`);
    const gap = await runCli(['backtest', '--data', data, '--out', join(folder, 'out')]);
    expect(gap.code, gap.stderr).toBe(0);
    const gapReport = JSON.parse(readFileSync(join(folder, 'out', 'report.json'), 'utf8'));
    expect(gapReport.bars_processed).toBe(540);
    expect(gapReport.cycles).toBe(600);
    expect(gap.stdout).toMatch(/Bars processed +540 \(600 cycles\)/);
  }, 60_000);
});
