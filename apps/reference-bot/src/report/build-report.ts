import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Timeframe } from '@quant/core';
import type { Bot, BotInputs } from '../setup.js';
import { computePerformance, PERIODS_PER_YEAR } from './performance.js';
import type { RunRecorder } from './recorder.js';
import { moveIntoPlace, ReportWriteError, writeReport } from './write-report.js';

/** What a finished run reports. */
export interface RunSummary {
  readonly report: Record<string, unknown>;
  /** Label and value pairs, for the terminal and the HTML page. */
  readonly lines: readonly (readonly [string, string])[];
}

const money = (value: number, currency: string): string => `${value.toFixed(2)} ${currency}`;
const ratio = (value: number | null, digits = 2): string => (value === null ? 'n/a' : value.toFixed(digits));

/**
 * Computes a run's figures and, when `outDir` is given, writes the report
 * folder: `report.json`, `trades.csv`, `equity.csv`, `report.html`, and moves
 * the streamed `events.jsonl.partial` into place.
 *
 * The figures (max drawdown, Sharpe ratio, exposure, final equity) come from
 * the recorder's {@link RunRecorder.stats}, kept over every bar; `equity.csv`
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
  readonly barsProcessed: number;
  readonly wallMs: number;
  readonly interrupted: boolean;
  readonly outDir?: string;
}): RunSummary {
  const { inputs, bot, recorder } = options;
  const currency = inputs.config.paper_broker.currency;
  const initial = inputs.config.paper_broker.initial_cash;
  const performance = computePerformance(recorder.trades, recorder.stats, initial);
  const resolution = recorder.equityResolution;
  const account = bot.system.positions.account();
  const count = (type: string): number => recorder.counts.get(type) ?? 0;
  const candles = Object.fromEntries(
    inputs.config.trading.timeframes.map((tf) => [tf, recorder.candles.get(tf as Timeframe) ?? 0]),
  );
  const report = {
    mode: options.mode,
    symbol: inputs.symbol,
    data_file: inputs.dataPath,
    from: new Date(options.from).toISOString(),
    to: new Date(options.to).toISOString(),
    interrupted: options.interrupted,
    bars_processed: options.barsProcessed,
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
    sharpe_ratio: performance.sharpeRatio,
    sharpe_periods_per_year: PERIODS_PER_YEAR,
    sharpe_basis: 'daily (UTC) returns of equity, risk-free rate 0',
    profit_factor: performance.profitFactor,
    exposure_pct: performance.exposurePct,
    fees: account.fees,
    open_positions_at_end: bot.system.positions.positions().length,
    events_published: bot.system.bus.getMetrics().events_published,
    equity_chart: {
      points: resolution.points,
      bars_per_bucket: resolution.barsPerBucket,
      resolution: resolution.description,
      figures_basis: 'every bar',
    },
  };
  const lines: [string, string][] = [
    ['Symbol', `${inputs.symbol} (${report.from} → ${report.to})`],
    ['Bars processed', String(options.barsProcessed)],
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
    ['Sharpe ratio', `${ratio(performance.sharpeRatio)} (daily returns, ${PERIODS_PER_YEAR} periods per year)`],
    ['Profit factor', ratio(performance.profitFactor)],
    ['Exposure', `${performance.exposurePct.toFixed(1)} %`],
    ['Fees', money(account.fees, currency)],
    ['Final equity', `${money(performance.finalEquity, currency)}, ${report.open_positions_at_end} position(s) open`],
    ['Wall time', `${(options.wallMs / 1000).toFixed(2)} s (${report.bars_per_second ?? 'n/a'} bars/s)`],
  ];
  if (options.outDir) {
    const bars = bot.source.allBars('5m').filter((bar) => bar.openTime >= options.from && bar.openTime <= options.to);
    const events = join(options.outDir, 'events.jsonl.partial');
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
          title: `@quant ${options.mode}: ${inputs.symbol}`,
          summary: lines,
          bars,
          equity: recorder.equity,
          equityResolution: resolution.description,
          markers: recorder.markers,
        },
      });
      moveIntoPlace(events, join(options.outDir, 'events.jsonl'));
    } catch (error) {
      for (const path of [events, equityPath]) if (path !== undefined) rmSync(path, { force: true });
      throw error;
    }
  }
  return { report, lines };
}
