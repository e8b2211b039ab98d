import { type JsonSchema, toJsonSchema } from '@valibot/to-json-schema';
import {
  EVENTS_PARAMETERS,
  NO_PARAMETERS,
  ORDERS_PARAMETERS,
  type ParameterSet,
  POSITIONS_PARAMETERS,
  RUNS_PARAMETERS,
  SUMMARY_PARAMETERS,
  TRADES_PARAMETERS,
} from './query-parameters.js';
import { RESPONSE_SCHEMAS } from './response-schemas.js';

type SchemaName = keyof typeof RESPONSE_SCHEMAS;

/** One endpoint as the document lists it. */
interface Endpoint {
  readonly path: string;
  readonly summary: string;
  readonly parameters: ParameterSet;
  /** The 200 body's schema, or `metrics` (Prometheus text) or `openapi` (this document). */
  readonly body: SchemaName | 'metrics' | 'openapi';
  /** A health endpoint: 503 with the same body when unhealthy. */
  readonly health?: boolean;
  /** Open: no bearer token. */
  readonly open?: boolean;
  /** Paged by sequence number. */
  readonly paged?: boolean;
}

/** Every endpoint of {@link createApi}, in the order of docs/API.md. @internal */
export const ENDPOINTS: readonly Endpoint[] = [
  {
    path: '/api/health',
    summary: "Overall health: each component's state, no details (open: no token)",
    parameters: NO_PARAMETERS,
    body: 'Health',
    health: true,
    open: true,
  },
  {
    path: '/api/health/detailed',
    summary: "Every check in full, the process, the orchestrator's metrics, the account, the run's heartbeat",
    parameters: NO_PARAMETERS,
    body: 'DetailedHealth',
    health: true,
  },
  {
    path: '/api/health/database',
    summary: 'The event store: reachable within 2 s, its size, orders by status, fills, positions, runs',
    parameters: NO_PARAMETERS,
    body: 'DatabaseHealth',
    health: true,
  },
  {
    path: '/api/health/broker',
    summary: "The venue's calls: the last success and its latency, failures in a row (unhealthy from 3)",
    parameters: NO_PARAMETERS,
    body: 'BrokerHealth',
    health: true,
  },
  {
    path: '/api/health/scheduler',
    summary: 'The trading loop, health rounds and jobs: last and next runs (unhealthy when stalled)',
    parameters: NO_PARAMETERS,
    body: 'SchedulerHealth',
    health: true,
  },
  {
    path: '/api/health/disk',
    summary: "Free space on the store's disk against api.disk_min_free_mb",
    parameters: NO_PARAMETERS,
    body: 'DiskHealth',
    health: true,
  },
  {
    path: '/api/events',
    summary: 'The event log in sequence order, filtered, paged by cursor',
    parameters: EVENTS_PARAMETERS,
    body: 'EventPage',
    paged: true,
  },
  {
    path: '/api/events/summary',
    summary: 'Counts of the events a filter selects: in all, by type, by severity, by hour (UTC)',
    parameters: SUMMARY_PARAMETERS,
    body: 'EventSummary',
  },
  {
    path: '/api/orders',
    summary: 'The orders, each in its last state',
    parameters: ORDERS_PARAMETERS,
    body: 'Orders',
  },
  { path: '/api/positions', summary: 'The positions', parameters: POSITIONS_PARAMETERS, body: 'Positions' },
  {
    path: '/api/trades',
    summary: 'Closed trades with their P&L after fees: one per PositionClosed event, paged by cursor',
    parameters: TRADES_PARAMETERS,
    body: 'Trades',
    paged: true,
  },
  {
    path: '/api/runs',
    summary: 'The runs: how each ended, its liveness, its recovery log and summary',
    parameters: RUNS_PARAMETERS,
    body: 'Runs',
  },
  {
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format)',
    parameters: NO_PARAMETERS,
    body: 'metrics',
  },
  { path: '/api/openapi.json', summary: 'This document', parameters: NO_PARAMETERS, body: 'openapi' },
];

const convert = (schema: Parameters<typeof toJsonSchema>[0]): JsonSchema =>
  // Query values are strings: their schemas are described by input (the pattern a value must match), and the
  // actions that apply after a transform (limit's minimum and maximum) are left to the description.
  toJsonSchema(schema, {
    target: 'draft-2020-12',
    typeMode: 'input',
    errorMode: 'ignore',
    ignoreActions: ['min_value', 'max_value'],
  });

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });

const ERRORS = {
  '400': { description: 'A bad parameter (invalid, unknown or repeated)', content: json(ref('BadParameter')) },
  '401': { description: 'No bearer token, or the wrong one', content: json(ref('Problem')) },
  '405': { description: 'A method other than GET or HEAD', content: json(ref('Problem')) },
  '413': { description: 'A request with a body', content: json(ref('Problem')) },
  '414': { description: 'A query string over api.max_query_bytes', content: json(ref('Problem')) },
  '500': { description: 'The request failed (details in the log)', content: json(ref('Problem')) },
} as const;

/**
 * The version of the API's contract (`info.version` of its OpenAPI document): the major changes when an endpoint,
 * a parameter or a field is removed or changes meaning; the minor when one is added.
 */
export const API_VERSION = '1.1.0';

/**
 * The OpenAPI 3.1 description of the API that {@link createApi} serves: every endpoint with its query parameters
 * (from the same valibot schemas `readQuery` checks them with), its responses (from the valibot schemas of the
 * bodies) and its errors, the bearer-token security scheme (`GET /api/health` open).
 * @returns the document, a plain JSON object.
 * @internal
 */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const endpoint of ENDPOINTS) {
    const parameters = Object.entries(endpoint.parameters).map(([name, parameter]) => {
      const schema = convert(parameter.schema);
      return {
        name,
        in: 'query',
        required: false,
        description: parameter.expected,
        ...(parameter.repeatable
          ? { schema: { type: 'array', items: schema }, style: 'form', explode: true }
          : { schema }),
      };
    });
    const ok =
      endpoint.body === 'metrics'
        ? { 'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } } }
        : endpoint.body === 'openapi'
          ? json({ type: 'object', description: 'An OpenAPI 3.1 document' })
          : json(ref(endpoint.body));
    const { '401': unauthorized, ...errors } = ERRORS;
    paths[endpoint.path] = {
      get: {
        summary: endpoint.summary,
        ...(endpoint.open === true ? { security: [] } : {}),
        parameters,
        responses: {
          '200': { description: endpoint.health === true ? 'Healthy' : 'OK', content: ok },
          ...(endpoint.health === true
            ? { '503': { description: 'Not healthy (the same body, with the reason)', content: ok } }
            : {
                '503': {
                  description: 'The event store is closed or unreachable (STORE_UNAVAILABLE)',
                  content: json(ref('Problem')),
                },
              }),
          ...errors,
          ...(endpoint.open === true ? {} : { '401': unauthorized }),
        },
      },
    };
  }
  const schemas = Object.fromEntries(
    Object.entries(RESPONSE_SCHEMAS).map(([name, schema]) => [
      name,
      toJsonSchema(schema, { target: 'draft-2020-12', errorMode: 'ignore' }),
    ]),
  );
  for (const schema of Object.values(schemas)) delete (schema as { $schema?: string }).$schema;
  return {
    openapi: '3.1.0',
    info: {
      title: '@quant operations API',
      version: API_VERSION,
      description:
        'Read-only operations API of a @quant bot (quant-bot live --api): events, trading state, health, metrics. Times in ms since epoch UTC; amounts in the quote currency. See docs/API.md.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token of API_TOKEN (api.token)' },
      },
    },
  };
}
