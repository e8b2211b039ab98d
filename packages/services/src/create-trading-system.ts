import { ConfigError, type SystemConfig } from '@quant/config';
import {
  type BaseEvent,
  type Clock,
  EventBus,
  LogManager,
  SimulatedClock,
  type Timeframe,
  type TradingEventPayloads,
  TradingOrchestrator,
} from '@quant/core';
import { DefaultEntryManager } from './execution/default-entry-manager.js';
import { DefaultRiskManager } from './execution/default-risk-manager.js';
import type { ExecutionTimeouts } from './execution/order-manager.js';
import { PositionLedger, type PositionReader } from './execution/position-ledger.js';
import type { Broker } from './ports/broker.js';
import type { ExecutionJournal } from './ports/execution-journal.js';
import type { IndicatorProcessor, RegimeDetector } from './ports/indicator-processor.js';
import type { MarketDataSource } from './ports/market-data-source.js';
import type { EntryManager, RiskManager } from './ports/risk.js';
import type { Strategy } from './ports/strategy.js';
import { DataFetchingService } from './services/data-fetching-service.js';
import { IndicatorCalculationService } from './services/indicator-calculation-service.js';
import { StrategyEvaluationService } from './services/strategy-evaluation-service.js';
import { TradeExecutionService } from './services/trade-execution-service.js';

/** What {@link createTradingSystem} wires together besides the configuration. */
export interface TradingSystemDeps {
  /** The clock: a `LiveClock` live, a `SimulatedClock` in a backtest. */
  readonly clock: Clock;
  /** Where bars come from. */
  readonly source: MarketDataSource;
  /** The venue orders go to: a {@link SimulatedExchange}, or your exchange's {@link Broker}. */
  readonly broker: Broker;
  /** The account currency (the quote currency); `paper_broker.currency` by default. */
  readonly currency?: string;
  /** How long the executor waits on the venue; see {@link ExecutionTimeouts}. */
  readonly executionTimeouts?: ExecutionTimeouts;
  /**
   * Where each order is persisted before it is sent (the bot's event store on a real venue); none by default:
   * orders are sent at once, as a backtest needs. See {@link ExecutionJournal}.
   */
  readonly journal?: ExecutionJournal;
  /** The strategies to run. */
  readonly strategies: readonly Strategy[];
  /** Computes indicator rows. */
  readonly processor: IndicatorProcessor;
  /** Classifies regimes; none by default. */
  readonly regimeDetector?: RegimeDetector;
  /** Bars a new regime must hold; 3 by default. */
  readonly confirmBars?: number;
  /** Judges orders; a {@link DefaultRiskManager} on `config.risk` by default. */
  readonly riskManager?: RiskManager;
  /** Sizes entries; a {@link DefaultEntryManager} by default. */
  readonly entryManager?: EntryManager;
  /** Hands out loggers; one built from `config.logging` on the clock by default. */
  readonly logs?: LogManager;
  /**
   * Called with every event the bus publishes, in publish (causal) order, before it is delivered; see
   * `EventBusOptions.onPublish`. E.g. `@quant/store`'s `StoreRecorder.record`.
   */
  readonly onPublish?: (event: BaseEvent) => void;
}

/**
 * The parts of a wired trading system.
 * @typeParam M - the bus's event map: the trading events, plus your own.
 */
export interface TradingSystem<M extends TradingEventPayloads = TradingEventPayloads> {
  /** The shared bus, configured by `config.event_bus`. */
  readonly bus: EventBus<M>;
  /** The orchestrator with the enabled services registered, not started; register your own services on it too. */
  readonly orchestrator: TradingOrchestrator<M>;
  /** The log manager. */
  readonly logs: LogManager;
  /** The bot's positions and account, from fills (written by the trade execution service only). */
  readonly positions: PositionReader;
  /** The services, absent when disabled in the configuration. */
  readonly services: {
    readonly dataFetching?: DataFetchingService;
    readonly indicatorCalculation?: IndicatorCalculationService;
    readonly strategyEvaluation?: StrategyEvaluationService;
    readonly tradeExecution?: TradeExecutionService;
  };
}

/** Refuses strategies on timeframes or symbols that are not fetched: they would silently never trade. */
function checkStrategies(config: SystemConfig, strategies: readonly Strategy[]): void {
  if (!config.services.strategy_evaluation.enabled) return;
  const timeframes: readonly string[] = config.trading.timeframes;
  const { symbols } = config.trading;
  const issues = strategies.flatMap((strategy) => [
    ...(timeframes.includes(strategy.timeframe)
      ? []
      : [
          {
            path: 'trading.timeframes',
            source: `strategy ${strategy.name}`,
            message: `strategy "${strategy.name}" runs on ${strategy.timeframe}, which is not one of trading.timeframes (${timeframes.join(
              ', ',
            )}): it would never be evaluated`,
          },
        ]),
    ...(strategy.symbols ?? [])
      .filter((symbol) => !symbols.includes(symbol))
      .map((symbol) => ({
        path: 'trading.symbols',
        source: `strategy ${strategy.name}`,
        message: `strategy "${strategy.name}" trades ${symbol}, which is not one of trading.symbols (${symbols.join(
          ', ',
        )}): it would never trade it`,
      })),
  ]);
  if (issues.length > 0) throw new ConfigError('CONFIG_INVALID', issues);
}

/**
 * Builds the bus, the four services (those enabled) and the orchestrator from
 * a configuration and injected ports, the equivalent of the original
 * `TradingOrchestrator.from_config`. The orchestrator's cycle work is the
 * execution service's {@link TradeExecutionService.reconcile} (orders whose
 * outcome is unknown), then the data service's fetch followed by
 * `bus.drain()`, so each cycle ends only when every handler it caused has
 * settled. Nothing is started.
 *
 * To publish events of your own on the same bus, give the event map:
 * `createTradingSystem<MyEvents>(config, deps)` where `MyEvents` extends
 * `TradingEventPayloads`; then register your services on `orchestrator`.
 *
 * @typeParam M - the bus's event map.
 * @param config - a loaded configuration (see `loadConfig`).
 * @param deps - clock, data source, broker, strategies, indicators and optional managers.
 * Every symbol of `trading.symbols` is fetched (from `deps.source`, e.g. a
 * {@link MultiSymbolSource}) and has its own indicators, regime, strategy
 * positions and exit plans; the risk manager sees the whole account (see
 * {@link DefaultRiskManager}: open positions and the daily loss across
 * symbols, position size per symbol).
 *
 * @throws {@link @quant/config!ConfigError} `CONFIG_INVALID` when strategy
 *   evaluation is enabled and a strategy runs on a timeframe that is not in
 *   `trading.timeframes` or lists a symbol that is not in `trading.symbols`
 *   (no bars would ever reach it); each issue's path is `trading.timeframes`
 *   or `trading.symbols` and its source `strategy <name>`.
 *
 * @example
 * A backtest of the YAML strategies on a CSV file, with a paper account
 * from the configuration's `paper_broker` section. Live, the same call takes
 * a `LiveClock`, your venue's {@link MarketDataSource} and {@link Broker},
 * and the orchestrator runs with `orchestrator.run({ intervalMs, signal })`.
 * ```ts
 * import { buildConfig } from '@quant/config';
 * import { LogManager, SimulatedClock } from '@quant/core';
 * import {
 *   CsvBarSource,
 *   createTradingSystem,
 *   indicatorsFromFile,
 *   loadIndicators,
 *   loadStrategies,
 *   runSimulation,
 *   SimulatedExchange,
 * } from '@quant/services';
 *
 * // Keys left out take their defaults; a wrong key or value throws a ConfigError naming it.
 * const config = buildConfig({
 *   trading: { symbol: 'BTCUSDT', timeframes: ['1m', '5m', '15m'] }, // orders execute on the first
 *   paper_broker: { initial_cash: 50_000, fee_bps: 7.5 },
 *   risk: { max_positions: 2 },
 * });
 * const clock = new SimulatedClock(Date.UTC(2023, 2, 1));
 * const csv = await CsvBarSource.load({ path: 'data/BTCUSDT_1m.csv', symbol: config.trading.symbol, clock });
 * const exchange = new SimulatedExchange({
 *   clock,
 *   currency: config.paper_broker.currency,
 *   initialCash: config.paper_broker.initial_cash,
 *   feeBps: config.paper_broker.fee_bps,
 *   slippageBps: config.paper_broker.slippage_bps,
 * });
 * const indicators = indicatorsFromFile(loadIndicators('conf/indicators.yaml')); // processor, regimeDetector, confirmBars
 * const strategies = loadStrategies('conf/strategies.yaml', {
 *   outputsFor: (timeframe) => indicators.processor.outputNames(timeframe),
 *   timeframes: config.trading.timeframes,
 * });
 * const system = createTradingSystem(config, {
 *   clock,
 *   source: exchange.feedFrom(csv), // the exchange matches each bar before the bot sees it
 *   broker: exchange,
 *   strategies,
 *   ...indicators,
 *   logs: new LogManager({ clock, level: 'warn' }),
 * });
 * system.bus.subscribe('PositionClosed', ({ position, realizedPnl, reason }) => {
 *   console.log(`${position.strategyName} ${position.direction}: ${realizedPnl.toFixed(2)} (${reason})`);
 * });
 *
 * await system.orchestrator.start();
 * await runSimulation(system.orchestrator, clock, {
 *   start: Date.UTC(2023, 2, 1, 0, 1),
 *   end: Date.UTC(2023, 2, 8),
 *   stepMs: 60_000,
 * });
 * await system.orchestrator.stop();
 * console.log(system.positions.account()); // cash, equity, realized P&L, fees
 * ```
 */
export function createTradingSystem<M extends TradingEventPayloads = TradingEventPayloads>(
  config: SystemConfig,
  deps: TradingSystemDeps,
): TradingSystem<M> {
  checkStrategies(config, deps.strategies);
  const { clock } = deps;
  const logs =
    deps.logs ??
    new LogManager({
      clock,
      level: config.logging.level,
      format: config.logging.format,
      correlationIds: config.logging.correlation_ids,
      serviceLevels: config.logging.service_levels,
      ...(config.logging.file_output ? { logFile: config.logging.log_file } : {}),
    });
  const bus = new EventBus<M>({
    clock,
    mode: config.event_bus.mode,
    historyLimit: config.event_bus.event_history_limit,
    logAllEvents: config.event_bus.log_all_events,
    maxQueueSize: config.event_bus.max_queue_size,
    logger: logs.getLogger('EventBus'),
    ...(deps.onPublish === undefined ? {} : { onPublish: deps.onPublish }),
  });
  const orchestrator = new TradingOrchestrator<M>({
    bus,
    clock,
    logger: logs.getLogger('orchestrator'),
    enableAutoRestart: config.orchestrator.enable_auto_restart,
    healthCheckIntervalMs: config.orchestrator.health_check_interval * 1000,
    // In a backtest, rounds every simulated minute are work without meaning: check that often only from the first
    // sign of trouble, such as a failed fetch, so that restarts and giving up come as they would live (decision 0010).
    ...(clock instanceof SimulatedClock
      ? {
          quietHealthCheckIntervalMs: config.orchestrator.simulated_health_check_interval * 1000,
          healthAlertEvents: ['DataFetchFailed'] as const,
        }
      : {}),
    statusLogIntervalMs: config.orchestrator.status_log_interval * 1000,
    startTimeoutMs: config.orchestrator.start_timeout * 1000,
    stopTimeoutMs: config.orchestrator.stop_timeout * 1000,
    restartPolicy: {
      maxRestarts: config.orchestrator.max_restarts,
      windowMs: config.orchestrator.restart_window * 1000,
    },
  });
  // M extends the trading events, so every event the services handle or publish exists on this bus;
  // the view only drops the extra types, which the services never see.
  const tradingBus = bus as unknown as EventBus;
  const deps_ = (name: string) => ({
    bus: tradingBus,
    clock,
    logger: logs.getLogger(`services.${name}`, { service: name }),
  });
  const timeframes = config.trading.timeframes as readonly Timeframe[];
  const { services: sections } = config;
  const ledger = new PositionLedger(deps.currency ?? config.paper_broker.currency);
  const registered: string[] = [];
  const register = (name: string, service: Parameters<TradingOrchestrator<M>['register']>[1]): void => {
    orchestrator.register(name, service, { dependsOn: registered.slice(-1) });
    registered.push(name);
  };

  const dataFetching = sections.data_fetching.enabled
    ? new DataFetchingService(deps_('DataFetchingService'), {
        source: deps.source,
        symbols: config.trading.symbols,
        timeframes,
        config: sections.data_fetching,
        // History at a fresh start, so that strategies trade on the first live bar: the indicators' warm-up plus
        // min_rows_required - 1 bars (the first live bar then follows min_rows_required complete rows), and the
        // regime detector's warm-up plus the bars that confirm a regime.
        warmupBars: (timeframe) =>
          Math.max(
            (deps.processor.warmupBars?.(timeframe) ?? 0) + sections.strategy_evaluation.min_rows_required - 1,
            deps.regimeDetector?.warmupBars && sections.indicator_calculation.track_regime_changes
              ? deps.regimeDetector.warmupBars(timeframe) + (deps.confirmBars ?? 3)
              : 0,
          ),
      })
    : undefined;
  const indicatorCalculation = sections.indicator_calculation.enabled
    ? new IndicatorCalculationService(deps_('IndicatorCalculationService'), {
        processor: deps.processor,
        ...(deps.regimeDetector ? { regimeDetector: deps.regimeDetector } : {}),
        confirmBars: deps.confirmBars ?? 3,
        config: sections.indicator_calculation,
      })
    : undefined;
  const strategyEvaluation = sections.strategy_evaluation.enabled
    ? new StrategyEvaluationService(deps_('StrategyEvaluationService'), {
        strategies: deps.strategies,
        config: sections.strategy_evaluation,
        ...(sections.trade_execution.enabled ? { positions: ledger } : {}),
      })
    : undefined;
  const tradeExecution = sections.trade_execution.enabled
    ? new TradeExecutionService(deps_('TradeExecutionService'), {
        broker: deps.broker,
        ledger,
        riskManager: deps.riskManager ?? new DefaultRiskManager(config.risk),
        entryManager: deps.entryManager ?? new DefaultEntryManager(),
        executionTimeframe: timeframes[0] as Timeframe,
        botId: config.trading.bot_id,
        symbols: config.trading.symbols,
        recovery: {
          onMismatch: config.recovery.on_mismatch,
          balanceToleranceBps: config.recovery.balance_tolerance_bps,
          reconcileIntervalMs: config.recovery.reconcile_interval * 1000,
          cancelExternalOrders: config.recovery.cancel_external_orders,
        },
        config: sections.trade_execution,
        ...(deps.executionTimeouts ? { timeouts: deps.executionTimeouts } : {}),
        ...(deps.journal ? { journal: deps.journal } : {}),
      })
    : undefined;

  if (dataFetching) register('data_fetching', dataFetching);
  if (indicatorCalculation) register('indicator_calculation', indicatorCalculation);
  if (strategyEvaluation) register('strategy_evaluation', strategyEvaluation);
  if (tradeExecution) register('trade_execution', tradeExecution);
  if (tradeExecution) orchestrator.addCycleWork('trade_execution.reconcile', () => tradeExecution.reconcile());
  if (dataFetching) {
    // Fetch, then wait for what the new bars set off; without a promise when both are done at once (a backtest).
    orchestrator.addCycleWork('data_fetching.fetch', () => {
      const fetching = dataFetching.fetch();
      if (fetching) return fetching.then(() => bus.drain());
      return bus.idle ? undefined : bus.drain();
    });
  }
  return {
    bus,
    orchestrator,
    logs,
    positions: ledger,
    services: {
      ...(dataFetching ? { dataFetching } : {}),
      ...(indicatorCalculation ? { indicatorCalculation } : {}),
      ...(strategyEvaluation ? { strategyEvaluation } : {}),
      ...(tradeExecution ? { tradeExecution } : {}),
    },
  };
}
