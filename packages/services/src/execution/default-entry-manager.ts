import type { Account } from '../ports/account.js';
import type { EntryManager, EntryPlan, EntryRequest } from '../ports/risk.js';

/** Options of {@link DefaultEntryManager}. */
export interface EntryManagerOptions {
  /** Quantity step of the venue, base units; quantities are rounded down to it. 0.000001 by default. */
  readonly quantityStep?: number;
}

/**
 * The shipped {@link EntryManager}: keeps the signal's stop-loss and
 * take-profit and sizes the order from its sizing rule: `fixed` uses the
 * quantity as it is; `risk_percent` uses
 * `quantity = equity × percent / 100 / |price − stopLoss|` (fixed-fractional
 * sizing: a stop hit loses `percent` of equity, before fees and slippage),
 * rounded down to the quantity step.
 */
export class DefaultEntryManager implements EntryManager {
  readonly #step: number;

  /** @param options - the quantity step. */
  constructor(options: EntryManagerOptions = {}) {
    this.#step = options.quantityStep ?? 0.000001;
  }

  /** {@inheritDoc EntryManager.plan} */
  plan(signal: EntryRequest, account: Account): EntryPlan | { readonly rejected: string } {
    let quantity: number;
    if (signal.sizing.mode === 'fixed') {
      quantity = signal.sizing.quantity;
    } else {
      if (signal.stopLoss === null) return { rejected: 'risk_percent sizing needs a stop-loss' };
      const distance = Math.abs(signal.price - signal.stopLoss);
      if (distance === 0) return { rejected: 'the stop-loss equals the entry price' };
      quantity = (account.equity * signal.sizing.percent) / 100 / distance;
    }
    quantity = Math.floor(quantity / this.#step + 1e-9) * this.#step;
    quantity = Number(quantity.toFixed(12));
    if (!(quantity > 0)) return { rejected: `the order size rounds to 0 (step ${this.#step})` };
    return { quantity, stopLoss: signal.stopLoss, takeProfit: signal.takeProfit };
  }
}
