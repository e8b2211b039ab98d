import { isTimeframe } from '../domain/timeframe.js';
import { EventSerializationError } from '../errors/core-errors.js';

/**
 * Checks that `value`, found at the dotted `path` of a parsed event, has the
 * expected shape; throws {@link EventSerializationError} (`INVALID_EVENT_JSON`)
 * naming the path and what was expected otherwise.
 */
export type FieldValidator = (value: unknown, path: string) => void;

function fail(path: string, expected: string, value: unknown): never {
  throw new EventSerializationError(
    'INVALID_EVENT_JSON',
    `${path || 'event'}: expected ${expected}, got ${JSON.stringify(value) ?? 'undefined'}`,
    path,
  );
}

const join = (path: string, key: string | number): string => (path ? `${path}.${key}` : String(key));

/** A string. */
export const string: FieldValidator = (v, p) => {
  if (typeof v !== 'string') fail(p, 'a string', v);
};

/** A finite number. */
export const number: FieldValidator = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'a finite number', v);
};

/** `true` or `false`. */
export const boolean: FieldValidator = (v, p) => {
  if (typeof v !== 'boolean') fail(p, 'a boolean', v);
};

/** A known timeframe such as `'5m'`. */
export const timeframe: FieldValidator = (v, p) => {
  if (!isTimeframe(v)) fail(p, 'a timeframe (1m, 5m, 15m, …)', v);
};

/** One of the given string literals. */
export const oneOf =
  (...values: readonly string[]): FieldValidator =>
  (v, p) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(p, `one of ${values.join(', ')}`, v);
  };

/** `null` or what `inner` accepts. */
export const nullable =
  (inner: FieldValidator): FieldValidator =>
  (v, p) => {
    if (v !== null) inner(v, p);
  };

/** An array whose items `item` accepts. */
export const arrayOf =
  (item: FieldValidator): FieldValidator =>
  (v, p) => {
    if (!Array.isArray(v)) fail(p, 'an array', v);
    for (const [i, entry] of v.entries()) item(entry, join(p, i));
  };

/** An object whose values `item` accepts. */
export const recordOf =
  (item: FieldValidator): FieldValidator =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
    for (const [key, entry] of Object.entries(v)) item(entry, join(p, key));
  };

/** An object with (at least) the given fields. */
export const shape =
  (fields: Readonly<Record<string, FieldValidator>>): FieldValidator =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
    for (const [key, check] of Object.entries(fields)) check((v as Record<string, unknown>)[key], join(p, key));
  };
