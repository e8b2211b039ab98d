import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation } from './database.js';
import type { Severity } from './envelope.js';
import { writeFailed } from './store-error.js';
import type { NotificationOutboxTable, StoreSchema } from './store-schema.js';

/**
 * Where an outbox message stands: `pending` (not confirmed sent: due at `nextAttemptAt`, after a crash too),
 * `sent` (the channel confirmed it), `dead` (every attempt failed: the dead letter an operator reads in the API).
 */
export type OutboxStatus = 'pending' | 'sent' | 'dead';

/** A message for one channel, as it is written to the outbox before it is sent. Times are ms since epoch, UTC. */
export interface OutboxMessage {
  /**
   * Deterministic, `<notificationId>:<channel>`, so that writing the same notification twice (a replay, a restart)
   * stores it once.
   */
  readonly id: string;
  /** The notification it delivers (one per event or job run, shared by its channels). */
  readonly notificationId: string;
  /** The channel's name, e.g. `email` or `webhook`. */
  readonly channel: string;
  /** What it is about: `fill`, `position_opened`, `alert`, `daily_summary`, … */
  readonly kind: string;
  readonly severity: Severity;
  /** The addresses of an email; empty for a webhook. */
  readonly recipients: readonly string[];
  readonly subject: string;
  /** The plain-text body. */
  readonly text: string;
  /** The HTML body (every value escaped). */
  readonly html: string;
  /** The notification's fields as JSON values: the body of a webhook. */
  readonly data: Readonly<Record<string, unknown>>;
  /**
   * Alerts with the same key and channel within the coalescing window are one message: a later one only counts
   * in `coalesced`. `null`: never coalesced.
   */
  readonly coalesceKey: string | null;
  readonly createdAt: number;
}

/** A message in the outbox with its delivery state. */
export interface OutboxEntry extends OutboxMessage {
  readonly status: OutboxStatus;
  /** Attempts that failed (an attempt cut short by a crash is not counted: it is simply made again). */
  readonly attempts: number;
  /** Alerts of the same key suppressed into this one. */
  readonly coalesced: number;
  /** When the next attempt is due (pending). */
  readonly nextAttemptAt: number;
  /** When the channel confirmed it, or `null`. */
  readonly sentAt: number | null;
  /** The last attempt's error, or `null`. */
  readonly lastError: string | null;
}

/** What {@link NotificationOutbox.enqueue} did with a message. */
export type EnqueueResult = 'queued' | 'duplicate' | 'coalesced';

/** The outbox's counts by status. */
export type OutboxCounts = Readonly<Record<OutboxStatus, number>>;

/**
 * The notification outbox of the event store: `@quant/notifications` writes each message here before it sends it,
 * and marks it sent (or failed, then dead) after, so that a crash between the two resends it at the next start.
 * One owner: the notification service of the running bot; the operations API only reads it. Get it from
 * {@link EventStore.outbox}.
 */
export class NotificationOutbox {
  readonly #db: () => Kysely<StoreSchema>;

  /** @internal */
  constructor(db: () => Kysely<StoreSchema>) {
    this.#db = db;
  }

  /**
   * Writes a message, unless one of its id is stored (`duplicate`), or unless it has a coalescing key and a
   * message of that key for the same channel was written less than `coalesceWindowMs` before it: then that one's
   * `coalesced` count grows instead (`coalesced`).
   * @param message - the message.
   * @param coalesceWindowMs - the coalescing window, ms (0: never coalesce).
   * @throws {@link StoreError} `STORE_WRITE_FAILED` (nothing written), `STORE_CLOSED`.
   */
  async enqueue(message: OutboxMessage, coalesceWindowMs: number): Promise<EnqueueResult> {
    const db = this.#db();
    return await written(`outbox message ${message.id}`, () => this.#enqueue(db, message, coalesceWindowMs));
  }

  async #enqueue(db: Kysely<StoreSchema>, message: OutboxMessage, coalesceWindowMs: number): Promise<EnqueueResult> {
    return await db.transaction().execute(async (trx) => {
      if (message.coalesceKey !== null && coalesceWindowMs > 0) {
        const recent = await trx
          .selectFrom('notification_outbox')
          .select('id')
          .where('coalesce_key', '=', message.coalesceKey)
          .where('channel', '=', message.channel)
          .where('created_at', '>', message.createdAt - coalesceWindowMs)
          .where('id', '!=', message.id)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (recent !== undefined) {
          const stored = await trx
            .selectFrom('notification_outbox')
            .select('id')
            .where('id', '=', message.id)
            .executeTakeFirst();
          if (stored !== undefined) return 'duplicate';
          await trx
            .updateTable('notification_outbox')
            .set((eb) => ({ coalesced: eb('coalesced', '+', 1) }))
            .where('id', '=', recent.id)
            .execute();
          return 'coalesced';
        }
      }
      try {
        const inserted = await trx
          .insertInto('notification_outbox')
          .values(toRow(message))
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0 ? 'duplicate' : 'queued';
      } catch (error) {
        if (isUniqueViolation(error)) return 'duplicate';
        throw error;
      }
    });
  }

  /**
   * The pending messages of a channel due by `nowMs`, oldest first.
   * @param channel - the channel's name.
   * @param nowMs - the time, ms since epoch UTC.
   * @param limit - the most to return.
   * @throws {@link StoreError} `STORE_CLOSED`.
   */
  async due(channel: string, nowMs: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.#db()
      .selectFrom('notification_outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('channel', '=', channel)
      .where('next_attempt_at', '<=', nowMs)
      .orderBy('next_attempt_at')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  /** When the next pending message of a channel is due, ms since epoch UTC, or `null` when none is pending. */
  async nextDueAt(channel: string): Promise<number | null> {
    const row = await this.#db()
      .selectFrom('notification_outbox')
      .select((eb) => eb.fn.min<number>('next_attempt_at').as('next'))
      .where('status', '=', 'pending')
      .where('channel', '=', channel)
      .executeTakeFirst();
    return row?.next == null ? null : Number(row.next);
  }

  /**
   * Records that the channel confirmed a message.
   * @param id - the message.
   * @param atMs - when, ms since epoch UTC.
   * @throws {@link StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED`.
   */
  async markSent(id: string, atMs: number): Promise<void> {
    const db = this.#db();
    await written(`outbox message ${id}`, () =>
      db
        .updateTable('notification_outbox')
        .set({ status: 'sent', sent_at: atMs, next_attempt_at: atMs })
        .where('id', '=', id)
        .execute(),
    );
  }

  /**
   * Records a failed attempt: the message is due again at `retryAt`, or dead when `retryAt` is `null`.
   * @param id - the message.
   * @param error - what the channel answered.
   * @param retryAt - when to try again, ms since epoch UTC, or `null`: no more attempts.
   * @throws {@link StoreError} `STORE_WRITE_FAILED`, `STORE_CLOSED`.
   */
  async markFailed(id: string, error: string, retryAt: number | null): Promise<void> {
    const db = this.#db();
    await written(`outbox message ${id}`, () =>
      db
        .updateTable('notification_outbox')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: error,
          ...(retryAt === null ? { status: 'dead' } : { next_attempt_at: retryAt }),
        }))
        .where('id', '=', id)
        .execute(),
    );
  }

  /**
   * The messages of a status (every status when not given), newest first.
   * @param filter - `status`, `channel`.
   * @param limit - the most to return, 1 to 1 000 (100 by default).
   */
  async list(
    filter: { readonly status?: OutboxStatus; readonly channel?: string } = {},
    limit = 100,
  ): Promise<OutboxEntry[]> {
    let query = this.#db().selectFrom('notification_outbox').selectAll();
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.max(1, Math.min(1000, Math.floor(limit))))
      .execute();
    return rows.map(toEntry);
  }

  /** How many messages are pending, sent and dead. */
  async counts(): Promise<OutboxCounts> {
    const rows = await this.#db()
      .selectFrom('notification_outbox')
      .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
    const counts = { pending: 0, sent: 0, dead: 0 };
    for (const row of rows) counts[row.status as OutboxStatus] = Number(row.count);
    return counts;
  }
}

/** Runs a write, reporting a failure as `STORE_WRITE_FAILED`. */
async function written<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw writeFailed(error, what);
  }
}

function toRow(message: OutboxMessage): NotificationOutboxTable {
  return {
    id: message.id,
    notification_id: message.notificationId,
    channel: message.channel,
    kind: message.kind,
    severity: message.severity,
    recipients: JSON.stringify(message.recipients),
    subject: message.subject,
    text: message.text,
    html: message.html,
    data: JSON.stringify(message.data),
    coalesce_key: message.coalesceKey,
    coalesced: 0,
    status: 'pending',
    attempts: 0,
    created_at: message.createdAt,
    next_attempt_at: message.createdAt,
    sent_at: null,
    last_error: null,
  };
}

function toEntry(row: Selectable<NotificationOutboxTable>): OutboxEntry {
  return {
    id: row.id,
    notificationId: row.notification_id,
    channel: row.channel,
    kind: row.kind,
    severity: row.severity as Severity,
    recipients: JSON.parse(row.recipients),
    subject: row.subject,
    text: row.text,
    html: row.html,
    data: JSON.parse(row.data),
    coalesceKey: row.coalesce_key,
    createdAt: Number(row.created_at),
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    coalesced: Number(row.coalesced),
    nextAttemptAt: Number(row.next_attempt_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    lastError: row.last_error,
  };
}
