import type { RiskConfig } from '@quant/config';
import type { TradingBlockReason } from '@quant/core';
import type { RiskBreach, RiskCheck, RiskDecision, RiskManager } from '../ports/risk.js';

const DAY_MS = 86_400_000;

function parseHours(text: string): { start: number; end: number } {
  const [from = '00:00', to = '24:00'] = text.split('-');
  const minutes = (hhmm: string): number => {
    const [h = '0', m = '0'] = hhmm.split(':');
    return Number(h) * 60 + Number(m);
  };
  return { start: minutes(from), end: minutes(to) };
}

/** Working entries that will open a position: those of a strategy and symbol without one yet. */
function opening(request: RiskCheck): number {
  const held = new Set(request.positions.map((position) => `${position.strategyName ?? ''}|${position.symbol}`));
  const opening = new Set(
    (request.workingEntries ?? [])
      .map((order) => `${order.strategyName ?? ''}|${order.symbol}`)
      .filter((key) => !held.has(key)),
  );
  return opening.size;
}

/**
 * The shipped {@link RiskManager}, configured by the `risk` section:
 * - `daily_loss_limit`: the account's loss since the start of the UTC day, realized plus
 *   unrealized (equity now minus equity at the day's first mark), may not
 *   reach the limit; once it has, new entries stay blocked until the next UTC
 *   day, while exits are still allowed;
 * - `max_positions`: open positions across every symbol, with the entries
 *   still working that will open one (an entry would add one);
 * - `max_position_size`: the order's quantity, base units (an entry opens a
 *   strategy's position on a symbol, so this is the largest position), or the
 *   symbol's own limit in `max_position_sizes`;
 * - `max_leverage`: open notional plus the order's, at most equity × leverage
 *   (`insufficient_funds` otherwise); an entry still working counts once it
 *   fills (a market order's price is not known before);
 * - `news_blocks`: no entries inside a window;
 * - `trading_hours`: no entries outside the UTC hours.
 * Every reason that applies is reported, not just the first.
 */
export class DefaultRiskManager implements RiskManager {
  readonly #config: RiskConfig;
  readonly #hours: { start: number; end: number };
  #day = Number.NaN;
  #dayStartEquity = Number.NaN;
  #lastEquity = Number.NaN;
  #breachedDay = Number.NaN;

  /** @param config - the `risk` section. */
  constructor(config: RiskConfig) {
    this.#config = config;
    this.#hours = parseHours(config.trading_hours);
  }

  /** The loss limit's state: P&L since the UTC day started, quote currency, and whether entries are blocked. */
  get daily(): { readonly pnl: number; readonly blocked: boolean } {
    const pnl = Number.isNaN(this.#dayStartEquity) ? 0 : this.#lastEquity - this.#dayStartEquity;
    return { pnl, blocked: this.#breachedDay === this.#day };
  }

  /** {@inheritDoc RiskManager.recordEquity} */
  recordEquity(now: number, equity: number): readonly RiskBreach[] {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      this.#dayStartEquity = equity;
    }
    this.#lastEquity = equity;
    const loss = this.#dayStartEquity - equity;
    if (this.#breachedDay !== day && loss >= this.#config.daily_loss_limit && this.#config.daily_loss_limit >= 0) {
      this.#breachedDay = day;
      return [{ limit: 'daily_loss_limit', value: loss, threshold: this.#config.daily_loss_limit }];
    }
    return [];
  }

  /** {@inheritDoc RiskManager.check} */
  check(request: RiskCheck): RiskDecision {
    if (request.intent === 'exit') return { allowed: true, reasons: [] };
    const reasons: TradingBlockReason[] = [];
    const day = Math.floor(request.now / DAY_MS);
    const loss = day === this.#day ? this.#dayStartEquity - request.account.equity : 0;
    if (this.#breachedDay === day || loss >= this.#config.daily_loss_limit) reasons.push('daily_loss_limit');
    if (request.positions.length + opening(request) >= this.#config.max_positions) reasons.push('max_positions');
    if (request.quantity > (this.#config.max_position_sizes[request.symbol] ?? this.#config.max_position_size)) {
      reasons.push('max_position_size');
    }
    if (this.#config.news_blocks.some((window) => request.now >= window.start && request.now < window.end)) {
      reasons.push('news_block');
    }
    const minute = Math.floor((request.now % DAY_MS) / 60_000);
    if (minute < this.#hours.start || minute >= this.#hours.end) reasons.push('outside_trading_hours');
    const openNotional = request.positions.reduce((sum, position) => sum + position.quantity * position.entryPrice, 0);
    if (openNotional + request.quantity * request.price > request.account.equity * this.#config.max_leverage) {
      reasons.push('insufficient_funds');
    }
    return { allowed: reasons.length === 0, reasons };
  }
}
