/**
 * Where the bot writes its orders before it sends them: give one to {@link createTradingSystem} (`journal`) when a
 * crash must not lose an order that may have reached the venue. Before each `submitOrder` the executor publishes
 * `OrderSubmitted` (the order `submitting`, its client order id fixed) and awaits {@link ExecutionJournal.commit};
 * then it asks the venue for that client order id (`fetchOrder`): an order the venue holds from before a restart
 * (client order ids are derived from the signal, so a regenerated signal gives the same id) is taken as the
 * answer, never sent twice; only an id the venue does not know is submitted. An order whose commit fails is not
 * sent: it is rejected.
 *
 * The reference bot's journal is its event store: `commit` appends every event published so far.
 *
 * @example
 * ```ts
 * const recorder = new StoreRecorder(store);
 * const journal: ExecutionJournal = {
 *   commit: async () => {
 *     await recorder.flush();
 *     if (recorder.failure) throw recorder.failure;
 *   },
 * };
 * const system = createTradingSystem(config, { ...deps, onPublish: recorder.record, journal });
 * ```
 */
export interface ExecutionJournal {
  /**
   * Persists every event published so far, the order's `OrderSubmitted` included; resolves once they are durable.
   * @throws whatever keeps them from being persisted: the order is then not sent.
   */
  commit(): Promise<void>;
}
