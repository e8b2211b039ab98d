import type { Bar, Direction, OrderPurpose } from '@quant/core';

/** A position's stop-loss and take-profit, quote currency (`null`: none). */
export interface ExitLevels {
  readonly stopLoss: number | null;
  readonly takeProfit: number | null;
}

/**
 * Which exit level of a position a bar reached, if any: a long's stop when
 * the low reaches it, its take-profit when the high does (the reverse for a
 * short). When both lie inside the bar the stop is taken as hit first (the
 * conservative assumption: a bar's path is not known).
 * @param direction - the position's direction.
 * @param levels - its stop-loss and take-profit.
 * @param bar - a closed bar.
 * @returns the level reached and its purpose, or `undefined`.
 */
export function exitLevelHit(
  direction: Direction,
  levels: ExitLevels,
  bar: Bar,
): { readonly purpose: Exclude<OrderPurpose, 'signal'>; readonly level: number } | undefined {
  const long = direction === 'long';
  const { stopLoss, takeProfit } = levels;
  if (stopLoss !== null && (long ? bar.low <= stopLoss : bar.high >= stopLoss)) {
    return { purpose: 'stop_loss', level: stopLoss };
  }
  if (takeProfit !== null && (long ? bar.high >= takeProfit : bar.low <= takeProfit)) {
    return { purpose: 'take_profit', level: takeProfit };
  }
  return undefined;
}
