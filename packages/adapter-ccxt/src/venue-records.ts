import type { Fill, OrderType, Side, TimeInForce } from '@quant/core';
import { BrokerError, type VenueOrder, type VenueOrderStatus } from '@quant/services';
import type { Order, Trade } from 'ccxt';
import type { VenueMarkets } from './venue-markets.js';

const TIMES_IN_FORCE: ReadonlySet<string> = new Set(['GTC', 'IOC', 'FOK']);

/** ccxt's unified status (and fills) as the port's. */
function statusOf(order: Order): VenueOrderStatus {
  const filled = order.filled ?? 0;
  switch (order.status) {
    case 'open':
      return filled > 0 ? 'partially_filled' : 'open';
    case 'closed':
      return 'filled';
    case 'canceled':
    case 'cancelled':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      throw new BrokerError('unknown_outcome', `order ${order.id} has a status ccxt does not unify: ${order.status}`);
  }
}

/** ccxt's order type (`market`, `limit`, Binance's `stop_loss`, `take_profit_limit`, …) as the port's. */
function typeOf(order: Order): OrderType {
  const type = (order.type ?? '').toLowerCase();
  if (type.startsWith('take_profit')) return 'take_profit';
  if (type.startsWith('stop')) return 'stop';
  return type === 'market' ? 'market' : 'limit';
}

/**
 * A ccxt order as the port's {@link VenueOrder}, with the bot's symbol.
 * @throws {@link @quant/services!BrokerError} `unknown_outcome` when the venue's answer lacks what an order must have (its id,
 *   client order id, side, amount) or has a status ccxt does not unify.
 */
export function toVenueOrder(order: Order, markets: VenueMarkets): VenueOrder {
  if (!order.id || !order.clientOrderId || (order.side !== 'buy' && order.side !== 'sell') || order.amount == null) {
    throw new BrokerError(
      'unknown_outcome',
      `the venue's order answer lacks its id, client order id, side or amount: ${JSON.stringify({ id: order.id, clientOrderId: order.clientOrderId, side: order.side, amount: order.amount })}`,
    );
  }
  const type = typeOf(order);
  const createdAt = order.timestamp ?? order.lastUpdateTimestamp ?? 0;
  const timeInForce = (order.timeInForce ?? 'GTC').toUpperCase();
  const trigger = order.triggerPrice ?? order.stopPrice ?? null;
  return {
    orderId: order.id,
    clientOrderId: order.clientOrderId,
    symbol: markets.botSymbol(order.symbol ?? ''),
    side: order.side as Side,
    type,
    timeInForce: (TIMES_IN_FORCE.has(timeInForce) ? timeInForce : 'GTC') as TimeInForce,
    quantity: order.amount,
    filledQuantity: order.filled ?? 0,
    averagePrice: order.average ?? (order.filled ? (order.price ?? null) : null),
    limitPrice: type === 'limit' ? (order.price ?? null) : null,
    triggerPrice: type === 'stop' || type === 'take_profit' ? trigger : null,
    status: statusOf(order),
    createdAt,
    updatedAt: Math.max(createdAt, order.lastUpdateTimestamp ?? 0, order.lastTradeTimestamp ?? 0),
  };
}

/**
 * A ccxt trade of the account as the port's {@link Fill}: the venue's trade id as the fill id, the fee in the
 * quote currency (a fee charged in the base currency is converted at the fill's price; one in a third currency,
 * e.g. BNB, cannot be and counts as 0 — the balances show it).
 * @param trade - from `fetchMyTrades`.
 * @param clientOrderId - the client order id of the trade's order (venues do not repeat it in trades).
 * @param markets - the venue's markets.
 * @throws {@link @quant/services!BrokerError} `unavailable` when the trade lacks its id, order, side, amount, price or time.
 */
export function toFill(trade: Trade, clientOrderId: string, markets: VenueMarkets): Fill {
  if (
    !trade.id ||
    !trade.order ||
    (trade.side !== 'buy' && trade.side !== 'sell') ||
    trade.amount == null ||
    trade.price == null ||
    trade.timestamp == null
  ) {
    throw new BrokerError('unavailable', `the venue's trade answer lacks a field a fill needs: ${trade.id}`);
  }
  const market = markets.market(markets.botSymbol(trade.symbol ?? ''));
  const cost = trade.fee?.cost ?? 0;
  const fee =
    trade.fee?.currency === market.quote ? cost : trade.fee?.currency === market.base ? cost * trade.price : 0;
  return {
    fillId: trade.id,
    orderId: trade.order,
    clientOrderId,
    symbol: markets.botSymbol(trade.symbol ?? ''),
    side: trade.side as Side,
    quantity: trade.amount,
    price: trade.price,
    fee,
    timestamp: trade.timestamp,
  };
}
