import { describe, expect, it } from 'vitest';
import { mean, median, sharpeRatio, sortinoRatio } from './statistics.js';

describe('mean and median', () => {
  it('computes them by hand', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNaN();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('sharpeRatio', () => {
  it('is mean / sample standard deviation × √periods', () => {
    // r = 1 %, −1 %, 3 %: mean 1 %, sample variance ((0)² + (−2)² + (2)²) / 2 = 4 (%²), sd 2 %.
    expect(sharpeRatio([0.01, -0.01, 0.03], 365)).toBeCloseTo((0.01 / 0.02) * Math.sqrt(365), 12);
    expect(sharpeRatio([0.01, -0.01, 0.03], 252)).toBeCloseTo(0.5 * Math.sqrt(252), 12);
  });

  it('is null with fewer than two returns or no variation', () => {
    expect(sharpeRatio([0.01], 365)).toBeNull();
    expect(sharpeRatio([0.01, 0.01], 365)).toBeNull();
  });
});

describe('sortinoRatio', () => {
  it('is mean / target downside deviation × √periods, the TDD over every period', () => {
    // r = 2 %, −1 %, 3 %, −2 %: mean 0.5 %; TDD = √((1² + 2²) / 4) % = √1.25 %.
    expect(sortinoRatio([0.02, -0.01, 0.03, -0.02], 365)).toBeCloseTo(
      (0.005 / (Math.sqrt(1.25) / 100)) * Math.sqrt(365),
      12,
    );
  });

  it('is null without a return below 0 or with fewer than two returns', () => {
    expect(sortinoRatio([0.01, 0], 365)).toBeNull();
    expect(sortinoRatio([-0.01], 365)).toBeNull();
  });
});
