#!/usr/bin/env node
import { LOG_LEVELS } from '@quant/config';
import { Command, Option } from 'commander';
import { describeFailure } from './cli-error.js';
import type { BacktestOptions } from './commands/backtest.js';
import type { DbOptions } from './commands/db.js';
import type { DownloadOptions } from './commands/download-data.js';
import type { ExchangeSimFlags } from './commands/exchange-sim.js';
import type { LiveOptions } from './commands/live.js';
import { MIN_SPEED } from './commands/speed.js';
import type { SummaryOptions } from './commands/summary.js';

/** Collects a repeatable flag's values, in order. */
const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

function program(run: (task: () => Promise<number>) => void): Command {
  const cli = new Command('quant-bot')
    .description('The @quant reference bot: backtest and paper-trade the example strategies on real market data.')
    .showHelpAfterError('(run quant-bot --help for the commands and flags)')
    .exitOverride();
  const common = (command: Command): Command =>
    command
      .option('--config <file>', 'configuration file', undefined)
      .option('--strategies <file>', 'strategies file (YAML)', undefined)
      .option('--indicators <file>', 'indicators file (YAML)', undefined)
      .option(
        '--symbol <symbol>',
        'symbol of the data file, once per file in the same order (default: from the file name, e.g. BTCUSDT_1m.csv); with --exchange, a symbol to trade, e.g. BTCUSDT',
        collect,
      )
      .option(
        '--currency <code>',
        "account currency (default: the symbols' quote currency, e.g. USDT for BTCUSDT; needed when they differ)",
      )
      .option('--no-header', 'the data files have no header line: the first line is a bar')
      .option(
        '--columns <list>',
        "the data files' columns in order, each of time,open,high,low,close,volume or _ to skip (default: by header name, or in that order without a header)",
      )
      .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS as unknown as string[]))
      .exitOverride();
  common(
    cli
      .command('backtest')
      .description('backtest on a simulated clock over a data file, as fast as the machine allows')
      .option(
        '--data <csv>',
        'OHLCV CSV file, repeat for several symbols (default: the shared BTCUSDT 1-minute data)',
        collect,
      )
      .option('--from <date>', 'first bar to trade, YYYY-MM-DD or ISO 8601 (UTC)')
      .option('--to <date>', 'last bar to trade, YYYY-MM-DD (whole day) or ISO 8601 (UTC)')
      .option('--out <dir>', 'report folder', 'backtest-report')
      .option(
        '--events <which>',
        'what events.jsonl holds: trading (orders, fills, positions, signals, risk, regimes, lifecycle), all, or none',
      )
      .option(
        '--db <url>',
        'also persist the events to this event store: a SQLite file or a postgres:// URL (default: none; store.events says which)',
      ),
  ).action((options: BacktestOptions) =>
    // Each command's code (and the pipeline it loads) is imported only when it runs: --help and bad flags stay fast.
    run(async () => (await import('./commands/backtest.js')).backtest(options, process.cwd(), process.env)),
  );
  common(
    cli
      .command('live')
      .description(
        'trade in the live loop: on a venue (--exchange), or paper on a data file played as if live (--replay)',
      )
      .option(
        '--replay <csv>',
        'play this OHLCV CSV file as the market, repeat for several symbols (default: the shared BTCUSDT 1-minute data)',
        collect,
      )
      .option(
        '--speed <x>',
        `replay speed: recorded ms per real ms (60 = a minute per second), at least ${MIN_SPEED}, or max (default: 1)`,
      )
      .option('--exchange <id>', 'trade on this venue through ccxt (e.g. binance) instead of replaying a file')
      .option(
        '--exchange-url <url>',
        "an origin replacing the venue's endpoints, e.g. http://127.0.0.1:8080 (quant-bot exchange-sim)",
      )
      .option('--out <dir>', 'write events.jsonl and the report here')
      .option('--events <which>', 'what events.jsonl holds with --out: trading (default), all, or none')
      .option('--db <url>', 'event store: a SQLite file or a postgres:// URL (default: store.url, data/quant.db)')
      .option('--no-db', 'do not persist the events')
      .option(
        '--api <[host:]port>',
        'serve the operations API (health, events, orders, /metrics) on this address (default host 127.0.0.1; token from API_TOKEN; default: api.listen)',
      ),
  ).action((options: LiveOptions) =>
    run(async () => (await import('./commands/live.js')).live(options, process.cwd(), process.env)),
  );
  cli
    .command('exchange-sim')
    .description(
      'a local Binance-compatible TEST exchange replaying a data file: rehearse live --exchange on this machine',
    )
    .option('--data <csv>', 'the bars it serves (default: the shared BTCUSDT 1-minute data)')
    .option('--port <n>', 'TCP port on 127.0.0.1, 0 for any free one', '8080')
    .option('--speed <x>', 'data ms per real ms (60 = a minute per second)', '1')
    .option('--start <date>', "the exchange's clock at start, YYYY-MM-DD or ISO 8601 (default: the first bar's close)")
    .option('--state <file>', 'keep accounts, orders and trades in this SQLite file (default: in memory)')
    .option('--symbol <symbol>', "the data's symbol (default: from the file name, e.g. BTCUSDT_1m.csv)")
    .option(
      '--client-id-reuse <rule>',
      'never: a client order id already used is refused; binance: refused only while its order is open',
      'never',
    )
    .exitOverride()
    .action((options: ExchangeSimFlags) =>
      run(async () => (await import('./commands/exchange-sim.js')).exchangeSim(options, process.cwd())),
    );
  cli
    .command('download-data')
    .description("download a venue's bars to a CSV file of the documented format; run again to resume")
    .option('--exchange <id>', "ccxt's exchange id (default: exchange.id, binance)")
    .option(
      '--exchange-url <url>',
      "an origin replacing the venue's endpoints, e.g. http://127.0.0.1:8080 (quant-bot exchange-sim)",
    )
    .option('--symbol <symbol>', 'the market, e.g. BTC/USDT (or BTCUSDT)')
    .option('--timeframe <tf>', 'bar timeframe', '1m')
    .option('--from <date>', 'first bar, YYYY-MM-DD or ISO 8601 (UTC)')
    .option('--to <date>', 'last bar, YYYY-MM-DD (whole day) or ISO 8601 (UTC)')
    .option('--out <file>', 'the CSV file to write, or to resume when it exists')
    .option('--config <file>', 'configuration file (for the exchange section)')
    .exitOverride()
    .action((options: DownloadOptions) =>
      run(async () => (await import('./commands/download-data.js')).downloadData(options, process.cwd(), process.env)),
    );
  cli
    .command('summary')
    .description(
      'print (or --send) the daily summary of a day from the event store: trades and P&L, win rate, open positions, watchlist',
    )
    .option('--date <day>', 'the day, YYYY-MM-DD in notifications.daily_summary_time_zone (default: today there)')
    .option('--send', "send it now on notifications.daily_summary's channels (email, webhook) as well as print it")
    .option('--db <url>', 'the event store: a SQLite file or a postgres:// URL (default: store.url)')
    .option('--config <file>', 'configuration file (for store.url and the notifications section)')
    .exitOverride()
    .action((options: SummaryOptions) =>
      run(async () => (await import('./commands/summary.js')).summary(options, process.cwd(), process.env)),
    );
  const db = cli
    .command('db')
    .description('the event store: migrate, status, backup (store.url, or --db)')
    .exitOverride();
  const dbCommand = (name: string, description: string): Command =>
    db
      .command(name)
      .description(description)
      .option('--db <url>', 'the event store: a SQLite file or a postgres:// URL (default: store.url)')
      .option('--config <file>', 'configuration file (for store.url)')
      .exitOverride();
  dbCommand('migrate', 'create the store or bring its schema up to date').action((options: DbOptions) =>
    run(async () => (await import('./commands/db.js')).dbMigrate(options, process.cwd(), process.env)),
  );
  dbCommand('status', 'the database, schema version, events, last sequence number and runs').action(
    (options: DbOptions) =>
      run(async () => (await import('./commands/db.js')).dbStatus(options, process.cwd(), process.env)),
  );
  dbCommand('backup', 'copy a SQLite store, online, to a new file (PostgreSQL: use pg_dump)')
    .argument('<file>', 'the backup file; it must not exist')
    .action((file: string, options: DbOptions) =>
      run(async () => (await import('./commands/db.js')).dbBackup(file, options, process.cwd(), process.env)),
    );
  return cli;
}

/**
 * Runs the command line and returns the exit code: 0 on success, 2 for bad
 * input (flags, configuration, strategy, indicator or data files), 1 for an
 * internal error. The stack trace is shown only at debug level
 * (`--log-level debug` or `LOGGING_LEVEL=DEBUG`).
 * @param argv - the arguments after `node cli.js`.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const debug =
    /--log-level[= ](debug|trace)\b/.test(argv.join(' ')) || /^(debug|trace)$/i.test(process.env.LOGGING_LEVEL ?? '');
  let task: (() => Promise<number>) | undefined;
  try {
    await program((next) => {
      task = next;
    }).parseAsync([...argv], { from: 'user' });
    return task ? await task() : 0;
  } catch (error) {
    const failure = describeFailure(error, debug);
    if (failure.text) process.stderr.write(`${failure.text}\n`);
    return failure.exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
