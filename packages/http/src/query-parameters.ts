import { ORDER_STATUSES } from '@quant/core';
import { SEVERITIES, type Severity } from '@quant/store';
import type { JsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';

/**
 * How a query parameter is read: its schema (from the raw string), whether it may repeat, what it expects, and —
 * when its schema transforms or checks the value by code, which JSON Schema cannot say — the JSON Schema of a value
 * for the OpenAPI document (otherwise generated from `schema`).
 */
interface Parameter<T, R extends boolean> {
  readonly schema: v.GenericSchema<string, T>;
  readonly repeatable: R;
  /** What a valid value looks like, as the 400 says it. */
  readonly expected: string;
  /** The JSON Schema of one value, for a `schema` with a `transform` or a `check`. */
  readonly jsonSchema?: JsonSchema;
}

type AnyParameter = Parameter<unknown, boolean>;

/** The parameters of an endpoint, by name. */
export type ParameterSet = Readonly<Record<string, AnyParameter>>;

type ValueOf<P> = P extends Parameter<infer T, true> ? readonly T[] : P extends Parameter<infer T, false> ? T : never;

/** The values read from a query: each parameter given, repeatable ones as arrays. */
export type QueryValues<S extends ParameterSet> = { readonly [K in keyof S]?: ValueOf<S[K]> };

/**
 * Why a query was refused, as the body of its 400: `{ error: BadParameter }`.
 * @internal
 */
export interface BadParameter {
  readonly code: 'BAD_PARAMETER';
  /** `invalid` (the value does not fit), `unknown` (no such parameter) or `repeated` (given more than once). */
  readonly reason: 'invalid' | 'unknown' | 'repeated';
  /** The parameter's name. */
  readonly parameter: string;
  /** The value(s) given (cut at 100 characters); `null` for an unknown parameter, whose value is not echoed. */
  readonly given: string | readonly string[] | null;
  /** What the parameter accepts (for an unknown one: the parameters the endpoint knows). */
  readonly expected: string;
}

const single = <T>(
  schema: v.GenericSchema<string, T>,
  expected: string,
  jsonSchema?: JsonSchema,
): Parameter<T, false> => ({
  schema,
  repeatable: false,
  expected,
  ...(jsonSchema === undefined ? {} : { jsonSchema }),
});
const repeated = <T>(
  schema: v.GenericSchema<string, T>,
  expected: string,
  jsonSchema?: JsonSchema,
): Parameter<T, true> => ({
  schema,
  repeatable: true,
  expected,
  ...(jsonSchema === undefined ? {} : { jsonSchema }),
});

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

/**
 * A time parameter as ms since epoch, UTC: digits (ms), or ISO 8601 — a date (`2023-03-01`, midnight UTC) or a date
 * and time with its zone (`2023-03-01T12:00Z`, `2023-03-01T13:00:00.000+01:00`); `null` when it is neither.
 * @internal
 */
export function parseTimeMs(text: string): number | null {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const parts = ISO_8601.exec(text);
  if (parts === null) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', , offsetHour = '0', offsetMinute = '0'] = parts;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const validDate = date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  const validTime = Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
  const validOffset = Number(offsetHour) < 24 && Number(offsetMinute) < 60;
  if (!validDate || !validTime || !validOffset) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

const time = single(
  v.pipe(
    v.string(),
    v.check((text) => parseTimeMs(text) !== null),
    v.transform((text) => parseTimeMs(text) as number),
  ),
  'a time: ms since epoch (digits), or ISO 8601: a date (UTC midnight) or a date and time with Z or an offset',
  {
    type: 'string',
    // The shapes parseTimeMs reads; it also refuses what the pattern cannot (February 30, 25:00, …).
    pattern: `^\\d{1,15}$|${ISO_8601.source}`,
    examples: ['1677628800000', '2023-03-01', '2023-03-01T12:00Z', '2023-03-01T13:00:00.000+01:00'],
  },
);

const text = (maxLength: number, expected: string) =>
  single(v.pipe(v.string(), v.minLength(1), v.maxLength(maxLength)), expected);

const symbol = single(
  v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,39}$/)),
  'an instrument, e.g. BTCUSDT (1 to 40 letters, digits, . _ : / -)',
);

/** The most events (or trades) a page may hold. */
export const MAX_PAGE_LIMIT = 1000;
/** The events (or trades) of a page when no `limit` is given. */
export const DEFAULT_PAGE_LIMIT = 100;

const paging = {
  limit: single(
    v.pipe(v.string(), v.regex(/^\d{1,7}$/), v.transform(Number), v.minValue(1), v.maxValue(MAX_PAGE_LIMIT)),
    `an integer from 1 to ${MAX_PAGE_LIMIT} (${DEFAULT_PAGE_LIMIT} by default)`,
    { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT },
  ),
  after: single(
    v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number)),
    'the "next" of the previous page: a sequence number (digits), 0 for the first page',
    { type: 'integer', minimum: 0, maximum: 999_999_999_999_999, default: 0 },
  ),
};

const eventFilters = {
  type: repeated(
    v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/)),
    'an event type, e.g. OrderFilled (repeat the parameter for several)',
  ),
  severity: repeated(
    v.picklist(SEVERITIES as Severity[]),
    `a severity: ${SEVERITIES.join(', ')} (repeat the parameter for several)`,
  ),
  symbol,
  strategy: text(100, 'a strategy name (1 to 100 characters)'),
  correlation_id: text(200, 'a correlation id (1 to 200 characters)'),
  from: time,
  to: time,
};

/** The parameters of `GET /api/events`. @internal */
export const EVENTS_PARAMETERS = { ...eventFilters, ...paging } satisfies ParameterSet;
/** The parameters of `GET /api/events/summary`. @internal */
export const SUMMARY_PARAMETERS = eventFilters satisfies ParameterSet;
/** The parameters of `GET /api/orders`. @internal */
export const ORDERS_PARAMETERS = {
  status: repeated(
    v.picklist(ORDER_STATUSES),
    `an order status: ${ORDER_STATUSES.join(', ')} (repeat the parameter for several)`,
  ),
  symbol,
} satisfies ParameterSet;
/** The parameters of `GET /api/positions`. @internal */
export const POSITIONS_PARAMETERS = {
  status: single(v.picklist(['open', 'closed']), 'open or closed'),
  symbol,
} satisfies ParameterSet;
/** The parameters of `GET /api/trades`. @internal */
export const TRADES_PARAMETERS = {
  symbol,
  strategy: eventFilters.strategy,
  from: time,
  to: time,
  ...paging,
} satisfies ParameterSet;
/** The parameters of `GET /api/runs`. @internal */
export const RUNS_PARAMETERS = {
  bot_id: text(200, "a bot's id (1 to 200 characters)"),
} satisfies ParameterSet;
/** The parameters of `GET /api/notifications`. @internal */
export const NOTIFICATIONS_PARAMETERS = {
  status: single(v.picklist(['pending', 'sent', 'dead']), 'pending, sent or dead (dead: the dead letters)'),
  channel: text(40, "a channel's name, e.g. email or webhook (1 to 40 characters)"),
  limit: paging.limit,
} satisfies ParameterSet;
/** No parameters (`GET /api/health`). @internal */
export const NO_PARAMETERS = {} satisfies ParameterSet;

const cut = (value: string): string => (value.length > 100 ? `${value.slice(0, 100)}…` : value);

/**
 * Reads a query against an endpoint's parameters: every parameter known, single ones given once, every value
 * valid; and `to` after `from` when both are given.
 * @internal
 */
export function readQuery<S extends ParameterSet>(
  query: URLSearchParams,
  parameters: S,
): { readonly values: QueryValues<S> } | { readonly problem: BadParameter } {
  const values: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) {
    const parameter = parameters[name];
    const given = query.getAll(name);
    if (parameter === undefined) {
      const known = Object.keys(parameters);
      return {
        problem: {
          code: 'BAD_PARAMETER',
          reason: 'unknown',
          parameter: cut(name),
          given: null,
          expected: known.length === 0 ? 'no parameters' : `one of: ${known.join(', ')}`,
        },
      };
    }
    if (!parameter.repeatable && given.length > 1) {
      return {
        problem: {
          code: 'BAD_PARAMETER',
          reason: 'repeated',
          parameter: name,
          given: given.map(cut),
          expected: `a single value: ${parameter.expected}`,
        },
      };
    }
    const parsed: unknown[] = [];
    for (const value of given) {
      const result = v.safeParse(parameter.schema, value);
      if (!result.success) {
        return {
          problem: {
            code: 'BAD_PARAMETER',
            reason: 'invalid',
            parameter: name,
            given: cut(value),
            expected: parameter.expected,
          },
        };
      }
      parsed.push(result.output);
    }
    values[name] = parameter.repeatable ? parsed : parsed[0];
  }
  const { from, to } = values;
  if (typeof from === 'number' && typeof to === 'number' && to <= from) {
    return {
      problem: {
        code: 'BAD_PARAMETER',
        reason: 'invalid',
        parameter: 'to',
        given: cut(query.get('to') ?? ''),
        expected: 'a time after from',
      },
    };
  }
  return { values: values as QueryValues<S> };
}
