import type { SchemaNode } from '../schema-walk.js';
import { systemConfigSchema } from './system.js';

/** How a leaf's value is written in an environment variable, and so how it is coerced. */
export type LeafKind = 'number' | 'integer' | 'boolean' | 'string' | 'choice' | 'list' | 'map';

/** One configurable value: a key that holds a value rather than a section. */
export interface ConfigLeaf {
  /** Dotted path, e.g. `services.data_fetching.fetch_interval`. */
  readonly path: string;
  /** The environment variable that overrides it, e.g. `SERVICES_DATA_FETCHING_FETCH_INTERVAL`. */
  readonly envVar: string;
  /** Older variable names still honoured, the primary winning when both are set. */
  readonly legacyEnvVars: readonly string[];
  /** How the value is written and coerced. */
  readonly kind: LeafKind;
  /** The default value. */
  readonly defaultValue: unknown;
  /** What the key is for. */
  readonly description: string;
  /** Allowed range or values in words, e.g. `> 0`, `integer >= 1`, `synchronous | asynchronous`. */
  readonly constraint: string;
  /** For a `map`: whether its values are numbers (coerced from the variable's text) rather than text. */
  readonly numericValues?: boolean;
}

const LEGACY_ENV: Readonly<Record<string, readonly string[]>> = {
  'trading.symbol': ['SYMBOL'],
  'trading.timeframes': ['TIMEFRAMES'],
};

function describeConstraint(node: SchemaNode): { kind: LeafKind; constraint: string; numericValues?: boolean } {
  const actions = node.pipe ?? [];
  const picklist =
    actions.find((action) => action.type === 'picklist') ?? (node.type === 'picklist' ? node : undefined);
  if (node.type === 'array') {
    const item = node.item as SchemaNode;
    const itemPicklist = item.pipe?.find((action) => action.type === 'picklist');
    return { kind: 'list', constraint: `list of ${itemPicklist?.options?.join(' | ') ?? item.type}` };
  }
  if (node.type === 'record') {
    const value = node.value as SchemaNode | undefined;
    if (value?.type === 'number') {
      return { kind: 'map', constraint: `map of name: ${describeConstraint(value).constraint}`, numericValues: true };
    }
    return { kind: 'map', constraint: 'map of name: level' };
  }
  if (node.type === 'boolean') return { kind: 'boolean', constraint: 'true | false' };
  if (picklist?.options) return { kind: 'choice', constraint: picklist.options.join(' | ') };
  if (node.type === 'number') {
    const integer = actions.some((action) => action.type === 'integer');
    const bounds = actions.flatMap((action) => {
      if (action.type === 'min_value') return [`>= ${action.requirement}`];
      if (action.type === 'gt_value') return [`> ${action.requirement}`];
      if (action.type === 'max_value') return [`<= ${action.requirement}`];
      return [];
    });
    return { kind: integer ? 'integer' : 'number', constraint: [integer ? 'integer' : 'number', ...bounds].join(' ') };
  }
  return { kind: 'string', constraint: 'non-empty text' };
}

function walk(node: SchemaNode, path: string[], out: ConfigLeaf[]): void {
  let current = node;
  let defaultValue: unknown;
  if (current.type === 'optional') {
    defaultValue = current.default;
    current = current.wrapped as SchemaNode;
  }
  if (current.type === 'object' && current.entries) {
    for (const [key, child] of Object.entries(current.entries)) walk(child, [...path, key], out);
    return;
  }
  const dotted = path.join('.');
  out.push({
    path: dotted,
    envVar: path.join('_').toUpperCase(),
    legacyEnvVars: LEGACY_ENV[dotted] ?? [],
    defaultValue,
    description: current.pipe?.find((action) => action.type === 'description')?.description ?? '',
    ...describeConstraint(current),
  });
}

/**
 * Every configurable value of `schema`, in schema order, with its env
 * variable, default, constraint and description.
 * @param schema - a valibot object schema; the whole system config by default.
 */
export function configLeaves(schema: unknown = systemConfigSchema): readonly ConfigLeaf[] {
  const out: ConfigLeaf[] = [];
  walk(schema as SchemaNode, [], out);
  return out;
}
