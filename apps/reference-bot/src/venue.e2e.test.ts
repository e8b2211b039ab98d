import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CcxtBroker, CcxtVenue } from '@quant/adapter-ccxt';
import { DEFAULT_ACCOUNT, ScaledClock } from '@quant/exchange-sim';
import { EventStore } from '@quant/store';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDT, type CliProcess, runCli, SIM_CREDENTIALS, startCli, startLiveOnSim } from './test-support/run-cli.js';

/**
 * The rehearsal of a live run, end to end, on loopback only: `quant-bot exchange-sim` replays a slice of the real
 * BTCUSDT file (March 1, 2023, 00:00 to 15:29) from 13:00 at 300 data ms per real ms (a bar in 200 ms, room for a
 * busy machine), and `quant-bot live
 * --exchange binance --exchange-url …` trades on it through the ccxt adapter; its trades must equal a backtest of
 * the same slice from 13:00 with the venue's fill rule (stops watched by the bot). `download-data` then reads the
 * exchange's bars back.
 */
const dir = mkdtempSync(join(tmpdir(), 'quant-bot-venue-'));
const SLICE = join(dir, 'BTCUSDT_1m.csv');
const LAST_OPEN = Date.UTC(2023, 2, 1, 15, 29);
let sim: CliProcess;
let url: string;

beforeAll(async () => {
  const lines = readFileSync(BTCUSDT, 'utf8').split('\n');
  writeFileSync(SLICE, `${lines.slice(0, 1 + 15 * 60 + 30).join('\n')}\n`);
  sim = startCli(['exchange-sim', '--data', SLICE, '--port', '0', '--speed', '300', '--start', '2023-03-01T13:00Z']);
  await sim.waitFor('exchange-sim ready on ');
  url = /exchange-sim ready on (http:\/\/\S+)/.exec(sim.output())?.[1] as string;
}, 60_000);

afterAll(async () => {
  sim.child.kill('SIGTERM');
  await sim.done;
  rmSync(dir, { recursive: true, force: true });
});

/** `download-data` of the local exchange's market `symbol`, from March 1, 2023 to `to`, into `out`. */
const downloadData = (symbol: string, to: string, out: string) =>
  runCli([
    'download-data',
    '--exchange',
    'binance',
    '--exchange-url',
    url,
    '--symbol',
    symbol,
    '--from',
    '2023-03-01',
    '--to',
    to,
    '--out',
    out,
  ]);

type Trade = Record<string, string>;
const tradesOf = (folder: string): Trade[] =>
  parse(readFileSync(join(folder, 'trades.csv'), 'utf8'), { columns: true });

describe('quant-bot live --exchange on quant-bot exchange-sim', () => {
  it('trades as a backtest of the same slice does, and every order it placed is at the venue', async () => {
    const db = join(dir, 'live.db');
    const live = startLiveOnSim(url, ['--out', join(dir, 'live'), '--db', db, '--log-level', 'info'], {
      PAPER_BROKER_NATIVE_STOPS: 'false',
    });
    const backtest = runCli(
      ['backtest', '--data', SLICE, '--from', '2023-03-01T13:00Z', '--out', join(dir, 'backtest')],
      {
        PAPER_BROKER_NATIVE_STOPS: 'false',
      },
    );
    await live.waitFor('Live loop running (Ctrl+C to stop)');
    // The last bar of the slice, seen by the bot: the run is over.
    await live.waitFor(`open_time=${LAST_OPEN}`, 'stdout', 90_000);
    live.child.kill('SIGINT');
    const [done, replayed] = await Promise.all([live.done, backtest]);
    expect(done.code, done.stderr).toBe(0);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(done.stdout).toContain('Starting Orchestrated Live Trading System (binance at http://127.0.0.1:');

    const onVenue = tradesOf(join(dir, 'live'));
    const expected = tradesOf(join(dir, 'backtest'));
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const exact = (trade: Trade) => ({ ...trade, pnl: undefined, fees: undefined });
    expect(onVenue.map(exact)).toEqual(expected.map(exact));
    // The venue reports fees with 8 decimals.
    for (const [index, trade] of onVenue.entries()) {
      expect(Number(trade.fees)).toBeCloseTo(Number(expected[index]?.fees), 6);
      expect(Number(trade.pnl)).toBeCloseTo(Number(expected[index]?.pnl), 6);
    }

    // Every order of the run, as the bot recorded it, is at the venue in the same state.
    const store = await EventStore.open(db);
    const orders = await store.orders();
    // Each order was stored (OrderSubmitted) before it was sent, hence before the venue acknowledged it.
    const firstSeq = new Map<string, Record<string, number>>();
    for await (const event of store.scan({ types: ['OrderSubmitted', 'OrderPlaced'] })) {
      const id = (event.payload as { order: { clientOrderId: string } }).order.clientOrderId;
      const seen = firstSeq.get(id) ?? {};
      seen[event.type] ??= event.seq;
      firstSeq.set(id, seen);
    }
    await store.close();
    expect(firstSeq.size).toBe(orders.length);
    for (const [id, seen] of firstSeq) {
      expect(seen.OrderSubmitted, id).toBeLessThan(seen.OrderPlaced ?? Number.POSITIVE_INFINITY);
    }
    expect(orders.length).toBe(expected.length * 2);
    const status = (await (await fetch(new URL('/sim/status', url))).json()) as { now: number; speed: number };
    const venue = await CcxtVenue.connect({
      exchange: 'binance',
      url,
      apiKey: DEFAULT_ACCOUNT.apiKey,
      secret: DEFAULT_ACCOUNT.secret,
      rateLimit: false,
      requestClock: new ScaledClock({ startTime: status.now, speed: status.speed }),
      ccxtOptions: { recvWindow: 60_000 },
    });
    try {
      const broker = new CcxtBroker(venue);
      for (const order of orders) {
        const atVenue = await broker.fetchOrder('BTCUSDT', order.clientOrderId);
        expect(atVenue, order.clientOrderId).toMatchObject({
          orderId: order.orderId,
          status: order.status,
          filledQuantity: order.filledQuantity,
        });
      }
    } finally {
      await venue.close();
    }
  }, 150_000);

  it('downloads the exchange’s bars to the documented CSV exactly, and resumes an interrupted download', async () => {
    const original = readFileSync(SLICE, 'utf8').split('\n');
    const whole = original.slice(0, 1 + 12 * 60).join('\n');
    const out = join(dir, 'download.csv');
    const download = (to: string) => downloadData('BTC/USDT', to, out);
    const first = await download('2023-03-01T05:59Z');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Wrote 360 bars');
    expect(first.stdout).toContain('Gaps: none');
    // An interruption in the middle of a line: the resume drops the cut line and goes on from the last whole bar.
    appendFileSync(out, '2023-03-01 06:00:00+00:00,23');
    const second = await download('2023-03-01T11:59Z');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Wrote 360 bars');
    expect(second.stdout).toContain('(appended)');
    // The bars as the exchange served them are the file's (prices and volumes as written; times in one format).
    const normalise = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((line) =>
          line
            .split(',')
            .map((cell, i) => (i === 0 ? cell : String(Number(cell))))
            .join(','),
        );
    expect(normalise(readFileSync(out, 'utf8'))).toEqual(normalise(whole));
    const again = await download('2023-03-01T11:59Z');
    expect(again.stdout).toContain('Wrote 0 bars');
  }, 60_000);

  it('refuses bad venue flags with what was expected', async () => {
    const bad = await runCli([
      'download-data',
      '--exchange',
      'Binance US',
      '--symbol',
      'BTC/USDT',
      '--from',
      '2023-03-01',
      '--to',
      '2023-03-02',
      '--out',
      join(dir, 'x.csv'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--exchange "Binance US" is not valid: expected a ccxt exchange id in lower case');
    const noSymbol = await runCli(
      ['live', '--exchange', 'binance', '--exchange-url', url, '--symbol', 'ETHUSDT'],
      SIM_CREDENTIALS,
    );
    expect(noSymbol.code).toBe(2);
    expect(noSymbol.stderr).toContain('binance lists no spot market ETHUSDT');
    const noKeys = await runCli(['live', '--exchange', 'binance', '--exchange-url', url, '--symbol', 'BTCUSDT']);
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain('set EXCHANGE_API_KEY and EXCHANGE_API_SECRET in the environment');
    const nobody = await runCli(
      ['live', '--exchange', 'binance', '--exchange-url', 'http://127.0.0.1:9', '--symbol', 'BTCUSDT'],
      SIM_CREDENTIALS,
    );
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain(
      'Error [VENUE_UNREACHABLE]: cannot reach binance at http://127.0.0.1:9 (is quant-bot exchange-sim running there?)',
    );
    const unstored = await runCli(
      ['live', '--exchange', 'binance', '--exchange-url', url, '--symbol', 'BTCUSDT', '--no-db'],
      SIM_CREDENTIALS,
    );
    expect(unstored.code).toBe(2);
    expect(unstored.stderr).toContain('--no-db does not go with --exchange');
    const unknown = await downloadData('FOOUSDT', '2023-03-01', join(dir, 'foo.csv'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--symbol "FOOUSDT": binance lists no spot market FOOUSDT');
    const nowhere = await downloadData('BTC/USDT', '2023-03-01', join(dir, 'none', 'x.csv'));
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('Error [OUTPUT_UNWRITABLE]');
    const mixed = await runCli(['live', '--exchange', 'binance', '--replay', SLICE, '--no-db']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--replay replays a file: it does not go with --exchange');
  }, 60_000);
});
