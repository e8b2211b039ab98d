import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, SimulatedClock } from '@quant/core';
import { EventStore, type OutboxEntry } from '@quant/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotificationChannel } from './channels/channel.js';
import type { DailySummary } from './daily-summary.js';
import { NotificationService } from './notification-service.js';
import { nextDay, startOfDay, wallTime } from './time-zone.js';

const NEW_YORK = 'America/New_York';
const HOUR = 3_600_000;

/** Every weekday (New York) from `from` to the day before `to`, `YYYY-MM-DD`. */
function weekdays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day < to; day = nextDay(day)) {
    const weekday = wallTime(startOfDay(day, NEW_YORK) + 12 * HOUR, NEW_YORK).weekday;
    if (weekday !== 'Sat' && weekday !== 'Sun') days.push(day);
  }
  return days;
}

/**
 * The daily summary job of a `NotificationService` on the simulated clock, across the two DST changes of 2023, over
 * a store that gets two closed trades a day (weekends too): one at 15:00 New York, before the summary, and one at
 * 17:00, after it. Every summary must come once per weekday, at 16:30 New York, and hold exactly what the store
 * holds for that day up to 16:30.
 */
describe('the daily summary across the DST changes', () => {
  let dir: string;
  let store: EventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quant-summary-dst-'));
    store = await EventStore.open(join(dir, 'quant.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['March (clocks go forward on Sunday March 12, 2023)', '2023-03-01', '2023-03-25'],
    ['November (clocks go back on Sunday November 5, 2023)', '2023-10-25', '2023-11-18'],
  ])(
    'sends one summary per weekday at 16:30 New York, as the store has the day, in %s',
    async (_, from, to) => {
      const clock = new SimulatedClock(startOfDay(from, NEW_YORK));
      const bus = new EventBus({ clock });
      // The events of the trading bot, made by a bus of their own and recorded as the bot's recorder would.
      const trading = new EventBus({ clock });
      const sent: OutboxEntry[] = [];
      const memory: NotificationChannel = {
        name: 'memory',
        defaultRecipients: [],
        send: async (message) => {
          sent.push(message);
        },
      };
      const service = new NotificationService({
        bus,
        clock,
        outbox: store.outbox,
        channels: [memory],
        routes: { daily_summary: { channels: ['memory'], minSeverity: 'info' } },
        botId: 'btc-bot',
        format: { timeZone: NEW_YORK, currencyOf: () => 'USDT' },
        dailySummary: { store, cron: '30 16 * * 1-5', timeZone: NEW_YORK, watchlistMs: HOUR },
      });
      service.start();
      await store.append([
        trading.emit('CapitalSet', {
          currency: 'USDT',
          capital: 100_000,
          balances: [{ currency: 'USDT', total: 100_000 }],
        }),
      ]);
      let n = 0;
      const close = async () => {
        n += 1;
        const openedAt = clock.now() - HOUR;
        const event = trading.emit('PositionClosed', {
          position: {
            positionId: `P-${n}`,
            symbol: 'BTCUSDT',
            direction: n % 2 === 0 ? 'short' : 'long',
            quantity: 0.1,
            entryPrice: 22_000 + n,
            openedAt,
            realizedPnl: 0,
            markPrice: 22_000 + n,
            unrealizedPnl: 0,
            fees: 1,
            strategyName: 'ema_trend',
          },
          quantity: 0.1,
          exitPrice: 22_010 + n,
          realizedPnl: (n % 3) * 7.25 - 5,
          fees: 2,
          reason: n % 2 === 0 ? 'stop_loss' : 'take_profit',
          closedAt: clock.now(),
        });
        await store.append([event]);
      };
      for (let day = from; day < to; day = nextDay(day)) {
        const midnight = startOfDay(day, NEW_YORK);
        // 15:00 and 17:00 local on most days; on the DST Sundays 15 h after midnight is 16:00 or 14:00, still that day.
        await clock.advanceTo(midnight + 15 * HOUR);
        await close();
        await clock.advanceTo(midnight + 17 * HOUR);
        await close();
      }
      await clock.advanceTo(startOfDay(to, NEW_YORK));
      await service.flush();
      const expectedDays = weekdays(from, to);
      await vi.waitFor(() => expect(sent).toHaveLength(expectedDays.length), { timeout: 10_000, interval: 10 });
      await service.stop();

      expect(sent.map((message) => message.notificationId)).toEqual(expectedDays.map((day) => `daily_summary:${day}`));
      for (const message of sent) {
        const summary = message.data as unknown as DailySummary;
        // Created at 16:30 New York of its day, whatever the UTC offset that day.
        expect(wallTime(message.createdAt, NEW_YORK)).toMatchObject({ day: summary.day, time: '16:30' });
        expect(summary.asOf).toBe(message.createdAt);
        // The store's trades of that day up to 16:30: the 15:00 one, never the 17:00 one nor the weekend's.
        const closed: { realizedPnl: number; closedAt: number }[] = [];
        for await (const event of store.scan({
          types: ['PositionClosed'],
          fromMs: startOfDay(summary.day, NEW_YORK),
          toMs: message.createdAt,
        })) {
          closed.push(event.payload as { realizedPnl: number; closedAt: number });
        }
        expect(closed).toHaveLength(1);
        expect(summary.trades.map((trade) => trade.closedAt)).toEqual(closed.map((trade) => trade.closedAt));
        expect(summary.realizedPnl).toBeCloseTo(
          closed.reduce((sum, trade) => sum + trade.realizedPnl, 0),
          9,
        );
        expect(summary.wins).toBe(closed.filter((trade) => trade.realizedPnl > 0).length);
        expect(summary.currency).toBe('USDT');
        expect(message.subject).toContain(`Daily summary ${summary.day}: 1 trade,`);
      }
      // The UTC time of the summary moves by an hour across the change: 21:30Z in EST, 20:30Z in EDT.
      const utc = new Set(sent.map((message) => new Date(message.createdAt).toISOString().slice(11, 16)));
      expect(utc).toEqual(new Set(['20:30', '21:30']));
    },
    60_000,
  );
});
