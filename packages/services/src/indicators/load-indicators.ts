import { ConfigError, type ConfigIssue, duplicateIssues, positionOf, readYamlFile } from '@quant/config';
import { listedNames, validateWith } from '../validation/validate-with.js';
import { type IndicatorsFile, indicatorsFileSchema } from './indicator-spec.js';

/** The problems of a valid indicators file that span several values, each at a dotted path. */
function crossIssues(file: IndicatorsFile, has: (path: string) => boolean): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  file.indicators.forEach((spec, index) => {
    if (spec.type !== 'macd' || spec.fast < spec.slow) return;
    const base = `indicators.${index}`;
    issues.push({
      path: has(`${base}.slow`) ? `${base}.slow` : `${base}.fast`,
      message: `expected fast < slow, got fast ${spec.fast} and slow ${spec.slow}`,
    });
  });
  const { high_percentile: high, low_percentile: low } = file.regime;
  if (high < low) {
    issues.push({
      path: has('regime.high_percentile') ? 'regime.high_percentile' : 'regime.low_percentile',
      message: `expected high_percentile >= low_percentile, got high_percentile ${high} and low_percentile ${low}`,
    });
  }
  return issues;
}

/**
 * Reads and validates an indicators file (YAML), e.g. `conf/indicators.yaml`.
 * Only a regular file of at most 1 MiB is read.
 * @param path - the file.
 * @throws {@link @quant/config!ConfigError} listing every problem with its
 *   `file:line:column` (`CONFIG_INVALID`): unknown keys (with a suggestion),
 *   unknown types, bad parameters (numbers that are not finite, a MACD whose
 *   `fast` is not below `slow`, a regime `high_percentile` below
 *   `low_percentile`), a repeated name (at the repeat, naming the first); or
 *   the file's errors: `CONFIG_FILE_UNREADABLE`, `CONFIG_NOT_A_FILE`,
 *   `CONFIG_TOO_LARGE`, `CONFIG_YAML_SYNTAX`, `CONFIG_YAML_ALIASES`.
 */
export function loadIndicators(path: string): IndicatorsFile {
  const yaml = readYamlFile(path, 'indicators file');
  const where = (dotted: string) => positionOf(yaml, dotted);
  // From the raw data, so that a repeated name is reported with every other problem.
  const duplicates = duplicateIssues(listedNames(yaml.data, 'indicators'), {
    what: 'indicator name',
    pathOf: (index) => `indicators.${index}.name`,
    sourceOf: where,
  });
  const file = validateWith(indicatorsFileSchema, yaml, duplicates);
  const issues: ConfigIssue[] = [
    ...duplicates,
    ...crossIssues(file, (dotted) => yaml.valuePositions.has(dotted)).map((issue) => ({
      ...issue,
      source: where(issue.path),
    })),
  ];
  if (issues.length > 0) throw new ConfigError('CONFIG_INVALID', issues);
  return file;
}
