import { createHash } from 'node:crypto';
import type { Direction, OrderIntent, OrderPurpose, Timeframe } from '@quant/core';

/** What identifies one order of the bot: the signal it comes from, and which of its orders it is. */
export interface SignalKey {
  /** The bot's id (`trading.bot_id`): 1–12 letters or digits. */
  readonly botId: string;
  readonly strategyName: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Open time of the signal's bar, ms since epoch, UTC. */
  readonly barOpenTime: number;
  /** Direction of the position opened or closed. */
  readonly direction: Direction;
  readonly intent: OrderIntent;
  /** `signal` for the signal's own order; `stop_loss` or `take_profit` for the exit plan of the position it opened. */
  readonly purpose: OrderPurpose;
}

/** Longest client order id accepted by the venues in view (Binance: 36). */
const MAX_LENGTH = 36;

/**
 * The deterministic client order id of an order: the bot id, `-`, and as
 * many hex digits of the SHA-256 of the key's fields as fit in 36
 * characters. The same signal always yields the same id — so a signal
 * delivered twice, or replayed after a restart, is recognised by the venue —
 * and two bots with different ids on one account never collide.
 * @param key - the order's identity.
 * @returns e.g. `quant-3f9a1c2b7d4e5f60718293a4b5c6d7e`.
 */
export function clientOrderIdFor(key: SignalKey): string {
  const text = [
    key.strategyName,
    key.symbol,
    key.timeframe,
    key.barOpenTime,
    key.direction,
    key.intent,
    key.purpose,
  ].join('|');
  const digits = MAX_LENGTH - key.botId.length - 1;
  return `${key.botId}-${createHash('sha256').update(text).digest('hex').slice(0, digits)}`;
}
