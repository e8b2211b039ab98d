import { ConfigError, type ConfigIssue, closestMatch, duplicateIssues, positionOf, readYamlFile } from '@quant/config';
import { listedNames, validateWith } from '../validation/validate-with.js';
import { operandsOf, PRICE_OPERANDS } from './conditions.js';
import { type StrategySpec, strategiesFileSchema } from './strategy-spec.js';
import { YamlStrategy } from './yaml-strategy.js';

/** Options of {@link loadStrategies}. */
export interface LoadStrategiesOptions {
  /**
   * The indicator outputs available on a timeframe (see
   * {@link TradingSignalsProcessor.outputNames}); rule operands and ATR stops
   * are checked against them.
   */
  readonly outputsFor: (timeframe: string) => readonly string[];
  /**
   * The configured timeframes (`config.trading.timeframes`). When given, an
   * enabled strategy on another timeframe is an error: no bars would ever
   * reach it. `createTradingSystem` checks it too, with a less precise place.
   */
  readonly timeframes?: readonly string[];
  /**
   * The configured symbols (`config.trading.symbols`). When given, an enabled
   * strategy listing another symbol is an error: it would never trade it.
   */
  readonly symbols?: readonly string[];
  /**
   * Receives each warning, with its `file:line:column`: a strategy whose
   * positions nothing closes (no exit condition, stop-loss or take-profit),
   * every strategy disabled. Warnings are dropped when omitted.
   */
  readonly onWarning?: (warning: string) => void;
}

/** Warnings about strategies that load but will not behave as probably meant. */
function strategyWarnings(strategies: readonly StrategySpec[], where: (path: string) => string): string[] {
  const warnings: string[] = [];
  strategies.forEach((spec, index) => {
    if (!spec.enabled || spec.stop_loss !== undefined || spec.take_profit !== undefined) return;
    const unclosed = (['long', 'short'] as const).filter((direction) => spec.entry[direction] && !spec.exit[direction]);
    if (unclosed.length === 0) return;
    warnings.push(
      `${where(`strategies.${index}.name`)}: strategy "${spec.name}" has no ${unclosed
        .map((direction) => `exit.${direction}`)
        .join(' or ')}, stop_loss or take_profit: its ${unclosed.join(' and ')} positions would never be closed`,
    );
  });
  if (strategies.length > 0 && strategies.every((spec) => !spec.enabled)) {
    warnings.push(`${where('strategies')}: every strategy is disabled (enabled: false): the bot will not trade`);
  }
  return warnings;
}

/**
 * Reads and validates a strategies file (YAML), e.g. `conf/strategies.yaml`,
 * and builds its enabled strategies. Only a regular file of at most 1 MiB is read.
 * @param path - the file.
 * @param options - the indicator outputs each timeframe offers, the configured timeframes and symbols, a warning sink.
 * @returns the enabled strategies, in file order.
 * @throws {@link @quant/config!ConfigError} listing every problem with its
 *   dotted path and `file:line:column` (`CONFIG_INVALID`): unknown keys (with
 *   a suggestion), bad values (an unknown operator, a number that is not
 *   finite), a missing stop-loss where one is needed, operands that name no
 *   configured indicator (with a suggestion), a repeated name (at the repeat,
 *   naming the first), a timeframe not in `options.timeframes`, a symbol not
 *   in `options.symbols`, both `symbol` and `symbols`; or the file's
 *   errors: `CONFIG_FILE_UNREADABLE`, `CONFIG_NOT_A_FILE`, `CONFIG_TOO_LARGE`,
 *   `CONFIG_YAML_SYNTAX`, `CONFIG_YAML_ALIASES`.
 */
export function loadStrategies(path: string, options: LoadStrategiesOptions): YamlStrategy[] {
  const yaml = readYamlFile(path, 'strategies file');
  const where = (dotted: string) => positionOf(yaml, dotted);
  // From the raw data, so that a repeated name is reported with every other problem.
  const issues: ConfigIssue[] = duplicateIssues(listedNames(yaml.data, 'strategies'), {
    what: 'strategy name',
    pathOf: (index) => `strategies.${index}.name`,
    sourceOf: where,
  });
  const file = validateWith(strategiesFileSchema, yaml, issues);
  file.strategies.forEach((spec, index) => {
    const base = `strategies.${index}`;
    if (options.timeframes && spec.enabled && !options.timeframes.includes(spec.timeframe)) {
      issues.push({
        path: `${base}.timeframe`,
        source: where(`${base}.timeframe`),
        message: `timeframe ${spec.timeframe} is not one of trading.timeframes (${options.timeframes.join(
          ', ',
        )}): the strategy would never be evaluated; add it there or disable the strategy`,
      });
    }
    if (options.symbols && spec.enabled) {
      const listed = spec.symbols ?? (spec.symbol === undefined ? [] : [spec.symbol]);
      listed.forEach((symbol, item) => {
        if (options.symbols?.includes(symbol)) return;
        const path = spec.symbols ? `${base}.symbols.${item}` : `${base}.symbol`;
        const suggestion = closestMatch(symbol, options.symbols ?? []);
        issues.push({
          path,
          source: where(path),
          message: `symbol ${symbol} is not one of trading.symbols (${options.symbols?.join(', ')})${
            suggestion ? `; did you mean ${suggestion}?` : ''
          }: the strategy would never trade it; add it there or remove it here`,
        });
      });
    }
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
        source: where(operand.path),
        message: `"${operand.name}" is not an indicator output on ${spec.timeframe}${
          suggestion ? `; did you mean "${suggestion}"?` : `; known: ${known.join(', ')}`
        }`,
      });
    }
  });
  if (issues.length > 0) throw new ConfigError('CONFIG_INVALID', issues);
  for (const warning of strategyWarnings(file.strategies, where)) options.onWarning?.(warning);
  return file.strategies.filter((spec) => spec.enabled).map((spec) => new YamlStrategy(spec));
}
