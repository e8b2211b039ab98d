import type { Clock } from '@quant/core';
import type { OutboxCounts, RunRecord, StoreStats } from '@quant/store';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ApiBot } from './bot-view.js';

type Labels = Readonly<Record<string, string>>;
type Sample = readonly [labels: Labels, value: number];

const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** The store queries `/metrics` makes. */
export interface MetricsStore {
  stats(): Promise<StoreStats>;
  runs(): Promise<RunRecord[]>;
  readonly outbox: { counts(): Promise<OutboxCounts> };
}

/**
 * The Prometheus exposition of `GET /metrics`, on a registry of its own (never prom-client's global one, so that
 * two APIs in one process do not collide): the process metrics of prom-client's `collectDefaultMetrics`
 * (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, …; not its
 * `nodejs_active_*_total` gauges, named like counters), and at each
 * scrape the bot's figures read afresh:
 * - the orchestrator's, under the original system's names: `quant_orchestrator_uptime_seconds`,
 *   `quant_orchestrator_services`, `quant_orchestrator_services_healthy`, `quant_orchestrator_cycles_total`,
 *   `quant_orchestrator_cycle_errors_total`, `quant_orchestrator_restarts_total`;
 * - each service's counters as `quant_service_<name>_total{service}` (`quant_service_data_fetches_total`,
 *   `quant_service_orders_placed_total`, …) and `quant_service_healthy{service}` (1 or 0);
 * - the bus's: `quant_bus_events_published_total{type}`, `quant_bus_events_delivered_total`,
 *   `quant_bus_handler_errors_total`, `quant_bus_subscriptions`, `quant_bus_queue_depth`,
 *   `quant_bus_queue_high_water_mark`, `quant_bus_history_events`;
 * - trading: `quant_orders{status}`, `quant_fills_total`, `quant_positions_open`, `quant_positions_closed_total`
 *   (from the store), `quant_equity{currency}`, `quant_realized_pnl{currency}`, `quant_unrealized_pnl{currency}`;
 * - liveness: `quant_heartbeat_age_seconds` (the bot's run in the store), the venue's
 *   `quant_broker_calls_total`, `quant_broker_failures_total`, `quant_broker_consecutive_failures`,
 *   `quant_broker_last_success_timestamp_seconds`, `quant_broker_last_success_latency_seconds`;
 * - the store: `quant_store_size_bytes`, `quant_store_last_sequence`;
 * - notifications: `quant_notifications{status}` (the outbox: `pending`, `sent`, `dead`; alert on `dead` growing).
 *
 * Counters restart at 0 with the process, as Prometheus expects of counters.
 * @internal
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly #store: MetricsStore;
  readonly #bot: ApiBot | undefined;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #families = new Map<string, Counter | Gauge>();

  constructor(store: MetricsStore, bot: ApiBot | undefined, clock: Pick<Clock, 'now'>) {
    this.#store = store;
    this.#bot = bot;
    this.#clock = clock;
    collectDefaultMetrics({ register: this.registry });
    // Gauges that prom-client names like counters: promtool warns on them. Their per-type twins stay
    // (`nodejs_active_handles{type}`, `nodejs_active_requests{type}`, `nodejs_active_resources{type}`).
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
  }

  /** The exposition text, every family read now. */
  async text(): Promise<string> {
    await this.#update();
    return this.registry.metrics();
  }

  /** The `Content-Type` of {@link PrometheusMetrics.text}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  async #update(): Promise<void> {
    const stats = await this.#store.stats();
    this.#set('gauge', 'quant_store_size_bytes', 'Size of the event store on disk, bytes.', [[{}, stats.sizeBytes]]);
    this.#set('gauge', 'quant_store_last_sequence', 'Last sequence number of the event log.', [[{}, stats.lastSeq]]);
    const outbox = await this.#store.outbox.counts();
    this.#set(
      'gauge',
      'quant_notifications',
      'Messages of the notification outbox by status (pending, sent, dead).',
      Object.entries(outbox).map(([status, count]) => [{ status }, count] as const),
      ['status'],
    );
    this.#set(
      'gauge',
      'quant_orders',
      'Orders by status (the store projection).',
      Object.entries(stats.ordersByStatus).map(([status, count]) => [{ status }, count]),
      ['status'],
    );
    this.#set('counter', 'quant_fills_total', 'Fills recorded.', [[{}, stats.fills]]);
    this.#set('gauge', 'quant_positions_open', 'Positions open.', [[{}, stats.openPositions]]);
    this.#set('counter', 'quant_positions_closed_total', 'Positions closed.', [[{}, stats.closedPositions]]);
    const bot = this.#bot;
    if (bot === undefined) return;
    const { orchestrator, services, event_bus: bus } = bot.orchestrator.getAllMetrics();
    const one = (value: number): Sample[] => [[{}, value]];
    this.#set(
      'gauge',
      'quant_orchestrator_uptime_seconds',
      'Seconds since the orchestrator started, by its clock.',
      one(orchestrator.uptime_seconds),
    );
    this.#set('gauge', 'quant_orchestrator_services', 'Services registered.', one(orchestrator.services_count));
    this.#set(
      'gauge',
      'quant_orchestrator_services_healthy',
      'Services whose health is healthy.',
      one(orchestrator.services_healthy),
    );
    this.#set('counter', 'quant_orchestrator_cycles_total', 'Cycles run.', one(orchestrator.cycles));
    this.#set(
      'counter',
      'quant_orchestrator_cycle_errors_total',
      'Cycle work items that threw.',
      one(orchestrator.cycle_errors),
    );
    this.#set('counter', 'quant_orchestrator_restarts_total', 'Service restarts.', one(orchestrator.restarts));
    const byMetric = new Map<string, Sample[]>();
    for (const [service, values] of Object.entries(services)) {
      for (const [name, value] of Object.entries(values)) {
        const samples = byMetric.get(name) ?? [];
        samples.push([{ service }, value]);
        byMetric.set(name, samples);
      }
    }
    for (const [name, samples] of byMetric) {
      const metric = `quant_service_${name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_total$/, '')}_total`;
      this.#set('counter', metric, `The services' ${name} counter.`, samples, ['service']);
    }
    const health = bot.orchestrator.getServiceHealth();
    this.#set(
      'gauge',
      'quant_service_healthy',
      'Whether a service is healthy (1) or not (0).',
      Object.entries(health).map(([service, report]) => [{ service }, report.healthy ? 1 : 0]),
      ['service'],
    );
    this.#set(
      'counter',
      'quant_bus_events_published_total',
      'Events published on the bus, by type.',
      Object.entries(bus.events_by_type).map(([type, count]) => [{ type }, count]),
      ['type'],
    );
    this.#set('counter', 'quant_bus_events_delivered_total', 'Handler invocations.', one(bus.events_delivered));
    this.#set('counter', 'quant_bus_handler_errors_total', 'Handlers that threw or rejected.', one(bus.handler_errors));
    this.#set('gauge', 'quant_bus_subscriptions', 'Active subscriptions.', one(bus.subscriptions));
    this.#set('gauge', 'quant_bus_queue_depth', 'Events queued and not yet delivered.', one(bus.queue_depth));
    this.#set('gauge', 'quant_bus_queue_high_water_mark', 'Highest queue depth seen.', one(bus.queue_high_water_mark));
    this.#set('gauge', 'quant_bus_history_events', 'Events held in the history.', one(bus.history_size));
    if (bot.account !== undefined) {
      const account = bot.account();
      const labels = { currency: account.currency };
      this.#set(
        'gauge',
        'quant_equity',
        'Equity: cash plus open positions, account currency.',
        [[labels, account.equity]],
        ['currency'],
      );
      this.#set(
        'gauge',
        'quant_realized_pnl',
        'Realized P&L after fees, account currency.',
        [[labels, account.realizedPnl]],
        ['currency'],
      );
      this.#set(
        'gauge',
        'quant_unrealized_pnl',
        'Unrealized P&L of open positions, account currency.',
        [[labels, account.unrealizedPnl]],
        ['currency'],
      );
    }
    if (bot.broker !== undefined) {
      const broker = bot.broker();
      this.#set('counter', 'quant_broker_calls_total', 'Calls to the venue.', one(broker.calls));
      this.#set('counter', 'quant_broker_failures_total', 'Calls to the venue that failed.', one(broker.failures));
      this.#set(
        'gauge',
        'quant_broker_consecutive_failures',
        'Failed venue calls in a row.',
        one(broker.consecutiveFailures),
      );
      if (broker.lastSuccess !== null) {
        this.#set(
          'gauge',
          'quant_broker_last_success_timestamp_seconds',
          'When the last venue call succeeded, seconds since epoch (the bot clock).',
          one(broker.lastSuccess.at / 1000),
        );
        this.#set(
          'gauge',
          'quant_broker_last_success_latency_seconds',
          'Latency of the last successful venue call, seconds.',
          one(broker.lastSuccess.latencyMs / 1000),
        );
      }
    }
    if (bot.runId !== undefined) {
      const run = (await this.#store.runs()).find((candidate) => candidate.runId === bot.runId);
      if (run !== undefined) {
        this.#set(
          'gauge',
          'quant_heartbeat_age_seconds',
          "Seconds since the bot's run last heartbeat in the store.",
          one(Math.max(0, this.#clock.now() - run.lastHeartbeatAt) / 1000),
        );
      }
    }
  }

  /** Sets a family's samples (made on first use): a counter's by reset and increment, a gauge's by set. */
  #set(
    kind: 'counter' | 'gauge',
    name: string,
    help: string,
    samples: readonly Sample[],
    labelNames: string[] = [],
  ): void {
    let family = this.#families.get(name);
    if (family === undefined) {
      const options = { name, help, labelNames, registers: [this.registry] };
      family = kind === 'counter' ? new Counter(options) : new Gauge(options);
      this.#families.set(name, family);
    }
    family.reset();
    for (const [labels, value] of samples) {
      if (!Number.isFinite(value)) continue;
      if (family instanceof Counter) family.inc(labels, Math.max(0, value));
      else family.set(labels, value);
    }
  }
}
