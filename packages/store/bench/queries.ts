import type { BaseEvent } from '@quant/core';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { EventStore } from '../src/event-store.js';
import type { EventFilter } from '../src/store-types.js';
import type { TestDialect } from '../src/test-support/databases.js';
import { groupedCycles, median, quantile, shiftedCopy } from './cycles.js';

/** Events in the log the queries run on. */
export const LOG_EVENTS = 1_000_000;
/** Each copy of the run is this much later than the one before (the file spans 21 days). */
const SHIFT_MS = 21 * 86_400_000;
const WARM_UP = 10;
const RUNS = 200;
const DAY_MS = 86_400_000;

/** Latencies of one query, ms. */
export interface Latency {
  readonly runs: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** Events the query returned, the median of the runs. */
  readonly median_rows: number;
}

async function time(run: (index: number) => Promise<number>): Promise<Latency> {
  for (let index = 0; index < WARM_UP; index++) await run(index);
  const ms: number[] = [];
  const rows: number[] = [];
  for (let index = 0; index < RUNS; index++) {
    const t0 = performance.now();
    rows.push(await run(index));
    ms.push(performance.now() - t0);
  }
  return {
    runs: RUNS,
    p50_ms: median(ms),
    p99_ms: quantile(ms, 0.99),
    max_ms: Math.max(...ms),
    median_rows: median(rows),
  };
}

/**
 * Fills a fresh database with {@link LOG_EVENTS} events (the run's events, then copies of them shifted by 21 days
 * each, appended in batches of whole cycles), then times pages of 100 events for several filters, each from
 * random cursors over the whole log, and the summary.
 */
export async function measureQueries(dialect: TestDialect, cycles: readonly BaseEvent[][]) {
  const run = cycles.flat();
  const database = await dialect.create();
  const store = await EventStore.open(database.url);
  try {
    await store.startRun({ runId: 'bench', botId: 'bench', startedAt: 0 });
    const t0 = performance.now();
    let appended = 0;
    for (let copy = 0; appended < LOG_EVENTS; copy++) {
      const copied = cycles.map((cycle) => shiftedCopy(cycle, copy, SHIFT_MS));
      for (const batch of groupedCycles(copied, 5000)) {
        if (appended >= LOG_EVENTS) break;
        appended += (await store.append(batch.slice(0, LOG_EVENTS - appended))).appended;
      }
    }
    const fillMs = performance.now() - t0;
    // The statistics a running bot keeps (daily, and PostgreSQL's autovacuum within a minute of a bulk load).
    await store.optimize();
    const last = await store.lastSeq();
    const firstDay = Math.floor((run[0]?.timestamp ?? 0) / DAY_MS) * DAY_MS + 7 * DAY_MS;
    const correlationIds = [...new Set(run.map((event) => event.correlationId))];
    const rng = xoroshiro128plus(42);
    const pick = () => uniformFloat64(rng);
    const page = (filter: EventFilter) => async () =>
      (await store.events(filter, { after: Math.floor(pick() * last), limit: 100 })).events.length;
    const pages = {
      any_event: await time(page({})),
      type_order_filled: await time(page({ types: ['OrderFilled'] })),
      severity_warning_or_worse: await time(page({ severities: ['warning', 'error', 'critical'] })),
      symbol_and_type_new_candle: await time(page({ symbol: 'BTCUSDT', types: ['NewCandle'] })),
      strategy_rsi_reversion: await time(page({ strategy: 'rsi_reversion' })),
      correlation_id: await time(
        async (index) =>
          (await store.events({ correlationId: correlationIds[(index * 7919) % correlationIds.length] ?? '' })).events
            .length,
      ),
      one_day_first_page: await time(
        async (index) =>
          (
            await store.events({
              fromMs: firstDay + (index % 14) * DAY_MS,
              toMs: firstDay + ((index % 14) + 1) * DAY_MS,
            })
          ).events.length,
      ),
    };
    const summaries = {
      whole_log: await timeFew(async () => (await store.summary()).total),
      one_day: await time(
        async (index) =>
          (
            await store.summary({
              fromMs: firstDay + (index % 14) * DAY_MS,
              toMs: firstDay + ((index % 14) + 1) * DAY_MS,
            })
          ).total,
      ),
      type_order_filled: await time(async () => (await store.summary({ types: ['OrderFilled'] })).total),
    };
    const worstPageP99 = Math.max(...Object.values(pages).map((latency) => latency.p99_ms));
    return {
      events: last,
      fill_ms: fillMs,
      fill_events_per_second: (last / fillMs) * 1000,
      pages_of_100: pages,
      summary: summaries,
      worst_page_p99_ms: worstPageP99,
      targets: { page_p99_under_10ms: worstPageP99 < 10 },
    };
  } finally {
    await store.close();
    await database.drop();
  }
}

/** The summary of the whole log reads every row: a few runs are enough. */
async function timeFew(run: () => Promise<number>): Promise<Latency> {
  await run();
  const ms: number[] = [];
  let rows = 0;
  for (let index = 0; index < 5; index++) {
    const t0 = performance.now();
    rows = await run();
    ms.push(performance.now() - t0);
  }
  return { runs: 5, p50_ms: median(ms), p99_ms: quantile(ms, 0.99), max_ms: Math.max(...ms), median_rows: rows };
}
