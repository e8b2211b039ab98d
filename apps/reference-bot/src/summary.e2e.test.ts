import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TradingEventPayloads } from '@quant/core';
import { type EventFilter, EventStore, type StoredEvent } from '@quant/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDT, runCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-summary-'));
const db = join(dir, 'quant.db');
let store: EventStore;

beforeAll(async () => {
  const replay = await runCli(['live', '--replay', BTCUSDT, '--speed', 'max', '--log-level', 'warn', '--db', db]);
  expect(replay.code, replay.stderr).toBe(0);
  store = await EventStore.open(db);
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function scan(filter: EventFilter): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of store.scan(filter)) events.push(event);
  return events;
}

/** March 9, 2023 in New York (EST, UTC-5): 05:00Z to 05:00Z the next day. */
const FROM = Date.UTC(2023, 2, 9, 5);
const TO = Date.UTC(2023, 2, 10, 5);

describe('quant-bot summary', () => {
  it("prints a day's summary (New York time) whose figures are the store's", async () => {
    const result = await runCli(['summary', '--date', '2023-03-09', '--db', db], {
      NOTIFICATIONS_WATCHLIST_BARS: '1440',
    });
    expect(result.code, result.stderr).toBe(0);
    const closes = (await scan({ types: ['PositionClosed'], fromMs: FROM, toMs: TO })).map(
      (event) => event.payload as unknown as TradingEventPayloads['PositionClosed'],
    );
    expect(closes.length).toBeGreaterThan(0);
    const realized = closes.reduce((sum, close) => sum + close.realizedPnl, 0);
    const wins = closes.filter((close) => close.realizedPnl > 0).length;
    const text = result.stdout;
    expect(text).toContain('Daily summary 2023-03-09 (America/New_York)');
    expect(text).toContain(
      `Trades closed: ${closes.length}, ${wins} won (win rate ${((wins / closes.length) * 100).toFixed(1)} %)`,
    );
    expect(text).toContain(`Realized P&L: ${realized >= 0 ? '+' : '-'}${Math.abs(realized).toFixed(2)} USDT`);
    const tradeLines = text.split('\n').filter((line) => / BTCUSDT (long|short) [\d.]+ @ /.test(line));
    expect(tradeLines).toHaveLength(closes.length);
    // A day's worth of 1-minute bars before its end: the symbols with entry signals then.
    const signals = await scan({ types: ['EntrySignal'], fromMs: TO - 1440 * 60_000, toMs: TO });
    expect(signals.length).toBeGreaterThan(0);
    expect(text).toContain(`BTCUSDT: ${signals.length} signal${signals.length === 1 ? '' : 's'}, last `);
    // Equity at the day's end: the capital plus every trade closed before it (nothing is open then).
    const capital = (await scan({ types: ['CapitalSet'] }))[0]
      ?.payload as unknown as TradingEventPayloads['CapitalSet'];
    const before = (await scan({ types: ['PositionClosed'], toMs: TO })).reduce(
      (sum, event) => sum + (event.payload as unknown as TradingEventPayloads['PositionClosed']).realizedPnl,
      0,
    );
    expect(text).toContain(`Equity: ${(capital.capital + before).toFixed(2)} USDT`);
  });

  it('takes the day in the configured time zone', async () => {
    const tokyo = await runCli(['summary', '--date', '2023-03-09', '--db', db], {
      NOTIFICATIONS_DAILY_SUMMARY_TIME_ZONE: 'Asia/Tokyo',
    });
    expect(tokyo.code, tokyo.stderr).toBe(0);
    const closes = await scan({
      types: ['PositionClosed'],
      fromMs: Date.UTC(2023, 2, 8, 15),
      toMs: Date.UTC(2023, 2, 9, 15),
    });
    expect(tokyo.stdout).toContain('Daily summary 2023-03-09 (Asia/Tokyo)');
    expect(tokyo.stdout).toContain(`Trades closed: ${closes.length}`);
  });

  it('refuses a date that is not a calendar day, and a store that does not exist, with exit 2', async () => {
    const badDate = await runCli(['summary', '--date', '2023-02-30', '--db', db]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--date "2023-02-30" is not a calendar date: expected YYYY-MM-DD');
    const noStore = await runCli(['summary', '--date', '2023-03-09', '--db', join(dir, 'none.db')]);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain('no event store at');
  });
});
