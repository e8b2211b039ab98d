import type { TradingEventPayloads } from '@quant/core';
import type { EventFilter, EventStore, StoredEvent } from '@quant/store';
import { nextDay, startOfDay } from './time-zone.js';

/** A trade closed on the summary's day. Prices and P&L in the quote currency, times ms since epoch UTC. */
export interface SummaryTrade {
  readonly symbol: string;
  readonly strategyName: string | null;
  readonly direction: 'long' | 'short';
  readonly quantity: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** After fees. */
  readonly realizedPnl: number;
  /** `exit_signal`, `stop_loss`, `take_profit`, … */
  readonly reason: string;
  readonly closedAt: number;
}

/** A position open at the summary's time, at its last mark. */
export interface SummaryPosition {
  readonly symbol: string;
  readonly strategyName: string | null;
  readonly direction: 'long' | 'short';
  readonly quantity: number;
  readonly entryPrice: number;
  readonly markPrice: number;
  readonly unrealizedPnl: number;
}

/** A symbol with entry signals in the watchlist window: a candidate for tomorrow. */
export interface WatchlistEntry {
  readonly symbol: string;
  /** Entry signals in the window. */
  readonly signals: number;
  /** The direction and strategy of the last one. */
  readonly lastDirection: 'long' | 'short';
  readonly lastStrategy: string;
  /** When the last one came (its bar's open time). */
  readonly lastAt: number;
}

/** The daily summary of the original system: the day's trades and P&L, win rate, open positions, watchlist, equity. */
export interface DailySummary {
  /** The day, `YYYY-MM-DD`, in `timeZone`. */
  readonly day: string;
  readonly timeZone: string;
  /** The day's bounds, ms since epoch UTC: `[from, to)`. */
  readonly from: number;
  readonly to: number;
  /** The time the summary is as of, ms since epoch UTC (within the day). */
  readonly asOf: number;
  /** The account currency (from `CapitalSet`), or `null` when the store has none. */
  readonly currency: string | null;
  /** Trades closed that day, oldest first. */
  readonly trades: readonly SummaryTrade[];
  /** Their P&L after fees. */
  readonly realizedPnl: number;
  /** Trades with a P&L above 0. */
  readonly wins: number;
  /** `wins / trades`, 0 to 1; `null` without trades. */
  readonly winRate: number | null;
  /** Positions open now (the store's projection). */
  readonly openPositions: readonly SummaryPosition[];
  /** Their unrealized P&L. */
  readonly unrealizedPnl: number;
  /** Symbols with entry signals in the `watchlistMs` before the summary's time, most signals first. */
  readonly watchlist: readonly WatchlistEntry[];
  /**
   * Equity at the summary's time: the starting capital plus every trade's P&L closed before then, plus the unrealized
   * P&L of the open positions; `null` without a `CapitalSet`.
   */
  readonly equity: number | null;
  /**
   * Drawdown of the closed-trade equity (capital plus cumulative realized P&L) at the summary's time from its peak so
   * far, 0 to 1 (0.05: 5 % below the peak); `null` without a `CapitalSet`.
   */
  readonly drawdown: number | null;
}

/** Options of {@link buildDailySummary}. */
export interface DailySummaryOptions {
  /** The day, `YYYY-MM-DD`, in `timeZone`. */
  readonly day: string;
  /** The IANA time zone the day is in, e.g. `America/New_York`. */
  readonly timeZone: string;
  /** How far back from the summary's time entry signals make the watchlist, ms (e.g. 60 bars of 1 minute). */
  readonly watchlistMs: number;
  /**
   * When the summary is made, ms since epoch UTC (a 16:30 job's due time): trades up to then, the watchlist of the
   * `watchlistMs` before it. The day's end by default, and at most.
   */
  readonly asOf?: number;
}

async function all(store: Pick<EventStore, 'scan'>, filter: EventFilter): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of store.scan(filter)) events.push(event);
  return events;
}

/**
 * Builds the daily summary of a day from the event store as of a time (the day's end by default): the trades closed
 * that day until then (`PositionClosed` events), their P&L and win rate, the positions open now, the watchlist
 * (symbols with `EntrySignal`s in the `watchlistMs` before then), and the equity and drawdown then.
 * @param store - the event store (read only).
 * @param options - the day, its time zone, the watchlist window.
 * @returns the summary.
 * @throws {@link NotificationsError} `BAD_DAY`, `BAD_TIME_ZONE`; a `StoreError` when the store cannot be read.
 */
export async function buildDailySummary(
  store: Pick<EventStore, 'scan' | 'positions'>,
  options: DailySummaryOptions,
): Promise<DailySummary> {
  const { day, timeZone, watchlistMs } = options;
  const from = startOfDay(day, timeZone);
  const to = startOfDay(nextDay(day), timeZone);
  const until = Math.max(from, Math.min(options.asOf ?? to, to));
  const capitalEvent = (await all(store, { types: ['CapitalSet'] }))[0];
  const capital = capitalEvent?.payload as TradingEventPayloads['CapitalSet'] | undefined;
  const trades: SummaryTrade[] = [];
  let closedEquity = capital?.capital ?? 0;
  let peak = closedEquity;
  for (const event of await all(store, { types: ['PositionClosed'], toMs: until })) {
    const close = event.payload as unknown as TradingEventPayloads['PositionClosed'];
    closedEquity += close.realizedPnl;
    peak = Math.max(peak, closedEquity);
    if (event.timestamp < from) continue;
    trades.push({
      symbol: close.position.symbol,
      strategyName: close.position.strategyName,
      direction: close.position.direction,
      quantity: close.quantity,
      entryPrice: close.position.entryPrice,
      exitPrice: close.exitPrice,
      realizedPnl: close.realizedPnl,
      reason: close.reason,
      closedAt: close.closedAt,
    });
  }
  const openPositions: SummaryPosition[] = (await store.positions())
    .filter((position) => position.status === 'open')
    .map(({ symbol, strategyName, direction, quantity, entryPrice, markPrice, unrealizedPnl }) => ({
      symbol,
      strategyName,
      direction,
      quantity,
      entryPrice,
      markPrice,
      unrealizedPnl,
    }));
  const watch = new Map<string, WatchlistEntry>();
  for (const event of await all(store, { types: ['EntrySignal'], fromMs: until - watchlistMs, toMs: until })) {
    const signal = event.payload as unknown as TradingEventPayloads['EntrySignal'];
    const seen = watch.get(signal.symbol);
    watch.set(signal.symbol, {
      symbol: signal.symbol,
      signals: (seen?.signals ?? 0) + 1,
      lastDirection: signal.direction,
      lastStrategy: signal.strategyName,
      lastAt: signal.barOpenTime,
    });
  }
  const realizedPnl = trades.reduce((sum, trade) => sum + trade.realizedPnl, 0);
  const wins = trades.filter((trade) => trade.realizedPnl > 0).length;
  const unrealizedPnl = openPositions.reduce((sum, position) => sum + position.unrealizedPnl, 0);
  return {
    day,
    timeZone,
    from,
    to,
    asOf: until,
    currency: capital?.currency ?? null,
    trades,
    realizedPnl,
    wins,
    winRate: trades.length === 0 ? null : wins / trades.length,
    openPositions,
    unrealizedPnl,
    watchlist: [...watch.values()].sort((a, b) => b.signals - a.signals || a.symbol.localeCompare(b.symbol)),
    equity: capital === undefined ? null : closedEquity + unrealizedPnl,
    drawdown: capital === undefined || peak <= 0 ? null : (peak - closedEquity) / peak,
  };
}
