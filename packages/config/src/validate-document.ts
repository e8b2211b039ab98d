import * as v from 'valibot';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { findUnknownKeys } from './schema-walk.js';
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
  return findUnknownKeys(data, schema).map((unknown) => {
    const position = yaml.keyPositions.get(unknown.path);
    return {
      path: unknown.path,
      source: position ? `${yaml.file}:${position.line}:${position.column}` : positionOf(yaml, unknown.path),
      message: unknown.suggestion
        ? `unknown key; did you mean "${unknown.suggestion}"?`
        : `unknown key; expected one of ${unknown.allowed.join(', ')}`,
    };
  });
}

/**
 * Turns valibot issues into {@link ConfigIssue}s: dotted path, `expected …, got …`
 * (the value redacted when the path names a secret) and the value's source.
 * @param issues - valibot's issues.
 * @param sourceOf - the source, in words, of the value at a dotted path.
 */
export function schemaIssues(
  issues: readonly v.BaseIssue<unknown>[],
  sourceOf: (path: string) => string,
): ConfigIssue[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map((item) => String(item.key)).join('.');
    const received = isSecretName(path) ? REDACTED : issue.received;
    const expected = issue.expected ?? issue.type.replace(/_/g, ' ');
    const message =
      issue.type === 'custom' || issue.type === 'check' || issue.type === 'regex'
        ? issue.message
        : `expected ${expected}, got ${received}`;
    return { path, source: sourceOf(path), message };
  });
}

/**
 * Validates a parsed YAML document against a valibot schema, reporting every
 * problem at once: unknown keys (with suggestions) and invalid values, each
 * with its `file:line:column`. Use it for files beside the main configuration,
 * such as strategy or indicator definitions.
 * @param schema - the document's schema.
 * @param yaml - the parsed file (see {@link parseYamlFile}).
 * @returns the validated output.
 * @throws {@link ConfigError} `CONFIG_INVALID` listing every problem.
 */
export function validateYaml<const S extends v.GenericSchema>(schema: S, yaml: YamlFile): v.InferOutput<S> {
  const issues = unknownKeyIssues(yaml.data, schema, yaml);
  const result = v.safeParse(schema, yaml.data, { abortEarly: false });
  if (!result.success) issues.push(...schemaIssues(result.issues, (path) => positionOf(yaml, path)));
  if (issues.length > 0) throw new ConfigError('CONFIG_INVALID', issues);
  return result.output as v.InferOutput<S>;
}
