import { createHash } from 'node:crypto';
import type { Direction, OrderIntent, Timeframe } from '@quant/core';

/** What identifies the order of one signal. */
export interface SignalKey {
  readonly strategyName: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly barOpenTime: number;
  readonly direction: Direction;
  readonly intent: OrderIntent;
}

/**
 * The deterministic client order id of a signal's order: `q` and 31 hex
 * digits of the SHA-256 of strategy, symbol, timeframe, bar open time,
 * direction and intent. The same signal always yields the same id (so a
 * signal delivered twice, or replayed after a restart, is recognised), and
 * the id fits venues' 32–36 character limits.
 * @param key - the signal's identity.
 */
export function clientOrderIdFor(key: SignalKey): string {
  const text = `${key.strategyName}|${key.symbol}|${key.timeframe}|${key.barOpenTime}|${key.direction}|${key.intent}`;
  return `q${createHash('sha256').update(text).digest('hex').slice(0, 31)}`;
}
