import { SimulatedClock } from '@quant/core';
import { describe, expect, it } from 'vitest';
import { ClockCron } from './clock-cron.js';
import { NotificationsError } from './notifications-error.js';
import { wallTime } from './time-zone.js';

const NEW_YORK = 'America/New_York';
const DAY = 86_400_000;

/** The times a 16:30 New York weekday job fires on the simulated clock from `from` to `to` (ISO days, UTC). */
async function fires(from: string, to: string): Promise<number[]> {
  const clock = new SimulatedClock(Date.parse(`${from}T00:00:00Z`));
  const runs: number[] = [];
  const job = new ClockCron({
    cron: '30 16 * * 1-5',
    timeZone: NEW_YORK,
    clock,
    run: (dueAt) => {
      expect(clock.now()).toBe(dueAt);
      runs.push(dueAt);
    },
  });
  job.start();
  // An hour at a time, as a running bot's clock moves.
  while (clock.now() < Date.parse(`${to}T00:00:00Z`)) await clock.advanceBy(3_600_000);
  job.stop();
  expect(job.nextRunAt).toBeNull();
  return runs;
}

/** Every weekday (New York) from `from` to the day before `to`. */
function weekdays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${from}T12:00:00Z`); ms < Date.parse(`${to}T00:00:00Z`); ms += DAY) {
    const day = new Date(ms);
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

describe('ClockCron', () => {
  it.each([
    ['March (clocks go forward on Sunday March 12, 2023)', '2023-03-01', '2023-03-25', '2023-03-13', '20:30'],
    ['November (clocks go back on Sunday November 5, 2023)', '2023-10-25', '2023-11-18', '2023-11-06', '21:30'],
  ])(
    'fires exactly once per weekday at 16:30 New York across the DST change of %s',
    async (_, from, to, firstAfterChange, utcAfterChange) => {
      const runs = await fires(from, to);
      expect(runs.map((ms) => wallTime(ms, NEW_YORK).day)).toEqual(weekdays(from, to));
      for (const ms of runs) {
        expect(wallTime(ms, NEW_YORK).time).toBe('16:30');
        expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(wallTime(ms, NEW_YORK).weekday);
      }
      // The UTC time moves by an hour at the change: 21:30Z in EST (UTC-5), 20:30Z in EDT (UTC-4).
      const after = runs.find((ms) => wallTime(ms, NEW_YORK).day === firstAfterChange) as number;
      expect(new Date(after).toISOString().slice(11, 16)).toBe(utcAfterChange);
    },
  );

  it('keeps its schedule when a run throws or rejects, reporting each error', async () => {
    const clock = new SimulatedClock(Date.parse('2023-03-06T00:00:00Z'));
    const errors: unknown[] = [];
    let calls = 0;
    const job = new ClockCron({
      cron: '0 * * * *',
      timeZone: 'UTC',
      clock,
      run: () => {
        calls++;
        if (calls === 1) throw new Error('smtp down');
        if (calls === 2) return Promise.reject(new Error('webhook 500'));
        return undefined;
      },
      onError: (error) => errors.push(error),
    });
    job.start();
    job.start();
    await clock.advanceBy(3 * 3_600_000);
    expect(calls).toBe(3);
    expect(errors.map((error) => (error as Error).message)).toEqual(['smtp down', 'webhook 500']);
    expect(job.lastRunAt).toBe(Date.parse('2023-03-06T03:00:00Z'));
    expect(job.nextRunAt).toBe(Date.parse('2023-03-06T04:00:00Z'));
    job.stop();
  });

  it('refuses a bad expression or time zone with a coded error saying what it expects', () => {
    const clock = new SimulatedClock(0);
    const make = (cron: string, timeZone: string) => () => new ClockCron({ cron, timeZone, clock, run: () => {} });
    expect(make('30 25 * * *', NEW_YORK)).toThrow(expect.objectContaining({ code: 'BAD_CRON' }));
    expect(make('every day', NEW_YORK)).toThrow(/expected minute hour day-of-month month weekday/);
    expect(make('30 16 * * 1-5', 'Mars/Olympus')).toThrow(expect.objectContaining({ code: 'BAD_TIME_ZONE' }));
    let caught: unknown;
    try {
      make('30 16 * * 1-5', 'EST5EDT-nope')();
    } catch (error) {
      caught = error;
    }
    expect(NotificationsError.isInstance(caught)).toBe(true);
  });
});
