import { describe, expect, it } from 'vitest';
import { EquityCurve, type EquityPoint } from './equity-curve.js';
import { walk } from './walk.test-support.js';

describe('EquityCurve', () => {
  it('keeps every bar while it has room', () => {
    const curve = new EquityCurve(100);
    const points = walk(100);
    for (const point of points) curve.add(point);
    expect(curve.points()).toEqual(points);
    expect(curve.resolution()).toMatchObject({ bars: 100, barsPerBucket: 1, points: 100, description: 'every bar' });
  });

  it('stays bounded and keeps the lowest, highest and last points', () => {
    const curve = new EquityCurve(100);
    const points = walk(50_000);
    for (const point of points) curve.add(point);
    const kept = curve.points();
    expect(kept.length).toBeLessThanOrEqual(300);
    expect(kept.length).toBeGreaterThan(50);
    const resolution = curve.resolution();
    expect(resolution.barsPerBucket).toBe(512);
    expect(resolution.description).toBe('lowest, highest and last equity of every 512 bars');
    expect(resolution.points).toBe(kept.length);
    const equities = points.map((p) => p.equity);
    expect(Math.min(...kept.map((p) => p.equity))).toBe(Math.min(...equities));
    expect(Math.max(...kept.map((p) => p.equity))).toBe(Math.max(...equities));
    expect(kept[kept.length - 1]).toBe(points[points.length - 1]);
    for (let i = 1; i < kept.length; i++)
      expect((kept[i] as EquityPoint).time).toBeGreaterThan((kept[i - 1] as EquityPoint).time);
  });
});
