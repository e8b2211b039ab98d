import { SimulatedClock } from '@quant/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CcxtMarketData } from './ccxt-market-data.js';
import { CcxtVenue } from './ccxt-venue.js';
import { type ScriptedBinance, startScriptedBinance } from './test-support/scripted-binance.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2023, 2, 1);
/** Binance klines of 1m from T0, one every minute but a gap at minutes 50 to 54; prices tell the minute. */
const KLINES = Array.from({ length: 200 }, (_, minute) => minute)
  .filter((minute) => minute < 50 || minute > 54)
  .map((minute) => {
    const openTime = T0 + minute * MINUTE;
    const price = (20_000 + minute).toFixed(2);
    return [openTime, price, price, price, price, '1.5', openTime + MINUTE - 1, '30000.0', 10, '0.7', '14000.0', '0'];
  });

describe('CcxtMarketData on a scripted Binance peer', () => {
  let peer: ScriptedBinance;
  let venue: CcxtVenue;
  beforeEach(async () => {
    peer = await startScriptedBinance(T0);
    // Binance serves up to `limit` klines from startTime, the forming one included.
    peer.answer('GET /api/v3/klines', ({ query }) => {
      const start = Number(query.get('startTime') ?? 0);
      const limit = Number(query.get('limit') ?? 500);
      return { status: 200, body: KLINES.filter((row) => (row[0] as number) >= start).slice(0, limit) };
    });
    venue = await CcxtVenue.connect({ exchange: 'binance', url: peer.url });
  });
  afterEach(async () => {
    await venue.close();
    await peer.close();
  });

  it('hands on the last closed bars only, oldest first, never the forming one', async () => {
    // 00:10:30: the 00:10 bar is forming; the last closed one opened at 00:09.
    const clock = new SimulatedClock(T0 + 10 * MINUTE + 30_000);
    const bars = await new CcxtMarketData(venue, { clock }).fetchBars({ symbol: 'BTCUSDT', timeframe: '1m', limit: 3 });
    expect(bars).toEqual(
      [7, 8, 9].map((minute) => ({
        openTime: T0 + minute * MINUTE,
        open: 20_000 + minute,
        high: 20_000 + minute,
        low: 20_000 + minute,
        close: 20_000 + minute,
        volume: 1.5,
      })),
    );
  });

  it('reads a warm-up longer than a page page by page, across a gap, under the limit asked', async () => {
    const clock = new SimulatedClock(T0 + 120 * MINUTE);
    const bars = await new CcxtMarketData(venue, { clock, pageSize: 25 }).fetchBars({
      symbol: 'BTCUSDT',
      timeframe: '1m',
      limit: 100,
    });
    const minutes = bars.map((bar) => (bar.openTime - T0) / MINUTE);
    // Minutes 20 to 119 but the five of the gap.
    expect(minutes).toEqual(Array.from({ length: 100 }, (_, i) => 20 + i).filter((m) => m < 50 || m > 54));
    expect(peer.seen.filter((r) => r.path === '/api/v3/klines').length).toBeGreaterThanOrEqual(4);
  });

  it('reports an unknown symbol as rejected and a venue that fails as unavailable', async () => {
    const source = new CcxtMarketData(venue, { clock: new SimulatedClock(T0 + 10 * MINUTE) });
    await expect(source.fetchBars({ symbol: 'ETHUSDT', timeframe: '1m', limit: 3 })).rejects.toMatchObject({
      code: 'rejected',
    });
    peer.answer('GET /api/v3/klines', { status: 503, body: { code: -1001, msg: 'Internal error' } });
    await expect(source.fetchBars({ symbol: 'BTCUSDT', timeframe: '1m', limit: 3 })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
