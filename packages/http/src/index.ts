export type { ApiAccount, ApiBot, ApiBrokerStatus, ScheduledJob } from './bot-view.js';
export {
  type ApiOptions,
  type ApiStore,
  createApi,
  DEFAULT_MAX_QUERY_BYTES,
  DEFAULT_MIN_FREE_BYTES,
  MIN_TOKEN_LENGTH,
  type RunReport,
  type Trade,
} from './create-api.js';
export {
  BROKER_FAILURES_UNHEALTHY,
  type Check,
  type CheckStatus,
  DATABASE_CHECK_TIMEOUT_MS,
  MIN_STALL_MS,
} from './health-checks.js';
export { HttpError, type HttpErrorCode } from './http-error.js';
export { API_VERSION, type OpenApiDocument, type OpenApiOptions, openApiDocument } from './openapi.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './query-parameters.js';
export { type ApiServer, type ApiServerOptions, isLoopbackHost, startApiServer } from './start-api-server.js';
