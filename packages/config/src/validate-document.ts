import * as v from 'valibot';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { findShapeProblems } from './schema-walk.js';
import { isSecretName, REDACTED } from './secrets.js';
import type { YamlFile } from './yaml-file.js';

/**
 * The `file:line:column` of the value at `path` in `yaml`, or of its closest
 * ancestor that has a position; the file name alone when none does.
 * @param yaml - a parsed file.
 * @param path - dotted path.
 */
export function positionOf(yaml: YamlFile, path: string): string {
  for (let prefix = path; ; prefix = prefix.slice(0, Math.max(0, prefix.lastIndexOf('.')))) {
    const position = yaml.valuePositions.get(prefix);
    if (position) return `${yaml.file}:${position.line}:${position.column}`;
    if (prefix === '') return yaml.file;
  }
}

/**
 * Issues for the keys of a document that its schema does not allow, each
 * with the key's position and a "did you mean" when a known key is close.
 * @param data - the document's data (possibly with overrides applied).
 * @param schema - its valibot schema.
 * @param yaml - the parsed file, for positions.
 */
export function unknownKeyIssues(data: unknown, schema: unknown, yaml: YamlFile): ConfigIssue[] {
  return shapeIssues(data, schema, {
    keySource: (path) => keySourceIn(yaml, path),
    valueSource: (path) => positionOf(yaml, path),
  }).issues.filter((issue) => issue.message.startsWith('unknown key'));
}

function keySourceIn(yaml: YamlFile, path: string): string {
  const position = yaml.keyPositions.get(path);
  return position ? `${yaml.file}:${position.line}:${position.column}` : positionOf(yaml, path);
}

/**
 * Issues for the shape of a document that valibot does not report: unknown
 * keys (with a "did you mean" when a known key is close) and lists given where
 * a mapping is expected (`expected a mapping, got a list`).
 * @param data - the document's data.
 * @param schema - its valibot schema.
 * @param sources - the source, in words, of a key and of a value at a dotted path.
 * @returns the issues, and the paths of misplaced lists (valibot's issues under them are noise).
 * @internal
 */
export function shapeIssues(
  data: unknown,
  schema: unknown,
  sources: { readonly keySource: (path: string) => string; readonly valueSource: (path: string) => string },
): { issues: ConfigIssue[]; listPaths: string[] } {
  const problems = findShapeProblems(data, schema);
  const issues: ConfigIssue[] = problems.unknownKeys.map((unknown) => ({
    path: unknown.path,
    source: sources.keySource(unknown.path),
    message: unknown.suggestion
      ? `unknown key; did you mean "${unknown.suggestion}"?`
      : `unknown key; expected one of ${unknown.allowed.join(', ')}`,
  }));
  for (const path of problems.listsForMappings) {
    issues.push({ path, source: sources.valueSource(path), message: 'expected a mapping (key: value), got a list' });
  }
  return { issues, listPaths: [...problems.listsForMappings] };
}

/**
 * Drops the issues at or under any of `paths` (already reported otherwise).
 * @internal
 */
export function withoutIssuesUnder(issues: readonly ConfigIssue[], paths: readonly string[]): ConfigIssue[] {
  return issues.filter(
    (issue) => !paths.some((path) => issue.path === path || path === '' || issue.path.startsWith(`${path}.`)),
  );
}

function describeInput(input: unknown): string {
  if (Array.isArray(input)) return 'a list';
  if (input === null) return 'null';
  if (input === undefined) return 'nothing';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return JSON.stringify(input);
  return String(input);
}

/** A valibot issue in words: what was expected and what was given. */
function issueMessage(issue: v.BaseIssue<unknown>, secret: boolean): string {
  const received = secret ? REDACTED : issue.received;
  const given = secret ? REDACTED : describeInput(issue.input);
  switch (issue.type) {
    case 'object':
    case 'loose_object':
    case 'strict_object':
    case 'record':
      if (issue.expected === 'Object') return `expected a mapping (key: value), got ${given}`;
      // valibot reports a missing required key as a wrong value `undefined` at the key's path.
      if (issue.input === undefined) return 'required key missing';
      break;
    case 'array':
      if (issue.expected === 'Array') return `expected a list, got ${given}`;
      break;
    case 'non_empty':
      return typeof issue.input === 'string' ? 'expected a non-empty string' : 'expected a non-empty list';
    case 'finite':
      return `expected a finite number, got ${received}`;
  }
  // valibot's own messages start with "Invalid "; any other message was written for the schema: use it.
  if (issue.type === 'custom' || issue.type === 'check' || !issue.message.startsWith('Invalid ')) return issue.message;
  const expected = issue.expected ?? issue.type.replace(/_/g, ' ');
  return `expected ${expected}, got ${received}`;
}

/**
 * Turns valibot issues into {@link ConfigIssue}s: dotted path, `expected …, got …`
 * (the value redacted when the path names a secret) and the value's source.
 * Messages: `expected a mapping (key: value), got a list`, `required key missing`,
 * `expected a non-empty string`, `expected a finite number, got Infinity`, a
 * schema's own message when it has one, else `expected <valibot's expectation>, got <value>`.
 * @param issues - valibot's issues.
 * @param sourceOf - the source, in words, of the value at a dotted path.
 */
export function schemaIssues(
  issues: readonly v.BaseIssue<unknown>[],
  sourceOf: (path: string) => string,
): ConfigIssue[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map((item) => String(item.key)).join('.');
    return { path, source: sourceOf(path), message: issueMessage(issue, isSecretName(path)) };
  });
}

const FILE_POSITION = /^(.*):(\d+):(\d+)$/;

/**
 * Issues for the repeated values of a list, each at the repeat's path with the
 * place of the first occurrence, e.g. `duplicate strategy name "a"; the first
 * is strategies.0.name at line 2, column 11` (the first's source in brackets
 * when it is in another place, nothing more when it is the same, e.g. one variable).
 * @param values - the list's values (compared with `===`; normalize them first).
 * @param options - `what` the values are (`strategy name`), `pathOf` an index
 *   (`strategies.3.name`), and `sourceOf` a dotted path, in words.
 */
export function duplicateIssues(
  values: readonly unknown[],
  options: {
    readonly what: string;
    readonly pathOf: (index: number) => string;
    readonly sourceOf: (path: string) => string;
  },
): ConfigIssue[] {
  const first = new Map<unknown, number>();
  const issues: ConfigIssue[] = [];
  values.forEach((value, index) => {
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, index);
      return;
    }
    const path = options.pathOf(index);
    const source = options.sourceOf(path);
    const firstPath = options.pathOf(earlier);
    const firstSource = options.sourceOf(firstPath);
    const here = FILE_POSITION.exec(source);
    const there = FILE_POSITION.exec(firstSource);
    let place = '';
    if (here && there && here[1] === there[1]) place = ` at line ${there[2]}, column ${there[3]}`;
    else if (firstSource !== source) place = ` (${firstSource})`;
    issues.push({
      path,
      source,
      message: `duplicate ${options.what} ${JSON.stringify(value)}; the first is ${firstPath}${place}`,
    });
  });
  return issues;
}

/**
 * Validates a parsed YAML document against a valibot schema, reporting every
 * problem at once: unknown keys (with suggestions), lists where mappings are
 * expected, and invalid values, each with its `file:line:column`. Use it for
 * files beside the main configuration, such as strategy or indicator definitions.
 * @param schema - the document's schema.
 * @param yaml - the parsed file (see {@link parseYamlFile}).
 * @returns the validated output.
 * @throws {@link ConfigError} `CONFIG_INVALID` listing every problem.
 */
export function validateYaml<const S extends v.GenericSchema>(schema: S, yaml: YamlFile): v.InferOutput<S> {
  const shape = shapeIssues(yaml.data, schema, {
    keySource: (path) => keySourceIn(yaml, path),
    valueSource: (path) => positionOf(yaml, path),
  });
  const issues = [...shape.issues];
  const result = v.safeParse(schema, yaml.data, { abortEarly: false, abortPipeEarly: true });
  if (!result.success) {
    issues.push(
      ...withoutIssuesUnder(
        schemaIssues(result.issues, (path) => positionOf(yaml, path)),
        shape.listPaths,
      ),
    );
  }
  if (issues.length > 0) throw new ConfigError('CONFIG_INVALID', issues);
  return result.output as v.InferOutput<S>;
}
