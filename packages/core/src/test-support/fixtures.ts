import type { Bar } from '../domain/bar.js';

/** A real BTCUSDT 1-minute bar (2023-03-01 00:00 UTC), for payloads in tests. */
export const sampleBar: Bar = {
  openTime: Date.UTC(2023, 2, 1, 0, 0),
  open: 23140.48,
  high: 23150.77,
  low: 23128.52,
  close: 23142.31,
  volume: 2.131777,
};
