import { readYamlFile, validateYaml } from '@quant/config';
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
  return validateYaml(indicatorsFileSchema, readYamlFile(path, 'indicators file'));
}
