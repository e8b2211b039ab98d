export {
  analyzeRun,
  type Benchmark,
  type BuyAndHold,
  groupTrades,
  type RunAnalysis,
  type RunInput,
  type TradeGroup,
} from './analysis/analyze-run.js';
export { type ClosedTrade, closedTradeFrom } from './analysis/closed-trade.js';
export { DAY_MS, EquityStats } from './analysis/equity-stats.js';
export { type EquityMark, PerformanceTracker, type PerformanceTrackerOptions } from './analysis/performance-tracker.js';
export { CRYPTO_PERIODS_PER_YEAR, mean, median, sharpeRatio, sortinoRatio } from './analysis/statistics.js';
export { createTradingSystem, type TradingSystem, type TradingSystemDeps } from './create-trading-system.js';
export { ServicesError, type ServicesErrorCode } from './errors.js';
export { BrokerError, type BrokerErrorCode } from './execution/broker-error.js';
export { clientOrderIdFor, type SignalKey } from './execution/client-order-id.js';
export { DefaultEntryManager, type EntryManagerOptions } from './execution/default-entry-manager.js';
export { DefaultRiskManager } from './execution/default-risk-manager.js';
export { ExecutionError, type ExecutionErrorCode } from './execution/execution-error.js';
export {
  type BrokerCall,
  type BrokerCallStatus,
  type FailedBrokerCall,
  MonitoredBroker,
} from './execution/monitored-broker.js';
export type { ExecutionTimeouts } from './execution/order-manager.js';
export { assertOrderTransition, isFinalOrderStatus, ORDER_TRANSITIONS } from './execution/order-state.js';
export {
  type FillAttribution,
  type LedgerChange,
  type PositionClosure,
  PositionLedger,
  type PositionReader,
} from './execution/position-ledger.js';
export type { RecoverySettings } from './execution/reconciler.js';
export { SimulatedExchange, type SimulatedExchangeOptions } from './execution/simulated-exchange.js';
export { AdxAtrRegimeDetector } from './indicators/adx-atr-regime-detector.js';
export { type IndicatorSetup, indicatorsFromFile } from './indicators/from-file.js';
export {
  appliesTo,
  type IndicatorSpec,
  type IndicatorsFile,
  indicatorOutputs,
  indicatorSpecSchema,
  indicatorsFileSchema,
  type RegimeSpec,
  regimeSpecSchema,
} from './indicators/indicator-spec.js';
export { loadIndicators } from './indicators/load-indicators.js';
export { type RegimeChange, RegimeConfirmation } from './indicators/regime-confirmation.js';
export { TradingSignalsProcessor } from './indicators/trading-signals-processor.js';
export { BarSeries } from './market-data/bar-series.js';
export {
  CsvBarSource,
  type CsvBarSourceOptions,
  type CsvColumns,
  type CsvLoadStats,
} from './market-data/csv-bar-source.js';
export { MultiSymbolSource } from './market-data/multi-symbol-source.js';
export { checkBarRow, parseTimestamp, type RowCheck, type TimeFormat } from './market-data/parse-bar-row.js';
export { type ResampledSeries, resample } from './market-data/resample.js';
export type { Account } from './ports/account.js';
export {
  type Balance,
  BROKER_SPECIFICATION_VERSION,
  type Broker,
  type BrokerCapabilities,
  type BrokerMethod,
  type BrokerUpdate,
  type SubmitOrderRequest,
  type VenueOrder,
  type VenueOrderStatus,
  type VenuePosition,
} from './ports/broker.js';
export type { ExecutionJournal, ExecutionRecord, JournaledOrder } from './ports/execution-journal.js';
export type { IndicatorProcessor, RegimeDetector } from './ports/indicator-processor.js';
export type { BarRequest, MarketDataSource } from './ports/market-data-source.js';
export type {
  EntryManager,
  EntryPlan,
  EntryRequest,
  RiskBreach,
  RiskCheck,
  RiskDecision,
  RiskManager,
} from './ports/risk.js';
export type { EntryDecision, ExitDecision, Strategy, StrategyContext } from './ports/strategy.js';
export {
  type DataFetchingOptions,
  DataFetchingService,
} from './services/data-fetching-service.js';
export {
  type IndicatorCalculationOptions,
  IndicatorCalculationService,
} from './services/indicator-calculation-service.js';
export {
  type StrategyEvaluationOptions,
  StrategyEvaluationService,
} from './services/strategy-evaluation-service.js';
export {
  type TradeExecutionOptions,
  TradeExecutionService,
} from './services/trade-execution-service.js';
export { runSimulation, type SimulationOptions } from './simulation.js';
export { evaluateCondition, operandsOf, PRICE_OPERANDS } from './strategies/conditions.js';
export { type LoadStrategiesOptions, loadStrategies } from './strategies/load-strategies.js';
export {
  type Condition,
  conditionSchema,
  operandSchema,
  RULE_OPERATORS,
  ruleSchema,
  type StrategySpec,
  sizingSchema,
  stopLossSchema,
  strategiesFileSchema,
  strategySpecSchema,
  takeProfitSchema,
} from './strategies/strategy-spec.js';
export { YamlStrategy } from './strategies/yaml-strategy.js';
