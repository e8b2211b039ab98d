/**
 * The child process of the crash test (`notification-service.crash.test.ts`): with the built packages (`dist/`,
 * which turbo builds before the tests), opens the SQLite store at `argv[2]`, starts a notification service whose
 * email channel points at the SMTP server on 127.0.0.1:`argv[3]`, and publishes one `ServiceFailed`. It prints
 * `written <outbox id>` once the notification is in the outbox; the parent then kills it with SIGKILL while the
 * send is in progress (the test's server holds the message's DATA without answering).
 *
 * Run with `node notify-child.mjs <store.db> <smtp port>` after `npm run build`.
 */
import { EventBus, LiveClock } from '@quant/core';
import { EventStore } from '@quant/store';
import { EmailChannel, NotificationService } from '../../dist/index.js';

const [url, port] = process.argv.slice(2);
if (url === undefined || port === undefined) throw new Error('usage: notify-child.mjs <store.db> <smtp port>');
const store = await EventStore.open(url);
const clock = new LiveClock();
const bus = new EventBus({ clock });
const service = new NotificationService({
  bus,
  clock,
  outbox: store.outbox,
  channels: [
    new EmailChannel({
      host: '127.0.0.1',
      port: Number(port),
      security: 'none',
      user: 'bot@example.com',
      password: 'smtp-secret-from-env',
      from: 'quant-bot <bot@example.com>',
      to: ['ops@example.com'],
      timeoutMs: 60_000,
    }),
  ],
  routes: { alert: { channels: ['email'], minSeverity: 'info' } },
  botId: 'btc-bot',
  format: { timeZone: 'UTC' },
});
service.start();
const event = bus.emit('ServiceFailed', { service: 'market_data', error: 'feed lost', restarts: 0, willRestart: true });
await service.flush();
process.stdout.write(`written alert:${event.id}:email\n`);
