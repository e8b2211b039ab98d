import type { Fill, Order, OrderOrigin, TradingEventPayloads } from '@quant/core';

/** An order as the journal last recorded it, with its origin (`null` for an order recorded without one). */
export interface JournaledOrder {
  readonly order: Order;
  readonly origin: OrderOrigin | null;
}

/** What an {@link ExecutionJournal} holds of the bot's trading: what a restarted bot rebuilds its state from. */
export interface ExecutionRecord {
  /**
   * The bot's starting capital and the venue's balances then (its `CapitalSet` event), with when it was recorded
   * (ms since epoch, UTC); `null` before the bot's first start.
   */
  readonly capital: (TradingEventPayloads['CapitalSet'] & { readonly at: number }) | null;
  /** Every order recorded, in the order they were first recorded, each as last recorded. */
  readonly orders: readonly JournaledOrder[];
  /** Every fill recorded, in the order recorded. */
  readonly fills: readonly Fill[];
  /** The venue fills of orders the bot did not place, as the recorded reconciliations found them. */
  readonly externalFills: readonly Fill[];
  /**
   * When the last recorded reconciliation ran (its `ReconciliationCompleted`), ms UTC, or `null`: the fills before
   * it (less an overlap) were all seen, so a restart asks the venue for those after it only.
   */
  readonly reconciledAt: number | null;
  /** How the bot's previous run ended, when the journal keeps runs; `null` otherwise or for a first run. */
  readonly previousRun: { readonly runId: string; readonly end: 'clean' | 'crashed' } | null;
}

/**
 * Where the bot writes its orders before it sends them, and reads its state back after a restart: give one to
 * {@link createTradingSystem} (`journal`) on a real venue, where a crash must lose neither an order that may have
 * reached the venue nor the positions its fills made.
 *
 * - **Write-ahead.** Before each `submitOrder` the executor publishes `OrderSubmitted` (the order `submitting`,
 *   its client order id fixed, its origin) and awaits {@link ExecutionJournal.commit}; then it asks the venue for
 *   that client order id (`fetchOrder`): an order the venue holds from before a restart (client order ids are
 *   derived from the signal, so a regenerated signal gives the same id) is taken as the answer, never sent
 *   twice; only an id the venue does not know is submitted. An order whose commit fails is not sent: it is
 *   rejected.
 * - **Recovery.** At start the executor reads {@link ExecutionJournal.load} — capital, orders, fills — rebuilds
 *   its order book, positions and exit plans from it, and reconciles them with the venue before the first cycle
 *   (`ReconciliationCompleted`).
 *
 * The reference bot's journal is its event store (`@quant/store`'s `StoreRecorder`): `commit` appends every event
 * published so far, `load` reads the store's projections.
 *
 * @example
 * ```ts
 * const recorder = new StoreRecorder(store, { runId });
 * const system = createTradingSystem(config, { ...deps, onPublish: recorder.record, journal: recorder });
 * ```
 */
export interface ExecutionJournal {
  /**
   * Persists every event published so far, the order's `OrderSubmitted` included; resolves once they are durable.
   * @throws whatever keeps them from being persisted: the order is then not sent.
   */
  commit(): Promise<void>;
  /**
   * Reads back what the journal holds of the bot's trading.
   * @throws whatever keeps it from reading: the executor does not start (it does not trade on a state it cannot
   *   rebuild).
   */
  load(): Promise<ExecutionRecord>;
}
