import { resolve } from 'node:path';
import { CLIENT_ID_REUSE, type ClientIdReuse, DEFAULT_ACCOUNT, startExchangeSim } from '@quant/exchange-sim';
import { UsageError } from '../cli-error.js';
import { parseDateFlag } from '../dates.js';
import { defaultDataFile } from '../paths.js';
import { onShutdownSignals } from '../signals.js';

/** Flags of `quant-bot exchange-sim`. */
export interface ExchangeSimFlags {
  readonly data?: string;
  readonly port: string;
  readonly speed: string;
  readonly start?: string;
  readonly state?: string;
  readonly symbol?: string;
  /** `--client-id-reuse`: `never` or `binance`. */
  readonly clientIdReuse: string;
}

/**
 * `quant-bot exchange-sim`: runs `@quant/exchange-sim`, a local Binance-compatible TEST exchange replaying a data
 * file, until Ctrl+C or SIGTERM. It prints its URL and the test account's credentials, then a ready line a
 * script can wait for.
 * @returns the exit code, 0 after a signal.
 * @throws {@link UsageError} `BAD_FLAG` for a bad port, speed, date or `--client-id-reuse`, `DATA_FILE_NOT_FOUND`;
 *   the exchange's `ExchangeSimError` (`EXSIM_*`, bad input) for a file it cannot read or a port in use.
 */
export async function exchangeSim(flags: ExchangeSimFlags, cwd: string): Promise<number> {
  const port = Number(flags.port);
  if (!/^\d+$/.test(flags.port) || port > 65_535) {
    throw new UsageError(
      'BAD_FLAG',
      `--port "${flags.port}" is not valid: expected a TCP port, 0 to 65535 (0: any free one)`,
    );
  }
  const speed = Number(flags.speed);
  if (flags.speed.trim() === '' || !Number.isFinite(speed) || speed <= 0) {
    throw new UsageError(
      'BAD_FLAG',
      `--speed "${flags.speed}" is not valid: expected a number > 0 of data ms per real ms (60 = a minute per second)`,
    );
  }
  if (!(CLIENT_ID_REUSE as readonly string[]).includes(flags.clientIdReuse)) {
    throw new UsageError(
      'BAD_FLAG',
      `--client-id-reuse "${flags.clientIdReuse}" is not valid: expected never (a client order id already used is refused) or binance (refused only while its order is open, as on Binance)`,
    );
  }
  const clientIdReuse = flags.clientIdReuse as ClientIdReuse;
  const data = flags.data === undefined ? defaultDataFile(cwd) : resolve(cwd, flags.data);
  if (data === undefined) {
    throw new UsageError(
      'DATA_FILE_NOT_FOUND',
      'no data file: pass --data <csv> (the shared BTCUSDT data was not found)',
    );
  }
  const startTime = flags.start === undefined ? undefined : parseDateFlag('--start', flags.start, false);
  const sim = await startExchangeSim({
    data,
    port,
    speed,
    ...(startTime === undefined ? {} : { startTime }),
    ...(flags.state === undefined ? {} : { state: resolve(cwd, flags.state) }),
    ...(flags.symbol === undefined ? {} : { symbol: flags.symbol }),
    clientIdReuse,
  });
  const controller = new AbortController();
  const removeHandlers = onShutdownSignals(controller, () => process.stdout.write('\nStopping the exchange\n'));
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out('A TEST venue: it speaks part of Binance’s spot API and replays a file; never give it real keys.');
  out(`Data: ${data} (${sim.symbol}) at speed ${speed}; state: ${flags.state ?? 'in memory'}`);
  if (clientIdReuse === 'binance') out('Client order ids: reusable once their order is closed, as on Binance');
  out(`Account: EXCHANGE_API_KEY=${DEFAULT_ACCOUNT.apiKey} EXCHANGE_API_SECRET=${DEFAULT_ACCOUNT.secret}`);
  out(
    `Trade on it: EXCHANGE_API_KEY=${DEFAULT_ACCOUNT.apiKey} EXCHANGE_API_SECRET=${DEFAULT_ACCOUNT.secret} quant-bot live --exchange binance --exchange-url ${sim.url} --symbol ${sim.symbol}`,
  );
  out(sim.readyLine);
  await new Promise<void>((done) => controller.signal.addEventListener('abort', () => done(), { once: true }));
  await sim.close();
  removeHandlers();
  return 0;
}
