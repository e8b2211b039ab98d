import type { Direction, Fill, Order, OrderOrigin, TradingEventPayloads } from '@quant/core';
import type { Severity } from './envelope.js';

/** An event as stored: its envelope and its payload. Times are ms since epoch, UTC. */
export interface StoredEvent {
  /** Global sequence number: 1, 2, 3, … in append order, without gaps (pruned market data leaves holes). */
  readonly seq: number;
  /** The event's id (unique: appending it again is a no-op). */
  readonly id: string;
  /** The event's type, e.g. `OrderFilled`. */
  readonly type: string;
  /** Its stream: `order-<clientOrderId>`, `position-<positionId>`, `run-<runId>` or `system`. */
  readonly stream: string;
  /** Version of the payload layout (see {@link EVENT_SCHEMA_VERSION}). */
  readonly schemaVersion: number;
  /** When the event was created, ms since epoch, UTC. */
  readonly timestamp: number;
  /** The id of the unit of work (e.g. the cycle) the event belongs to. */
  readonly correlationId: string;
  /** The id of the event whose handler published it, or `null`. */
  readonly causationId: string | null;
  /** Derived from the type (see {@link severityOf}). */
  readonly severity: Severity;
  /** The instrument the event is about (its `symbol`, or its order's or position's), or `null`. */
  readonly symbol: string | null;
  /** The strategy the event is about (its `strategyName`, or its order's or position's), or `null`. */
  readonly strategy: string | null;
  /** The event's fields beyond `id`, `type`, `timestamp`, `correlationId` and `causationId`, as JSON gives them back. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Which events a query selects; every given criterion must hold (an empty filter selects every event).
 */
export interface EventFilter {
  /** Only these types. */
  readonly types?: readonly string[];
  /** Only these severities. */
  readonly severities?: readonly Severity[];
  /** Only events about this instrument. */
  readonly symbol?: string;
  /** Only events about this strategy. */
  readonly strategy?: string;
  /** Only events of this unit of work. */
  readonly correlationId?: string;
  /** Only events of this stream. */
  readonly stream?: string;
  /** Only events at or after this time, ms since epoch, UTC. */
  readonly fromMs?: number;
  /** Only events before this time, ms since epoch, UTC. */
  readonly toMs?: number;
}

/** Which page of a query to read. */
export interface PageOptions {
  /** Read events after this sequence number: `0` (the default) for the first page, then the last page's `next`. */
  readonly after?: number;
  /** The most events of a page: 1 to 10 000, 100 by default. */
  readonly limit?: number;
}

/** A page of events, in sequence order. */
export interface EventPage {
  /** The events. */
  readonly events: readonly StoredEvent[];
  /** The cursor of the next page (give it as `after`), or `null` when this page is the last. */
  readonly next: number | null;
}

/** Counts of the events a filter selects. */
export interface EventSummary {
  /** How many events. */
  readonly total: number;
  /** How many of each type. */
  readonly byType: Readonly<Record<string, number>>;
  /** How many of each severity (every severity is present, 0 when none). */
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /** How many in each hour that has events, oldest first; `hourStartMs` is the hour's start, ms since epoch, UTC. */
  readonly byHour: readonly { readonly hourStartMs: number; readonly count: number }[];
}

/** What an append did. */
export interface AppendResult {
  /** How many events were written. */
  readonly appended: number;
  /** How many were already stored (or repeated in the batch) and were skipped. */
  readonly duplicates: number;
  /** Sequence number of the first event written, or `null` when none was. */
  readonly firstSeq: number | null;
  /** Sequence number of the last event written, or `null` when none was. */
  readonly lastSeq: number | null;
}

/** An order as the `orders` projection holds it: its last state, by client order id. */
export interface StoredOrder extends Order {
  /** The reason of the last rejection, cancel or unknown outcome, or `null`. */
  readonly reason: string | null;
  /** Sequence number of the event that last changed it. */
  readonly lastSeq: number;
}

/** A fill as the `fills` projection holds it (unique by venue fill id). */
export interface StoredFill extends Fill {
  /** Sequence number of its `OrderFilled` event. */
  readonly seq: number;
}

/**
 * A position as the `positions` projection holds it, from `PositionOpened` and `PositionClosed`: the position's
 * fields as the last of them reported it, with the quantity still open.
 */
export interface StoredPosition {
  /** The position's id (the key). */
  readonly positionId: string;
  /** The instrument. */
  readonly symbol: string;
  /** `long` or `short`. */
  readonly direction: Direction;
  /** `open` while some quantity is open, `closed` after the close of the rest. */
  readonly status: 'open' | 'closed';
  /** Quantity still open, base units (0 once closed). */
  readonly quantity: number;
  /** Average entry price, quote currency. */
  readonly entryPrice: number;
  /** When it was opened, ms since epoch, UTC. */
  readonly openedAt: number;
  /** When it was closed in full, ms since epoch, UTC, or `null` while open. */
  readonly closedAt: number | null;
  /** The position's realized P&L before fees as last reported, quote currency. */
  readonly realizedPnl: number;
  /** Sum of the `realizedPnl` of its `PositionClosed` events (after fees), quote currency. */
  readonly closedPnl: number;
  /** The last mark price reported, quote currency. */
  readonly markPrice: number;
  /** The unrealized P&L last reported, quote currency. */
  readonly unrealizedPnl: number;
  /** The fees last reported, quote currency. */
  readonly fees: number;
  /** The strategy that opened it, or `null`. */
  readonly strategyName: string | null;
  /** Sequence number of the event that last changed it. */
  readonly lastSeq: number;
}

/** How a run ended: `clean` (stopped as asked) or `crashed` (found unfinished, or stopped by a fault). */
export type RunEnd = 'clean' | 'crashed';

/** A run of a bot, as the `runs` table holds it. Times are ms since epoch, UTC. */
export interface RunRecord {
  /** The run's id. */
  readonly runId: string;
  /** The bot's id. */
  readonly botId: string;
  /** When it started. */
  readonly startedAt: number;
  /** Its last heartbeat (its start until the first). */
  readonly lastHeartbeatAt: number;
  /** When it ended, or `null` while running (or if it died without a word). */
  readonly endedAt: number | null;
  /** How it ended, or `null` while running. */
  readonly endReason: RunEnd | null;
}

/**
 * An entry of the recovery log (the seeds' `RecoveryEvent`): what was found or done when a bot restarted after a
 * crash. The store writes `run_crashed` itself ({@link EventStore.startRun}); crash recovery adds its own kinds.
 */
export interface RecoveryEvent {
  /** A deterministic id (the same finding recorded twice is stored once), e.g. `run_crashed:<runId>`. */
  readonly id: string;
  /** The run that found it or did it. */
  readonly runId: string;
  /** When, ms since epoch, UTC. */
  readonly timestamp: number;
  /** What kind of finding or action, e.g. `run_crashed`. */
  readonly kind: string;
  /** The details, as JSON-compatible data. */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** What {@link EventStore.startRun} found: the bot's previous run, and the runs it closed as crashed. */
export interface RunStart {
  /**
   * The bot's most recent run before this one, as it ended (`clean`, or `crashed`: ended by the bot after a failed
   * append, or found open and closed now); `null` for the bot's first run.
   */
  readonly previous: RunRecord | null;
  /**
   * The runs of this bot that had not ended (the process died without a word), now ended as `crashed` at their
   * last heartbeat, oldest first.
   */
  readonly crashed: readonly RunRecord[];
}

/**
 * What the store holds of a bot's trading, for its restart ({@link EventStore.executionState}); with how the
 * previous run ended, it is the `ExecutionRecord` an `ExecutionJournal` of `@quant/services` loads.
 */
export interface ExecutionState {
  /** The first `CapitalSet` (capital, the venue's balances then) and when it was recorded (ms UTC), or `null`. */
  readonly capital: (TradingEventPayloads['CapitalSet'] & { readonly at: number }) | null;
  /** Every order, in the order first recorded, as last recorded, with its `OrderSubmitted` origin (or `null`). */
  readonly orders: readonly { readonly order: Order; readonly origin: OrderOrigin | null }[];
  /** Every fill, in sequence order. */
  readonly fills: readonly Fill[];
  /** The external fills every `ReconciliationCompleted` reported, in sequence order. */
  readonly externalFills: readonly Fill[];
  /** When the last `ReconciliationCompleted` was recorded (ms UTC), or `null`. */
  readonly reconciledAt: number | null;
}
