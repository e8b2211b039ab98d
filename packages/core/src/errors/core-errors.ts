import { hasMarker, QuantError, type QuantErrorOptions } from './quant-error.js';

const BUS_MARKER = '@quant/core.EventBusError';
const busMarker = Symbol.for(BUS_MARKER);
const LIFECYCLE_MARKER = '@quant/core.LifecycleError';
const lifecycleMarker = Symbol.for(LIFECYCLE_MARKER);
const ORCHESTRATOR_MARKER = '@quant/core.OrchestratorError';
const orchestratorMarker = Symbol.for(ORCHESTRATOR_MARKER);
const SERIALIZATION_MARKER = '@quant/core.EventSerializationError';
const serializationMarker = Symbol.for(SERIALIZATION_MARKER);
const LOGGING_MARKER = '@quant/core.LoggingError';
const loggingMarker = Symbol.for(LOGGING_MARKER);

/** Codes of {@link LoggingError}. */
export type LoggingErrorCode = 'LOG_FILE_UNWRITABLE';

/**
 * Thrown by {@link FileSink} (and so by a {@link LogManager} given a
 * `logFile`): `LOG_FILE_UNWRITABLE` when the log file cannot be opened for
 * appending (a directory, a FIFO, no permission, a read-only or virtual file
 * system such as `/proc`, a parent that is a file) or a write to it failed;
 * the message names the path and why. It is bad input: the operator fixes
 * `logging.log_file`.
 */
export class LoggingError extends QuantError<LoggingErrorCode> {
  readonly [loggingMarker] = true;

  /** {@inheritDoc QuantError.isInstance} */
  static override isInstance(value: unknown): value is LoggingError {
    return hasMarker(value, LOGGING_MARKER);
  }
}

/** Codes of {@link EventBusError}. */
export type EventBusErrorCode = 'EVENT_QUEUE_FULL';

/**
 * Thrown by the {@link EventBus}: `EVENT_QUEUE_FULL` when an asynchronous bus's
 * queue holds `maxQueueSize` events and another is published (the event is not
 * queued, and nothing is dropped silently).
 */
export class EventBusError extends QuantError<EventBusErrorCode> {
  readonly [busMarker] = true;

  /** {@inheritDoc QuantError.isInstance} */
  static override isInstance(value: unknown): value is EventBusError {
    return hasMarker(value, BUS_MARKER);
  }
}

/** Codes of {@link LifecycleError}. */
export type LifecycleErrorCode = 'ILLEGAL_TRANSITION' | 'SERVICE_NOT_ACTIVE';

/**
 * Thrown by a service's lifecycle: `ILLEGAL_TRANSITION` when it is asked to
 * move between states that the transition table does not allow (see
 * {@link SERVICE_TRANSITIONS}); `SERVICE_NOT_ACTIVE` when it subscribes
 * outside `starting`, `running` or `degraded`.
 */
export class LifecycleError extends QuantError<LifecycleErrorCode> {
  readonly [lifecycleMarker] = true;

  /** {@inheritDoc QuantError.isInstance} */
  static override isInstance(value: unknown): value is LifecycleError {
    return hasMarker(value, LIFECYCLE_MARKER);
  }
}

/** Codes of {@link OrchestratorError}. */
export type OrchestratorErrorCode =
  | 'DUPLICATE_SERVICE'
  | 'UNKNOWN_SERVICE'
  | 'UNKNOWN_DEPENDENCY'
  | 'DEPENDENCY_CYCLE'
  | 'SERVICE_START_FAILED'
  | 'SERVICE_START_TIMEOUT'
  | 'SERVICE_STOP_TIMEOUT'
  | 'SERVICE_STOP_FAILED'
  | 'ORCHESTRATOR_STATE';

/**
 * Thrown by the {@link TradingOrchestrator}: registration problems
 * (`DUPLICATE_SERVICE`, `UNKNOWN_DEPENDENCY`, `DEPENDENCY_CYCLE`), a service that
 * failed to start (`SERVICE_START_FAILED`, with the service's error as `cause`,
 * which is `SERVICE_START_TIMEOUT` for a start that ran past its timeout),
 * a stop that ran past its timeout (`SERVICE_STOP_TIMEOUT`) or threw
 * (`SERVICE_STOP_FAILED`), an unknown service
 * name (`UNKNOWN_SERVICE`), or a call that the orchestrator's status forbids
 * (`ORCHESTRATOR_STATE`).
 */
export class OrchestratorError extends QuantError<OrchestratorErrorCode> {
  readonly [orchestratorMarker] = true;

  /** The services the error is about, e.g. the members of a dependency cycle. */
  readonly services: readonly string[];

  /**
   * @param code - the stable error code.
   * @param message - what went wrong, naming the services.
   * @param services - the services concerned.
   * @param options - `cause`: the underlying error.
   */
  constructor(
    code: OrchestratorErrorCode,
    message: string,
    services: readonly string[],
    options: QuantErrorOptions = {},
  ) {
    super(code, message, options);
    this.services = services;
  }

  /** {@inheritDoc QuantError.isInstance} */
  static override isInstance(value: unknown): value is OrchestratorError {
    return hasMarker(value, ORCHESTRATOR_MARKER);
  }
}

/** Codes of {@link EventSerializationError}. */
export type EventSerializationErrorCode = 'INVALID_EVENT_JSON' | 'UNKNOWN_EVENT_TYPE';

/**
 * Thrown by {@link EventRegistry.fromJSON} when a JSON text is not an event:
 * `INVALID_EVENT_JSON` (malformed JSON, or a field missing or of the wrong type;
 * `path` names the field, e.g. `bar.close`), or `UNKNOWN_EVENT_TYPE` (no
 * registered event has that `type`).
 */
export class EventSerializationError extends QuantError<EventSerializationErrorCode> {
  readonly [serializationMarker] = true;

  /** Dotted path of the offending field, `''` for the whole document. */
  readonly path: string;

  /**
   * @param code - the stable error code.
   * @param message - what was expected.
   * @param path - dotted path of the offending field.
   * @param options - `cause`: the underlying error.
   */
  constructor(code: EventSerializationErrorCode, message: string, path: string, options: QuantErrorOptions = {}) {
    super(code, message, options);
    this.path = path;
  }

  /** {@inheritDoc QuantError.isInstance} */
  static override isInstance(value: unknown): value is EventSerializationError {
    return hasMarker(value, SERIALIZATION_MARKER);
  }
}
