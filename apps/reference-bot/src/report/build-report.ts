import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Timeframe } from '@quant/core';
import type { TradeGroup } from '@quant/services';
import type { EventsChoice } from '../events-flag.js';
import type { Bot, BotInputs } from '../setup.js';
import type { RunRecorder } from './recorder.js';
import { moveIntoPlace, ReportWriteError, writeReport } from './write-report.js';

/** What a finished run reports. */
export interface RunSummary {
  readonly report: Record<string, unknown>;
  /** Label and value pairs, for the terminal and the HTML page. */
  readonly lines: readonly (readonly [string, string])[];
  /** The trades by strategy and by exit reason, for the terminal and the HTML page. */
  readonly tables: readonly SummaryTable[];
}

/** A table of the summary: a title, a header row and rows of cells, all text. */
export interface SummaryTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * Renders a table as aligned text columns: the first left-aligned, the
 * others right-aligned, two spaces apart, the title above.
 * @param table - the table.
 */
export function formatTable(table: SummaryTable): string {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${table.title}\n${all.map(line).join('\n')}`;
}

/** The table of trade groups (by strategy, by exit reason, …), Freqtrade's columns. */
function groupTable(title: string, keyLabel: string, groups: readonly TradeGroup[], currency: string): SummaryTable {
  return {
    title,
    header: [keyLabel, 'Trades', 'Wins', 'Win %', `Total P&L ${currency}`, `Avg P&L ${currency}`],
    rows: groups.map((group) => [
      group.key === '' ? '(none)' : group.key,
      String(group.trades),
      String(group.wins),
      (group.winRate * 100).toFixed(1),
      group.totalPnl.toFixed(2),
      group.averagePnl.toFixed(2),
    ]),
  };
}

/** A duration in ms as days, hours and minutes: `2d 3h 05m`, `45m`. */
function duration(ms: number | null): string {
  if (ms === null) return 'n/a';
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1_440);
  const h = Math.floor((minutes % 1_440) / 60);
  const m = minutes % 60;
  return d > 0
    ? `${d}d ${h}h ${String(m).padStart(2, '0')}m`
    : h > 0
      ? `${h}h ${String(m).padStart(2, '0')}m`
      : `${m}m`;
}

const money = (value: number, currency: string): string => `${value.toFixed(2)} ${currency}`;
const ratio = (value: number | null, digits = 2): string => (value === null ? 'n/a' : value.toFixed(digits));

/**
 * Computes a run's figures and, when `outDir` is given, writes the report
 * folder: `report.json`, `trades.csv`, `equity.csv`, `report.html`, and moves
 * the streamed `events.jsonl.partial` into place.
 *
 * The figures come from the recorder's `PerformanceTracker` (`analyzeRun` of
 * `@quant/services`) over the closed trades and {@link RunRecorder.stats} (max drawdown,
 * Sharpe and Sortino ratios, exposure, final equity, kept over every bar),
 * with the buy and hold of the symbol from the closes of the span's first and
 * last execution bars; `equity.csv`
 * is the recorder's stream of every bar, moved into place; the HTML equity
 * chart shows the recorder's bounded curve, whose resolution the page and
 * `report.json` (`equity_chart`) state.
 * @throws {@link ReportWriteError} `OUTPUT_WRITE_FAILED` when a file of the
 *   folder cannot be written or the recorder streamed no equity file (it
 *   was not given one); the streamed files left are then removed.
 */
export function buildReport(options: {
  readonly mode: 'backtest' | 'live';
  readonly inputs: BotInputs;
  readonly bot: Bot;
  readonly recorder: RunRecorder;
  readonly from: number;
  readonly to: number;
  /** Bars of the execution timeframe that the run saw (bars in the data, not minutes). */
  readonly barsProcessed: number;
  /** Cycles of the main loop (one per execution-timeframe step, gaps in the data included). */
  readonly cycles: number;
  readonly wallMs: number;
  readonly interrupted: boolean;
  readonly outDir?: string;
  /** What the streamed events file holds; `none`: there is none to move into place. */
  readonly events: EventsChoice;
}): RunSummary {
  const { inputs, bot, recorder } = options;
  const { currency } = inputs;
  // Buy and hold over the run's span: the close of its first and of its last execution bar, as the tracker saw them.
  const performance = recorder.performance.analyze();
  const trade = (t: (typeof recorder.trades)[number] | null) =>
    t === null
      ? null
      : {
          strategy: t.strategy,
          symbol: t.symbol,
          direction: t.direction,
          entry_time: new Date(t.entryTime).toISOString(),
          exit_time: new Date(t.exitTime).toISOString(),
          pnl: t.pnl,
          reason: t.reason,
        };
  const groups = (list: readonly TradeGroup[]) =>
    list.map((g) => ({
      key: g.key,
      trades: g.trades,
      wins: g.wins,
      losses: g.losses,
      win_rate: g.winRate,
      total_pnl: g.totalPnl,
      average_pnl: g.averagePnl,
      fees: g.fees,
    }));
  const resolution = recorder.equityResolution;
  const account = bot.system.positions.account();
  const count = (type: string): number => recorder.count(type);
  const candles = Object.fromEntries(
    inputs.config.trading.timeframes.map((tf) => [tf, recorder.candles.get(tf as Timeframe) ?? 0]),
  );
  const report = {
    mode: options.mode,
    symbols: inputs.symbols,
    data_files: Object.fromEntries(inputs.files.map((file) => [file.symbol, file.path])),
    from: new Date(options.from).toISOString(),
    to: new Date(options.to).toISOString(),
    interrupted: options.interrupted,
    bars_processed: options.barsProcessed,
    cycles: options.cycles,
    wall_time_ms: Math.round(options.wallMs),
    bars_per_second: options.wallMs > 0 ? Math.round((options.barsProcessed / options.wallMs) * 1000) : null,
    candles,
    signals: { entry: count('EntrySignal'), exit: count('ExitSignal') },
    orders: {
      placed: count('OrderPlaced'),
      rejected: count('OrderRejected'),
      filled: count('OrderFilled'),
      cancelled: count('OrderCancelled'),
    },
    trading_blocked: count('TradingBlocked'),
    regime_changes: count('RegimeChanged'),
    currency,
    trades: performance.trades,
    wins: performance.wins,
    losses: performance.losses,
    win_rate: performance.winRate,
    initial_equity: performance.initialEquity,
    final_equity: performance.finalEquity,
    total_return: performance.totalReturn,
    total_return_pct: performance.totalReturnPct,
    realized_pnl: performance.realizedPnl,
    max_drawdown: performance.maxDrawdown,
    max_drawdown_pct: performance.maxDrawdownPct,
    max_drawdown_duration_ms: performance.maxDrawdownDurationMs,
    max_drawdown_recovered: performance.maxDrawdownRecovered,
    sharpe_ratio: performance.sharpeRatio,
    sharpe_periods_per_year: performance.periodsPerYear,
    sharpe_basis: 'daily (UTC) returns of equity, risk-free rate 0',
    sortino_ratio: performance.sortinoRatio,
    sortino_basis: 'daily (UTC) returns of equity, target 0, downside deviation over every day',
    days: performance.days,
    profit_factor: performance.profitFactor,
    gross_profit: performance.grossProfit,
    gross_loss: performance.grossLoss,
    expectancy: performance.expectancy,
    expectancy_pct: performance.expectancyPct,
    exposure_pct: performance.exposurePct,
    average_trade_duration_ms: performance.averageTradeDurationMs,
    median_trade_duration_ms: performance.medianTradeDurationMs,
    best_trade: trade(performance.bestTrade),
    worst_trade: trade(performance.worstTrade),
    fees: account.fees,
    trade_fees: performance.fees,
    buy_and_hold: performance.buyAndHold.map((b) => ({
      symbol: b.symbol,
      first_close: b.firstClose,
      last_close: b.lastClose,
      return_pct: b.returnPct,
    })),
    by_strategy: groups(performance.byStrategy),
    by_symbol: groups(performance.bySymbol),
    by_exit_reason: groups(performance.byExitReason),
    open_positions_at_end: bot.system.positions.positions().length,
    events_published: bot.system.bus.getMetrics().events_published,
    events_file: options.events,
    events_written: recorder.eventsWritten,
    equity_chart: {
      points: resolution.points,
      bars_per_bucket: resolution.barsPerBucket,
      resolution: resolution.description,
      figures_basis: 'every bar',
    },
  };
  const lines: [string, string][] = [
    [
      inputs.symbols.length === 1 ? 'Symbol' : 'Symbols',
      `${inputs.symbols.join(', ')} (${report.from} → ${report.to})`,
    ],
    ['Bars processed', `${options.barsProcessed} (${options.cycles} cycles)`],
    [
      'Candles',
      Object.entries(candles)
        .map(([tf, n]) => `${tf} ${n}`)
        .join(', '),
    ],
    ['Signals', `${report.signals.entry} entries, ${report.signals.exit} exits`],
    [
      'Orders',
      `${report.orders.placed} placed, ${report.orders.filled} filled, ${report.orders.rejected} rejected, ${report.trading_blocked} blocked by risk`,
    ],
    ['Trades', `${performance.trades} (${performance.wins} won, ${performance.losses} lost)`],
    ['Win rate', performance.winRate === null ? 'n/a' : `${(performance.winRate * 100).toFixed(1)} %`],
    ['Total return', `${money(performance.totalReturn, currency)} (${performance.totalReturnPct.toFixed(2)} %)`],
    ['Max drawdown', `${money(performance.maxDrawdown, currency)} (${performance.maxDrawdownPct.toFixed(2)} %)`],
    [
      'Drawdown duration',
      `${duration(performance.maxDrawdownDurationMs)}${performance.maxDrawdownRecovered ? '' : ' (not recovered)'}`,
    ],
    [
      'Sharpe ratio',
      `${ratio(performance.sharpeRatio)} (daily returns, ${performance.periodsPerYear} periods per year)`,
    ],
    ['Sortino ratio', `${ratio(performance.sortinoRatio)} (daily returns, target 0)`],
    ['Profit factor', ratio(performance.profitFactor)],
    [
      'Expectancy',
      performance.expectancy === null
        ? 'n/a'
        : `${money(performance.expectancy, currency)} (${ratio(performance.expectancyPct)} %) per trade`,
    ],
    ['Exposure', `${performance.exposurePct.toFixed(1)} %`],
    [
      'Trade duration',
      `${duration(performance.averageTradeDurationMs)} average, ${duration(performance.medianTradeDurationMs)} median`,
    ],
    [
      'Best / worst trade',
      performance.bestTrade === null || performance.worstTrade === null
        ? 'n/a'
        : `${money(performance.bestTrade.pnl, currency)} / ${money(performance.worstTrade.pnl, currency)}`,
    ],
    ...performance.buyAndHold.map((b): [string, string] => [
      `Buy and hold ${b.symbol}`,
      `${b.returnPct.toFixed(2)} % (${b.firstClose} → ${b.lastClose})`,
    ]),
    ...(performance.buyAndHold.length > 1
      ? [
          [
            'Buy and hold, equal split',
            `${(performance.buyAndHold.reduce((sum, b) => sum + b.returnPct, 0) / performance.buyAndHold.length).toFixed(2)} % (the initial equity split equally between the symbols)`,
          ] as [string, string],
        ]
      : []),
    ['Fees', money(account.fees, currency)],
    ['Final equity', `${money(performance.finalEquity, currency)}, ${report.open_positions_at_end} position(s) open`],
    ['Wall time', `${(options.wallMs / 1000).toFixed(2)} s (${report.bars_per_second ?? 'n/a'} bars/s)`],
  ];
  const tables: SummaryTable[] = [
    groupTable('Trades by strategy', 'Strategy', performance.byStrategy, currency),
    groupTable('Trades by symbol', 'Symbol', performance.bySymbol, currency),
    groupTable('Trades by exit reason', 'Exit reason', performance.byExitReason, currency),
  ];
  if (options.outDir) {
    const chartTimeframe: Timeframe = '5m';
    const symbols = inputs.symbols.map((symbol) => ({
      symbol,
      timeframe: chartTimeframe,
      bars: (bot.sources.get(symbol)?.allBars(chartTimeframe) ?? []).filter(
        (bar) => bar.openTime >= options.from && bar.openTime <= options.to,
      ),
      regimes: recorder.regimes(symbol),
    }));
    const events = options.events === 'none' ? undefined : join(options.outDir, 'events.jsonl.partial');
    const equityPath = recorder.equityPath;
    try {
      if (equityPath === undefined) {
        throw new ReportWriteError(
          'OUTPUT_WRITE_FAILED',
          `cannot write ${join(options.outDir, 'equity.csv')}: the run recorder streamed no equity file`,
        );
      }
      writeReport(options.outDir, {
        report,
        trades: recorder.trades,
        equityPath,
        html: {
          title: `@quant ${options.mode}: ${inputs.symbols.join(', ')}`,
          currency,
          initialEquity: performance.initialEquity,
          summary: lines,
          tables,
          equity: recorder.equity,
          equityResolution: resolution.description,
          buyAndHold: performance.buyAndHold,
          symbols,
          trades: recorder.trades,
        },
      });
      if (events !== undefined) moveIntoPlace(events, join(options.outDir, 'events.jsonl'));
    } catch (error) {
      for (const path of [events, equityPath]) if (path !== undefined) rmSync(path, { force: true });
      throw error;
    }
  }
  return { report, lines, tables };
}
