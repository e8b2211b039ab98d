export { EventBus } from './bus/event-bus.js';
export type {
  EventBusMetrics,
  EventBusMode,
  EventBusOptions,
  EventHandler,
  HandlerErrorInfo,
  SubscribeOptions,
  Subscription,
} from './bus/event-bus-types.js';
export { RingBuffer } from './bus/history.js';
export { type Clock, sleepOn, type Timer } from './clock/clock.js';
export { LiveClock } from './clock/live-clock.js';
export { SimulatedClock } from './clock/simulated-clock.js';
export { type QueuedTimer, TimerQueue } from './clock/timer-queue.js';
export {
  type CorrelationScope,
  currentCorrelationId,
  currentScope,
  runInScope,
  withCorrelation,
} from './correlation/correlation.js';
export type { Bar, SeriesKey } from './domain/bar.js';
export type { IndicatorRow, RecentRows, Regime, TrendRegime, VolatilityRegime } from './domain/regime.js';
export { barOpenTime, isTimeframe, TIMEFRAMES, type Timeframe, timeframeToMs } from './domain/timeframe.js';
export {
  type Direction,
  entrySide,
  exitSide,
  type Fill,
  ORDER_STATUSES,
  type Order,
  type OrderIntent,
  type OrderPurpose,
  type OrderStatus,
  type OrderType,
  type Position,
  type Side,
  type TimeInForce,
} from './domain/trading.js';
export {
  EventBusError,
  type EventBusErrorCode,
  EventSerializationError,
  type EventSerializationErrorCode,
  LifecycleError,
  type LifecycleErrorCode,
  LoggingError,
  type LoggingErrorCode,
  OrchestratorError,
  type OrchestratorErrorCode,
} from './errors/core-errors.js';
export { hasMarker, QuantError, type QuantErrorOptions } from './errors/quant-error.js';
export { createEvent, deepFreeze } from './events/create-event.js';
export type { AnyEventOf, BaseEvent, EventMeta, EventOf, EventType } from './events/event.js';
export { createTradingEventRegistry, EventRegistry } from './events/event-registry.js';
export { TRADING_EVENT_SCHEMAS } from './events/trading-event-schemas.js';
export type {
  BalanceTotal,
  ExitPlan,
  ExternalOrder,
  OrderOrigin,
  ReconciliationMismatch,
  SignalFields,
  SignalOutcome,
  Sizing,
  TradingBlockReason,
  TradingEvent,
  TradingEventPayloads,
} from './events/trading-events.js';
export type { FieldValidator } from './events/validators.js';
export * as eventValidators from './events/validators.js';
export { formatJson, formatText, type LogFormat } from './logging/format.js';
export { type GetLoggerOptions, LogManager, type LogManagerOptions } from './logging/log-manager.js';
export { type LogFields, type Logger, type LogLevelName, type LogRecord, silentLogger } from './logging/log-record.js';
export { REDACTED, redact, SECRET_KEY_PATTERN } from './logging/redact.js';
export { FileSink, type LogSink, MemorySink, StreamSink } from './logging/sinks.js';
export { dependencyOrder } from './orchestrator/dependency-order.js';
export type {
  CycleWork,
  LifecycleEventPayloads,
  OrchestratorMetrics,
  OrchestratorOptions,
  OrchestratorSchedule,
  OrchestratorStatus,
  RegisterOptions,
  RestartPolicy,
  RunOptions,
  SystemMetrics,
} from './orchestrator/orchestrator-types.js';
export { TradingOrchestrator } from './orchestrator/trading-orchestrator.js';
export { EventDrivenService, type ServiceDeps } from './service/event-driven-service.js';
export {
  type HealthAssessment,
  type HealthReport,
  type HealthStatus,
  type ManagedService,
  worstStatus,
} from './service/health.js';
export { ACTIVE_STATES, assertTransition, SERVICE_TRANSITIONS, type ServiceState } from './service/service-state.js';
