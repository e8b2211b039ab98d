import { type JsonSchema, toJsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema';
import { prometheusContentType } from 'prom-client';
import {
  EVENTS_PARAMETERS,
  NO_PARAMETERS,
  NOTIFICATIONS_PARAMETERS,
  ORDERS_PARAMETERS,
  type ParameterSet,
  POSITIONS_PARAMETERS,
  RUNS_PARAMETERS,
  SUMMARY_PARAMETERS,
  TRADES_PARAMETERS,
} from './query-parameters.js';
import { PROBLEM_CODES, RESPONSE_SCHEMAS } from './response-schemas.js';

type SchemaName = keyof typeof RESPONSE_SCHEMAS;

/** One endpoint as the document lists it. */
interface Endpoint {
  readonly path: string;
  readonly operationId: string;
  readonly tag: 'health' | 'events' | 'trading' | 'operations';
  readonly summary: string;
  /** Its query parameters: the very set `readQuery` checks them with in {@link createApi}. */
  readonly parameters: ParameterSet;
  /** The 200 body's schema, or `metrics` (Prometheus text) or `openapi` (this document). */
  readonly body: SchemaName | 'metrics' | 'openapi';
  /** A health endpoint: 503 with the same body when unhealthy. */
  readonly health?: boolean;
  /** Reads the store in a way that throws when it is closed or unreachable: a 503 `STORE_UNAVAILABLE` then. */
  readonly readsStore?: boolean;
  /** Open: no bearer token. */
  readonly open?: boolean;
}

/** Every endpoint of {@link createApi}, in the order of docs/API.md. @internal */
export const ENDPOINTS: readonly Endpoint[] = [
  {
    path: '/api/health',
    operationId: 'getHealth',
    tag: 'health',
    summary: "Overall health: each component's state, no details (open: no token)",
    parameters: NO_PARAMETERS,
    body: 'Health',
    health: true,
    open: true,
  },
  {
    path: '/api/health/detailed',
    operationId: 'getHealthDetailed',
    tag: 'health',
    summary: "Every check in full, the process, the orchestrator's metrics, the account, the run's heartbeat",
    parameters: NO_PARAMETERS,
    body: 'DetailedHealth',
    health: true,
    // The bot's run is read from the store (the checks themselves catch the store's errors).
    readsStore: true,
  },
  {
    path: '/api/health/database',
    operationId: 'getHealthDatabase',
    tag: 'health',
    summary: 'The event store: reachable within 2 s, its size, orders by status, fills, positions, runs',
    parameters: NO_PARAMETERS,
    body: 'DatabaseHealth',
    health: true,
  },
  {
    path: '/api/health/broker',
    operationId: 'getHealthBroker',
    tag: 'health',
    summary: "The venue's calls: the last success and its latency, failures in a row (unhealthy from 3)",
    parameters: NO_PARAMETERS,
    body: 'BrokerHealth',
    health: true,
  },
  {
    path: '/api/health/scheduler',
    operationId: 'getHealthScheduler',
    tag: 'health',
    summary: 'The trading loop, health rounds and jobs: last and next runs (unhealthy when stalled)',
    parameters: NO_PARAMETERS,
    body: 'SchedulerHealth',
    health: true,
  },
  {
    path: '/api/health/disk',
    operationId: 'getHealthDisk',
    tag: 'health',
    summary: "Free space on the store's disk against api.disk_min_free_mb",
    parameters: NO_PARAMETERS,
    body: 'DiskHealth',
    health: true,
  },
  {
    path: '/api/events',
    operationId: 'getEvents',
    tag: 'events',
    summary: 'The event log in sequence order, filtered, paged by cursor',
    parameters: EVENTS_PARAMETERS,
    body: 'EventPage',
    readsStore: true,
  },
  {
    path: '/api/events/summary',
    operationId: 'getEventSummary',
    tag: 'events',
    summary: 'Counts of the events a filter selects: in all, by type, by severity, by hour (UTC)',
    parameters: SUMMARY_PARAMETERS,
    body: 'EventSummary',
    readsStore: true,
  },
  {
    path: '/api/orders',
    operationId: 'getOrders',
    tag: 'trading',
    summary: 'The orders, each in its last state',
    parameters: ORDERS_PARAMETERS,
    body: 'Orders',
    readsStore: true,
  },
  {
    path: '/api/positions',
    operationId: 'getPositions',
    tag: 'trading',
    summary: 'The positions, open and closed',
    parameters: POSITIONS_PARAMETERS,
    body: 'Positions',
    readsStore: true,
  },
  {
    path: '/api/trades',
    operationId: 'getTrades',
    tag: 'trading',
    summary: 'Closed trades with their P&L after fees: one per PositionClosed event, paged by cursor',
    parameters: TRADES_PARAMETERS,
    body: 'Trades',
    readsStore: true,
  },
  {
    path: '/api/runs',
    operationId: 'getRuns',
    tag: 'operations',
    summary: 'The runs, oldest first: how each ended, its liveness, its recovery log and summary',
    parameters: RUNS_PARAMETERS,
    body: 'Runs',
    readsStore: true,
  },
  {
    path: '/api/notifications',
    operationId: 'getNotifications',
    tag: 'operations',
    summary: 'The notification outbox, newest first, with its counts: dead letters with ?status=dead',
    parameters: NOTIFICATIONS_PARAMETERS,
    body: 'Notifications',
    readsStore: true,
  },
  {
    path: '/metrics',
    operationId: 'getMetrics',
    tag: 'operations',
    summary: 'Prometheus metrics (text exposition format 0.0.4)',
    parameters: NO_PARAMETERS,
    body: 'metrics',
    readsStore: true,
  },
  {
    path: '/api/openapi.json',
    operationId: 'getOpenApi',
    tag: 'operations',
    summary: 'This document',
    parameters: NO_PARAMETERS,
    body: 'openapi',
  },
];

const TAGS = [
  { name: 'health', description: 'The components of the bot: 200 when healthy, 503 (the same body) when not' },
  { name: 'events', description: 'The event log of the store' },
  { name: 'trading', description: "The store's projections: orders, positions, and the trades of the log" },
  { name: 'operations', description: 'Runs, notifications, metrics, this document' },
];

const componentRef = (name: string) => `#/components/schemas/${name}`;
const ref = (name: SchemaName) => ({ $ref: componentRef(name) });
const json = (schema: object) => ({ 'application/json': { schema } });
const responseRef = (name: keyof typeof ERRORS) => ({ $ref: `#/components/responses/${name}` });

/** The error answers every endpoint shares, as `components.responses`. */
const ERRORS = {
  BadParameter: {
    description:
      'A bad query parameter (`BAD_PARAMETER`): invalid, unknown (parameters are refused, not ignored), or a single one repeated',
    content: json(ref('BadParameter')),
  },
  Unauthorized: {
    description: `No bearer token, or not the one configured (\`${PROBLEM_CODES[401]}\`)`,
    headers: {
      'WWW-Authenticate': {
        description: 'Bearer realm="quant", with error="invalid_token" for a wrong token',
        schema: { type: 'string' },
      },
    },
    content: json(ref('Problem')),
  },
  NotFound: {
    description: `No such endpoint (\`${PROBLEM_CODES[404]}\`): any path not listed here`,
    content: json(ref('Problem')),
  },
  MethodNotAllowed: {
    description: `A method other than GET or HEAD, on any path (\`${PROBLEM_CODES[405]}\`): the API is read only`,
    headers: { Allow: { description: 'GET, HEAD', schema: { type: 'string' } } },
    content: json(ref('Problem')),
  },
  BodyNotAllowed: {
    description: `A request with a body: a Content-Length other than 0, or a Transfer-Encoding (\`${PROBLEM_CODES[413]}\`)`,
    content: json(ref('Problem')),
  },
  QueryTooLong: {
    description: `A query string over api.max_query_bytes, 4096 bytes by default (\`${PROBLEM_CODES[414]}\`)`,
    content: json(ref('Problem')),
  },
  Internal: {
    description: `The request failed (\`${PROBLEM_CODES[500]}\`): the details are in the bot's log, not here`,
    content: json(ref('Problem')),
  },
  StoreUnavailable: {
    description: `The event store is closed or unreachable (\`${PROBLEM_CODES[503]}\`)`,
    content: json(ref('Problem')),
  },
} as const;

/** The JSON Schema of one value of a query parameter: its own, or generated from its valibot schema. */
function parameterSchema(name: string, parameter: ParameterSet[string]): JsonSchema {
  if (parameter.jsonSchema !== undefined) return parameter.jsonSchema;
  try {
    const { $schema: _, ...schema } = toJsonSchema(parameter.schema, { target: 'draft-2020-12', errorMode: 'throw' });
    return schema;
  } catch (error) {
    throw new Error(
      `the query parameter "${name}" has no JSON Schema equivalent (a transform or a check): give it a jsonSchema`,
      { cause: error },
    );
  }
}

/**
 * The schemas of the bodies, as `components.schemas`: each schema of {@link RESPONSE_SCHEMAS} used inside another
 * is a `$ref` to its component. Throws when one has no JSON Schema equivalent, rather than describe it wrongly.
 */
function bodySchemas(): Record<string, JsonSchema> {
  return toJsonSchemaDefs(RESPONSE_SCHEMAS, {
    target: 'draft-2020-12',
    errorMode: 'throw',
    overrideRef: ({ referenceId }) => componentRef(referenceId),
  });
}

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  /**
   * Whether the API requires a bearer token ({@link ApiOptions.token} given): then every endpoint but
   * `GET /api/health` lists the `bearer` security scheme and a 401. `true` by default.
   */
  readonly bearer?: boolean;
}

/** An OpenAPI 3.1.0 document, as {@link openApiDocument} builds it: plain JSON data. */
export interface OpenApiDocument {
  /** `3.1.0`. */
  readonly openapi: '3.1.0';
  /** The title, the {@link API_VERSION} of the contract, a description, the license. */
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly description: string;
    readonly license: { readonly name: string; readonly identifier: string };
  };
  /** `[{ url: '/' }]`: the server the document is read from. */
  readonly servers: readonly { readonly url: string }[];
  /** `[{ bearer: [] }]` with a token (`GET /api/health` overrides it with `[]`), none without. */
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  /** The groups of the endpoints: health, events, trading, operations. */
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  /** Each endpoint's `get` operation: parameters, responses. */
  readonly paths: Readonly<Record<string, { readonly get: Readonly<Record<string, unknown>> }>>;
  /** The bodies' JSON Schemas (`schemas`), the shared error answers (`responses`), the `bearer` scheme. */
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses: Readonly<Record<string, unknown>>;
    readonly securitySchemes?: Readonly<Record<string, unknown>>;
  };
}

/**
 * The version of the API's contract (`info.version` of its OpenAPI document, not the package's version): the
 * major changes when an endpoint, a parameter or a field is removed or changes meaning; the minor when one is
 * added.
 */
export const API_VERSION = '1.1.0';

/**
 * The OpenAPI 3.1.0 description of the API {@link createApi} serves, as `GET /api/openapi.json` answers it: every
 * endpoint with its query parameters (generated from the valibot schemas the API checks them with, so that a
 * parameter added there is in the document; each one's `description` is the `expected` of its 400), its 200 body,
 * its errors (`components.responses`: 400 `BAD_PARAMETER`, 401, 413, 414, 500, 503, and the 404 and 405 of any
 * other path or method), and the bodies' JSON Schemas (`components.schemas`, generated from valibot schemas of the
 * responses). Times are ms since epoch UTC, amounts in the quote currency, as everywhere in the API. Built afresh
 * at each call (a few ms): keep it, the document never changes within a version.
 *
 * Use it to generate a client or documentation without a running bot: `JSON.stringify(openApiDocument())`.
 * @param options - `bearer`: whether the API has a token (`true` by default).
 * @returns the document, plain JSON data.
 * @throws Error when a parameter's or a body's schema has no JSON Schema equivalent (a programming error, caught by
 * the package's tests).
 */
export function openApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const bearer = options.bearer ?? true;
  const paths: Record<string, { get: Record<string, unknown> }> = {};
  for (const endpoint of ENDPOINTS) {
    const parameters = Object.entries(endpoint.parameters).map(([name, parameter]) => {
      const schema = parameterSchema(name, parameter);
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
        ? { [prometheusContentType]: { schema: { type: 'string', description: 'The Prometheus text format 0.0.4' } } }
        : endpoint.body === 'openapi'
          ? json({
              type: 'object',
              description: 'An OpenAPI 3.1 document: this one',
              properties: { openapi: { const: '3.1.0' } },
              required: ['openapi', 'info', 'paths'],
            })
          : json(ref(endpoint.body));
    const unavailable =
      endpoint.health === true
        ? {
            description:
              endpoint.readsStore === true
                ? 'Not healthy (the same body, with the reason), or the store unavailable (STORE_UNAVAILABLE)'
                : 'Not healthy (the same body, with the reason)',
            content:
              endpoint.readsStore === true && endpoint.body !== 'metrics' && endpoint.body !== 'openapi'
                ? json({ anyOf: [ref(endpoint.body), ref('Problem')] })
                : ok,
          }
        : endpoint.readsStore === true
          ? responseRef('StoreUnavailable')
          : undefined;
    const secured = bearer && endpoint.open !== true;
    paths[endpoint.path] = {
      get: {
        operationId: endpoint.operationId,
        tags: [endpoint.tag],
        summary: endpoint.summary,
        ...(bearer && endpoint.open === true ? { security: [] } : {}),
        parameters,
        responses: {
          '200': { description: endpoint.health === true ? 'Healthy' : 'OK', content: ok },
          '400': responseRef('BadParameter'),
          ...(secured ? { '401': responseRef('Unauthorized') } : {}),
          '413': responseRef('BodyNotAllowed'),
          '414': responseRef('QueryTooLong'),
          '500': responseRef('Internal'),
          ...(unavailable === undefined ? {} : { '503': unavailable }),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '@quant operations API',
      version: API_VERSION,
      description: [
        'Read-only operations API of a @quant bot (quant-bot live --api): events, trading state, health, metrics.',
        'Times in ms since epoch UTC; prices and amounts in the quote currency; quantities in base units.',
        'Every endpoint answers HEAD as GET; any other method is a 405, any other path a 404',
        '(components.responses.MethodNotAllowed, NotFound). Every response has Cache-Control: no-store. See docs/API.md.',
      ].join(' '),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    ...(bearer ? { security: [{ bearer: [] }] } : {}),
    tags: TAGS,
    paths,
    components: {
      schemas: bodySchemas(),
      responses: ERRORS,
      ...(bearer
        ? {
            securitySchemes: {
              bearer: {
                type: 'http',
                scheme: 'bearer',
                description: 'The token of API_TOKEN (api.token), at least 16 characters',
              },
            },
          }
        : {}),
    },
  };
}
