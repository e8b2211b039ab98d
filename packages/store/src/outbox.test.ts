import { afterEach, describe, expect, it } from 'vitest';
import { EventStore } from './event-store.js';
import type { OutboxMessage } from './outbox.js';
import { type TestDatabase, testDialects } from './test-support/databases.js';

const T0 = Date.UTC(2023, 2, 13, 14, 0);

function message(id: string, fields: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: `${id}:email`,
    notificationId: id,
    channel: 'email',
    kind: 'alert',
    severity: 'warning',
    recipients: ['ops@example.com'],
    subject: `Alert ${id}`,
    text: `text of ${id}`,
    html: `<p>html of ${id}</p>`,
    data: { id, value: 1.5 },
    coalesceKey: null,
    createdAt: T0,
    ...fields,
  };
}

describe.each(testDialects())('NotificationOutbox on $dialect', ({ create }) => {
  let database: TestDatabase | undefined;
  let store: EventStore | undefined;
  const open = async () => {
    database ??= await create();
    store = await EventStore.open(database.url);
    return store;
  };
  afterEach(async () => {
    await store?.close();
    await database?.drop();
    database = undefined;
  });

  it('stores a message once, serves it when due, and keeps its fields as written', async () => {
    const { outbox } = await open();
    expect(await outbox.enqueue(message('n1'), 0)).toBe('queued');
    expect(await outbox.enqueue(message('n1'), 0)).toBe('duplicate');
    expect(await outbox.due('email', T0 - 1, 10)).toEqual([]);
    expect(await outbox.due('webhook', T0, 10)).toEqual([]);
    const [entry] = await outbox.due('email', T0, 10);
    expect(entry).toEqual({
      ...message('n1'),
      status: 'pending',
      attempts: 0,
      coalesced: 0,
      nextAttemptAt: T0,
      sentAt: null,
      lastError: null,
    });
    expect(await outbox.nextDueAt('email')).toBe(T0);
    expect(await outbox.nextDueAt('webhook')).toBeNull();
  });

  it('counts failed attempts, delays the next, ends dead, and marks a sent one', async () => {
    const { outbox } = await open();
    await outbox.enqueue(message('a'), 0);
    await outbox.enqueue(message('b'), 0);
    await outbox.markFailed('a:email', 'connection refused', T0 + 5000);
    expect(await outbox.due('email', T0 + 4999, 10)).toMatchObject([{ id: 'b:email' }]);
    expect(await outbox.nextDueAt('email')).toBe(T0);
    await outbox.markSent('b:email', T0 + 10);
    expect(await outbox.nextDueAt('email')).toBe(T0 + 5000);
    await outbox.markFailed('a:email', 'connection refused again', null);
    expect(await outbox.due('email', T0 + 60_000, 10)).toEqual([]);
    expect(await outbox.counts()).toEqual({ pending: 0, sent: 1, dead: 1 });
    expect(await outbox.list({ status: 'dead' })).toMatchObject([
      { id: 'a:email', status: 'dead', attempts: 2, lastError: 'connection refused again' },
    ]);
    expect(await outbox.list({ status: 'sent' })).toMatchObject([{ id: 'b:email', sentAt: T0 + 10 }]);
  });

  it('coalesces an alert of the same key and channel within the window, and not after it', async () => {
    const { outbox } = await open();
    const alert = (id: string, at: number, channel = 'email') =>
      message(id, { id: `${id}:${channel}`, channel, coalesceKey: 'risk:daily_loss_limit', createdAt: at });
    expect(await outbox.enqueue(alert('r1', T0), 60_000)).toBe('queued');
    expect(await outbox.enqueue(alert('r2', T0 + 10_000), 60_000)).toBe('coalesced');
    expect(await outbox.enqueue(alert('r3', T0 + 59_999), 60_000)).toBe('coalesced');
    expect(await outbox.enqueue(alert('r1', T0), 60_000)).toBe('duplicate');
    expect(await outbox.enqueue(alert('r2', T0 + 10_000, 'webhook'), 60_000)).toBe('queued');
    expect(await outbox.enqueue(alert('r4', T0 + 60_000), 60_000)).toBe('queued');
    expect(await outbox.enqueue(alert('r5', T0 + 61_000), 0)).toBe('queued');
    const emails = await outbox.list({ channel: 'email' });
    expect(emails.map(({ id, coalesced }) => [id, coalesced])).toEqual([
      ['r5:email', 0],
      ['r4:email', 0],
      ['r1:email', 2],
    ]);
  });

  it('refuses every call once the store is closed', async () => {
    const opened = await open();
    await opened.close();
    await expect(opened.outbox.enqueue(message('x'), 0)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(opened.outbox.counts()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});
