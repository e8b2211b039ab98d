import type { EquityPoint } from './equity-curve.js';

/** 2023-03-01T00:00Z, the first bar's open time of the test walks. */
export const WALK_START = Date.UTC(2023, 2, 1);
/** One minute, ms: the bar length of the test walks. */
export const MINUTE = 60_000;

/**
 * A deterministic random walk of equity, one point per 1-minute bar from
 * {@link WALK_START}, with a position open now and then; for tests.
 * @param bars - the points to make.
 */
export function walk(bars: number): EquityPoint[] {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const points: EquityPoint[] = [];
  let equity = 100_000;
  for (let i = 0; i < bars; i++) {
    equity += (random() - 0.5) * 40;
    const open = Math.floor(i / 500) % 3 === 0 ? 1 : 0;
    points.push({ time: WALK_START + (i + 1) * MINUTE, equity, cash: equity, unrealizedPnl: 0, openPositions: open });
  }
  return points;
}
