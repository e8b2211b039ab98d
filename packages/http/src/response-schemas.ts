import { ORDER_STATUSES } from '@quant/core';
import { SEVERITIES } from '@quant/store';
import * as v from 'valibot';

/**
 * The bodies the API answers with, as valibot schemas: the OpenAPI document's `components.schemas` are generated
 * from them, and the tests check the real responses against that document. Objects are loose where the API passes
 * through a record of the store or the bot (an event's payload, a health report's details): the fields listed are
 * always there, others may follow. Times in ms since epoch UTC, amounts in the quote currency.
 * @internal
 */
const ms = v.pipe(v.number(), v.description('ms since epoch, UTC'));
const nullable = <S extends v.GenericSchema>(schema: S) => v.nullable(schema);
const status = v.picklist(['ok', 'unhealthy', 'unknown']);

const storedEvent = v.object({
  seq: v.pipe(v.number(), v.description('sequence number in the log (the paging cursor)')),
  id: v.string(),
  type: v.string(),
  stream: v.string(),
  schemaVersion: v.number(),
  timestamp: ms,
  correlationId: v.string(),
  causationId: nullable(v.string()),
  severity: v.picklist(SEVERITIES),
  symbol: nullable(v.string()),
  strategy: nullable(v.string()),
  payload: v.record(v.string(), v.unknown()),
});

const storedOrder = v.looseObject({
  clientOrderId: v.string(),
  orderId: nullable(v.string()),
  symbol: v.string(),
  side: v.picklist(['buy', 'sell']),
  type: v.string(),
  quantity: v.number(),
  filledQuantity: v.number(),
  averagePrice: nullable(v.number()),
  status: v.picklist(ORDER_STATUSES),
  reason: nullable(v.string()),
  createdAt: ms,
  updatedAt: ms,
  strategyName: nullable(v.string()),
  lastSeq: v.number(),
});

const storedPosition = v.object({
  positionId: v.string(),
  symbol: v.string(),
  direction: v.picklist(['long', 'short']),
  status: v.picklist(['open', 'closed']),
  quantity: v.number(),
  entryPrice: v.number(),
  openedAt: ms,
  closedAt: nullable(ms),
  realizedPnl: v.number(),
  closedPnl: v.number(),
  markPrice: v.number(),
  unrealizedPnl: v.number(),
  fees: v.number(),
  strategyName: nullable(v.string()),
  lastSeq: v.number(),
});

const trade = v.object({
  seq: v.number(),
  positionId: v.string(),
  symbol: v.string(),
  direction: v.picklist(['long', 'short']),
  strategyName: nullable(v.string()),
  quantity: v.number(),
  entryPrice: v.number(),
  exitPrice: v.number(),
  realizedPnl: v.pipe(v.number(), v.description('after fees')),
  fees: v.number(),
  reason: v.string(),
  openedAt: ms,
  closedAt: ms,
});

const recoveryEvent = v.object({
  id: v.string(),
  runId: v.string(),
  timestamp: ms,
  kind: v.string(),
  detail: v.record(v.string(), v.unknown()),
});

const runReport = v.object({
  runId: v.string(),
  botId: v.string(),
  startedAt: ms,
  lastHeartbeatAt: ms,
  endedAt: nullable(ms),
  endReason: nullable(v.picklist(['clean', 'crashed'])),
  liveness: v.object({ state: v.picklist(['running', 'stale', 'ended']), heartbeatAgeMs: v.number() }),
  recovery: v.array(recoveryEvent),
  recoverySummary: nullable(v.record(v.string(), v.unknown())),
});

/** A component's check: its status, then its details (see docs/API.md). */
const check = v.looseObject({ status });

/** The schemas of the bodies, by the name they have in the OpenAPI document. @internal */
export const RESPONSE_SCHEMAS = {
  StoredEvent: storedEvent,
  EventPage: v.object({ events: v.array(storedEvent), next: nullable(v.number()) }),
  EventSummary: v.object({
    total: v.number(),
    byType: v.record(v.string(), v.number()),
    bySeverity: v.record(v.picklist(SEVERITIES), v.number()),
    byHour: v.array(v.object({ hourStartMs: ms, count: v.number() })),
  }),
  Orders: v.object({ orders: v.array(storedOrder) }),
  Positions: v.object({ positions: v.array(storedPosition) }),
  Trades: v.object({ trades: v.array(trade), next: nullable(v.number()) }),
  Runs: v.object({ runs: v.array(runReport) }),
  Health: v.object({
    status: v.picklist(['ok', 'unhealthy']),
    checks: v.record(v.string(), status),
  }),
  DetailedHealth: v.looseObject({
    status: v.picklist(['ok', 'unhealthy']),
    checkedAt: ms,
    checks: v.record(v.string(), check),
    process: v.looseObject({ pid: v.number(), uptimeSeconds: v.number(), memory: v.record(v.string(), v.number()) }),
  }),
  DatabaseHealth: v.looseObject({
    status,
    reachable: v.boolean(),
    latencyMs: v.number(),
  }),
  BrokerHealth: v.looseObject({ status }),
  SchedulerHealth: v.looseObject({ status }),
  DiskHealth: v.looseObject({ status, path: v.string(), minFreeBytes: v.number() }),
  BadParameter: v.object({
    error: v.object({
      code: v.literal('BAD_PARAMETER'),
      reason: v.picklist(['invalid', 'unknown', 'repeated']),
      parameter: v.string(),
      given: v.union([v.string(), v.array(v.string()), v.null()]),
      expected: v.string(),
    }),
  }),
  Problem: v.object({ error: v.object({ code: v.string(), message: v.string() }) }),
};
