import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BaseEvent, SimulatedClock } from '@quant/core';
import { runSimulation, type TradingSystem } from '@quant/services';
import { fileBot } from '@quant/services/testing';
import { EventStore, StoreRecorder } from '@quant/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotificationChannel } from './channels/channel.js';
import { EmailChannel } from './channels/email-channel.js';
import { WebhookChannel } from './channels/webhook-channel.js';
import { buildDailySummary } from './daily-summary.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './notification.js';
import { type NotificationRoute, NotificationService } from './notification-service.js';
import { emailToPeer, type SmtpPeer, startSmtpPeer } from './test-support/smtp-peer.js';

const REPO = new URL('../../../', import.meta.url);
const file = (path: string) => fileURLToPath(new URL(path, REPO));
/** Wednesday March 1, 2023, 00:00 UTC to Thursday 00:00 UTC: 1,440 cycles of the example bot on real BTCUSDT bars. */
const FROM = Date.UTC(2023, 2, 1);
const TO = Date.UTC(2023, 2, 2);
const NEW_YORK = 'America/New_York';

const everyKind = (channels: readonly string[]): Record<NotificationKind, NotificationRoute> =>
  Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, { channels, minSeverity: 'info' }])) as Record<
    NotificationKind,
    NotificationRoute
  >;

/** An event without what differs from run to run (random ids), for comparing two runs. */
function comparable(event: BaseEvent): unknown {
  return JSON.parse(
    JSON.stringify(event, (key, value) =>
      ['id', 'correlationId', 'causationId', 'signalId'].includes(key) ? undefined : value,
    ),
  );
}

interface Run {
  readonly events: BaseEvent[];
  readonly balances: unknown;
  readonly store: EventStore;
}

describe('NotificationService on the example bot (real BTCUSDT bars, March 1, 2023)', () => {
  let dir: string;
  let peer: SmtpPeer;
  const stores: EventStore[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quant-notify-real-'));
    peer = await startSmtpPeer();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the example bot for the day, recording into a fresh store, with the notification service `notify` makes. */
  async function run(
    name: string,
    notify?: (options: { store: EventStore; clock: SimulatedClock; system: TradingSystem }) => NotificationService,
  ): Promise<Run & { service: NotificationService | undefined }> {
    const store = await EventStore.open(join(dir, `${name}.db`));
    stores.push(store);
    const clock = new SimulatedClock(FROM - 60_000);
    const recorder = new StoreRecorder(store);
    const { system, exchange } = await fileBot({
      dataFile: file('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv'),
      symbol: 'BTCUSDT',
      configDir: file('.'),
      clock,
      onPublish: recorder.record,
    });
    system.orchestrator.addCycleWork('store.flush', recorder.flushCycle);
    const events: BaseEvent[] = [];
    system.bus.subscribe('*', (event) => void events.push(event));
    const service = notify?.({ store, clock, system });
    // As `live` wires it: on the bot's bus and clock, started before the orchestrator.
    service?.start();
    await system.orchestrator.start();
    await runSimulation(system.orchestrator, clock, { start: FROM, end: TO, stepMs: 60_000 });
    await system.orchestrator.stop();
    await recorder.flush();
    return { events, balances: await exchange.fetchBalances(), store, service };
  }

  it('leaves the cycles and their results unchanged when every channel fails or hangs', async () => {
    const plain = await run('plain');
    let hanging = 0;
    const hang: NotificationChannel = {
      name: 'hang',
      defaultRecipients: [],
      send: () => {
        hanging += 1;
        return new Promise<void>(() => {}); // an SMTP server that never answers
      },
    };
    const failing = await run(
      'failing',
      ({ store, clock, system }) =>
        new NotificationService({
          bus: system.bus,
          clock,
          outbox: store.outbox,
          channels: [
            hang,
            new EmailChannel({
              host: '127.0.0.1',
              port: 9,
              security: 'none',
              from: 'bot@example.com',
              to: ['ops@example.com'],
            }),
            new WebhookChannel({ url: 'http://127.0.0.1:9/refused' }),
          ],
          routes: everyKind(['hang', 'email', 'webhook']),
          botId: 'btc-bot',
          format: { timeZone: NEW_YORK },
          dailySummary: { store, cron: '30 16 * * 1-5', timeZone: NEW_YORK, watchlistMs: 3_600_000 },
        }),
    );
    const service = failing.service as NotificationService;
    expect(plain.events.filter((event) => event.type === 'OrderFilled').length).toBeGreaterThan(0);
    // Every event, at the same simulated time, with the same fields: the same cycles, the same trades.
    expect(failing.events.map(comparable)).toEqual(plain.events.map(comparable));
    expect(failing.balances).toEqual(plain.balances);
    // The notifications were made and are waiting for their channels, none of which answered.
    await service.flush();
    const counts = await failing.store.outbox.counts();
    expect(counts.sent).toBe(0);
    expect(counts.pending + counts.dead).toBeGreaterThan(3);
    expect(hanging).toBe(1);
    // Stopping does not wait for the hung send beyond its timeout.
    await service.stop(100);
  }, 60_000);

  it('emails every fill and position of the day, and the daily summary at 16:30 New York as the store gives it', async () => {
    const { events, store, service } = await run(
      'emails',
      ({ store: s, clock, system }) =>
        new NotificationService({
          bus: system.bus,
          clock,
          outbox: s.outbox,
          channels: [emailToPeer(peer, ['ops@example.com'], 10_000)],
          routes: everyKind(['email']),
          botId: 'btc-bot',
          format: { timeZone: NEW_YORK, currencyOf: () => 'USDT' },
          dailySummary: { store: s, cron: '30 16 * * 1-5', timeZone: NEW_YORK, watchlistMs: 3_600_000 },
        }),
    );
    const count = (type: string) => events.filter((event) => event.type === type).length;
    const expected = count('OrderFilled') + count('PositionOpened') + count('PositionClosed') + 1;
    await (service as NotificationService).flush();
    await vi.waitFor(() => expect(peer.messages).toHaveLength(expected), { timeout: 20_000, interval: 50 });
    await (service as NotificationService).stop();
    const subjects = peer.messages.map(({ mail }) => mail.subject ?? '');
    expect(subjects.filter((s) => s.startsWith('[btc-bot] Fill: '))).toHaveLength(count('OrderFilled'));
    expect(subjects.filter((s) => s.startsWith('[btc-bot] Position opened: '))).toHaveLength(count('PositionOpened'));
    expect(subjects.filter((s) => s.startsWith('[btc-bot] Position closed: '))).toHaveLength(count('PositionClosed'));
    const summaries = peer.messages.filter(({ mail }) =>
      mail.subject?.startsWith('[btc-bot] Daily summary 2023-03-01'),
    );
    expect(summaries).toHaveLength(1);
    // 16:30 in New York on March 1 (EST) is 21:30 UTC: the summary is the store's day up to then.
    const summary = await buildDailySummary(store, {
      day: '2023-03-01',
      timeZone: NEW_YORK,
      watchlistMs: 3_600_000,
      asOf: Date.UTC(2023, 2, 1, 21, 30),
    });
    const text = summaries[0]?.mail.text ?? '';
    expect(text).toContain(`Trades closed: ${summary.trades.length}`);
    for (const trade of summary.trades) expect(text).toContain(trade.reason);
    expect(summary.trades.length).toBeGreaterThan(0);
    // The watchlist: the hour of entry signals before 16:30, as the store has them.
    const signals: unknown[] = [];
    for await (const event of store.scan({
      types: ['EntrySignal'],
      fromMs: Date.UTC(2023, 2, 1, 20, 30),
      toMs: Date.UTC(2023, 2, 1, 21, 30),
    })) {
      signals.push(event);
    }
    expect(summary.watchlist.reduce((sum, entry) => sum + entry.signals, 0)).toBe(signals.length);
    if (signals.length > 0) expect(text).toContain(`BTCUSDT  ${signals.length} `);
  }, 60_000);
});
