import { ORDER_STATUSES, SERVICE_TRANSITIONS, type ServiceState } from '@quant/core';
import { SEVERITIES } from '@quant/store';
import * as v from 'valibot';

// The bodies of the API as valibot schemas, from which the OpenAPI document's `components.schemas` are generated
// (toJsonSchemaDefs: a schema of this file used inside another becomes a `$ref` to its component). Every field the
// API sends is listed: the tests check the running API's bodies against the document with every object closed, so
// an undocumented field fails them. The document itself leaves objects open (a field added is a minor version of
// API_VERSION, which a client must tolerate). Records (`payload`, `detail`, …) are the pass-through data of the
// store or the bot.

const number = (description: string) => v.pipe(v.number(), v.description(description));
const integer = (description: string) => v.pipe(v.number(), v.integer(), v.description(description));
const ms = (description: string) => number(`${description}: ms since epoch, UTC`);
const quote = (description: string) => number(`${description}, quote currency`);
const nullable = <S extends v.GenericSchema>(schema: S, description: string) =>
  v.pipe(v.nullable(schema), v.description(description));
const ORDER_TYPES = ['market', 'limit', 'stop', 'take_profit'] as const;
const DIRECTIONS = ['long', 'short'] as const;
const OVERALL = v.picklist(['ok', 'unhealthy']);

/** A component's state: `unknown` when it is not monitored (no bot attached). */
const CheckStatus = v.pipe(
  v.picklist(['ok', 'unhealthy', 'unknown']),
  v.description('ok, unhealthy, or unknown (not monitored: no bot attached to the API)'),
);

const StoredEvent = v.pipe(
  v.object({
    seq: integer('sequence number in the log (the paging cursor)'),
    id: v.string(),
    type: v.pipe(v.string(), v.description('the event type, e.g. OrderFilled')),
    stream: v.pipe(v.string(), v.description('order-<clientOrderId>, position-<positionId>, run-<runId> or system')),
    schemaVersion: integer('version of the payload layout'),
    timestamp: ms('when the event was created'),
    correlationId: v.pipe(v.string(), v.description('the unit of work (the cycle) the event belongs to')),
    causationId: nullable(v.string(), 'the event whose handler published it'),
    severity: v.picklist(SEVERITIES),
    symbol: nullable(v.string(), 'the instrument the event is about'),
    strategy: nullable(v.string(), 'the strategy the event is about'),
    payload: v.pipe(
      v.record(v.string(), v.unknown()),
      v.description("the event's fields beyond id, type, timestamp, correlationId and causationId"),
    ),
  }),
  v.description('An event of the log as stored: its envelope and its payload'),
);

const EventPage = v.pipe(
  v.object({
    events: v.array(StoredEvent),
    next: nullable(integer('sequence number'), "the next page's `after`; null on the last page"),
  }),
  v.description('A page of events, in sequence order'),
);

const EventSummary = v.pipe(
  v.object({
    total: integer('events the filter selects'),
    byType: v.pipe(v.record(v.string(), v.number()), v.description('events of each type')),
    bySeverity: v.pipe(
      v.object(Object.fromEntries(SEVERITIES.map((severity) => [severity, v.number()]))),
      v.description('events of each severity, every severity present (0 when none)'),
    ),
    byHour: v.pipe(
      v.array(v.object({ hourStartMs: ms("the hour's start"), count: v.number() })),
      v.description('events in each hour (UTC) that has some, oldest first'),
    ),
  }),
  v.description('Counts of the events a filter selects'),
);

const StoredOrder = v.pipe(
  v.object({
    clientOrderId: v.pipe(v.string(), v.description("the bot's id of the order (deterministic)")),
    orderId: nullable(v.string(), "the venue's id, null until the venue acknowledged it"),
    symbol: v.string(),
    side: v.picklist(['buy', 'sell']),
    direction: v.pipe(v.picklist(DIRECTIONS), v.description('of the position the order opens or closes')),
    intent: v.pipe(v.picklist(['entry', 'exit']), v.description('opens (entry) or closes (exit) a position')),
    purpose: v.pipe(
      v.picklist(['signal', 'stop_loss', 'take_profit']),
      v.description("a strategy's signal, or a leg of a position's exit plan"),
    ),
    type: v.picklist(ORDER_TYPES),
    timeInForce: v.picklist(['GTC', 'IOC', 'FOK']),
    quantity: number('ordered quantity, base units'),
    filledQuantity: number('filled so far, base units'),
    averagePrice: nullable(quote('average fill price'), 'null before the first fill'),
    limitPrice: nullable(quote('limit price'), 'null but for a limit order'),
    triggerPrice: nullable(quote('trigger price'), 'null but for a stop or take_profit order'),
    status: v.picklist(ORDER_STATUSES),
    reason: nullable(v.string(), 'the reason of the last rejection, cancel or unknown outcome'),
    createdAt: ms('when the bot created it'),
    updatedAt: ms('when its status or fills last changed'),
    strategyName: nullable(v.string(), 'the strategy it serves'),
    lastSeq: integer('sequence number of the event that last changed it'),
  }),
  v.description('An order in its last state'),
);

const StoredPosition = v.pipe(
  v.object({
    positionId: v.string(),
    symbol: v.string(),
    direction: v.picklist(DIRECTIONS),
    status: v.picklist(['open', 'closed']),
    quantity: number('quantity still open, base units (0 once closed)'),
    entryPrice: quote('average entry price'),
    openedAt: ms('when it was opened'),
    closedAt: nullable(ms('when it was closed in full'), 'null while open'),
    realizedPnl: quote('realized P&L before fees as last reported'),
    closedPnl: quote('sum of the realizedPnl of its PositionClosed events, after fees'),
    markPrice: quote('the last mark price reported'),
    unrealizedPnl: quote('unrealized P&L last reported'),
    fees: quote('fees last reported'),
    strategyName: nullable(v.string(), 'the strategy that opened it'),
    lastSeq: integer('sequence number of the event that last changed it'),
  }),
  v.description('A position as the positions projection holds it'),
);

const Trade = v.pipe(
  v.object({
    seq: integer('sequence number of its PositionClosed event (the paging cursor)'),
    positionId: v.string(),
    symbol: v.string(),
    direction: v.picklist(DIRECTIONS),
    strategyName: nullable(v.string(), 'the strategy that opened the position'),
    quantity: number('quantity closed, base units'),
    entryPrice: quote('average entry price of the position'),
    exitPrice: quote('average exit price of this close'),
    realizedPnl: quote('P&L realized by this close, after fees'),
    fees: quote('fees of the entry share and the exit of the quantity closed'),
    reason: v.pipe(v.string(), v.description('exit_signal, stop_loss, take_profit, manual, …')),
    openedAt: ms('when the position was opened'),
    closedAt: ms('time of the closing fill'),
  }),
  v.description('A close of a position (a PositionClosed event): a position closed in two steps is two trades'),
);

const RecoveryEvent = v.pipe(
  v.object({
    id: v.string(),
    runId: v.pipe(v.string(), v.description('the run that found or did it')),
    timestamp: ms('when'),
    kind: v.pipe(v.string(), v.description('run_crashed, recovery_summary, reconciliation, …')),
    detail: v.record(v.string(), v.unknown()),
  }),
  v.description('An entry of the recovery log'),
);

const OutboxEntry = v.pipe(
  v.object({
    id: v.pipe(v.string(), v.description('<notificationId>:<channel>')),
    notificationId: v.string(),
    channel: v.pipe(v.string(), v.description('email, webhook, …')),
    kind: v.picklist(['fill', 'position', 'alert', 'recovery', 'daily_summary']),
    severity: v.picklist(['info', 'warning', 'error', 'critical']),
    recipients: v.array(v.string()),
    subject: v.string(),
    text: v.pipe(v.string(), v.description('the plain-text part')),
    html: v.pipe(v.string(), v.description('the HTML part')),
    data: v.record(v.string(), v.unknown()),
    coalesceKey: nullable(v.string(), 'never coalesced'),
    createdAt: ms('when it was written'),
    status: v.picklist(['pending', 'sent', 'dead']),
    attempts: integer('attempts that failed'),
    coalesced: integer('alerts of the same key suppressed into this one'),
    nextAttemptAt: ms('when the next attempt is due (pending)'),
    sentAt: nullable(ms('when the channel confirmed it'), 'not sent'),
    lastError: nullable(v.string(), 'no attempt failed'),
  }),
  v.description('A message of the notification outbox, for one channel'),
);

const runFields = {
  runId: v.string(),
  botId: v.string(),
  startedAt: ms('when it started'),
  lastHeartbeatAt: ms('its last heartbeat (its start until the first)'),
  endedAt: nullable(ms('when it ended'), 'null while running'),
  endReason: nullable(v.picklist(['clean', 'crashed']), 'null while running'),
};

const RunReport = v.pipe(
  v.object({
    ...runFields,
    liveness: v.object({
      state: v.pipe(
        v.picklist(['running', 'stale', 'ended']),
        v.description("by its heartbeat's age at the API's clock (stale: older than recovery.stale_after)"),
      ),
      heartbeatAgeMs: number('age of its last heartbeat, ms'),
    }),
    recovery: v.pipe(v.array(RecoveryEvent), v.description('the recovery log entries this run recorded, oldest first')),
    recoverySummary: nullable(
      v.record(v.string(), v.unknown()),
      'the detail of its recovery_summary entry (the reconciliation at its start)',
    ),
  }),
  v.description('A run of a bot: how it ended, its liveness now, its recovery log'),
);

const message = v.pipe(v.string(), v.description('why'));
const errorDetail = v.object({ code: v.string(), message: v.string() });

const UnknownCheck = v.pipe(
  v.object({ status: v.literal('unknown'), message }),
  v.description('A component the API does not monitor (no bot, or no broker, attached)'),
);

const DatabaseHealth = v.pipe(
  v.union([
    v.object({
      status: v.literal('ok'),
      reachable: v.literal(true),
      latencyMs: number('round trip of the check, ms'),
      dialect: v.picklist(['sqlite', 'postgres']),
      location: v.pipe(v.string(), v.description("the database's file, or its URL without the password")),
      sizeBytes: integer('size on disk, bytes'),
      lastSeq: integer('sequence number of the last event'),
      ordersByStatus: v.record(v.string(), v.number()),
      fills: integer('fills recorded'),
      openPositions: integer('positions open'),
      closedPositions: integer('positions closed'),
      runs: integer('runs recorded'),
    }),
    v.object({
      status: v.literal('unhealthy'),
      reachable: v.literal(false),
      latencyMs: number('time until the failure, ms'),
      error: errorDetail,
    }),
  ]),
  v.description('The event store: reachable within 2 s, its size and counts'),
);

const DiskHealth = v.pipe(
  v.union([
    v.object({
      status: OVERALL,
      path: v.pipe(v.string(), v.description('a path on the disk watched')),
      freeBytes: integer('free space for the process, bytes'),
      totalBytes: integer('size of the disk, bytes'),
      usedPercent: number('space used, percent'),
      minFreeBytes: integer('free space below which the disk is unhealthy, bytes'),
    }),
    v.object({ status: v.literal('unhealthy'), path: v.string(), minFreeBytes: v.number(), error: errorDetail }),
  ]),
  v.description("Free space on the store's disk"),
);

const call = {
  method: v.pipe(v.string(), v.description("the broker's method, e.g. placeOrder")),
  at: ms('when'),
  latencyMs: number('its latency, ms'),
};

const BrokerHealth = v.pipe(
  v.union([
    v.object({
      status: OVERALL,
      calls: integer('calls made to the venue'),
      failures: integer('calls that failed (a refusal is an answer, not a failure)'),
      consecutiveFailures: integer('failures in a row since the last success'),
      lastSuccess: nullable(v.object(call), 'the last call that succeeded'),
      lastFailure: nullable(v.object({ ...call, code: v.string(), message: v.string() }), 'the last call that failed'),
      lastSuccessAgeMs: nullable(number("age of the last success by the bot's clock, ms"), 'no success yet'),
      unhealthyAfterFailures: integer('failures in a row that make the venue unhealthy'),
    }),
    UnknownCheck,
  ]),
  v.description("The venue's calls"),
);

const nullableMs = (description: string) => nullable(ms(description), 'none');

const SchedulerHealth = v.pipe(
  v.union([
    v.object({
      status: OVERALL,
      orchestrator: v.pipe(
        v.picklist(['initialized', 'starting', 'running', 'stopping', 'stopped', 'failed']),
        v.description("the orchestrator's status"),
      ),
      now: ms("the bot's clock"),
      cycleInProgress: v.boolean(),
      lateMs: number('how late the next cycle (or the end of the one running) is, ms'),
      stalledAfterMs: number('lateness that makes the loop stalled, ms'),
      jobs: v.array(
        v.object({
          name: v.pipe(v.string(), v.description('trading_cycle, health_check, heartbeat, daily_summary, …')),
          intervalMs: nullable(number('its period, ms'), 'a calendar schedule'),
          schedule: v.optional(nullable(v.string(), 'no calendar schedule')),
          lastRunAt: nullableMs('when it last ran'),
          nextRunAt: nullableMs('when it runs next'),
        }),
      ),
      reason: v.optional(v.pipe(v.string(), v.description('why it is unhealthy'))),
    }),
    UnknownCheck,
  ]),
  v.description("The trading loop, the health rounds and the bot's jobs"),
);

const ServicesHealth = v.pipe(
  v.union([
    v.object({
      status: OVERALL,
      services: v.record(
        v.string(),
        v.object({
          service: v.string(),
          status: v.picklist(['healthy', 'degraded', 'unhealthy']),
          healthy: v.boolean(),
          state: v.picklist(Object.keys(SERVICE_TRANSITIONS) as ServiceState[]),
          details: v.record(v.string(), v.unknown()),
          checkedAt: ms('when the check ran'),
        }),
      ),
      reason: v.optional(v.pipe(v.string(), v.description('the unhealthy services, and any halt of trading'))),
    }),
    UnknownCheck,
  ]),
  v.description("The bot's services: each one's health report"),
);

const HeartbeatHealth = v.pipe(
  v.union([
    v.object({
      status: OVERALL,
      runId: v.pipe(v.string(), v.description("the bot's run")),
      lastHeartbeatAt: ms('its last heartbeat'),
      heartbeatAgeMs: number("the heartbeat's age by the API's clock, ms"),
      staleAfterMs: number('the age that makes the run stale (recovery.stale_after), ms'),
      reason: v.optional(v.pipe(v.string(), v.description('why it is unhealthy: stale, or the run ended'))),
    }),
    UnknownCheck,
  ]),
  v.description("The run's heartbeat in the store"),
);

const Health = v.pipe(
  v.object({
    status: OVERALL,
    checks: v.pipe(
      v.object({
        database: CheckStatus,
        disk: CheckStatus,
        services: v.optional(CheckStatus),
        scheduler: v.optional(CheckStatus),
        broker: v.optional(CheckStatus),
        heartbeat: v.optional(CheckStatus),
      }),
      v.description(
        "each component: database and disk always; services and scheduler with a bot; broker and heartbeat with the bot's venue calls and run",
      ),
    ),
  }),
  v.description('Overall health: ok when every component is'),
);

const DetailedHealth = v.pipe(
  v.object({
    status: OVERALL,
    checkedAt: ms('when'),
    checks: v.object({
      database: DatabaseHealth,
      disk: DiskHealth,
      services: v.optional(ServicesHealth),
      scheduler: v.optional(SchedulerHealth),
      broker: v.optional(BrokerHealth),
      heartbeat: v.optional(HeartbeatHealth),
    }),
    process: v.object({
      pid: v.number(),
      node: v.pipe(v.string(), v.description('Node.js version, e.g. v20.20.0')),
      uptimeSeconds: number('wall time since the process started, s'),
      cpu: v.object({
        userSeconds: v.number(),
        systemSeconds: v.number(),
        percent: number("CPU time over the process's life, percent of one core"),
      }),
      memory: v.pipe(
        v.object({
          rss: v.number(),
          heapTotal: v.number(),
          heapUsed: v.number(),
          external: v.number(),
          arrayBuffers: v.number(),
        }),
        v.description('bytes (process.memoryUsage())'),
      ),
      threads: nullable(integer('OS threads of the process'), 'not Linux'),
      loadAverage: v.pipe(v.array(v.number()), v.description("the machine's load over 1, 5 and 15 minutes")),
    }),
    metrics: v.optional(
      v.pipe(
        v.object({
          orchestrator: v.object({
            status: v.string(),
            uptime_seconds: v.number(),
            services_count: v.number(),
            services_healthy: v.number(),
            cycles: v.number(),
            cycle_errors: v.number(),
            restarts: v.number(),
          }),
          services: v.pipe(
            v.record(v.string(), v.record(v.string(), v.number())),
            v.description("each service's counters, by service"),
          ),
          event_bus: v.object({
            mode: v.picklist(['synchronous', 'asynchronous']),
            events_published: v.number(),
            events_delivered: v.number(),
            events_by_type: v.record(v.string(), v.number()),
            handler_errors: v.number(),
            subscriptions: v.number(),
            event_types_subscribed: v.number(),
            queue_depth: v.number(),
            queue_high_water_mark: v.number(),
            history_size: v.number(),
          }),
        }),
        v.description("the orchestrator's metrics (with a bot)"),
      ),
    ),
    account: v.optional(
      nullable(
        v.object({
          currency: v.pipe(v.string(), v.description('the quote currency, e.g. USDT')),
          cash: quote('the capital plus the realized P&L (before fees) less every fee paid'),
          equity: quote('cash plus the unrealized P&L of the open positions'),
          realizedPnl: quote('P&L of closed positions, after fees'),
          unrealizedPnl: quote('P&L of the open positions at the last price'),
          fees: quote('every fee paid'),
          openPositions: integer('positions open'),
        }),
        'with a bot: null when it does not report its account',
      ),
    ),
    run: v.optional(
      nullable(
        v.object({ ...runFields, heartbeatAgeMs: number('age of its last heartbeat, ms') }),
        'with a bot: its run in the store, null when it has none (or the store does not hold it)',
      ),
    ),
  }),
  v.description('Every check in full, the process, and with a bot its metrics, account and run'),
);

const BadParameter = v.pipe(
  v.object({
    error: v.object({
      code: v.literal('BAD_PARAMETER'),
      reason: v.pipe(
        v.picklist(['invalid', 'unknown', 'repeated']),
        v.description('the value does not fit, no such parameter, or a single parameter given twice'),
      ),
      parameter: v.string(),
      given: v.pipe(
        v.union([v.string(), v.array(v.string()), v.null()]),
        v.description('the value(s) given, cut at 100 characters; null for an unknown parameter (not echoed)'),
      ),
      expected: v.pipe(v.string(), v.description('what the parameter accepts, or the parameters the endpoint knows')),
    }),
  }),
  v.description('A refused query parameter (400)'),
);

/** The `code` of each `Problem` body (`{ error: { code, message } }`) by the HTTP status it comes with. @internal */
export const PROBLEM_CODES = {
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'BODY_NOT_ALLOWED',
  414: 'QUERY_TOO_LONG',
  500: 'INTERNAL',
  503: 'STORE_UNAVAILABLE',
} as const;

const Problem = v.pipe(
  v.object({ error: v.object({ code: v.picklist(Object.values(PROBLEM_CODES)), message: v.string() }) }),
  v.description('An error other than a bad parameter'),
);

/**
 * The bodies the API answers with, as valibot schemas, by the name of their component in the OpenAPI document
 * (`#/components/schemas/<name>`). Times in ms since epoch UTC, amounts in the quote currency.
 * @internal
 */
export const RESPONSE_SCHEMAS = {
  StoredEvent,
  EventPage,
  EventSummary,
  StoredOrder,
  Orders: v.object({ orders: v.array(StoredOrder) }),
  StoredPosition,
  Positions: v.object({ positions: v.array(StoredPosition) }),
  Trade,
  Trades: v.object({
    trades: v.array(Trade),
    next: nullable(integer('sequence number'), "the next page's `after`; null on the last page"),
  }),
  RecoveryEvent,
  RunReport,
  Runs: v.object({ runs: v.array(RunReport) }),
  OutboxEntry,
  Notifications: v.object({
    counts: v.object({
      pending: integer('messages not confirmed sent'),
      sent: integer('messages sent'),
      dead: integer('dead letters'),
    }),
    notifications: v.array(OutboxEntry),
  }),
  CheckStatus,
  UnknownCheck,
  Health,
  DetailedHealth,
  DatabaseHealth,
  DiskHealth,
  BrokerHealth,
  SchedulerHealth,
  ServicesHealth,
  BadParameter,
  Problem,
} as const;
