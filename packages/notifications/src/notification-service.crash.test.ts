import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBus, SimulatedClock } from '@quant/core';
import { EventStore } from '@quant/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotificationService } from './notification-service.js';
import { emailToPeer, type SmtpPeer, startSmtpPeer } from './test-support/smtp-peer.js';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
/** The child: a script on the built package (`turbo run test` builds it first). */
const CHILD = fileURLToPath(new URL('test-support/notify-child.mjs', import.meta.url));

/**
 * Starts the child and resolves with the outbox id it printed once it has written the notification and the server
 * holds the send's DATA; then kills it with SIGKILL and waits for its exit.
 */
async function writeThenKill(url: string, peer: SmtpPeer): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, url, String(peer.port)], {
    cwd: PACKAGE,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const written = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const id = /written (\S+)\n/.exec(stdout)?.[1];
      if (id !== undefined) resolve(id);
    });
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before writing: ${stderr}`)));
  });
  const [id] = await Promise.all([written, peer.dataStarted()]);
  child.kill('SIGKILL');
  await exited;
  return id;
}

describe('NotificationService across a crash', () => {
  let dir: string;
  let peer: SmtpPeer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quant-notify-crash-'));
    peer = await startSmtpPeer();
  });
  afterEach(async () => {
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resends a notification whose send was not confirmed when the bot was killed, exactly once', async () => {
    const url = join(dir, 'quant.db');
    peer.hold(true);
    const id = await writeThenKill(url, peer);
    expect(peer.messages).toHaveLength(0);
    peer.hold(false);

    const store = await EventStore.open(url);
    try {
      expect(await store.outbox.list()).toMatchObject([{ id, status: 'pending', attempts: 0 }]);
      const restart = () => {
        const clock = new SimulatedClock(Date.now());
        const service = new NotificationService({
          bus: new EventBus({ clock }),
          clock,
          outbox: store.outbox,
          channels: [emailToPeer(peer, ['ops@example.com'], 10_000)],
          routes: { alert: { channels: ['email'], minSeverity: 'info' } },
          botId: 'btc-bot',
          format: { timeZone: 'UTC' },
        });
        service.start();
        return service;
      };
      const first = restart();
      await vi.waitFor(() => expect(first.status().sent).toBe(1), { timeout: 5000, interval: 10 });
      await first.stop();
      // A second restart finds it sent: nothing goes out again.
      const second = restart();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await second.stop();
      expect(second.status().sent).toBe(0);
      expect(peer.messages).toHaveLength(1);
      const [{ mail }] = peer.messages as [(typeof peer.messages)[number]];
      expect(mail.subject).toBe('[btc-bot] Service failed: market_data (restarting)');
      expect(mail.messageId).toBe(`<${id}@example.com>`);
      expect(await store.outbox.list()).toMatchObject([{ id, status: 'sent', attempts: 0 }]);
    } finally {
      await store.close();
    }
  });
});
