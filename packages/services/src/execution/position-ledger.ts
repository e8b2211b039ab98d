import type { Direction, Fill, Position, TradingEventPayloads } from '@quant/core';
import type { Account } from '../ports/account.js';

/**
 * How a position was closed, in full or in part: the payload of the
 * `PositionClosed` event (position before the close, quantity, exit price,
 * P&L after fees, fees, reason, time).
 */
export type PositionClosure = TradingEventPayloads['PositionClosed'];

/** What the ledger needs to know about a fill's order. */
export interface FillAttribution {
  /** The strategy whose position the fill changes (`null`: the account's own). */
  readonly strategyName: string | null;
  /** Why a closing fill closed: `exit_signal`, `stop_loss`, `take_profit`, `manual`. */
  readonly closeReason: string;
}

/** What one fill did to the ledger. */
export interface LedgerChange {
  /** The closure, when the fill reduced or closed a position. */
  readonly closed?: PositionClosure;
  /** The new position, when the fill opened one (from flat, or past flat into the other direction). */
  readonly opened?: Position;
  /** The position after the fill, or `null` when it left the strategy flat. */
  readonly position: Position | null;
}

/** Read access to the ledger, for strategies, risk, reports and the API. */
export interface PositionReader {
  /** The open position of a strategy in a symbol, if any. */
  position(strategyName: string | null, symbol: string): Position | undefined;
  /** Every open position, in the order they were opened. */
  positions(): readonly Position[];
  /** The account, marked at the last prices. */
  account(): Account;
}

interface State {
  position: Position;
  /** The entry fees not yet attributed to a closed share. */
  entryFeeLeft: number;
}

const EPSILON = 1e-12;

const keyOf = (strategyName: string | null, symbol: string): string => `${strategyName ?? ''}|${symbol}`;

/**
 * The one owner of the bot's positions: built from fills only, one net
 * position per strategy and symbol, marked to market on every bar.
 *
 * - A fill applied twice (same `fillId`) changes nothing.
 * - A buy adds to a long or reduces a short; a sell the reverse. A fill past
 *   flat closes the position and opens the rest in the other direction.
 * - Entry price: the quantity-weighted average of the opening fills.
 * - P&L of a close of `q` (FIFO-free, on the average entry):
 *   `gross = (exit − entry) × q` for a long, `(entry − exit) × q` for a short;
 *   realized = gross − (the entry fees' share `q / quantity` of what is left
 *   of them) − the exit fee.
 * - `cash` = capital − every fee + every gross realized P&L; `equity` = cash +
 *   the unrealized P&L of open positions at their last mark (the margin-account
 *   view; on a spot venue it is the bot's P&L on its capital).
 *
 * Amounts in the quote currency, quantities in base units, times in ms UTC.
 */
export class PositionLedger implements PositionReader {
  readonly #currency: string;
  #capital: number | undefined;
  #cash = 0;
  #realized = 0;
  #fees = 0;
  readonly #open = new Map<string, State>();
  readonly #fillIds = new Set<string>();

  /** @param currency - the account currency (the quote currency), e.g. `USDT`. */
  constructor(currency: string) {
    this.#currency = currency;
  }

  /** The capital the ledger started from, once set. */
  get capital(): number | undefined {
    return this.#capital;
  }

  /**
   * Sets the capital the account starts from (the venue's balance in the
   * account currency at the first start); later calls change nothing.
   * @param amount - quote currency.
   */
  setCapital(amount: number): void {
    if (this.#capital !== undefined) return;
    this.#capital = amount;
    this.#cash = amount;
  }

  /** Whether a fill was applied already. */
  hasFill(fillId: string): boolean {
    return this.#fillIds.has(fillId);
  }

  /**
   * Applies one fill.
   * @param fill - the venue's fill.
   * @param attribution - whose position it changes, and why a close closed.
   * @returns what changed, or `undefined` when the fill was applied already.
   */
  apply(fill: Fill, attribution: FillAttribution): LedgerChange | undefined {
    if (this.#fillIds.has(fill.fillId)) return undefined;
    this.#fillIds.add(fill.fillId);
    this.#cash -= fill.fee;
    this.#fees += fill.fee;
    const key = keyOf(attribution.strategyName, fill.symbol);
    const state = this.#open.get(key);
    const direction: Direction = fill.side === 'buy' ? 'long' : 'short';
    if (!state) return this.#openPosition(key, fill, fill.quantity, fill.fee, attribution.strategyName);
    if (state.position.direction === direction) {
      const { position } = state;
      const quantity = position.quantity + fill.quantity;
      state.entryFeeLeft += fill.fee;
      state.position = {
        ...position,
        quantity,
        entryPrice: (position.entryPrice * position.quantity + fill.price * fill.quantity) / quantity,
        fees: position.fees + fill.fee,
      };
      this.#mark(state, position.markPrice);
      return { position: state.position };
    }
    const closing = Math.min(fill.quantity, state.position.quantity);
    const share = closing / fill.quantity;
    const closed = this.#close(key, state, closing, fill, fill.fee * share, attribution.closeReason);
    const rest = fill.quantity - closing;
    if (rest <= EPSILON) return { closed, position: this.#open.get(key)?.position ?? null };
    const change = this.#openPosition(key, fill, rest, fill.fee - fill.fee * share, attribution.strategyName);
    return { ...change, closed };
  }

  /**
   * Marks the open positions of a symbol at `price` (a bar's close).
   * @param symbol - the instrument.
   * @param price - quote currency.
   */
  mark(symbol: string, price: number): void {
    for (const state of this.#open.values()) if (state.position.symbol === symbol) this.#mark(state, price);
  }

  /** {@inheritDoc PositionReader.position} */
  position(strategyName: string | null, symbol: string): Position | undefined {
    return this.#open.get(keyOf(strategyName, symbol))?.position;
  }

  /** {@inheritDoc PositionReader.positions} */
  positions(): readonly Position[] {
    return [...this.#open.values()].map((state) => state.position);
  }

  /** {@inheritDoc PositionReader.account} */
  account(): Account {
    let unrealizedPnl = 0;
    for (const state of this.#open.values()) unrealizedPnl += state.position.unrealizedPnl;
    return {
      currency: this.#currency,
      cash: this.#cash,
      equity: this.#cash + unrealizedPnl,
      realizedPnl: this.#realized,
      unrealizedPnl,
      fees: this.#fees,
    };
  }

  #openPosition(key: string, fill: Fill, quantity: number, fee: number, strategyName: string | null): LedgerChange {
    const position: Position = {
      positionId: `P-${fill.clientOrderId}`,
      symbol: fill.symbol,
      direction: fill.side === 'buy' ? 'long' : 'short',
      quantity,
      entryPrice: fill.price,
      openedAt: fill.timestamp,
      realizedPnl: 0,
      markPrice: fill.price,
      unrealizedPnl: 0,
      fees: fee,
      strategyName,
    };
    this.#open.set(key, { position, entryFeeLeft: fee });
    return { opened: position, position };
  }

  #close(key: string, state: State, quantity: number, fill: Fill, exitFee: number, reason: string): PositionClosure {
    const before = state.position;
    const sign = before.direction === 'long' ? 1 : -1;
    const gross = sign * (fill.price - before.entryPrice) * quantity;
    const entryFeeShare = state.entryFeeLeft * (quantity / before.quantity);
    state.entryFeeLeft -= entryFeeShare;
    const fees = entryFeeShare + exitFee;
    this.#cash += gross;
    this.#realized += gross - fees;
    const remaining = before.quantity - quantity;
    if (remaining <= EPSILON) {
      this.#open.delete(key);
    } else {
      state.position = {
        ...before,
        quantity: remaining,
        realizedPnl: before.realizedPnl + gross,
        fees: before.fees + exitFee,
      };
      this.#mark(state, before.markPrice);
    }
    return {
      position: before,
      quantity,
      exitPrice: fill.price,
      realizedPnl: gross - fees,
      fees,
      reason,
      closedAt: fill.timestamp,
    };
  }

  #mark(state: State, price: number): void {
    const { position } = state;
    const sign = position.direction === 'long' ? 1 : -1;
    state.position = {
      ...position,
      markPrice: price,
      unrealizedPnl: sign * (price - position.entryPrice) * position.quantity,
    };
  }
}
