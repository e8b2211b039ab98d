import { readFileSync } from 'node:fs';
import { ConfigError, parseYamlFile, validateYaml } from '@quant/config';
import { type IndicatorsFile, indicatorsFileSchema } from './indicator-spec.js';

/**
 * Reads and validates an indicators file (YAML), e.g. `conf/indicators.yaml`.
 * @param path - the file.
 * @throws {@link @quant/config!ConfigError} listing every problem with its
 *   `file:line:column`: invalid YAML, unknown keys (with a suggestion),
 *   unknown types, bad parameters, duplicate names; `CONFIG_FILE_UNREADABLE`
 *   when the file cannot be read.
 */
export function loadIndicators(path: string): IndicatorsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'CONFIG_FILE_UNREADABLE',
      [{ path: '', source: path, message: `cannot read the indicators file: ${(error as Error).message}` }],
      { cause: error },
    );
  }
  return validateYaml(indicatorsFileSchema, parseYamlFile(text, path));
}
