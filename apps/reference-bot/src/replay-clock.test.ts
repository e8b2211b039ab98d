import { describe, expect, it } from 'vitest';
import { ReplayClock } from './replay-clock.js';

/** Resolves after the event loop went round (I/O and immediates included). */
const loopTurns = (turns: number) =>
  new Promise<void>((resolve) => {
    let left = turns;
    const turn = () => (--left <= 0 ? resolve() : setImmediate(turn));
    setImmediate(turn);
  });

describe('ReplayClock at speed max', () => {
  it('fires its timers in due order as soon as the event loop is free, moving data time to each', async () => {
    const clock = new ReplayClock(1_000, 'max');
    const fired: [string, number][] = [];
    clock.setTimer(() => fired.push(['b', clock.now()]), 120_000);
    clock.setTimer(() => fired.push(['a', clock.now()]), 60_000);
    await loopTurns(5);
    expect(fired).toEqual([
      ['a', 61_000],
      ['b', 121_000],
    ]);
  });

  it('holds data time while held work waits on I/O, then goes on', async () => {
    const clock = new ReplayClock(1_000, 'max');
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now()), 600_000);
    let finish: () => void = () => {};
    const work = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const held = clock.hold(work);
    await loopTurns(10);
    expect(fired, 'no timer fires while the work is pending').toEqual([]);
    expect(clock.now()).toBe(1_000);
    finish();
    await held;
    await loopTurns(3);
    expect(fired).toEqual([601_000]);
  });

  it('releases the clock when held work fails', async () => {
    const clock = new ReplayClock(0, 'max');
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now()), 1_000);
    await expect(clock.hold(Promise.reject(new Error('append failed')))).rejects.toThrow('append failed');
    await loopTurns(3);
    expect(fired).toEqual([1_000]);
  });
});
