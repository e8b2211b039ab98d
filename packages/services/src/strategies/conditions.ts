import type { IndicatorRow } from '@quant/core';
import type { Condition } from './strategy-spec.js';

/** Price operands: both name the bar's close. */
export const PRICE_OPERANDS = ['close', 'price'] as const;

const format = (value: number): string => String(Number(value.toPrecision(8)));

function operandValue(operand: string | number, row: IndicatorRow | undefined): number | null {
  if (typeof operand === 'number') return operand;
  if (row === undefined) return null;
  if (operand === 'close' || operand === 'price') return row.close;
  return row.values[operand] ?? null;
}

/**
 * Evaluates a condition on the last row (crosses also look at the row before).
 * A rule with an operand not yet available (warming up) is false.
 * @param condition - the condition.
 * @param rows - recent rows, oldest first.
 * @returns `null` when false, or the description of the rules that made it true, with their values.
 */
export function evaluateCondition(condition: Condition, rows: readonly IndicatorRow[]): string | null {
  if ('all' in condition) {
    const parts: string[] = [];
    for (const inner of condition.all) {
      const reason = evaluateCondition(inner, rows);
      if (reason === null) return null;
      parts.push(reason);
    }
    return parts.join(' and ');
  }
  if ('any' in condition) {
    for (const inner of condition.any) {
      const reason = evaluateCondition(inner, rows);
      if (reason !== null) return reason;
    }
    return null;
  }
  const current = rows[rows.length - 1];
  const left = operandValue(condition.left, current);
  const right = operandValue(condition.right, current);
  if (left === null || right === null) return null;
  const text = `${condition.left} ${condition.op} ${condition.right}`;
  switch (condition.op) {
    case '>':
      return left > right ? `${text} (${format(left)} > ${format(right)})` : null;
    case '>=':
      return left >= right ? `${text} (${format(left)} >= ${format(right)})` : null;
    case '<':
      return left < right ? `${text} (${format(left)} < ${format(right)})` : null;
    case '<=':
      return left <= right ? `${text} (${format(left)} <= ${format(right)})` : null;
    case 'crosses_above':
    case 'crosses_below': {
      const previous = rows[rows.length - 2];
      const leftBefore = operandValue(condition.left, previous);
      const rightBefore = operandValue(condition.right, previous);
      if (leftBefore === null || rightBefore === null) return null;
      const crossed =
        condition.op === 'crosses_above'
          ? leftBefore <= rightBefore && left > right
          : leftBefore >= rightBefore && left < right;
      return crossed
        ? `${text} (${format(leftBefore)} → ${format(left)} vs ${format(rightBefore)} → ${format(right)})`
        : null;
    }
  }
}

/**
 * The string operands of a condition, with their dotted paths in the
 * condition, for checking that they name configured indicators.
 * @param condition - the condition.
 * @param path - the condition's dotted path in its file.
 */
export function operandsOf(condition: Condition, path: string): { readonly name: string; readonly path: string }[] {
  if ('all' in condition) return condition.all.flatMap((inner, i) => operandsOf(inner, `${path}.all.${i}`));
  if ('any' in condition) return condition.any.flatMap((inner, i) => operandsOf(inner, `${path}.any.${i}`));
  return (['left', 'right'] as const).flatMap((side) => {
    const operand = condition[side];
    return typeof operand === 'string' ? [{ name: operand, path: `${path}.${side}` }] : [];
  });
}
