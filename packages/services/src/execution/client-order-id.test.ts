import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientOrderIdFor, type SignalKey } from './client-order-id.js';

const KEY: SignalKey = {
  botId: 'quant',
  strategyName: 'ema_trend',
  symbol: 'BTCUSDT',
  timeframe: '15m',
  barOpenTime: Date.UTC(2023, 2, 1, 12, 15),
  direction: 'long',
  intent: 'entry',
  purpose: 'signal',
};

describe('clientOrderIdFor', () => {
  it('is the bot id, a dash, and the SHA-256 of the key as hex, 36 characters in all', () => {
    const id = clientOrderIdFor(KEY);
    const hash = createHash('sha256').update('ema_trend|BTCUSDT|15m|1677672900000|long|entry|signal').digest('hex');
    expect(id).toBe(`quant-${hash.slice(0, 30)}`);
    expect(id).toHaveLength(36);
    // Binance's newClientOrderId: ^[.A-Z:/a-z0-9_-]{1,36}$.
    expect(id).toMatch(/^[.A-Z:/a-z0-9_-]{1,36}$/);
  });

  it('is the same for the same signal, in this process or the next (nothing random, nothing of the clock)', () => {
    expect(clientOrderIdFor({ ...KEY })).toBe(clientOrderIdFor(KEY));
  });

  it('differs when any field of the key differs', () => {
    const variants: Partial<SignalKey>[] = [
      { strategyName: 'rsi_reversion' },
      { symbol: 'BTCUSDC' },
      { timeframe: '5m' },
      { barOpenTime: KEY.barOpenTime + 60_000 },
      { direction: 'short' },
      { intent: 'exit' },
      { purpose: 'stop_loss' },
      { purpose: 'take_profit' },
    ];
    const ids = new Set([clientOrderIdFor(KEY), ...variants.map((change) => clientOrderIdFor({ ...KEY, ...change }))]);
    expect(ids.size).toBe(variants.length + 1);
  });

  it('keeps two bots on one account apart, and stays within 36 characters for the longest bot id', () => {
    const other = clientOrderIdFor({ ...KEY, botId: 'btc2' });
    expect(other.startsWith('btc2-')).toBe(true);
    expect(other).not.toBe(clientOrderIdFor(KEY));
    const longest = clientOrderIdFor({ ...KEY, botId: 'abcdefghijkl' });
    expect(longest).toHaveLength(36);
    expect(longest).toMatch(/^abcdefghijkl-[0-9a-f]{23}$/);
  });
});
