import type { Insertable, Selectable } from 'kysely';

/**
 * The tables of the store as kysely sees them (column names as in the database). The schema itself is made by
 * the migrations of `migrations.ts`; `docs/STORE.md` describes every column.
 * @internal
 */
export interface StoreSchema {
  events: EventsTable;
  counters: CountersTable;
  orders: OrdersTable;
  fills: FillsTable;
  positions: PositionsTable;
  runs: RunsTable;
  recovery_events: RecoveryEventsTable;
  notification_outbox: NotificationOutboxTable;
}

/** @internal */
export interface EventsTable {
  seq: number;
  id: string;
  type: string;
  stream: string;
  schema_version: number;
  timestamp: number;
  correlation_id: string;
  causation_id: string | null;
  severity: string;
  symbol: string | null;
  strategy: string | null;
  payload: string;
}

/** @internal */
export interface CountersTable {
  name: string;
  value: number;
}

/** @internal */
export interface OrdersTable {
  client_order_id: string;
  order_id: string | null;
  symbol: string;
  side: string;
  direction: string;
  intent: string;
  purpose: string;
  type: string;
  time_in_force: string;
  quantity: number;
  filled_quantity: number;
  average_price: number | null;
  limit_price: number | null;
  trigger_price: number | null;
  status: string;
  reason: string | null;
  created_at: number;
  updated_at: number;
  strategy_name: string | null;
  last_seq: number;
}

/** @internal */
export interface FillsTable {
  fill_id: string;
  order_id: string;
  client_order_id: string;
  symbol: string;
  side: string;
  quantity: number;
  price: number;
  fee: number;
  timestamp: number;
  seq: number;
}

/** @internal */
export interface PositionsTable {
  position_id: string;
  symbol: string;
  direction: string;
  status: string;
  quantity: number;
  entry_price: number;
  opened_at: number;
  closed_at: number | null;
  realized_pnl: number;
  closed_pnl: number;
  mark_price: number;
  unrealized_pnl: number;
  fees: number;
  strategy_name: string | null;
  last_seq: number;
}

/** @internal */
export interface RunsTable {
  run_id: string;
  bot_id: string;
  started_at: number;
  last_heartbeat_at: number;
  ended_at: number | null;
  end_reason: string | null;
}

/** @internal */
export interface RecoveryEventsTable {
  id: string;
  run_id: string;
  timestamp: number;
  kind: string;
  detail: string;
}

/** @internal */
export interface NotificationOutboxTable {
  id: string;
  notification_id: string;
  channel: string;
  kind: string;
  severity: string;
  recipients: string;
  subject: string;
  text: string;
  html: string;
  data: string;
  coalesce_key: string | null;
  coalesced: number;
  status: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  sent_at: number | null;
  last_error: string | null;
}

/** @internal */
export type EventRow = Selectable<EventsTable>;
/** @internal */
export type NewEventRow = Insertable<EventsTable>;
