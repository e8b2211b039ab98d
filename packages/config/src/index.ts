export { ConfigError, type ConfigErrorCode, type ConfigIssue, formatConfigError } from './config-error.js';
export { type ConfigSource, describeSource } from './config-source.js';
export { coerceEnvValue, type EnvOrigin } from './env-overrides.js';
export {
  buildConfig,
  type ConfigInput,
  DEFAULT_CONFIG_PATH,
  describeConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
} from './load-config.js';
export { type ApiConfig, apiListenProblem, apiSchema } from './schema/api.js';
export type { DeepReadonly } from './schema/deep-readonly.js';
export { type EventBusConfig, eventBusSchema } from './schema/event-bus.js';
export { type ExchangeConfig, exchangeSchema } from './schema/exchange.js';
export { type ConfigLeaf, configLeaves, type LeafKind } from './schema/leaves.js';
export { LOG_LEVELS, type LoggingConfig, loggingSchema, logLevelSchema } from './schema/logging.js';
export { type NotificationsConfig, notificationsSchema } from './schema/notifications.js';
export { type OrchestratorConfig, orchestratorSchema } from './schema/orchestrator.js';
export { type PaperBrokerConfig, paperBrokerSchema } from './schema/paper-broker.js';
export { type RecoveryConfig, recoverySchema } from './schema/recovery.js';
export { type RiskConfig, riskSchema } from './schema/risk.js';
export {
  dataFetchingSchema,
  indicatorCalculationSchema,
  type ServicesConfig,
  servicesSchema,
  strategyEvaluationSchema,
  tradeExecutionSchema,
} from './schema/services.js';
export { type StoreConfig, storeSchema, storeUrlProblem } from './schema/store.js';
export { SECTIONS, type SystemConfig, systemConfigSchema } from './schema/system.js';
export { CONFIG_TIMEFRAMES, type ConfigTimeframe, normalizeTimeframe, timeframeSchema } from './schema/timeframe.js';
export { SYMBOL_PATTERN, type TradingConfig, tradingSchema } from './schema/trading.js';
export { findUnknownKeys, type UnknownKey } from './schema-walk.js';
export { isSecretName, REDACTED, redactSecrets, SECRET_NAME_PATTERN } from './secrets.js';
export { closestMatch } from './suggest.js';
export { duplicateIssues, positionOf, schemaIssues, unknownKeyIssues, validateYaml } from './validate-document.js';
export { type FilePosition, parseYamlFile, readYamlFile, type YamlFile } from './yaml-file.js';
