import type { Fill, Order, Position } from '@quant/core';
import { sql, type Transaction } from 'kysely';
import type { OrdersTable, StoreSchema } from './store-schema.js';

/** The event types that change a projection (orders, fills, positions). */
export const PROJECTED_EVENT_TYPES: readonly string[] = [
  'OrderSubmitted',
  'OrderPlaced',
  'OrderFilled',
  'OrderRejected',
  'OrderCancelled',
  'OrderExpired',
  'OrderStatusUnknown',
  'PositionOpened',
  'PositionClosed',
];

const PROJECTED = new Set(PROJECTED_EVENT_TYPES);

/** An event as the projections read it: its position in the log, its type and its payload. */
interface ProjectedEvent {
  readonly seq: number;
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

/**
 * Applies one event to the projections, in the transaction that appends it (or that rebuilds them).
 * A projection row depends only on the events before it in sequence order, so a rebuild gives the same rows.
 * @internal
 */
export async function project(trx: Transaction<StoreSchema>, event: ProjectedEvent): Promise<void> {
  if (!PROJECTED.has(event.type)) return;
  const { payload, seq } = event;
  if (payload.order !== undefined) {
    const row = orderRow(payload.order as Order, typeof payload.reason === 'string' ? payload.reason : null, seq);
    const { client_order_id: _key, ...update } = row;
    await trx
      .insertInto('orders')
      .values(row)
      .onConflict((oc) => oc.column('client_order_id').doUpdateSet(update))
      .execute();
  }
  if (event.type === 'OrderFilled') {
    const fill = payload.fill as Fill;
    await trx
      .insertInto('fills')
      .values({
        fill_id: fill.fillId,
        order_id: fill.orderId,
        client_order_id: fill.clientOrderId,
        symbol: fill.symbol,
        side: fill.side,
        quantity: fill.quantity,
        price: fill.price,
        fee: fill.fee,
        timestamp: fill.timestamp,
        seq,
      })
      .onConflict((oc) => oc.column('fill_id').doNothing())
      .execute();
  } else if (event.type === 'PositionOpened') {
    const position = payload.position as Position;
    const row = { ...positionRow(position, seq), status: 'open', closed_at: null, closed_pnl: 0 };
    const { position_id: _key, ...update } = row;
    await trx
      .insertInto('positions')
      .values(row)
      .onConflict((oc) => oc.column('position_id').doUpdateSet(update))
      .execute();
  } else if (event.type === 'PositionClosed') {
    const position = payload.position as Position;
    const closed = Number(payload.quantity);
    const net = Number(payload.realizedPnl);
    // What stays open: a remainder below a billionth of the position is rounding, not a position.
    const left = position.quantity - closed;
    const remaining = left > position.quantity * 1e-9 ? left : 0;
    const status = remaining === 0 ? 'closed' : 'open';
    const closedAt = remaining === 0 ? Number(payload.closedAt) : null;
    const row = { ...positionRow(position, seq), quantity: remaining, status, closed_at: closedAt, closed_pnl: net };
    await trx
      .insertInto('positions')
      .values(row)
      .onConflict((oc) =>
        oc.column('position_id').doUpdateSet({
          quantity: remaining,
          status,
          closed_at: closedAt,
          realized_pnl: position.realizedPnl,
          closed_pnl: sql<number>`positions.closed_pnl + ${net}`,
          mark_price: position.markPrice,
          unrealized_pnl: position.unrealizedPnl,
          fees: position.fees,
          last_seq: seq,
        }),
      )
      .execute();
  }
}

function orderRow(order: Order, reason: string | null, seq: number): OrdersTable {
  return {
    client_order_id: order.clientOrderId,
    order_id: order.orderId,
    symbol: order.symbol,
    side: order.side,
    direction: order.direction,
    intent: order.intent,
    purpose: order.purpose,
    type: order.type,
    time_in_force: order.timeInForce,
    quantity: order.quantity,
    filled_quantity: order.filledQuantity,
    average_price: order.averagePrice,
    limit_price: order.limitPrice,
    trigger_price: order.triggerPrice,
    status: order.status,
    reason,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    strategy_name: order.strategyName,
    last_seq: seq,
  };
}

function positionRow(position: Position, seq: number) {
  return {
    position_id: position.positionId,
    symbol: position.symbol,
    direction: position.direction,
    quantity: position.quantity,
    entry_price: position.entryPrice,
    opened_at: position.openedAt,
    realized_pnl: position.realizedPnl,
    mark_price: position.markPrice,
    unrealized_pnl: position.unrealizedPnl,
    fees: position.fees,
    strategy_name: position.strategyName,
    last_seq: seq,
  };
}
