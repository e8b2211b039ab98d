import { ConfigError, type ConfigIssue, closestMatch, positionOf, readYamlFile, validateYaml } from '@quant/config';

import { operandsOf, PRICE_OPERANDS } from './conditions.js';
import { strategiesFileSchema } from './strategy-spec.js';
import { YamlStrategy } from './yaml-strategy.js';

/** Options of {@link loadStrategies}. */
export interface LoadStrategiesOptions {
  /**
   * The indicator outputs available on a timeframe (see
   * {@link TradingSignalsProcessor.outputNames}); rule operands and ATR stops
   * are checked against them.
   */
  readonly outputsFor: (timeframe: string) => readonly string[];
}

/**
 * Reads and validates a strategies file (YAML), e.g. `conf/strategies.yaml`,
 * and builds its enabled strategies.
 * @param path - the file.
 * @param options - the indicator outputs each timeframe offers.
 * @returns the enabled strategies, in file order.
 * @throws {@link @quant/config!ConfigError} listing every problem with its
 *   dotted path and `file:line:column`: invalid YAML, unknown keys (with a
 *   suggestion), bad values, missing stop-loss where one is needed, and
 *   operands that name no configured indicator (with a suggestion).
 */
export function loadStrategies(path: string, options: LoadStrategiesOptions): YamlStrategy[] {
  const yaml = readYamlFile(path, 'strategies file');
  const file = validateYaml(strategiesFileSchema, yaml);
  const issues: ConfigIssue[] = [];
  file.strategies.forEach((spec, index) => {
    const base = `strategies.${index}`;
    const known = [...options.outputsFor(spec.timeframe), ...PRICE_OPERANDS];
    const operands = (['entry', 'exit'] as const).flatMap((kind) =>
      (['long', 'short'] as const).flatMap((direction) => {
        const condition = spec[kind][direction];
        return condition ? operandsOf(condition, `${base}.${kind}.${direction}`) : [];
      }),
    );
    if (spec.stop_loss?.type === 'atr')
      operands.push({ name: spec.stop_loss.indicator, path: `${base}.stop_loss.indicator` });
    for (const operand of operands) {
      if (known.includes(operand.name)) continue;
      const suggestion = closestMatch(operand.name, known);
      issues.push({
        path: operand.path,
        source: positionOf(yaml, operand.path),
        message: `"${operand.name}" is not an indicator output on ${spec.timeframe}${
          suggestion ? `; did you mean "${suggestion}"?` : `; known: ${known.join(', ')}`
        }`,
      });
    }
  });
  if (issues.length > 0) throw new ConfigError('CONFIG_INVALID', issues);
  return file.strategies.filter((spec) => spec.enabled).map((spec) => new YamlStrategy(spec));
}
