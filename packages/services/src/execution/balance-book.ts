import type { BalanceTotal, Fill, ReconciliationMismatch } from '@quant/core';

/** Differences below this are rounding (venues keep 8 decimals), whatever the tolerance. */
const ABSOLUTE_TOLERANCE = 1e-8;

/**
 * Whether two amounts agree within `toleranceBps` basis points of the larger (at least {@link ABSOLUTE_TOLERANCE}).
 * @internal
 */
export function withinTolerance(expected: number, actual: number, toleranceBps: number): boolean {
  const allowed = Math.max(
    ABSOLUTE_TOLERANCE,
    (Math.max(Math.abs(expected), Math.abs(actual)) * toleranceBps) / 10_000,
  );
  return Math.abs(actual - expected) <= allowed;
}

/**
 * The base currency of a symbol quoted in `quote` (`BTCUSDT` in `USDT` → `BTC`), or `undefined` when the symbol
 * does not end with it.
 */
export function baseCurrencyOf(symbol: string, quote: string): string | undefined {
  return symbol.length > quote.length && symbol.endsWith(quote) ? symbol.slice(0, -quote.length) : undefined;
}

/**
 * The balances the venue should report, by currency: the balances at the bot's first start (the baseline) plus
 * the effect of every fill since, the bot's and others' — a buy of `q` at `p` with fee `f` (quote currency)
 * adds `q` base and takes `q × p + f` quote; a sell the reverse, less its fee. What reconciliation compares the
 * venue's balances with.
 *
 * Quantities in each currency's units; times in ms UTC.
 */
export class BalanceBook {
  readonly #quote: string;
  readonly #expected = new Map<string, number>();
  #version = 0;

  /** Grows with every change of the expectation: a comparison is sound only if it did not change meanwhile. */
  get version(): number {
    return this.#version;
  }

  /** @param quote - the account (quote) currency, e.g. `USDT`. */
  constructor(quote: string) {
    this.#quote = quote;
  }

  /**
   * Starts from these balances, replacing what was expected (the first start, or the venue's state adopted).
   * @param balances - totals by currency.
   */
  rebase(balances: readonly BalanceTotal[]): void {
    this.#version++;
    this.#expected.clear();
    for (const { currency, total } of balances) this.#expected.set(currency, total);
  }

  /**
   * Adds a fill's effect.
   * @param fill - a fill of the account at the venue (its fee in the quote currency).
   * @param baseOnly - the fill adopted a venue's quantity (no money changed hands): only the base moves.
   */
  apply(fill: Fill, baseOnly = false): void {
    this.#version++;
    const base = baseCurrencyOf(fill.symbol, this.#quote);
    const sign = fill.side === 'buy' ? 1 : -1;
    if (base !== undefined) this.#add(base, sign * fill.quantity);
    if (!baseOnly) this.#add(this.#quote, -sign * fill.quantity * fill.price - fill.fee);
  }

  /** The expected balance of a currency (0 for one never held). */
  expected(currency: string): number {
    return this.#expected.get(currency) ?? 0;
  }

  /**
   * Compares the venue's balances with the expected ones, for every currency either side knows.
   * @param venue - the venue's totals by currency.
   * @param toleranceBps - allowed difference, basis points of the larger of the two amounts (at least 1e-8).
   * @returns a `balance` mismatch per currency beyond the tolerance, in currency order.
   */
  compare(venue: readonly BalanceTotal[], toleranceBps: number): ReconciliationMismatch[] {
    const actual = new Map(venue.map(({ currency, total }) => [currency, total]));
    const currencies = [...new Set([...this.#expected.keys(), ...actual.keys()])].sort();
    const mismatches: ReconciliationMismatch[] = [];
    for (const currency of currencies) {
      const expected = this.expected(currency);
      const got = actual.get(currency) ?? 0;
      if (withinTolerance(expected, got, toleranceBps)) continue;
      mismatches.push({
        kind: 'balance',
        subject: currency,
        expected,
        actual: got,
        message: `${currency}: the venue holds ${got}, the bot's record explains ${expected} (difference ${got - expected}, beyond ${toleranceBps} bps)`,
      });
    }
    return mismatches;
  }

  #add(currency: string, amount: number): void {
    this.#expected.set(currency, (this.#expected.get(currency) ?? 0) + amount);
  }
}
