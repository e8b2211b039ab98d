import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, SimulatedClock } from '@quant/core';
import { EventStore } from '@quant/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebhookChannel } from './channels/webhook-channel.js';
import { NotificationService, type NotificationServiceOptions } from './notification-service.js';
import { emailToPeer, type SmtpPeer, startSmtpPeer } from './test-support/smtp-peer.js';

const T0 = Date.UTC(2023, 2, 13, 14, 0);
const OPS = ['ops@example.com', 'risk@example.com'];

const emailTo = (peer: SmtpPeer) => emailToPeer(peer, OPS);

interface Hook {
  readonly received: { readonly body: Record<string, unknown>; readonly headers: IncomingHttpHeaders }[];
  readonly url: string;
  /** The status of the next answers (200 once they run out). */
  statuses: number[];
  close(): Promise<void>;
}

async function startHook(): Promise<Hook> {
  const received: Hook['received'] = [];
  const hook = { received, statuses: [] as number[], url: '', close: async () => {} };
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      received.push({ body: JSON.parse(text), headers: request.headers });
      response.writeHead(hook.statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  hook.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return hook;
}

describe('NotificationService', () => {
  let dir: string;
  let store: EventStore;
  let peer: SmtpPeer;
  let clock: SimulatedClock;
  let bus: EventBus;
  const services: NotificationService[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quant-notify-'));
    store = await EventStore.open(join(dir, 'quant.db'));
    peer = await startSmtpPeer();
    clock = new SimulatedClock(T0);
    bus = new EventBus({ clock });
  });
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    await peer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (options: Partial<NotificationServiceOptions> = {}) => {
    const service = new NotificationService({
      bus,
      clock,
      outbox: store.outbox,
      channels: [emailTo(peer)],
      routes: { alert: { channels: ['email'], minSeverity: 'warning' } },
      botId: 'btc-bot',
      format: { timeZone: 'America/New_York', currencyOf: () => 'USDT' },
      ...options,
    });
    services.push(service);
    service.start();
    return service;
  };
  const failure = (error = 'boom') =>
    bus.emit('ServiceFailed', { service: 'market_data', error, restarts: 1, willRestart: true });
  /** Lets the outbox writes and the sends settle, without moving the clock. */
  const settled = async (service: NotificationService, check: () => void) => {
    await service.flush();
    await vi.waitFor(check, { timeout: 5000, interval: 10 });
  };

  it('sends an email with both parts, every value escaped, to the route recipients, with the password given', async () => {
    const service = start({
      routes: { alert: { channels: ['email'], minSeverity: 'warning', recipients: ['oncall@example.com'] } },
    });
    failure('<script>alert("x")</script> & <b>bold</b>');
    await settled(service, () => expect(peer.messages).toHaveLength(1));
    const [{ mail, rcptTo }] = peer.messages as [(typeof peer.messages)[number]];
    expect(rcptTo).toEqual(['oncall@example.com']);
    expect(mail.subject).toBe('[btc-bot] Service failed: market_data (restarting)');
    expect(mail.text).toContain('Error: <script>alert("x")</script> & <b>bold</b>');
    expect(mail.text).toContain('Time: 2023-03-13 10:00:00 America/New_York');
    const html = mail.html as string;
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold');
    expect(mail.headers.get('x-quant-severity')).toBe('error');
    expect(await store.outbox.list()).toMatchObject([{ status: 'sent', attempts: 0, sentAt: T0 }]);
  });

  it('alerts on a startup reconciliation that halted trading, even when recovery reports go nowhere', async () => {
    const service = start({ routes: { alert: { channels: ['email'], minSeverity: 'warning' } } });
    const startup = {
      phase: 'startup' as const,
      previousRun: { runId: 'run-1', end: 'crashed' as const },
      ordersRestored: 1,
      positionsRestored: 1,
      ordersResolved: [],
      fillsRecovered: 0,
      externalOrders: [],
      externalFills: [],
      externalPositions: [],
      mismatches: [
        {
          kind: 'balance' as const,
          subject: 'BTC',
          expected: 0.5,
          actual: 0,
          message: 'BTC: the fills explain 0.5, the venue holds 0',
        },
      ],
    };
    bus.emit('ReconciliationCompleted', { ...startup, action: 'halt' });
    // A clean start that trades is a recovery report only: no alert.
    bus.emit('ReconciliationCompleted', { ...startup, mismatches: [], action: 'trade' });
    await settled(service, () => expect(peer.messages).toHaveLength(1));
    expect(peer.messages[0]?.mail.subject).toBe(
      '[btc-bot] Reconciliation halted trading: the venue differs from the record',
    );
    expect(peer.messages[0]?.mail.text).toContain('BTC: the fills explain 0.5, the venue holds 0');
    const kinds = (await store.outbox.list()).map((row) => row.kind).sort();
    expect(kinds).toEqual(['alert']);
  });

  it('sends nothing below the minimum severity or for a kind without a route', async () => {
    const service = start({ routes: { alert: { channels: ['email'], minSeverity: 'critical' } } });
    failure();
    bus.emit('ServiceFailed', { service: 'execution', error: 'gave up', restarts: 3, willRestart: false });
    await settled(service, () => expect(peer.messages).toHaveLength(1));
    expect(peer.messages[0]?.mail.subject).toBe('[btc-bot] Service failed: execution (stays failed: act now)');
    expect(await store.outbox.counts()).toEqual({ pending: 0, sent: 1, dead: 0 });
  });

  it('delivers once when the server refuses twice and then accepts, 5 s apart on the bot clock', async () => {
    peer.refuse(2);
    const service = start();
    failure();
    await settled(service, () => expect(service.status().failedAttempts).toBe(1));
    expect(peer.messages).toHaveLength(0);
    await clock.advanceBy(4999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(peer.refused).toBe(1);
    await clock.advanceBy(1);
    await settled(service, () => expect(service.status().failedAttempts).toBe(2));
    await clock.advanceBy(5000);
    await settled(service, () => expect(peer.messages).toHaveLength(1));
    expect(peer.refused).toBe(2);
    expect(await store.outbox.list()).toMatchObject([
      { status: 'sent', attempts: 2, sentAt: T0 + 10_000, lastError: expect.stringContaining('busy') },
    ]);
    await clock.advanceBy(60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(peer.messages).toHaveLength(1);
  });

  it('keeps a dead letter after 3 failed attempts when the server stays down', async () => {
    peer.refuse(100);
    const service = start();
    failure();
    await settled(service, () => expect(service.status().failedAttempts).toBe(1));
    await clock.advanceBy(5000);
    await settled(service, () => expect(service.status().failedAttempts).toBe(2));
    await clock.advanceBy(5000);
    await settled(service, () => expect(service.status().dead).toBe(1));
    await clock.advanceBy(60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(peer.refused).toBe(3);
    expect(peer.messages).toHaveLength(0);
    expect(await store.outbox.list({ status: 'dead' })).toMatchObject([
      { kind: 'alert', attempts: 3, subject: '[btc-bot] Service failed: market_data (restarting)' },
    ]);
    expect(service.status().lastError).toContain('busy');
  });

  it('coalesces the same alert within the window and sends the next one after it', async () => {
    peer.refuse(1);
    const service = start({ coalesceWindowMs: 60_000 });
    failure('first');
    await settled(service, () => expect(service.status().failedAttempts).toBe(1));
    failure('second');
    failure('third');
    await service.flush();
    await clock.advanceBy(5000);
    await settled(service, () => expect(peer.messages).toHaveLength(1));
    expect(peer.messages[0]?.mail.subject).toBe('[btc-bot] Service failed: market_data (restarting) (+2 more like it)');
    expect(peer.messages[0]?.mail.text).toContain('Error: first');
    await clock.advanceBy(60_000);
    failure('after the window');
    await settled(service, () => expect(peer.messages).toHaveLength(2));
    expect(peer.messages[1]?.mail.text).toContain('Error: after the window');
    expect(service.status()).toMatchObject({ written: 2, coalesced: 2, sent: 2 });
  });

  it('posts JSON to a webhook with the idempotency key, and retries a 5xx answer', async () => {
    const hook = await startHook();
    try {
      hook.statuses = [503];
      const service = start({
        channels: [emailTo(peer), new WebhookChannel({ url: hook.url, timeoutMs: 2000 })],
        routes: { alert: { channels: ['email', 'webhook'], minSeverity: 'info' } },
      });
      const event = failure('disk full');
      await settled(service, () => expect(hook.received).toHaveLength(1));
      await clock.advanceBy(5000);
      await settled(service, () => expect(hook.received).toHaveLength(2));
      const [first, second] = hook.received;
      expect(second?.headers['idempotency-key']).toBe(`alert:${event.id}:webhook`);
      expect(first?.body).toEqual(second?.body);
      expect(second?.body).toMatchObject({
        id: `alert:${event.id}:webhook`,
        kind: 'alert',
        severity: 'error',
        subject: '[btc-bot] Service failed: market_data (restarting)',
        data: { service: 'market_data', error: 'disk full', restarts: 1, willRestart: true },
      });
      expect(second?.body.text).toContain('Error: disk full');
      await settled(service, () => expect(peer.messages).toHaveLength(1));
      await vi.waitFor(async () => expect(await store.outbox.counts()).toEqual({ pending: 0, sent: 2, dead: 0 }));
    } finally {
      await hook.close();
    }
  });

  it('refuses a route to a channel that is not configured, naming the key', () => {
    expect(
      () =>
        new NotificationService({
          bus,
          clock,
          outbox: store.outbox,
          channels: [emailTo(peer)],
          routes: { position: { channels: ['webhook'], minSeverity: 'info' } },
          botId: 'btc-bot',
          format: { timeZone: 'UTC' },
        }),
    ).toThrow(
      expect.objectContaining({
        code: 'BAD_ROUTE',
        message: expect.stringContaining('notifications.position.channels'),
      }),
    );
  });
});
