import type { Bar } from '@quant/core';
import type { ClosedTrade } from '@quant/services';
import type { HtmlReportData } from './html-data.js';

/** 2023-03-01T00:00Z, the first bar of the samples. */
export const SAMPLE_START = Date.UTC(2023, 2, 1);
const FIVE_MINUTES = 300_000;

/**
 * `count` 5-minute bars from {@link SAMPLE_START} (plus `offset` bars), a
 * gentle zigzag around `base`; bars `gap[0]` to `gap[1]` (exclusive) left out.
 */
export function sampleBars(count: number, base: number, gap: readonly [number, number] = [0, 0]): Bar[] {
  const bars: Bar[] = [];
  for (let i = 0; i < count; i++) {
    if (i >= gap[0] && i < gap[1]) continue;
    const open = base + Math.sin(i / 7) * base * 0.01;
    const close = base + Math.sin((i + 1) / 7) * base * 0.01;
    bars.push({
      openTime: SAMPLE_START + i * FIVE_MINUTES,
      open,
      high: Math.max(open, close) + base * 0.001,
      low: Math.min(open, close) - base * 0.001,
      close,
      volume: 1,
    });
  }
  return bars;
}

/** A trade of the samples; times in 5-minute bars from {@link SAMPLE_START}. */
export function sampleTrade(partial: Partial<ClosedTrade> & { from: number; to: number }): ClosedTrade {
  const { from, to, ...rest } = partial;
  return {
    strategy: 'trend',
    symbol: 'BTCUSDT',
    direction: 'long',
    quantity: 0.5,
    entryTime: SAMPLE_START + from * FIVE_MINUTES + 60_000,
    entryPrice: 20_000,
    exitTime: SAMPLE_START + to * FIVE_MINUTES + 60_000,
    exitPrice: 20_100,
    pnl: 40,
    fees: 10,
    reason: 'exit_signal',
    ...rest,
  };
}

/**
 * Hand-built report data: two symbols (ETHUSDT's bars with a gap), trades
 * that overlap (two strategies on BTCUSDT), a short, a loss, a trade on the
 * same bar, and text that needs escaping.
 * @param trades - the trades; the samples' own by default.
 */
export function sampleData(trades: readonly ClosedTrade[] = sampleTrades()): HtmlReportData {
  const btc = sampleBars(300, 20_000);
  const eth = sampleBars(300, 1_500, [100, 130]);
  const equity = Array.from({ length: 300 }, (_, i) => ({
    time: SAMPLE_START + (i + 1) * FIVE_MINUTES,
    equity: 100_000 + Math.sin(i / 20) * 500 - i,
    cash: 100_000,
    unrealizedPnl: 0,
    openPositions: 0,
  }));
  return {
    title: 'Backtest <script>alert("x")</script> & more',
    currency: 'USDT',
    initialEquity: 100_000,
    summary: [
      ['Trades', String(trades.length)],
      ['Note <b>', 'a & b "quoted"'],
    ],
    tables: [{ title: 'By strategy <i>', header: ['Strategy', 'Trades'], rows: [['trend & co', '3']] }],
    equity,
    equityResolution: 'every bar',
    buyAndHold: [
      { symbol: 'BTCUSDT', firstClose: btc[0]?.close ?? 0, lastClose: btc[btc.length - 1]?.close ?? 0 },
      { symbol: 'ETHUSDT', firstClose: eth[0]?.close ?? 0, lastClose: eth[eth.length - 1]?.close ?? 0 },
    ],
    symbols: [
      {
        symbol: 'BTCUSDT',
        timeframe: '5m',
        bars: btc,
        regimes: [{ time: btc[50]?.openTime ?? 0, text: '15m uptrend/high' }],
      },
      { symbol: 'ETHUSDT', timeframe: '5m', bars: eth, regimes: [] },
    ],
    trades,
  };
}

/** The samples' trades, in the order they closed. */
export function sampleTrades(): ClosedTrade[] {
  return [
    sampleTrade({ from: 10, to: 40, strategy: 'trend', entryPrice: 20_050, exitPrice: 20_150, pnl: 57 }),
    sampleTrade({ from: 20, to: 60, strategy: 'revert<x>', direction: 'short', exitPrice: 20_200, pnl: -101 }),
    sampleTrade({ from: 61, to: 61, strategy: 'trend', exitPrice: 19_990, pnl: -6, reason: 'stop_loss' }),
    sampleTrade({ from: 62, to: 90, strategy: 'trend', pnl: 12.5, reason: 'take_profit' }),
    sampleTrade({ symbol: 'ETHUSDT', from: 5, to: 150, entryPrice: 1_510, exitPrice: 1_495, quantity: 2, pnl: -33 }),
  ];
}
