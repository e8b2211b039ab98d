import type { Fill, Order, OrderStatus } from '@quant/core';
import type { VenueOrder } from '../ports/broker.js';
import { ExecutionError } from './execution-error.js';
import { assertOrderTransition, isFinalOrderStatus } from './order-state.js';

/** What the bot decides about a new order; the book adds ids, fill progress, status and times. */
export type NewOrder = Omit<
  Order,
  'orderId' | 'filledQuantity' | 'averagePrice' | 'status' | 'createdAt' | 'updatedAt'
>;

/** Quantities within this of each other are equal (base units). */
const QUANTITY_EPSILON = 1e-12;

/** Final orders kept for look-ups by default; older ones are forgotten. */
const DEFAULT_RETAIN_FINAL = 10_000;

interface Entry<C> {
  order: Order;
  readonly context: C;
  readonly fillIds: Set<string>;
  /** Quantity of the fills applied, base units. */
  fillQuantity: number;
  /** Sum of price × quantity of the fills applied, quote currency. */
  fillNotional: number;
}

/**
 * The one owner of the bot's orders, keyed by client order id: every change
 * goes through the order state machine ({@link ORDER_TRANSITIONS}), so an
 * order never moves backwards and never leaves a final state.
 *
 * Venue reports ({@link OrderBook.applyVenueOrder}) and fills
 * ({@link OrderBook.applyFill}) may arrive late, twice or out of order (a
 * fill before the submit's answer, the same fill from a stream and a poll):
 * a stale report or a repeated fill changes nothing. An order the venue
 * reports filled before its fills arrived is `unsettled`
 * ({@link OrderBook.unsettled}) until they do.
 *
 * Each order carries a context of type `C` (what the owner needs to know
 * about it, such as the signal it serves). Final orders beyond `retainFinal`
 * are forgotten, oldest first, so memory stays flat in a long run.
 *
 * @typeParam C - the context kept with each order.
 */
export class OrderBook<C> {
  readonly #entries = new Map<string, Entry<C>>();
  /** The entries not in a final state, in creation order. */
  readonly #working = new Map<string, Entry<C>>();
  /** Orders whose reported filled quantity is ahead of the fills applied. */
  readonly #unsettled = new Map<string, Entry<C>>();
  readonly #final: string[] = [];
  readonly #retainFinal: number;

  /** @param options - `retainFinal`: final orders kept (10 000 by default). */
  constructor(options: { readonly retainFinal?: number } = {}) {
    this.#retainFinal = options.retainFinal ?? DEFAULT_RETAIN_FINAL;
  }

  /**
   * Adds an order in state `created`.
   * @param spec - the order.
   * @param context - what to keep with it.
   * @param now - ms since epoch, UTC.
   * @throws {@link ExecutionError} `DUPLICATE_ORDER` when the client order id is known.
   */
  create(spec: NewOrder, context: C, now: number): Order {
    if (this.#entries.has(spec.clientOrderId)) {
      throw new ExecutionError('DUPLICATE_ORDER', `order ${spec.clientOrderId} already exists`);
    }
    const order: Order = {
      ...spec,
      orderId: null,
      filledQuantity: 0,
      averagePrice: null,
      status: 'created',
      createdAt: now,
      updatedAt: now,
    };
    const entry: Entry<C> = { order, context, fillIds: new Set(), fillQuantity: 0, fillNotional: 0 };
    this.#entries.set(spec.clientOrderId, entry);
    this.#working.set(spec.clientOrderId, entry);
    return order;
  }

  /**
   * Puts back an order as a journal recorded it, with the fills recorded for it (a restart): no transition is
   * checked, the order keeps its state. An order whose recorded fills fall short of its filled quantity is
   * {@link OrderBook.unsettled}.
   * @param order - the order's last recorded state.
   * @param context - what to keep with it.
   * @param fills - its recorded fills, oldest first.
   * @throws {@link ExecutionError} `DUPLICATE_ORDER` when the client order id is known.
   */
  restore(order: Order, context: C, fills: readonly Fill[]): void {
    if (this.#entries.has(order.clientOrderId)) {
      throw new ExecutionError('DUPLICATE_ORDER', `order ${order.clientOrderId} already exists`);
    }
    const entry: Entry<C> = { order, context, fillIds: new Set(), fillQuantity: 0, fillNotional: 0 };
    for (const fill of fills) {
      if (entry.fillIds.has(fill.fillId)) continue;
      entry.fillIds.add(fill.fillId);
      entry.fillQuantity += fill.quantity;
      entry.fillNotional += fill.price * fill.quantity;
    }
    this.#entries.set(order.clientOrderId, entry);
    if (order.filledQuantity > entry.fillQuantity + QUANTITY_EPSILON) this.#unsettled.set(order.clientOrderId, entry);
    if (!isFinalOrderStatus(order.status)) {
      this.#working.set(order.clientOrderId, entry);
      return;
    }
    this.#retire(order.clientOrderId);
  }

  /** The order with this client order id, if known. */
  get(clientOrderId: string): Order | undefined {
    return this.#entries.get(clientOrderId)?.order;
  }

  /** The context kept with an order, if known. */
  context(clientOrderId: string): C | undefined {
    return this.#entries.get(clientOrderId)?.context;
  }

  /** Orders not in a final state, oldest first. */
  working(): Order[] {
    const orders: Order[] = [];
    for (const { order } of this.#working.values()) orders.push(order);
    return orders;
  }

  /**
   * How many orders are not in a final state.
   * @param status - count only those in this state.
   */
  workingCount(status?: Order['status']): number {
    if (status === undefined) return this.#working.size;
    let count = 0;
    for (const { order } of this.#working.values()) if (order.status === status) count++;
    return count;
  }

  /** How many orders are {@link OrderBook.unsettled}. */
  get unsettledCount(): number {
    return this.#unsettled.size;
  }

  /** Orders the venue reported (partly) filled whose fills have not all been applied yet, oldest first. */
  unsettled(): Order[] {
    return [...this.#unsettled.values()].map((entry) => entry.order);
  }

  /** Whether the fills applied to an order account for all it has filled (`false` for an unknown order). */
  isSettled(clientOrderId: string): boolean {
    return this.#entries.has(clientOrderId) && !this.#unsettled.has(clientOrderId);
  }

  /**
   * Moves an order to `to`.
   * @param clientOrderId - the order.
   * @param to - the new state.
   * @param now - ms since epoch, UTC.
   * @param orderId - the venue's id, when learnt.
   * @returns the updated order.
   * @throws {@link ExecutionError} `UNKNOWN_ORDER`, or `ILLEGAL_ORDER_TRANSITION`.
   */
  transition(clientOrderId: string, to: OrderStatus, now: number, orderId?: string): Order {
    const entry = this.#entry(clientOrderId);
    assertOrderTransition(clientOrderId, entry.order.status, to);
    return this.#set(entry, { ...entry.order, status: to, updatedAt: now, orderId: orderId ?? entry.order.orderId });
  }

  /**
   * Applies what the venue reports about an order.
   * @returns the updated order, or `undefined` when the report is stale or
   *   changes nothing (an order in a final state, `open` after a partial fill,
   *   the same status and fill progress), or when the order is not the bot's.
   * @throws {@link ExecutionError} `ILLEGAL_ORDER_TRANSITION` when the venue reports an impossible move.
   */
  applyVenueOrder(venue: VenueOrder, now: number): Order | undefined {
    const entry = this.#entries.get(venue.clientOrderId);
    if (!entry) return undefined;
    const { order } = entry;
    if (isFinalOrderStatus(order.status)) return undefined;
    const filledQuantity = Math.max(order.filledQuantity, venue.filledQuantity);
    const status = venue.status === 'open' && filledQuantity > 0 ? 'partially_filled' : venue.status;
    const progressed = filledQuantity > order.filledQuantity + QUANTITY_EPSILON;
    if (status === order.status && !progressed && order.orderId === venue.orderId) return undefined;
    if (status !== order.status || status === 'partially_filled')
      assertOrderTransition(order.clientOrderId, order.status, status);
    if (filledQuantity > entry.fillQuantity + QUANTITY_EPSILON) this.#unsettled.set(order.clientOrderId, entry);
    return this.#set(entry, {
      ...order,
      orderId: venue.orderId,
      status,
      filledQuantity,
      averagePrice: progressed && entry.fillQuantity === 0 ? venue.averagePrice : order.averagePrice,
      updatedAt: now,
    });
  }

  /**
   * Applies a fill to its order: fill progress, average price, and
   * `partially_filled` or `filled`.
   * @returns the updated order, or `undefined` when the fill was applied
   *   already or its order is not the bot's.
   */
  applyFill(fill: Fill, now: number): Order | undefined {
    const entry = this.#entries.get(fill.clientOrderId);
    if (!entry || entry.fillIds.has(fill.fillId)) return undefined;
    entry.fillIds.add(fill.fillId);
    entry.fillQuantity += fill.quantity;
    entry.fillNotional += fill.price * fill.quantity;
    const { order } = entry;
    const filledQuantity = Math.max(order.filledQuantity, entry.fillQuantity);
    if (entry.fillQuantity >= filledQuantity - QUANTITY_EPSILON) this.#unsettled.delete(order.clientOrderId);
    const averagePrice = entry.fillQuantity === fill.quantity ? fill.price : entry.fillNotional / entry.fillQuantity;
    const complete = filledQuantity >= order.quantity - QUANTITY_EPSILON;
    let status = order.status;
    if (!isFinalOrderStatus(status)) {
      status = complete ? 'filled' : 'partially_filled';
      assertOrderTransition(order.clientOrderId, order.status, status);
    }
    return this.#set(entry, {
      ...order,
      orderId: order.orderId ?? fill.orderId,
      filledQuantity,
      averagePrice,
      status,
      updatedAt: now,
    });
  }

  #entry(clientOrderId: string): Entry<C> {
    const entry = this.#entries.get(clientOrderId);
    if (!entry) throw new ExecutionError('UNKNOWN_ORDER', `no order ${clientOrderId}`);
    return entry;
  }

  #set(entry: Entry<C>, order: Order): Order {
    const wasFinal = isFinalOrderStatus(entry.order.status);
    entry.order = order;
    if (!wasFinal && isFinalOrderStatus(order.status)) {
      this.#working.delete(order.clientOrderId);
      this.#retire(order.clientOrderId);
    }
    return order;
  }

  /** Keeps a final order for look-ups, forgetting the oldest beyond `retainFinal`. */
  #retire(clientOrderId: string): void {
    this.#final.push(clientOrderId);
    if (this.#final.length <= this.#retainFinal) return;
    const forgotten = this.#final.shift() as string;
    this.#entries.delete(forgotten);
    this.#unsettled.delete(forgotten);
  }
}
