import { closestMatch } from './suggest.js';

/** The parts of a valibot schema that the walks of this package read. */
export interface SchemaNode {
  readonly type: string;
  readonly wrapped?: SchemaNode;
  readonly default?: unknown;
  readonly entries?: Readonly<Record<string, SchemaNode>>;
  readonly options?: readonly unknown[];
  readonly item?: SchemaNode;
  readonly value?: SchemaNode;
  readonly key?: unknown;
  readonly literal?: unknown;
  readonly getter?: (input: unknown) => SchemaNode;
  readonly pipe?: readonly {
    readonly kind: string;
    readonly type: string;
    readonly requirement?: unknown;
    readonly description?: string;
    readonly options?: readonly unknown[];
  }[];
}

/** An unknown key found in a document. */
export interface UnknownKey {
  /** Dotted path of the key, e.g. `strategies.0.entry.lng`. */
  readonly path: string;
  /** The keys allowed at that place. */
  readonly allowed: readonly string[];
  /** The closest allowed key, if it is a likely typo. */
  readonly suggestion: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unwrap(node: SchemaNode, data: unknown): SchemaNode {
  let current = node;
  for (;;) {
    if ((current.type === 'optional' || current.type === 'nullable' || current.type === 'nullish') && current.wrapped) {
      current = current.wrapped;
    } else if (current.type === 'lazy' && current.getter) {
      current = current.getter(data);
    } else {
      return current;
    }
  }
}

/** The option of a variant or union that `data` is meant to be, if it can be told. */
function pickOption(node: SchemaNode, data: Record<string, unknown>): SchemaNode | undefined {
  const options = (node.options ?? []) as SchemaNode[];
  if (node.type === 'variant' && typeof node.key === 'string') {
    const tag = data[node.key];
    return options.find((option) => {
      const discriminator = option.entries?.[node.key as string];
      if (!discriminator) return false;
      const inner = unwrap(discriminator, tag);
      return inner.literal === tag || (inner.options ?? []).includes(tag);
    });
  }
  const objects = options.map((option) => unwrap(option, data)).filter((option) => option.entries);
  return objects.find((option) => Object.keys(data).every((key) => key in (option.entries ?? {})));
}

const MAPPING_TYPES = new Set(['object', 'loose_object', 'strict_object', 'record', 'variant']);

/** Whether `node` (unwrapped) only accepts mappings, so that a list given for it is a mistake. */
function wantsMapping(node: SchemaNode, data: unknown): boolean {
  if (MAPPING_TYPES.has(node.type)) return true;
  if (node.type === 'union') {
    const options = (node.options ?? []) as SchemaNode[];
    return options.length > 0 && options.every((option) => wantsMapping(unwrap(option, data), data));
  }
  return false;
}

/** The problems of a document's shape that valibot does not report. */
export interface ShapeProblems {
  /** Keys the schema does not allow. */
  readonly unknownKeys: readonly UnknownKey[];
  /**
   * Dotted paths of lists given where a mapping is expected (valibot's objects
   * and records accept arrays, so `risk: [1, 2]` would otherwise pass with defaults).
   */
  readonly listsForMappings: readonly string[];
}

function walkShape(
  data: unknown,
  schema: unknown,
  path: string,
  out: { unknownKeys: UnknownKey[]; listsForMappings: string[] },
): void {
  const node = unwrap(schema as SchemaNode, data);
  const join = (key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);
  if (Array.isArray(data)) {
    if (node.type === 'array' && node.item) {
      data.forEach((item, index) => {
        walkShape(item, node.item, join(index), out);
      });
    } else if (wantsMapping(node, data)) {
      out.listsForMappings.push(path);
    }
    return;
  }
  if (!isRecord(data)) return;
  if (node.type === 'record' && node.value) {
    for (const [key, value] of Object.entries(data)) walkShape(value, node.value, join(key), out);
    return;
  }
  if (node.type === 'variant' || node.type === 'union') {
    const option = pickOption(node, data);
    if (option) walkShape(data, option, path, out);
    return;
  }
  if (!node.entries) return;
  const allowed = Object.keys(node.entries);
  for (const [key, value] of Object.entries(data)) {
    const child = node.entries[key];
    if (child) walkShape(value, child, join(key), out);
    else out.unknownKeys.push({ path: join(key), allowed, suggestion: closestMatch(key, allowed) });
  }
}

/**
 * Finds the problems of a document's shape at any depth (through objects,
 * arrays, records, variants, unions and lazy schemas): keys that `schema` does
 * not allow, and lists where it expects a mapping.
 * @param data - the parsed document.
 * @param schema - the valibot schema it should match.
 * @param path - dotted path of `data` in the document; `''` for the root.
 */
export function findShapeProblems(data: unknown, schema: unknown, path = ''): ShapeProblems {
  const out = { unknownKeys: [] as UnknownKey[], listsForMappings: [] as string[] };
  walkShape(data, schema, path, out);
  return out;
}

/**
 * Finds the keys of `data` that `schema` does not allow, at any depth
 * (through objects, arrays, records, variants, unions and lazy schemas).
 * A typo must not silently fall back to a default, so callers report these.
 * @param data - the parsed document.
 * @param schema - the valibot schema it should match.
 * @param path - dotted path of `data` in the document; `''` for the root.
 */
export function findUnknownKeys(data: unknown, schema: unknown, path = ''): UnknownKey[] {
  return [...findShapeProblems(data, schema, path).unknownKeys];
}
