import { ConfigError, type ConfigIssue, validateYaml, type YamlFile } from '@quant/config';
import type * as v from 'valibot';

/**
 * The `name` of each item of the list at `key` of a parsed document, as
 * written (a unique placeholder for an item without a string name), so that
 * repeated names can be found before, and whatever, validation says.
 * @internal
 */
export function listedNames(data: unknown, key: string): unknown[] {
  const list = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const name = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).name : undefined;
    return typeof name === 'string' ? name : {};
  });
}

/**
 * `validateYaml`, with `extra` issues found beforehand listed with its own.
 * @internal
 */
export function validateWith<const S extends v.GenericSchema>(
  schema: S,
  yaml: YamlFile,
  extra: readonly ConfigIssue[],
): v.InferOutput<S> {
  try {
    return validateYaml(schema, yaml);
  } catch (error) {
    if (!ConfigError.isInstance(error) || extra.length === 0) throw error;
    throw new ConfigError(error.code, [...error.issues, ...extra], { cause: error.cause });
  }
}
