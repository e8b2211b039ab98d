import { describe, expect, it } from 'vitest';
import { TimerQueue } from './timer-queue.js';

describe('TimerQueue', () => {
  it('takes timers in due order, ties in insertion order, skipping cancelled ones', () => {
    const queue = new TimerQueue();
    const label = (name: string) => () => void name;
    queue.add(200, label('b'));
    queue.add(100, label('a'));
    const cancelled = queue.add(150, label('x'));
    queue.add(200, label('c'));
    cancelled.cancel();
    cancelled.cancel();
    expect(queue.size).toBe(3);
    expect(queue.nextDue()).toBe(100);
    expect(queue.takeDue(99)).toBeUndefined();
    const taken = [queue.takeDue(200), queue.takeDue(200), queue.takeNext(), queue.takeNext()];
    expect(taken.map((timer) => timer && [timer.due, timer.seq])).toEqual([[100, 1], [200, 0], [200, 3], undefined]);
    expect(queue.size).toBe(0);
    expect(queue.nextDue()).toBeUndefined();
  });

  it('ignores cancel() after a timer was taken and tells whether timers added since a mark are live', () => {
    const queue = new TimerQueue();
    const early = queue.add(10, () => {});
    const mark = queue.nextSeq;
    expect(queue.hasLiveSince(mark)).toBe(false);
    const late = queue.add(5, () => {});
    expect(queue.hasLiveSince(mark)).toBe(true);
    expect(queue.takeNext()?.due).toBe(5);
    late.cancel();
    expect(queue.size).toBe(1);
    expect(queue.hasLiveSince(mark)).toBe(false);
    early.cancel();
    expect(queue.size).toBe(0);
  });

  it('compacts many cancelled timers without losing live ones', () => {
    const queue = new TimerQueue();
    const keep = queue.add(1_000_000, () => {});
    for (let i = 0; i < 3_000; i++) queue.add(i, () => {}).cancel();
    expect(queue.size).toBe(1);
    expect(queue.nextDue()).toBe(1_000_000);
    keep.cancel();
    expect(queue.takeNext()).toBeUndefined();
  });
});
