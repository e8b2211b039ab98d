import { describe, expect, it } from 'vitest';
import { SimulatedClock } from './simulated-clock.js';

describe('SimulatedClock', () => {
  it('fires timers in due order with now() at their due time', async () => {
    const clock = new SimulatedClock(1_000);
    const fired: [string, number][] = [];
    clock.setTimer(() => fired.push(['b', clock.now()]), 200);
    clock.setTimer(() => fired.push(['a', clock.now()]), 100);
    clock.setTimer(() => fired.push(['c', clock.now()]), 200);
    await clock.advanceBy(150);
    expect(fired).toEqual([['a', 1_100]]);
    expect(clock.now()).toBe(1_150);
    await clock.advanceTo(5_000);
    expect(fired).toEqual([
      ['a', 1_100],
      ['b', 1_200],
      ['c', 1_200],
    ]);
    expect(clock.now()).toBe(5_000);
  });

  it('does not fire cancelled timers', async () => {
    const clock = new SimulatedClock();
    let fired = false;
    clock.setTimer(() => (fired = true), 10).cancel();
    await clock.advanceBy(100);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs chains of awaited sleeps without real waiting', async () => {
    const clock = new SimulatedClock();
    const ticks: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(1_000);
        ticks.push(clock.now());
      }
    })();
    await clock.advanceBy(3_000);
    await loop;
    expect(ticks).toEqual([1_000, 2_000, 3_000]);
  });

  it('ticks synchronously through due timers, including ones they set', () => {
    const clock = new SimulatedClock(0);
    const fired: number[] = [];
    const every = (ms: number) => {
      clock.setTimer(() => {
        fired.push(clock.now());
        every(ms);
      }, ms);
    };
    every(1_000);
    clock.tickTo(3_500);
    expect(fired).toEqual([1_000, 2_000, 3_000]);
    expect(clock.now()).toBe(3_500);
    clock.tickTo(100);
    expect(clock.now()).toBe(3_500);
  });

  it('ends a sleep early when its signal aborts', async () => {
    const clock = new SimulatedClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(clock.now()).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runToCompletion moves time while the work waits on its own timers, in due order', async () => {
    const clock = new SimulatedClock(1_000);
    const seen: string[] = [];
    clock.setTimer(() => seen.push(`health@${clock.now()}`), 700);
    const result = await clock.runToCompletion(async () => {
      await Promise.resolve();
      await clock.sleep(500);
      seen.push(`woke@${clock.now()}`);
      await clock.sleep(500);
      seen.push(`woke@${clock.now()}`);
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual(['woke@1500', 'health@1700', 'woke@2000']);
    expect(clock.now()).toBe(2_000);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runToCompletionNow returns a synchronous result itself, and drives work that waits on the clock', async () => {
    const clock = new SimulatedClock(0);
    expect(clock.runToCompletionNow(() => 'done')).toBe('done');
    expect(() =>
      clock.runToCompletionNow(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    const waiting = clock.runToCompletionNow(async () => {
      await clock.sleep(5_000);
      return clock.now();
    });
    expect(waiting).toBeInstanceOf(Promise);
    expect(await waiting).toBe(5_000);
    expect(clock.nextTimerDue).toBeUndefined();
    clock.setTimer(() => {}, 1_000);
    expect(clock.nextTimerDue).toBe(6_000);
  });

  it('runToCompletion leaves time alone for work that settles without waiting, or waits on something else', async () => {
    const clock = new SimulatedClock(0);
    let fired = false;
    const result = await clock.runToCompletion(() => {
      clock.setTimer(() => (fired = true), 1_000);
      return 42;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect([result, fired, clock.now()]).toEqual([42, false, 0]);
    // Real I/O (here a real timer) with no timer of its own pending: time does not move.
    await clock.runToCompletion(() => new Promise((resolve) => setTimeout(resolve, 5)));
    expect([fired, clock.now()]).toEqual([false, 0]);
    await expect(
      clock.runToCompletion(async () => {
        await clock.sleep(10);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(clock.now()).toBe(10);
  });

  it('runToCompletion reports a timer callback that throws once the work settled', async () => {
    const clock = new SimulatedClock(0);
    const work = clock.runToCompletion(async () => {
      clock.setTimer(() => {
        throw new Error('callback failed');
      }, 100);
      await clock.sleep(200);
      return clock.now();
    });
    await expect(work).rejects.toThrow('callback failed');
    expect(clock.now()).toBe(200);
  });
});
