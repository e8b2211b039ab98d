import type { Order, OrderIntent, Position, TradingBlockReason, TradingEventPayloads } from '@quant/core';
import type { Account } from './account.js';

/** What the risk manager judges: one order about to be submitted. */
export interface RiskCheck {
  /** Now, ms since epoch, UTC. */
  readonly now: number;
  /** The instrument. */
  readonly symbol: string;
  /** `entry` (opens risk) or `exit` (reduces it). */
  readonly intent: OrderIntent;
  /** Order quantity, base units. */
  readonly quantity: number;
  /** Reference price, quote currency. */
  readonly price: number;
  /** The account's balances. */
  readonly account: Account;
  /** The open positions, every symbol's. */
  readonly positions: readonly Position[];
  /**
   * The entry orders sent and not yet final, every symbol's: each will open
   * a position (or add to a partly filled one), so a limit on positions
   * counts them. Absent: none.
   */
  readonly workingEntries?: readonly Order[];
}

/** A limit found crossed, for `RiskLimitBreached`. */
export interface RiskBreach {
  /** The limit's name, e.g. `daily_loss_limit`. */
  readonly limit: string;
  /** The measured value, in the limit's unit. */
  readonly value: number;
  /** The configured limit. */
  readonly threshold: number;
}

/** The risk manager's answer: allowed, or blocked with every reason. */
export interface RiskDecision {
  /** `true` when nothing blocks the order. */
  readonly allowed: boolean;
  /** Every rule that blocks it (empty when allowed). */
  readonly reasons: readonly TradingBlockReason[];
}

/**
 * Decides whether an order may be sent. {@link DefaultRiskManager} is the one
 * shipped. Exits reduce risk: a risk manager should allow them unless a venue
 * rule forbids them.
 */
export interface RiskManager {
  /** Judges one order. */
  check(request: RiskCheck): RiskDecision;
  /**
   * Records the account's equity at `now` (called on every bar), so daily
   * limits track realized and unrealized P&L.
   * @returns the limits this update newly breached.
   */
  recordEquity(now: number, equity: number): readonly RiskBreach[];
}

/** An entry order's size and protective levels. */
export interface EntryPlan {
  /** Quantity, base units, > 0. */
  readonly quantity: number;
  /** Stop-loss price, quote currency, or `null`. */
  readonly stopLoss: number | null;
  /** Take-profit price, quote currency, or `null`. */
  readonly takeProfit: number | null;
}

/** What an entry manager plans from: an entry signal's price, levels and sizing rule. */
export type EntryRequest = Pick<TradingEventPayloads['EntrySignal'], 'price' | 'stopLoss' | 'takeProfit' | 'sizing'>;

/**
 * Sizes entries and sets their stop-loss and take-profit.
 * {@link DefaultEntryManager} is the one shipped.
 */
export interface EntryManager {
  /**
   * Plans the order of an entry signal.
   * @param signal - the signal's sizing rule, levels and price.
   * @param account - the account's balances.
   * @returns the plan, or a reason when no valid order can be made.
   */
  plan(signal: EntryRequest, account: Account): EntryPlan | { readonly rejected: string };
}
