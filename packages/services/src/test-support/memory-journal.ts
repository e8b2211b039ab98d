import type { BaseEvent, Fill, Order, OrderOrigin, TradingEventPayloads } from '@quant/core';
import type { ExecutionJournal, ExecutionRecord, JournaledOrder } from '../ports/execution-journal.js';

/** The record of a bot that never ran. */
export const EMPTY_RECORD: ExecutionRecord = {
  capital: null,
  orders: [],
  fills: [],
  externalFills: [],
  reconciledAt: null,
  previousRun: null,
};

/**
 * An execution journal in memory for tests, standing in for the event store: give {@link MemoryJournal.record}
 * as the bus's `onPublish` (or call it), and hand the same journal to the next "process" to test a restart.
 * `load` projects what was recorded — last state of each order with its origin, fills, capital — as the store
 * does; events recorded after the last {@link MemoryJournal.commit} are lost by {@link MemoryJournal.crash}.
 */
export class MemoryJournal implements ExecutionJournal {
  readonly #committed: BaseEvent[] = [];
  #pending: BaseEvent[] = [];
  /** How the previous run ended, as `load` reports it. */
  previousRun: ExecutionRecord['previousRun'] = null;

  /** Records a published event (not yet durable). */
  readonly record = (event: BaseEvent): void => {
    this.#pending.push(event);
  };

  /** Makes every recorded event durable. */
  async commit(): Promise<void> {
    this.#committed.push(...this.#pending);
    this.#pending = [];
  }

  /** A kill: what was not committed is gone. */
  crash(): void {
    this.#pending = [];
  }

  /** The durable events, oldest first. */
  get events(): readonly BaseEvent[] {
    return this.#committed;
  }

  async load(): Promise<ExecutionRecord> {
    const orders = new Map<string, { order: Order; origin: OrderOrigin | null }>();
    const fills: Fill[] = [];
    let capital: ExecutionRecord['capital'] = null;
    const externalFills: Fill[] = [];
    let reconciledAt: number | null = null;
    for (const event of this.#committed) {
      const payload = event as BaseEvent & Partial<TradingEventPayloads['OrderSubmitted'] & { fill: Fill }>;
      if (event.type === 'CapitalSet' && capital === null) {
        const set = event as BaseEvent & TradingEventPayloads['CapitalSet'];
        capital = { currency: set.currency, capital: set.capital, balances: set.balances, at: event.timestamp };
      }
      if (payload.order !== undefined) {
        const id = payload.order.clientOrderId;
        const origin = payload.origin ?? orders.get(id)?.origin ?? null;
        orders.set(id, { order: payload.order, origin });
      }
      if (event.type === 'OrderFilled' && payload.fill !== undefined) fills.push(payload.fill);
      if (event.type === 'ReconciliationCompleted') {
        externalFills.push(...(event as BaseEvent & TradingEventPayloads['ReconciliationCompleted']).externalFills);
        reconciledAt = event.timestamp;
      }
    }
    const list: JournaledOrder[] = [...orders.values()];
    return { capital, orders: list, fills, externalFills, reconciledAt, previousRun: this.previousRun };
  }
}
