import type { Bar, OrderStatus, Position } from '@quant/core';
import { describe, expect, it } from 'vitest';
import type { SignalKey } from './client-order-id.js';
import { type ExitPlanActions, ExitPlans } from './exit-plans.js';

const entryKey: SignalKey = {
  botId: 'quant',
  strategyName: 's',
  symbol: 'BTCUSDT',
  timeframe: '5m',
  barOpenTime: 0,
  direction: 'long',
  intent: 'entry',
  purpose: 'signal',
};
const position: Position = {
  positionId: 'P-1',
  symbol: 'BTCUSDT',
  direction: 'long',
  quantity: 0.5,
  entryPrice: 100,
  openedAt: 0,
  realizedPnl: 0,
  markPrice: 100,
  unrealizedPnl: 0,
  fees: 0,
  strategyName: 's',
};
const bar = (low: number, high: number, openTime = 60_000): Bar => ({
  openTime,
  open: 100,
  high,
  low,
  close: 100,
  volume: 1,
});

/** A fake executor: records what the plans ask, with statuses the test sets. */
function executor() {
  const sent: { id: string; purpose: string; type: string; triggerPrice: number | null; oco?: string }[] = [];
  const cancelled: string[] = [];
  const statuses = new Map<string, OrderStatus>();
  let answer: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => {
    answer = resolve;
  });
  const actions: ExitPlanActions = {
    send: (key, order, oco) => {
      const id = `${key.purpose}-${key.barOpenTime}`;
      sent.push({
        id,
        purpose: key.purpose,
        type: order.type,
        triggerPrice: order.triggerPrice,
        ...(oco ? { oco } : {}),
      });
      statuses.set(id, order.type === 'market' ? 'submitting' : 'open');
      return { clientOrderId: id, answered };
    },
    cancel: (id) => {
      cancelled.push(id);
      statuses.set(id, 'cancelled');
    },
    status: (id) => statuses.get(id),
    exiting: () => sent.some((order) => order.type === 'market' && statuses.get(order.id) === 'submitting'),
    warn: () => undefined,
  };
  return { actions, sent, cancelled, statuses, answer: () => answer(), answered };
}

const levels = { stopLoss: 95, takeProfit: 110 };

describe('ExitPlans', () => {
  it('places a stop and a take-profit in one OCO group at a venue with native stops, and cancels them when flat', () => {
    const venue = executor();
    const plans = new ExitPlans(venue.actions, true);
    expect(plans.describe(levels)).toEqual({ ...levels, placement: 'venue' });
    plans.arm(position, entryKey, levels);
    plans.arm(position, entryKey, levels);
    expect(venue.sent).toEqual([
      { id: 'stop_loss-0', purpose: 'stop_loss', type: 'stop', triggerPrice: 95, oco: 'P-1' },
      { id: 'take_profit-0', purpose: 'take_profit', type: 'take_profit', triggerPrice: 110, oco: 'P-1' },
    ]);
    // The venue holds both levels: the bot does not act on a bar that reaches the stop.
    plans.watch('BTCUSDT', bar(90, 101), () => position);
    expect(venue.sent).toHaveLength(2);
    venue.statuses.set('stop_loss-0', 'filled');
    plans.drop('s', 'BTCUSDT');
    expect(venue.cancelled).toEqual(['take_profit-0']);
  });

  it('watches a level itself when the venue refused its order, while the other stays at the venue', async () => {
    const venue = executor();
    const plans = new ExitPlans(venue.actions, true);
    plans.arm(position, entryKey, levels);
    venue.statuses.set('stop_loss-0', 'rejected');
    venue.answer();
    await venue.answered;
    plans.watch('BTCUSDT', bar(99, 120), () => position);
    expect(venue.sent).toHaveLength(2);
    plans.watch('BTCUSDT', bar(94, 101, 120_000), () => position);
    expect(venue.sent[2]).toEqual({ id: 'stop_loss-120000', purpose: 'stop_loss', type: 'market', triggerPrice: null });
    // One market exit at a time.
    plans.watch('BTCUSDT', bar(90, 101, 180_000), () => position);
    expect(venue.sent).toHaveLength(3);
  });

  it('watches both levels on a venue without native stops, the stop first when a bar reaches both', () => {
    const venue = executor();
    const plans = new ExitPlans(venue.actions, false);
    expect(plans.describe(levels)?.placement).toBe('bot');
    expect(plans.describe({ stopLoss: null, takeProfit: null })).toBeNull();
    plans.arm(position, entryKey, levels);
    expect(venue.sent).toEqual([]);
    plans.watch('BTCUSDT', bar(90, 120), () => position);
    expect(venue.sent.map((order) => [order.purpose, order.type])).toEqual([['stop_loss', 'market']]);
  });

  it('takes back a leg the venue acknowledged after the position went flat', async () => {
    const venue = executor();
    const plans = new ExitPlans(venue.actions, true);
    plans.arm(position, entryKey, { stopLoss: 95, takeProfit: null });
    venue.statuses.set('stop_loss-0', 'submitting');
    plans.drop('s', 'BTCUSDT');
    expect(venue.cancelled).toEqual([]);
    venue.statuses.set('stop_loss-0', 'open');
    venue.answer();
    await venue.answered;
    await Promise.resolve();
    expect(venue.cancelled).toEqual(['stop_loss-0']);
  });
});
