import type { Fill, OrderStatus } from '@quant/core';
import { describe, expect, it } from 'vitest';
import type { VenueOrder } from '../ports/broker.js';
import { ExecutionError } from './execution-error.js';
import { type NewOrder, OrderBook } from './order-book.js';
import { ORDER_TRANSITIONS } from './order-state.js';

const spec = (clientOrderId = 'quant-1'): NewOrder => ({
  clientOrderId,
  symbol: 'BTCUSDT',
  side: 'buy',
  direction: 'long',
  intent: 'entry',
  purpose: 'signal',
  type: 'market',
  timeInForce: 'GTC',
  quantity: 1,
  limitPrice: null,
  triggerPrice: null,
  strategyName: 's',
});

const venue = (status: VenueOrder['status'], filledQuantity = 0, clientOrderId = 'quant-1'): VenueOrder => ({
  orderId: 'v-1',
  clientOrderId,
  symbol: 'BTCUSDT',
  side: 'buy',
  type: 'market',
  timeInForce: 'GTC',
  quantity: 1,
  filledQuantity,
  averagePrice: filledQuantity > 0 ? 100 : null,
  limitPrice: null,
  triggerPrice: null,
  status,
  createdAt: 0,
  updatedAt: 0,
});

const fill = (fillId: string, quantity: number, price: number): Fill => ({
  fillId,
  orderId: 'v-1',
  clientOrderId: 'quant-1',
  symbol: 'BTCUSDT',
  side: 'buy',
  quantity,
  price,
  fee: 0,
  timestamp: 1,
});

const submitted = () => {
  const book = new OrderBook<{ tag: string }>();
  book.create(spec(), { tag: 'x' }, 0);
  book.transition('quant-1', 'submitting', 1);
  return book;
};

describe('ORDER_TRANSITIONS', () => {
  it('has no way out of a final state and no way back to created or submitting', () => {
    for (const final of ['filled', 'cancelled', 'rejected', 'expired'] as OrderStatus[]) {
      expect(ORDER_TRANSITIONS[final]).toEqual([]);
    }
    for (const targets of Object.values(ORDER_TRANSITIONS)) {
      expect(targets).not.toContain('created');
    }
    expect(ORDER_TRANSITIONS.submitting).toContain('unknown');
    expect(ORDER_TRANSITIONS.unknown).toEqual(
      expect.arrayContaining(['open', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired']),
    );
  });
});

describe('OrderBook', () => {
  it('creates orders once per client order id and keeps their context', () => {
    const book = new OrderBook<{ tag: string }>();
    const order = book.create(spec(), { tag: 'x' }, 5);
    expect(order).toMatchObject({ status: 'created', orderId: null, filledQuantity: 0, createdAt: 5 });
    expect(book.context('quant-1')).toEqual({ tag: 'x' });
    expect(() => book.create(spec(), { tag: 'y' }, 6)).toThrowError(
      expect.objectContaining({ code: 'DUPLICATE_ORDER' }),
    );
  });

  it('refuses an illegal transition with a typed error naming both states', () => {
    const book = submitted();
    book.transition('quant-1', 'rejected', 2);
    let error: unknown;
    try {
      book.transition('quant-1', 'open', 3);
    } catch (caught) {
      error = caught;
    }
    expect(ExecutionError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ILLEGAL_ORDER_TRANSITION' });
    expect((error as Error).message).toContain('cannot go from rejected to open');
    expect(() => book.transition('nope', 'open', 3)).toThrowError(expect.objectContaining({ code: 'UNKNOWN_ORDER' }));
  });

  it('applies venue reports forwards only: a stale open after a fill, or anything after a final state, changes nothing', () => {
    const book = submitted();
    expect(book.applyVenueOrder(venue('open'), 2)).toMatchObject({ status: 'open', orderId: 'v-1' });
    expect(book.applyVenueOrder(venue('open'), 3)).toBeUndefined();
    expect(book.applyVenueOrder(venue('open', 0.4), 4)).toMatchObject({
      status: 'partially_filled',
      filledQuantity: 0.4,
    });
    expect(book.applyVenueOrder(venue('open', 0.2), 5)).toBeUndefined();
    expect(book.applyVenueOrder(venue('filled', 1), 6)).toMatchObject({ status: 'filled', filledQuantity: 1 });
    expect(book.applyVenueOrder(venue('cancelled', 1), 7)).toBeUndefined();
    expect(book.working()).toEqual([]);
  });

  it('lets an unknown order move to whatever the venue reports', () => {
    const book = submitted();
    book.transition('quant-1', 'unknown', 2);
    expect(book.working().map((order) => order.status)).toEqual(['unknown']);
    expect(book.applyVenueOrder(venue('filled', 1), 3)).toMatchObject({ status: 'filled' });
  });

  it('applies each fill once, with the average price and the status it implies', () => {
    const book = submitted();
    expect(book.applyFill(fill('f-1', 0.25, 100), 2)).toMatchObject({
      status: 'partially_filled',
      filledQuantity: 0.25,
      averagePrice: 100,
      orderId: 'v-1',
    });
    expect(book.applyFill(fill('f-1', 0.25, 100), 3)).toBeUndefined();
    expect(book.applyFill(fill('f-2', 0.75, 104), 4)).toMatchObject({
      status: 'filled',
      filledQuantity: 1,
      averagePrice: 103,
    });
    expect(book.applyFill({ ...fill('f-3', 1, 1), clientOrderId: 'other' }, 5)).toBeUndefined();
  });

  it('keeps an order reported filled before its fills unsettled until they arrive, without counting them twice', () => {
    const book = submitted();
    expect(book.applyVenueOrder(venue('filled', 1), 2)).toMatchObject({ status: 'filled', filledQuantity: 1 });
    expect(book.isSettled('quant-1')).toBe(false);
    expect(book.unsettled().map((order) => order.clientOrderId)).toEqual(['quant-1']);
    expect(book.applyFill(fill('f-1', 0.5, 100), 3)).toMatchObject({ status: 'filled', filledQuantity: 1 });
    expect(book.isSettled('quant-1')).toBe(false);
    expect(book.applyFill(fill('f-2', 0.5, 102), 4)).toMatchObject({ filledQuantity: 1, averagePrice: 101 });
    expect(book.isSettled('quant-1')).toBe(true);
    expect(book.unsettled()).toEqual([]);
  });

  it('forgets the oldest final orders beyond retainFinal, never a working one', () => {
    const book = new OrderBook<null>({ retainFinal: 2 });
    for (const id of ['a', 'b', 'c', 'd']) {
      book.create(spec(id), null, 0);
      book.transition(id, 'submitting', 1);
    }
    for (const id of ['a', 'b', 'c']) book.transition(id, 'rejected', 2);
    expect(book.get('a')).toBeUndefined();
    expect(book.get('b')?.status).toBe('rejected');
    expect(book.get('c')?.status).toBe('rejected');
    expect(book.working().map((order) => order.clientOrderId)).toEqual(['d']);
  });
});
