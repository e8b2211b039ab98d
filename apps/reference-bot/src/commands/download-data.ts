import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { toBrokerError } from '@quant/adapter-ccxt';
import { type Bar, isTimeframe, TIMEFRAMES, type Timeframe, timeframeToMs } from '@quant/core';
import { BAR_FILE_HEADER, barLine, lastBarOf } from '../bar-file.js';
import { loadBotConfig } from '../bot-config.js';
import { UsageError } from '../cli-error.js';
import { parseDateFlag } from '../dates.js';
import { connectVenue, exchangeSettings, type VenueFlags } from '../venue-connection.js';

/** Flags of `quant-bot download-data`. */
export interface DownloadOptions extends VenueFlags {
  /** The configuration file (for its `exchange` section). */
  readonly config?: string;
  /** The venue's symbol (`BTC/USDT`) or the bot's (`BTCUSDT`). */
  readonly symbol?: string;
  readonly timeframe: string;
  readonly from?: string;
  readonly to?: string;
  readonly out?: string;
}

/** Bars asked for per request: Binance's largest page. */
const PAGE = 1000;
/** Gaps listed one by one; more are counted. */
const GAPS_SHOWN = 10;

interface Gap {
  readonly from: number;
  readonly to: number;
  readonly bars: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');

function required(flag: string, value: string | undefined, example: string): string {
  if (value === undefined || value.trim() === '')
    throw new UsageError('BAD_FLAG', `${flag} is required: e.g. ${flag} ${example}`);
  return value;
}

/**
 * `quant-bot download-data`: writes a venue's bars of one symbol and timeframe between two dates to a CSV file of
 * the documented format (`open_time,open,high,low,close,volume`, times in UTC), page by page under the venue's
 * rate limit, with a progress bar on a terminal. An existing file is resumed after its last bar (a last line cut
 * by an interruption is dropped first), so a download run again goes on where it stopped. Bars the venue does not
 * have are never invented: the gaps are reported.
 * @returns the exit code, 0.
 * @throws {@link UsageError} `BAD_FLAG` for a bad or missing flag, an unknown symbol or exchange;
 *   {@link @quant/services!BrokerError} when the venue fails (exit 1).
 */
export async function downloadData(options: DownloadOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const symbol = required('--symbol', options.symbol, 'BTC/USDT');
  const out = resolve(cwd, required('--out', options.out, 'data/BTCUSDT_1m.csv'));
  const folder = dirname(out);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UsageError(
      'OUTPUT_UNWRITABLE',
      `--out "${options.out}": the folder ${folder} does not exist: create it first`,
    );
  }
  if (!isTimeframe(options.timeframe)) {
    throw new UsageError(
      'BAD_FLAG',
      `--timeframe "${options.timeframe}" is not valid: expected one of ${TIMEFRAMES.join(', ')}`,
    );
  }
  const timeframe: Timeframe = options.timeframe;
  const stepMs = timeframeToMs(timeframe);
  const from = parseDateFlag('--from', required('--from', options.from, '2023-03-01'), false);
  const to = parseDateFlag('--to', required('--to', options.to, '2023-03-21'), true);
  if (from > to) throw new UsageError('BAD_FLAG', `--from ${options.from} is after --to ${options.to}`);
  const settings = exchangeSettings(loadBotConfig(options.config, cwd, env).config.exchange, options);
  const venue = await connectVenue(settings);
  try {
    let venueSymbol: string;
    try {
      venueSymbol = symbol.includes('/') ? symbol : venue.markets.venueSymbol(symbol);
    } catch (error) {
      throw new UsageError('BAD_FLAG', `--symbol "${symbol}": ${(error as Error).message}`, { cause: error });
    }
    if (venue.exchange.markets?.[venueSymbol] === undefined) {
      throw new UsageError(
        'BAD_FLAG',
        `--symbol "${symbol}": ${venue.id} lists no market ${venueSymbol}: expected e.g. BTC/USDT`,
      );
    }
    const firstOpen = Math.ceil(from / stepMs) * stepMs;
    // The last bar closed by the venue's clock, and not after --to.
    const now = await venue.serverTime();
    const lastOpen = Math.min(Math.floor(to / stepMs) * stepMs, Math.floor(now / stepMs) * stepMs - stepMs);
    const resumedAfter = lastBarOf(out);
    if (resumedAfter === undefined) writeFileSync(out, `${BAR_FILE_HEADER}\n`);
    const start = resumedAfter === undefined ? firstOpen : Math.max(firstOpen, resumedAfter + stepMs);
    const total = Math.max(0, Math.floor((lastOpen - start) / stepMs) + 1);
    const where = settings.url === '' ? venue.id : `${venue.id} at ${settings.url}`;
    process.stderr.write(
      `Downloading ${total} bars of ${venueSymbol} ${timeframe} from ${where}, ${iso(start)} to ${iso(lastOpen)}${
        resumedAfter === undefined ? '' : ` (resuming ${out} after ${iso(resumedAfter)})`
      }\n`,
    );
    const progress =
      process.stderr.isTTY && total > 0 ? (await import('../progress-bar.js')).downloadProgressBar() : undefined;
    progress?.start(total, 0);
    const gaps: Gap[] = [];
    let written = 0;
    let expected = start;
    const gapUntil = (openTime: number) => {
      if (openTime > expected)
        gaps.push({ from: expected, to: openTime - stepMs, bars: (openTime - expected) / stepMs });
    };
    try {
      for (let since = start; since <= lastOpen; ) {
        let rows: Awaited<ReturnType<typeof venue.exchange.fetchOHLCV>>;
        try {
          rows = await venue.exchange.fetchOHLCV(venueSymbol, timeframe, since, PAGE);
        } catch (error) {
          throw toBrokerError(error, 'read', `bars of ${venueSymbol} ${timeframe} since ${iso(since)}`, venue.secrets);
        }
        const bars: Bar[] = [];
        for (const [openTime, open, high, low, close, volume] of rows) {
          if (openTime == null || open == null || high == null || low == null || close == null) continue;
          if (openTime < expected || openTime > lastOpen) continue;
          gapUntil(openTime);
          bars.push({ openTime, open, high, low, close, volume: volume ?? 0 });
          expected = openTime + stepMs;
        }
        // One write a page: an interruption leaves whole pages, and at most one cut line that a resume drops.
        if (bars.length > 0) appendFileSync(out, bars.map(barLine).join(''));
        written += bars.length;
        progress?.update(Math.min(total, (expected - start) / stepMs));
        const last = bars.at(-1)?.openTime;
        since = last === undefined ? since + PAGE * stepMs : last + stepMs;
      }
    } finally {
      progress?.stop();
    }
    if (expected <= lastOpen) gaps.push({ from: expected, to: lastOpen, bars: (lastOpen - expected) / stepMs + 1 });
    const missing = gaps.reduce((sum, gap) => sum + gap.bars, 0);
    process.stdout.write(`Wrote ${written} bars to ${out}${resumedAfter === undefined ? '' : ' (appended)'}\n`);
    if (gaps.length === 0) process.stdout.write('Gaps: none\n');
    else {
      process.stdout.write(`Gaps: ${gaps.length}, ${missing} bars the venue does not have (never filled in):\n`);
      for (const gap of gaps.slice(0, GAPS_SHOWN)) {
        process.stdout.write(`  ${iso(gap.from)} to ${iso(gap.to)}: ${gap.bars} bar(s)\n`);
      }
      if (gaps.length > GAPS_SHOWN) process.stdout.write(`  … and ${gaps.length - GAPS_SHOWN} more\n`);
    }
    return 0;
  } finally {
    await venue.close();
  }
}
