import type { BaseEvent } from '@quant/core';
import type { NewEventRow } from './store-schema.js';

/** How serious an event is, derived from its type (see {@link severityOf}). */
export type Severity = 'info' | 'warning' | 'error' | 'critical';

/** The severities, least serious first. */
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error', 'critical'];

/**
 * The version of the payload layout of the events this store writes, kept in each envelope as
 * `schema_version`. It grows when an event's fields change in a way a reader must know about.
 */
export const EVENT_SCHEMA_VERSION = 1;

/**
 * The market-data events: the only ones {@link EventStore.pruneMarketData} deletes. Every other event (orders,
 * fills, positions, signals, risk, services) is a trading event and is kept for good.
 */
export const MARKET_DATA_EVENT_TYPES: readonly string[] = [
  'DataFetched',
  'HistoryLoaded',
  'NewCandle',
  'IndicatorsCalculated',
];

const SEVERITY_BY_TYPE: Readonly<Record<string, Severity>> = {
  DataFetchFailed: 'warning',
  OrderRejected: 'warning',
  OrderStatusUnknown: 'warning',
  TradingBlocked: 'warning',
  RiskLimitBreached: 'warning',
  ServiceFailed: 'error',
};

/**
 * The severity of an event, from its type: `warning` for `DataFetchFailed`, `OrderRejected`,
 * `OrderStatusUnknown`, `TradingBlocked` and `RiskLimitBreached`; `error` for `ServiceFailed`, and `critical`
 * for a `ServiceFailed` with `willRestart: false` (the service stays failed until an operator acts); for a
 * `ReconciliationCompleted`, `critical` when it halted trading and `warning` when it adopted the venue's state;
 * `info` for every other type, events of your own included.
 * @param event - any event.
 */
export function severityOf(event: BaseEvent): Severity {
  if (event.type === 'ServiceFailed' && (event as { willRestart?: unknown }).willRestart === false) return 'critical';
  if (event.type === 'ReconciliationCompleted') {
    const { action } = event as { action?: unknown };
    if (action === 'halt') return 'critical';
    if (action === 'adopt') return 'warning';
  }
  return SEVERITY_BY_TYPE[event.type] ?? 'info';
}

const META_KEYS = new Set(['id', 'type', 'timestamp', 'correlationId', 'causationId']);

interface Fields {
  readonly symbol?: unknown;
  readonly strategyName?: unknown;
  readonly order?: { readonly clientOrderId?: unknown; readonly symbol?: unknown; readonly strategyName?: unknown };
  readonly position?: { readonly positionId?: unknown; readonly symbol?: unknown; readonly strategyName?: unknown };
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The stream of an event: `order-<clientOrderId>` for an event carrying an order, `position-<positionId>` for one
 * carrying a position, else `run-<runId>` during a run, else `system`.
 * @internal
 */
export function streamOf(event: BaseEvent, runId: string | null): string {
  const fields = event as BaseEvent & Fields;
  const clientOrderId = text(fields.order?.clientOrderId);
  if (clientOrderId !== null) return `order-${clientOrderId}`;
  const positionId = text(fields.position?.positionId);
  if (positionId !== null) return `position-${positionId}`;
  return runId === null ? 'system' : `run-${runId}`;
}

/**
 * The row of an event, without its sequence number (given at append).
 * @internal
 */
export function envelopeOf(event: BaseEvent, runId: string | null): Omit<NewEventRow, 'seq'> {
  const fields = event as BaseEvent & Fields;
  const payload: Record<string, unknown> = {};
  const fieldsOf = event as unknown as Record<string, unknown>;
  for (const key in fieldsOf) if (!META_KEYS.has(key)) payload[key] = fieldsOf[key];
  return {
    id: event.id,
    type: event.type,
    stream: streamOf(event, runId),
    schema_version: EVENT_SCHEMA_VERSION,
    timestamp: event.timestamp,
    correlation_id: event.correlationId,
    causation_id: event.causationId,
    severity: severityOf(event),
    symbol: text(fields.symbol) ?? text(fields.order?.symbol) ?? text(fields.position?.symbol),
    strategy: text(fields.strategyName) ?? text(fields.order?.strategyName) ?? text(fields.position?.strategyName),
    payload: JSON.stringify(payload),
  };
}
