export {
  type ConnectOptions,
  DEFAULT_STORE_URL,
  parseStoreUrl,
  type SqliteSynchronous,
  type StoreDialect,
  type StoreTarget,
} from './database.js';
export { EVENT_SCHEMA_VERSION, MARKET_DATA_EVENT_TYPES, SEVERITIES, type Severity, severityOf } from './envelope.js';
export { EventStore, type OpenStoreOptions } from './event-store.js';
export {
  type EnqueueResult,
  NotificationOutbox,
  type OutboxCounts,
  type OutboxEntry,
  type OutboxMessage,
  type OutboxStatus,
} from './outbox.js';
export { PROJECTED_EVENT_TYPES } from './projections.js';
export { type RunLiveness, runLiveness } from './run-liveness.js';
export { StoreError, type StoreErrorCode } from './store-error.js';
export { type RecordedEvents, StoreRecorder, type StoreRecorderOptions } from './store-recorder.js';
export type { StoreStats } from './store-stats.js';
export type {
  AppendResult,
  EventFilter,
  EventPage,
  EventSummary,
  ExecutionState,
  PageOptions,
  RecoveryEvent,
  RunEnd,
  RunRecord,
  RunStart,
  StoredEvent,
  StoredFill,
  StoredOrder,
  StoredPosition,
} from './store-types.js';
