import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStore } from '@quant/store';
import { parse } from 'csv-parse/sync';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { READY_LINE } from '../commands/live.js';
import { BTCUSDT, type CliProcess, runCli, startCli, startLiveOnSim } from '../test-support/run-cli.js';
import { CHAOS_KILL_VARIABLE, KILL_POINTS } from './chaos-broker.js';

/** How a kill test runs. */
export interface KillTestOptions {
  /** How many times the bot is killed with SIGKILL. */
  readonly kills: number;
  /** A folder of its own for the data slice, the venue's state, the store and the reference backtest. */
  readonly dir: string;
  /** The exchange's speed, data ms per real ms. */
  readonly speed: number;
  /** Seed of the kill schedule (the same seed, the same schedule of kill kinds and delays). */
  readonly seed: number;
  /** Called with each step, for the log. */
  readonly log?: (line: string) => void;
}

/** One life of the bot and how it ended. */
export interface Life {
  /** `random` (the driver's SIGKILL after `delayMs`), a kill point, or `clean` (SIGTERM). */
  readonly kind: 'random' | (typeof KILL_POINTS)[number] | 'clean';
  /** Real ms from the ready line to the kill (random kills). */
  readonly delayMs?: number;
  /** The signal that ended the process. */
  readonly signal: string | null;
  /** Data time (the venue's clock) when it printed its ready line, and when it died. */
  readonly readyAt: number | null;
  readonly endedAt: number;
}

/** A trade in both runs' terms. */
interface Trade {
  readonly direction: string;
  readonly entryTime: string;
  readonly exitTime: string;
  readonly reason: string;
}

/** What the kill test measured. */
export interface KillTestReport {
  readonly kills: number;
  readonly killsByKind: Readonly<Record<string, number>>;
  /** Starts that failed (the venue did not answer reconciliation in time) and were retried, as systemd would. */
  readonly startFailures: number;
  /** Starts that reached the ready line (a kill point may be reached before it, during reconciliation). */
  readonly startsReady: number;
  readonly runs: number;
  readonly runsCrashed: number;
  readonly recoverySummaries: number;
  readonly venueOrders: number;
  readonly duplicateClientOrderIds: number;
  readonly venueFills: number;
  /** Venue fills the store lacks, but for those of orders it holds as working (see `inFlightAtEnd`). */
  readonly venueFillsMissingFromStore: number;
  /** Venue fills of orders the store holds as working: made after the last run stopped; the next start applies them. */
  readonly inFlightAtEnd: number;
  /** What those fills hold (signed base units): the store's position is the venue's less this. */
  readonly inFlightPosition: number;
  readonly venuePosition: number;
  readonly storePosition: number;
  readonly events: number;
  readonly sequenceGaps: number;
  readonly fillsRecoveredAtStart: number;
  readonly ordersResolvedAtStart: number;
  readonly haltedStarts: number;
  readonly cleanStopSeenByNextStart: boolean;
  /** The action of the last start's reconciliation as `quant-bot db status` prints it. */
  readonly dbStatusReconciliation: string | null;
  readonly trades: number;
  /** The uninterrupted run's trades closed within the span the killed bot ran. */
  readonly referenceTrades: number;
  readonly sameTrades: number;
  /** Reference trades not made, whose entry or exit bar came while the bot was down (the kill prevented the signal). */
  readonly missedWhileDown: number;
  /** Trades that differ within an hour after a restart: a signal missed while down changed what the bot held. */
  readonly afterKill: number;
  /** The other differences, each with the trades involved. */
  readonly otherDifferences: readonly string[];
  readonly wallSeconds: number;
}

/** The days replayed: March 1 to 4, 2023, from 03:40 on March 1 (the hours before it are the warm-up history). */
const START = '2023-03-01T03:40Z';
const SLICE_MINUTES = 4 * 24 * 60;

/**
 * The kill test of crash recovery: `quant-bot exchange-sim` replays a day of the real BTCUSDT file (Binance's
 * client-id rule, so a duplicate would be placed, not refused) and keeps its state in a file; `quant-bot live
 * --exchange` trades a fast EMA cross on it with the store on; a driver kills the bot with SIGKILL `kills` times —
 * at random moments, and at the kill points (between persist and submit, between submit and persist of its answer,
 * between a venue fill and its record) — restarting it each time, as systemd would; then stops it with SIGTERM and
 * starts it once more. Then it compares the venue (every order and fill it ever took) with the store.
 */
export async function runKillTest(options: KillTestOptions): Promise<KillTestReport> {
  const { dir, kills, speed } = options;
  const log = options.log ?? (() => {});
  const wallStart = Date.now();
  const rng = xoroshiro128plus(options.seed);
  const next = () => uniformFloat64(rng);
  const slice = join(dir, 'BTCUSDT_1m.csv');
  const lines = readFileSync(BTCUSDT, 'utf8').split('\n');
  writeFileSync(slice, `${lines.slice(0, 1 + SLICE_MINUTES).join('\n')}\n`);
  const strategies = new URL('./strategies.yaml', import.meta.url).pathname;
  const db = join(dir, 'bot.db');
  const env = { STORE_RETENTION_DAYS: '0' };
  const sim = startCli([
    'exchange-sim',
    '--data',
    slice,
    '--port',
    '0',
    '--speed',
    String(speed),
    '--start',
    START,
    '--state',
    join(dir, 'venue.sqlite'),
    '--client-id-reuse',
    'binance',
  ]);
  await sim.waitFor('exchange-sim ready on ');
  const url = /exchange-sim ready on (http:\/\/\S+)/.exec(sim.output())?.[1] as string;
  const venueNow = async (): Promise<number> =>
    ((await (await fetch(new URL('/sim/status', url))).json()) as { now: number }).now;
  const bot = (extra: Record<string, string> = {}): CliProcess =>
    startLiveOnSim(url, ['--strategies', strategies, '--db', db], { ...env, ...extra });
  const lives: Life[] = [];
  let startFailures = 0;
  try {
    for (let kill = 0; kill < kills; ) {
      const roll = next();
      const kind: Life['kind'] = roll < 0.4 ? 'random' : (KILL_POINTS[Math.floor((roll - 0.4) / 0.2)] ?? 'random');
      const delayMs = Math.round(1000 + next() * 7000);
      const child = bot(kind === 'random' ? {} : { [CHAOS_KILL_VARIABLE]: kind });
      let readyAt: number | null = null;
      try {
        await child.waitFor(READY_LINE, 'stdout', 90_000);
        readyAt = await venueNow();
      } catch (error) {
        // A kill point reached during the start (a fill recovered at start): a kill like any other.
        if (child.child.exitCode === null && child.child.signalCode === null) throw error;
      }
      if (kind === 'random') {
        await sleep(delayMs);
        child.child.kill('SIGKILL');
      } else {
        // Until the bot reaches its kill point, or a while without an order.
        const reached = await Promise.race([child.done.then(() => true), sleep(20_000).then(() => false)]);
        if (!reached) child.child.kill('SIGKILL');
      }
      const done = await child.done;
      if (child.child.signalCode !== 'SIGKILL') {
        // A start the venue did not answer in time on a busy machine (RECONCILIATION_FAILED): systemd would start
        // the bot again, and so does the driver — a few times, not for ever.
        startFailures++;
        log(
          `start failed (${startFailures}): ${done.stderr.split('\n').find((line) => line.startsWith('Error')) ?? done.code}`,
        );
        if (startFailures > Math.max(3, kills / 5) || readyAt !== null) {
          throw new Error(`life ${kill} ended with code ${done.code}, not a kill:\n${done.stdout}\n${done.stderr}`);
        }
        continue;
      }
      kill++;
      const life: Life = {
        kind,
        ...(kind === 'random' ? { delayMs } : {}),
        signal: child.child.signalCode,
        readyAt,
        endedAt: await venueNow(),
      };
      lives.push(life);
      log(`kill ${kill}/${kills}: ${kind}${kind === 'random' ? ` after ${delayMs} ms` : ''}`);
    }
    // The last life ends as an operator ends it, and the next start says so.
    const last = bot();
    await last.waitFor(READY_LINE, 'stdout', 90_000);
    const readyAt = await venueNow();
    await sleep(3000);
    last.child.kill('SIGTERM');
    const lastDone = await last.done;
    if (lastDone.code !== 0) throw new Error(`the SIGTERM'd run exited ${lastDone.code}:\n${lastDone.stderr}`);
    lives.push({ kind: 'clean', signal: 'SIGTERM', readyAt, endedAt: await venueNow() });
    // The last start audits: it reconciles what the stopped run left in flight, and evaluates no strategy (an order
    // it sent could fill after it stopped, unseen).
    const check = bot({ SERVICES_STRATEGY_EVALUATION_ENABLED: 'false' });
    await check.waitFor(READY_LINE, 'stdout', 90_000);
    check.child.kill('SIGTERM');
    const checked = await check.done;
    const cleanStopSeenByNextStart = /the previous run \S+ of \S+ ended clean at/.test(checked.stdout);
    const status = await runCli(['db', 'status', '--db', db]);
    const dbStatusReconciliation = /Last reconciliation at start: (\w+)/.exec(status.stdout)?.[1] ?? null;
    return await measure({
      url,
      db,
      dir,
      slice,
      lives,
      startFailures,
      cleanStopSeenByNextStart,
      dbStatusReconciliation,
      wallStart,
    });
  } finally {
    sim.child.kill('SIGTERM');
    await sim.done;
  }
}

interface VenueOrderRow {
  readonly clientOrderId: string;
}
interface VenueTradeRow {
  readonly tradeId: number | string;
  readonly clientOrderId: string;
  readonly side: string;
  readonly quantity: number;
}

async function measure(context: {
  url: string;
  db: string;
  dir: string;
  slice: string;
  lives: readonly Life[];
  startFailures: number;
  cleanStopSeenByNextStart: boolean;
  dbStatusReconciliation: string | null;
  wallStart: number;
}): Promise<KillTestReport> {
  const { url, db, dir, slice, lives } = context;
  const venueOrders = (await (await fetch(new URL('/sim/orders', url))).json()) as VenueOrderRow[];
  const venueTrades = (await (await fetch(new URL('/sim/trades', url))).json()) as VenueTradeRow[];
  const perId = new Map<string, number>();
  for (const order of venueOrders) perId.set(order.clientOrderId, (perId.get(order.clientOrderId) ?? 0) + 1);
  const store = await EventStore.open(db);
  try {
    const fills = await store.fills();
    const stored = new Set(fills.map((fill) => fill.fillId));
    // An order the store holds as working when the last run stopped may fill after: the next start recovers it.
    const working = new Set(
      (await store.orders())
        .filter((order) => ['submitting', 'open', 'partially_filled', 'unknown'].includes(order.status))
        .map((order) => order.clientOrderId),
    );
    const unseen = venueTrades.filter((trade) => !stored.has(String(trade.tradeId)));
    const inFlight = unseen.filter((trade) => working.has(trade.clientOrderId));
    const inFlightAtEnd = inFlight.length;
    const signed = (side: string, quantity: number) => (side.toLowerCase() === 'buy' ? quantity : -quantity);
    const venuePosition = venueTrades.reduce((sum, trade) => sum + signed(trade.side, trade.quantity), 0);
    const inFlightPosition = inFlight.reduce((sum, trade) => sum + signed(trade.side, trade.quantity), 0);
    const positions = await store.positions();
    const storePosition = positions
      .filter((position) => position.status === 'open')
      .reduce((sum, position) => sum + signed(position.direction === 'long' ? 'buy' : 'sell', position.quantity), 0);
    let events = 0;
    let gaps = 0;
    let expected = 1;
    for await (const event of store.scan({})) {
      if (event.seq !== expected) gaps++;
      expected = event.seq + 1;
      events++;
    }
    const runs = await store.runs();
    const summaries = (await store.recoveryEvents()).filter((entry) => entry.kind === 'recovery_summary');
    const startups = summaries.map(
      (entry) => entry.detail as { fillsRecovered: number; ordersResolved: unknown[]; action: string },
    );
    const trades: Trade[] = [];
    for await (const event of store.scan({ types: ['PositionClosed'] })) {
      const closed = event.payload as {
        position: { direction: string; openedAt: number };
        closedAt: number;
        reason: string;
      };
      trades.push({
        direction: closed.position.direction,
        entryTime: new Date(closed.position.openedAt).toISOString(),
        exitTime: new Date(closed.closedAt).toISOString(),
        reason: closed.reason,
      });
    }
    const reference = await referenceTrades(dir, slice);
    const comparison = compareTrades(trades, reference, lives);
    const end = (lives.at(-1) as Life).endedAt;
    const killsByKind: Record<string, number> = {};
    for (const life of lives) if (life.kind !== 'clean') killsByKind[life.kind] = (killsByKind[life.kind] ?? 0) + 1;
    return {
      kills: lives.filter((life) => life.kind !== 'clean').length,
      startFailures: context.startFailures,
      startsReady: lives.filter((life) => life.readyAt !== null).length,
      killsByKind,
      runs: runs.length,
      runsCrashed: runs.filter((run) => run.endReason === 'crashed').length,
      recoverySummaries: summaries.length,
      venueOrders: venueOrders.length,
      duplicateClientOrderIds: [...perId.values()].filter((count) => count > 1).length,
      venueFills: venueTrades.length,
      venueFillsMissingFromStore: unseen.length - inFlightAtEnd,
      inFlightAtEnd,
      inFlightPosition,
      venuePosition,
      storePosition,
      events,
      sequenceGaps: gaps,
      fillsRecoveredAtStart: startups.reduce((sum, s) => sum + s.fillsRecovered, 0),
      ordersResolvedAtStart: startups.reduce((sum, s) => sum + s.ordersResolved.length, 0),
      haltedStarts: startups.filter((s) => s.action === 'halt').length,
      cleanStopSeenByNextStart: context.cleanStopSeenByNextStart,
      dbStatusReconciliation: context.dbStatusReconciliation,
      trades: trades.length,
      referenceTrades: reference.filter((trade) => Date.parse(trade.exitTime) <= end).length,
      ...comparison,
      wallSeconds: Math.round((Date.now() - context.wallStart) / 1000),
    };
  } finally {
    await store.close();
  }
}

/** The uninterrupted run: a backtest of the same slice from the same start, with the same strategies. */
async function referenceTrades(dir: string, slice: string): Promise<Trade[]> {
  const out = join(dir, 'reference');
  const strategies = new URL('./strategies.yaml', import.meta.url).pathname;
  const result = await runCli(['backtest', '--data', slice, '--from', START, '--strategies', strategies, '--out', out]);
  if (result.code !== 0) throw new Error(`the reference backtest failed:\n${result.stderr}`);
  const rows = parse(readFileSync(join(out, 'trades.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return rows.map((row) => ({
    direction: row.direction ?? '',
    entryTime: row.entry_time ?? '',
    exitTime: row.exit_time ?? '',
    reason: row.reason ?? '',
  }));
}

/**
 * The trades of the killed bot against the uninterrupted run's, within the span the bot ran: those made by both;
 * those not made because their entry or exit bar came while the bot was down (the kill prevented the signal);
 * those that differ after a kill changed what the bot held (an entry or exit missed while down leaves the bot
 * flat, or in a position, where the uninterrupted run is not: within an hour after a restart); the rest, listed.
 */
function compareTrades(
  trades: readonly Trade[],
  reference: readonly Trade[],
  lives: readonly Life[],
): Pick<KillTestReport, 'sameTrades' | 'missedWhileDown' | 'afterKill' | 'otherDifferences'> {
  const key = (trade: Trade) => `${trade.direction} ${trade.entryTime} -> ${trade.exitTime} (${trade.reason})`;
  const made = new Set(trades.map(key));
  const end = (lives.at(-1) as Life).endedAt;
  const inSpan = reference.filter((trade) => Date.parse(trade.exitTime) <= end);
  const expected = new Set(inSpan.map(key));
  // Down: from a death to the next ready line, in the venue's time; an entry signal comes a bar before its fill.
  const down: [number, number][] = [];
  for (let i = 0; i + 1 < lives.length; i++) {
    down.push([(lives[i] as Life).endedAt - 120_000, (lives[i + 1] as Life).readyAt ?? Number.POSITIVE_INFINITY]);
  }
  const within = (time: string, before: number) =>
    down.some(([from, to]) => Date.parse(time) >= from && Date.parse(time) <= to + before);
  const other: string[] = [];
  let missedWhileDown = 0;
  let afterKill = 0;
  for (const trade of inSpan) {
    if (made.has(key(trade))) continue;
    if (within(trade.entryTime, 0) || within(trade.exitTime, 0)) missedWhileDown++;
    else if (within(trade.entryTime, 3_600_000)) afterKill++;
    else other.push(`not made: ${key(trade)}`);
  }
  for (const trade of trades) {
    if (expected.has(key(trade))) continue;
    if (within(trade.entryTime, 3_600_000)) afterKill++;
    else other.push(`made, not in the reference: ${key(trade)}`);
  }
  return {
    sameTrades: inSpan.filter((trade) => made.has(key(trade))).length,
    missedWhileDown,
    afterKill,
    otherDifferences: other,
  };
}
