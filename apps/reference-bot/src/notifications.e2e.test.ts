import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@quant/store';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDT, runCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-notify-'));
const db = join(dir, 'quant.db');
const mails: ParsedMail[] = [];
let server: SMTPServer;
let env: Record<string, string>;
let replay: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  // A real SMTP server on loopback that requires the password the bot gets from the environment only.
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth: (auth, _session, callback) =>
      auth.password === 'from-the-environment' ? callback(null, { user: auth.username }) : callback(new Error('no')),
    onData: (stream, _session, callback) => {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  env = {
    NOTIFICATIONS_EMAIL_SMTP_HOST: '127.0.0.1',
    NOTIFICATIONS_EMAIL_SMTP_PORT: String((server.server.address() as AddressInfo).port),
    NOTIFICATIONS_EMAIL_SMTP_SECURITY: 'none',
    NOTIFICATIONS_EMAIL_SMTP_USER: 'bot',
    NOTIFICATIONS_EMAIL_SMTP_PASSWORD: 'from-the-environment',
    NOTIFICATIONS_EMAIL_FROM: 'quant-bot <bot@example.com>',
    NOTIFICATIONS_EMAIL_TO: 'ops@example.com',
  };
  replay = await runCli(['live', '--replay', BTCUSDT, '--speed', 'max', '--log-level', 'warn', '--db', db], env);
}, 300_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('notifications of quant-bot live', () => {
  it('says where they go, and writes a message per position event and weekday summary to the outbox', async () => {
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(
      `Notifications: email to ops@example.com via 127.0.0.1:${env.NOTIFICATIONS_EMAIL_SMTP_PORT} (none)`,
    );
    const store = await EventStore.open(db);
    try {
      const summary = await store.summary();
      const positions = (summary.byType.PositionOpened ?? 0) + (summary.byType.PositionClosed ?? 0);
      expect(positions).toBeGreaterThan(100);
      const outbox = await store.outbox.list({}, 1000);
      expect(outbox.filter((entry) => entry.kind === 'position')).toHaveLength(positions);
      // The replay's clock is the data's: 16:30 New York fired on every weekday of the data, March 1 to 21, 2023 (the last bar 23:59Z).
      const summaries = outbox.filter((entry) => entry.kind === 'daily_summary').map((entry) => entry.notificationId);
      expect(summaries.sort()).toEqual(
        ['01', '02', '03', '06', '07', '08', '09', '10', '13', '14', '15', '16', '17', '20', '21'].map(
          (day) => `daily_summary:2023-03-${day}`,
        ),
      );
      // Each summary is the store as of its 16:30, every event recorded by then included (the replay groups cycles).
      const march9 = outbox.find((entry) => entry.notificationId === 'daily_summary:2023-03-09');
      const closes: unknown[] = [];
      for await (const close of store.scan({
        types: ['PositionClosed'],
        fromMs: Date.UTC(2023, 2, 9, 5),
        toMs: Date.UTC(2023, 2, 9, 21, 30),
      })) {
        closes.push(close);
      }
      expect(closes.length).toBeGreaterThan(0);
      expect(march9?.text).toContain(`Trades closed: ${closes.length}\n`);
      const counts = await store.outbox.counts();
      expect(counts.dead).toBe(0);
      // What was confirmed went out once; the rest waits in the outbox for the next start.
      expect(mails.length).toBe(counts.sent);
      expect(counts.sent).toBeGreaterThan(0);
      expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(mails.length);
    } finally {
      await store.close();
    }
  });

  it('sends a day on demand with summary --send, and refuses --send without a channel', async () => {
    const before = mails.length;
    const sent = await runCli(['summary', '--date', '2023-03-09', '--db', db, '--send'], env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain('Sent by email to ops@example.com');
    expect(mails.length).toBe(before + 1);
    const mail = mails.at(-1) as ParsedMail;
    expect(mail.subject).toMatch(/^\[quant\] Daily summary 2023-03-09: \d+ trades?, [+-]\d+\.\d{2} USDT$/);
    expect(mail.html).toContain('<th');
    const none = await runCli(['summary', '--date', '2023-03-09', '--db', db, '--send']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--send: no channel to send the daily summary on');
  });
});
