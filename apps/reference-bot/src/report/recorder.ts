import { createWriteStream, type WriteStream } from 'node:fs';
import type { EventBus, Regime, Timeframe, TradingEvent } from '@quant/core';
import { timeframeToMs } from '@quant/core';
import type { PositionReader } from '@quant/services';

/** Events serialized per write to the events file. */
const EVENTS_PER_WRITE = 512;

/** One closed trade (a position closed in full or in part). */
export interface TradeRecord {
  readonly strategy: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly quantity: number;
  /** ms UTC. */
  readonly entryTime: number;
  readonly entryPrice: number;
  /** ms UTC: the time of the closing fill. */
  readonly exitTime: number;
  readonly exitPrice: number;
  /** Realized P&L after fees, quote currency. */
  readonly pnl: number;
  /** Fees of the closed quantity, quote currency. */
  readonly fees: number;
  /** `exit_signal`, `stop_loss`, `take_profit`, … */
  readonly reason: string;
}

/** The account at the close of one bar of the execution timeframe. */
export interface EquityPoint {
  /** Close time of the bar, ms UTC. */
  readonly time: number;
  readonly equity: number;
  readonly cash: number;
  readonly unrealizedPnl: number;
  readonly openPositions: number;
}

/** A mark on the price chart: an entry, an exit, or a regime change. */
export interface ChartMarker {
  /** ms UTC. */
  readonly time: number;
  readonly kind: 'entry' | 'exit' | 'regime';
  readonly text: string;
  readonly direction?: 'long' | 'short';
}

/**
 * Listens to a run's bus and keeps what the report needs: every event
 * (streamed to `events.jsonl` when a path is given), the closed trades, the
 * equity after each bar of the execution timeframe, chart markers and counts.
 */
export class RunRecorder {
  readonly trades: TradeRecord[] = [];
  readonly equity: EquityPoint[] = [];
  readonly markers: ChartMarker[] = [];
  readonly counts = new Map<string, number>();
  readonly candles = new Map<Timeframe, number>();
  readonly #events: WriteStream | undefined;
  #written = 0;
  #pending: string[] = [];

  /**
   * @param bus - the run's bus; the recorder subscribes to every event.
   * @param positions - the bot's position ledger, read for equity.
   * @param executionTimeframe - the timeframe whose bars mark equity.
   * @param regimeTimeframe - the timeframe whose regime changes are marked on the chart.
   * @param eventsPath - where to stream every event as JSON lines, if anywhere.
   */
  constructor(
    bus: EventBus,
    private readonly positions: PositionReader,
    private readonly executionTimeframe: Timeframe,
    private readonly regimeTimeframe: Timeframe,
    eventsPath?: string,
  ) {
    this.#events = eventsPath ? createWriteStream(eventsPath) : undefined;
    bus.subscribe('*', (event) => this.#record(event), { name: 'RunRecorder' });
  }

  /** Events written to the events file. */
  get eventsWritten(): number {
    return this.#written;
  }

  /** Flushes and closes the events file. */
  close(): Promise<void> {
    const stream = this.#events;
    if (!stream) return Promise.resolve();
    this.#flush();
    return new Promise((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  #record(event: TradingEvent): void {
    this.counts.set(event.type, (this.counts.get(event.type) ?? 0) + 1);
    if (this.#events) {
      this.#pending.push(JSON.stringify(event));
      this.#written++;
      if (this.#pending.length === EVENTS_PER_WRITE) this.#flush();
    }
    switch (event.type) {
      case 'NewCandle':
        this.candles.set(event.timeframe, (this.candles.get(event.timeframe) ?? 0) + 1);
        if (event.timeframe === this.executionTimeframe)
          this.#markEquity(event.bar.openTime + timeframeToMs(event.timeframe));
        return;
      case 'OrderFilled':
        if (event.order.intent === 'entry') {
          this.markers.push({
            time: event.fill.timestamp,
            kind: 'entry',
            direction: event.order.direction,
            text: event.order.direction === 'long' ? 'L' : 'S',
          });
        }
        return;
      case 'PositionClosed':
        this.trades.push({
          strategy: event.position.strategyName ?? '',
          symbol: event.position.symbol,
          direction: event.position.direction,
          quantity: event.quantity,
          entryTime: event.position.openedAt,
          entryPrice: event.position.entryPrice,
          exitTime: event.closedAt,
          exitPrice: event.exitPrice,
          pnl: event.realizedPnl,
          fees: event.fees,
          reason: event.reason,
        });
        this.markers.push({
          time: event.closedAt,
          kind: 'exit',
          direction: event.position.direction,
          text: `${event.realizedPnl >= 0 ? '+' : ''}${event.realizedPnl.toFixed(0)}`,
        });
        return;
      case 'RegimeChanged':
        if (event.timeframe === this.regimeTimeframe) {
          this.markers.push({
            time: event.barOpenTime,
            kind: 'regime',
            text: `${event.timeframe} ${describe(event.newRegime)}`,
          });
        }
        return;
      default:
    }
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.#events?.write(`${this.#pending.join('\n')}\n`);
    this.#pending = [];
  }

  #markEquity(time: number): void {
    const account = this.positions.account();
    this.equity.push({
      time,
      equity: account.equity,
      cash: account.cash,
      unrealizedPnl: account.unrealizedPnl,
      openPositions: this.positions.positions().length,
    });
  }
}

function describe(regime: Regime): string {
  return `${regime.trend}/${regime.volatility}`;
}
