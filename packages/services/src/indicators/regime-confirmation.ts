import type { Regime } from '@quant/core';

/** A confirmed regime change. */
export interface RegimeChange {
  /** The regime before, `null` for the first one. */
  readonly oldRegime: Regime | null;
  /** The regime now confirmed. */
  readonly newRegime: Regime;
}

const same = (a: Regime | null, b: Regime | null): boolean =>
  a !== null && b !== null && a.trend === b.trend && a.volatility === b.volatility;

/**
 * Confirms regime changes only after the new regime held for `confirmBars`
 * consecutive bars, so a regime flapping around a threshold does not publish
 * a change on every bar.
 */
export class RegimeConfirmation {
  #confirmed: Regime | null = null;
  #candidate: Regime | null = null;
  #count = 0;

  /** @param confirmBars - bars a new regime must hold, >= 1. */
  constructor(private readonly confirmBars: number) {}

  /** The confirmed regime, or `null` before the first one. */
  get current(): Regime | null {
    return this.#confirmed;
  }

  /**
   * Feeds one bar's raw regime.
   * @param raw - the detector's regime for the bar, `null` while warming up.
   * @returns the change this bar confirmed, if any.
   */
  update(raw: Regime | null): RegimeChange | undefined {
    if (raw === null || same(raw, this.#confirmed)) {
      this.#candidate = null;
      this.#count = 0;
      return undefined;
    }
    if (same(raw, this.#candidate)) this.#count++;
    else {
      this.#candidate = raw;
      this.#count = 1;
    }
    if (this.#count < this.confirmBars) return undefined;
    const change = { oldRegime: this.#confirmed, newRegime: raw };
    this.#confirmed = raw;
    this.#candidate = null;
    this.#count = 0;
    return change;
  }
}
