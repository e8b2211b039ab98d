import type { Kysely, Migration } from 'kysely';

/**
 * The store's migrations, in code (no files read at run time, so the package can be bundled): forward only,
 * applied in the order of their names (`0001_…`, `0002_…`). Never edit one that was released; add the next.
 * @internal
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration runs against the schema of its own time, not today's.
type AnyDb = Kysely<any>;

/** @internal */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_event_log': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('events')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('schema_version', 'integer', (c) => c.notNull())
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('correlation_id', 'text', (c) => c.notNull())
        .addColumn('causation_id', 'text')
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text')
        .addColumn('strategy', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      for (const [name, columns] of [
        ['events_type_seq', ['type', 'seq']],
        ['events_stream_seq', ['stream', 'seq']],
        ['events_timestamp', ['timestamp']],
        ['events_correlation_id', ['correlation_id']],
        ['events_severity_seq', ['severity', 'seq']],
        ['events_symbol_seq', ['symbol', 'seq']],
      ] as const) {
        await db.schema
          .createIndex(name)
          .on('events')
          .columns([...columns])
          .execute();
      }
      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('counters').values({ name: 'global', value: 0 }).execute();
    },
  },
  '0002_projections': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('orders')
        .addColumn('client_order_id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text')
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('intent', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('time_in_force', 'text', (c) => c.notNull())
        .addColumn('quantity', 'double precision', (c) => c.notNull())
        .addColumn('filled_quantity', 'double precision', (c) => c.notNull())
        .addColumn('average_price', 'double precision')
        .addColumn('limit_price', 'double precision')
        .addColumn('trigger_price', 'double precision')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('strategy_name', 'text')
        .addColumn('last_seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('fills')
        .addColumn('fill_id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('client_order_id', 'text', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('quantity', 'double precision', (c) => c.notNull())
        .addColumn('price', 'double precision', (c) => c.notNull())
        .addColumn('fee', 'double precision', (c) => c.notNull())
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('fills_client_order_id').on('fills').column('client_order_id').execute();
      await db.schema
        .createTable('positions')
        .addColumn('position_id', 'text', (c) => c.primaryKey())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('quantity', 'double precision', (c) => c.notNull())
        .addColumn('entry_price', 'double precision', (c) => c.notNull())
        .addColumn('opened_at', 'bigint', (c) => c.notNull())
        .addColumn('closed_at', 'bigint')
        .addColumn('realized_pnl', 'double precision', (c) => c.notNull())
        .addColumn('closed_pnl', 'double precision', (c) => c.notNull())
        .addColumn('mark_price', 'double precision', (c) => c.notNull())
        .addColumn('unrealized_pnl', 'double precision', (c) => c.notNull())
        .addColumn('fees', 'double precision', (c) => c.notNull())
        .addColumn('strategy_name', 'text')
        .addColumn('last_seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('runs')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('bot_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('last_heartbeat_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('end_reason', 'text')
        .execute();
      await db.schema
        .createTable('recovery_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0003_events_strategy_index': {
    async up(db: AnyDb) {
      // A filter by strategy otherwise scans the log: only trading events name a strategy, so the index is partial.
      await db.schema
        .createIndex('events_strategy_seq')
        .on('events')
        .columns(['strategy', 'seq'])
        .where('strategy', 'is not', null)
        .execute();
    },
  },
  '0004_events_symbol_type_index': {
    async up(db: AnyDb) {
      // A filter by symbol and type (the API's `?symbol=BTCUSDT&type=RiskLimitBreached`) otherwise walks the
      // symbol's whole history for a rare type: 0.3 s on a million events, on the bot's own event loop.
      await db.schema
        .createIndex('events_symbol_type_seq')
        .on('events')
        .columns(['symbol', 'type', 'seq'])
        .where('symbol', 'is not', null)
        .execute();
    },
  },
  '0005_notification_outbox': {
    async up(db: AnyDb) {
      // The outbox of @quant/notifications: a message is stored before it is sent, one row per channel.
      await db.schema
        .createTable('notification_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('recipients', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('html', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('coalesce_key', 'text')
        .addColumn('coalesced', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('notification_outbox_due')
        .on('notification_outbox')
        .columns(['status', 'channel', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('notification_outbox_coalesce')
        .on('notification_outbox')
        .columns(['coalesce_key', 'channel', 'created_at'])
        .where('coalesce_key', 'is not', null)
        .execute();
    },
  },
};
